//! The client's address behind trusted proxies (`CONSOLE_TRUSTED_PROXIES`). The TCP peer is the client unless it
//! is one of the trusted proxies; then the client is the right-most address of `X-Forwarded-For` (or, without it,
//! of `Forwarded`'s `for=`) that is not itself a trusted proxy. Addresses to the left of it were written by the
//! client and are never believed; the headers of a peer that is not a trusted proxy are ignored.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// Addresses and networks of the proxies in front of the console.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Parses addresses or CIDR networks separated by spaces, commas or newlines (`10.0.0.5, 192.168.0.0/16`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split([' ', ',', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<ipnet::IpNet>() {
                Ok(n) => n,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(ipnet::IpNet::from)
                    .map_err(|_| format!("'{item}' is not an address or a network like 10.0.0.0/8"))?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers` (see the module's notes).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let forwarded_for: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let hops: Vec<String> = if !forwarded_for.is_empty() {
            forwarded_for.iter().map(|h| h.trim().to_string()).collect()
        } else {
            headers
                .get_all("forwarded")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(forwarded_for_param)
                .collect()
        };
        // From the right: past every trusted proxy, the first address is the client's. One that cannot be read
        // stops the walk at the last proxy (the fail-safe: that proxy's address, never a guess).
        let mut client = peer;
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.contains(ip) => client = ip,
                Some(ip) => return ip,
                None => return client,
            }
        }
        client
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The `for=` of one element of a `Forwarded` header (RFC 7239), quotes removed.
fn forwarded_for_param(element: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("for")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// An address of a hop: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok().map(canonical);
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop_of_a_trusted_peer() {
        let t = TrustedProxies::parse("10.0.0.5, 192.168.0.0/16").unwrap();
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 192.168.1.2")]);
        assert_eq!(t.client(ip("10.0.0.5"), &spoofed), ip("203.0.113.7"));
        // Not from a trusted proxy: the header is ignored.
        assert_eq!(t.client(ip("198.51.100.1"), &spoofed), ip("198.51.100.1"));
        // Several header lines are one list, in order.
        let lines = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.8:5555")]);
        assert_eq!(t.client(ip("10.0.0.5"), &lines), ip("203.0.113.8"));
        // Forwarded, when there is no X-Forwarded-For.
        let fwd = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.168.0.9",
        )]);
        assert_eq!(t.client(ip("10.0.0.5"), &fwd), ip("2001:db8:cafe::17"));
        // Nothing forwarded, or only proxies: the last proxy; garbage stops the walk at the last proxy.
        assert_eq!(t.client(ip("10.0.0.5"), &HeaderMap::new()), ip("10.0.0.5"));
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip, 192.168.4.4")]);
        assert_eq!(t.client(ip("10.0.0.5"), &garbage), ip("192.168.4.4"));
        // An IPv4 peer seen as IPv6.
        assert_eq!(t.client(ip("::ffff:10.0.0.5"), &spoofed), ip("203.0.113.7"));
    }

    #[test]
    fn the_setting_names_what_it_cannot_read() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.1\n::1 fd00::/8").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert!(TrustedProxies::parse("proxy.example").is_err());
    }
}
