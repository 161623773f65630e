//! Where BI lives: the API and token hosts of each region. With the rest of the client, the only place that knows
//! BI's URLs.

/// BI's regions and their hosts.
pub fn region_hosts(region: &str) -> Option<(&'static str, &'static str)> {
    match region {
        "us" => Some((
            "https://api-us.beyondidentity.com",
            "https://auth-us.beyondidentity.com",
        )),
        "eu" => Some((
            "https://api-eu.beyondidentity.com",
            "https://auth-eu.beyondidentity.com",
        )),
        "us1-gov" => Some((
            "https://api.us1.beyondidentity-gov.com",
            "https://auth.us1.beyondidentity-gov.com",
        )),
        _ => None,
    }
}

/// BI's client-credentials token endpoint under `auth_base`.
pub fn token_url(auth_base: &str, tenant: &str, realm: &str, application: &str) -> String {
    format!("{auth_base}/v1/tenants/{tenant}/realms/{realm}/applications/{application}/token")
}
