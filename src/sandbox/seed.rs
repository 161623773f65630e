//! The demo tenant the sandbox starts with: two realms, 60 people in the workforce realm (some names beyond ASCII,
//! some without email, a few suspended), six groups with members and the three groups the console's default role
//! mapping names (each with two enrolled members, who sign in to the console with Beyond Identity), and a small
//! customer realm.
//! Deterministic: the same names, usernames and memberships on every fresh start.

use chrono::{Duration, SecondsFormat, Utc};

use super::error::ApiError;
use super::store::SandboxStore;
use crate::model::{Traits, STATUS_ACTIVE, STATUS_SUSPENDED};

/// (given name, family name, username)
const WORKFORCE: [(&str, &str, &str); 60] = [
    ("Ada", "Lovelace", "ada.lovelace"),
    ("Grace", "Hopper", "grace.hopper"),
    ("Alan", "Turing", "alan.turing"),
    ("Katherine", "Johnson", "katherine.johnson"),
    ("Edsger", "Dijkstra", "edsger.dijkstra"),
    ("Barbara", "Liskov", "barbara.liskov"),
    ("Donald", "Knuth", "donald.knuth"),
    ("Margaret", "Hamilton", "margaret.hamilton"),
    ("Zoë", "Ångström", "zoe.angstrom"),
    ("José", "Núñez", "jose.nunez"),
    ("Søren", "Kierkegaard", "soren.kierkegaard"),
    ("Chloé", "Dubois", "chloe.dubois"),
    ("Łukasz", "Nowak", "lukasz.nowak"),
    ("Björn", "Lindqvist", "bjorn.lindqvist"),
    ("Ōtani", "Hiroshi", "hiroshi.otani"),
    ("Amélie", "Poulain", "amelie.poulain"),
    ("Jürgen", "Müller", "jürgen.müller"),
    ("Siobhán", "O'Brien", "siobhan.obrien"),
    ("Nguyễn", "Thị Mai", "mai.nguyen"),
    ("Ingrid", "Bergström", "ingrid.bergstrom"),
    ("Tim", "Berners-Lee", "tim.bernerslee"),
    ("Linus", "Torvalds", "linus.torvalds"),
    ("Radia", "Perlman", "radia.perlman"),
    ("Ken", "Thompson", "ken.thompson"),
    ("Dennis", "Ritchie", "dennis.ritchie"),
    ("Frances", "Allen", "frances.allen"),
    ("John", "McCarthy", "john.mccarthy"),
    ("Hedy", "Lamarr", "hedy.lamarr"),
    ("Claude", "Shannon", "claude.shannon"),
    ("Annie", "Easley", "annie.easley"),
    ("Vint", "Cerf", "vint.cerf"),
    ("Shafi", "Goldwasser", "shafi.goldwasser"),
    ("Leslie", "Lamport", "leslie.lamport"),
    ("Adele", "Goldberg", "adele.goldberg"),
    ("Bjarne", "Stroustrup", "bjarne.stroustrup"),
    ("Jean", "Bartik", "jean.bartik"),
    ("Guido", "van Rossum", "guido.vanrossum"),
    ("Mary", "Jackson", "mary.jackson"),
    ("Whitfield", "Diffie", "whitfield.diffie"),
    ("Lynn", "Conway", "lynn.conway"),
    ("Niklaus", "Wirth", "niklaus.wirth"),
    ("Karen", "Spärck Jones", "karen.sparckjones"),
    ("Tony", "Hoare", "tony.hoare"),
    ("Sophie", "Wilson", "sophie.wilson"),
    ("Robin", "Milner", "robin.milner"),
    ("Evelyn", "Boyd Granville", "evelyn.granville"),
    ("Yukihiro", "Matsumoto", "yukihiro.matsumoto"),
    ("Marissa", "Mayer", "marissa.mayer"),
    ("Andrew", "Tanenbaum", "andrew.tanenbaum"),
    ("Carol", "Shaw", "carol.shaw"),
    ("Ivan", "Sutherland", "ivan.sutherland"),
    ("Elizabeth", "Feinler", "elizabeth.feinler"),
    ("Rasmus", "Lerdorf", "rasmus.lerdorf"),
    ("Joan", "Clarke", "joan.clarke"),
    ("Xiaoling", "Wáng", "xiaoling.wang"),
    ("Priya", "Raman", "priya.raman"),
    ("Kwame", "Mensah", "kwame.mensah"),
    ("Fatima", "Al-Fihri", "fatima.alfihri"),
    ("Dmitri", "Ivanov", "dmitri.ivanov"),
    ("Aiko", "Tanaka", "aiko.tanaka"),
];

const CUSTOMERS: [(&str, &str, &str); 8] = [
    ("Olivia", "Martin", "olivia.martin"),
    ("Liam", "Bernard", "liam.bernard"),
    ("Emma", "Thomas", "emma.thomas"),
    ("Noah", "Petit", "noah.petit"),
    ("Mia", "Robert", "mia.robert"),
    ("Lucas", "Richard", "lucas.richard"),
    ("Léa", "Durand", "lea.durand"),
    ("Hugo", "Moreau", "hugo.moreau"),
];

/// (name, description, indexes into WORKFORCE)
const GROUPS: [(&str, &str, &[usize]); 9] = [
    (
        "Realm Administrators",
        "People who administer this realm.",
        &[0, 1, 7],
    ),
    (
        "Engineering",
        "Everyone building the product.",
        &[
            2, 4, 5, 6, 20, 21, 22, 23, 24, 30, 32, 34, 36, 40, 42, 44, 46, 52,
        ],
    ),
    (
        "Finance",
        "Accounting, payroll and purchasing.",
        &[9, 13, 19, 27, 37],
    ),
    (
        "Sales",
        "Account executives and sales engineers.",
        &[10, 11, 15, 25, 33, 47, 49, 55],
    ),
    (
        "Support",
        "Customer support, all regions.",
        &[3, 8, 12, 14, 16, 17, 18, 28, 29, 56, 57, 58, 59],
    ),
    ("Contractors", "", &[]),
    // The console's operators when they sign in with Beyond Identity (`CONSOLE_OIDC_ROLES`' default).
    (
        "Console Admins",
        "Administer the Identity Console.",
        &[10, 11],
    ),
    (
        "Service Desk",
        "Help people with their identities in the Identity Console.",
        &[22, 31],
    ),
    (
        "Console Viewers",
        "Read the Identity Console.",
        &[25, 35],
    ),
];

fn at(days_ago: i64, minutes: i64) -> String {
    (Utc::now() - Duration::days(days_ago) + Duration::minutes(minutes))
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn traits(given: &str, family: &str, username: &str, with_email: bool, domain: &str) -> Traits {
    let ascii_user: String = username
        .chars()
        .map(|c| match c {
            'ü' => "ue".to_string(),
            'ö' => "oe".to_string(),
            'ä' => "ae".to_string(),
            c => c.to_string(),
        })
        .collect();
    Traits {
        username: Some(username.to_string()),
        given_name: Some(given.to_string()),
        family_name: Some(family.to_string()),
        primary_email_address: with_email.then(|| format!("{ascii_user}@{domain}")),
        ..Traits::default()
    }
}

/// Fills an empty store with the demo tenant.
pub async fn seed(store: &SandboxStore) -> Result<(), ApiError> {
    let workforce = store
        .insert_realm("Acme Workforce", "SECURE_WORKFORCE")
        .await?;
    let customers = store
        .insert_realm("Acme Customers", "SECURE_CUSTOMER")
        .await?;

    let mut ids = Vec::with_capacity(WORKFORCE.len());
    for (i, (given, family, username)) in WORKFORCE.iter().enumerate() {
        let suspended = matches!(i, 13 | 27 | 41 | 53);
        let with_email = i % 9 != 4;
        // Every enrollment state, backed by what BI's rule needs (an active passkey, an open or a failed
        // invitation); the status itself follows from them.
        let enrollment = match (i % 5, i % 2) {
            (0..=2, _) => "ENROLLED",
            (3, 0) => "INVITE_FAILED",
            (3, _) => "PENDING",
            _ => "UNENROLLED",
        };
        let identity = store
            .create_identity(
                &workforce.id,
                &format!("{given} {family}"),
                if suspended {
                    STATUS_SUSPENDED
                } else {
                    STATUS_ACTIVE
                },
                "UNENROLLED",
                &traits(given, family, username, with_email, "acme.example"),
                Some(at(90 - i as i64, i as i64 * 7)),
            )
            .await?;
        store
            .seed_enrollment(&workforce.id, &identity.id, enrollment)
            .await?;
        ids.push(identity.id);
    }
    for (i, (name, description, members)) in GROUPS.iter().enumerate() {
        let group = store
            .create_group(
                &workforce.id,
                name,
                (!description.is_empty()).then_some(*description),
                Some(at(120 - i as i64, 0)),
            )
            .await?;
        let member_ids: Vec<String> = members.iter().map(|&m| ids[m].clone()).collect();
        if !member_ids.is_empty() {
            store
                .change_members(&workforce.id, &group.id, &member_ids, true)
                .await?;
        }
    }

    let mut customer_ids = Vec::new();
    for (i, (given, family, username)) in CUSTOMERS.iter().enumerate() {
        let identity = store
            .create_identity(
                &customers.id,
                &format!("{given} {family}"),
                STATUS_ACTIVE,
                "UNENROLLED",
                &traits(given, family, username, true, "mail.example"),
                Some(at(30 - i as i64, 0)),
            )
            .await?;
        store
            .seed_enrollment(&customers.id, &identity.id, "ENROLLED")
            .await?;
        customer_ids.push(identity.id);
    }
    let beta = store
        .create_group(
            &customers.id,
            "Beta testers",
            Some("Customers trying new features first."),
            None,
        )
        .await?;
    store
        .change_members(&customers.id, &beta.id, &customer_ids[..3], true)
        .await?;
    Ok(())
}

/// An extra realm of generated people, for trying and measuring the console at scale (`SANDBOX_SEED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// "Acme Scale": 100,000 identities, 5,000 groups, five of them with 10,000 members.
    Large,
    /// "Acme Million": 1,000,000 identities, 5,000 groups, five of them with 10,000 members.
    XLarge,
}

impl Scale {
    /// `large` or `xlarge`.
    pub fn parse(text: &str) -> Option<Scale> {
        match text {
            "large" => Some(Scale::Large),
            "xlarge" => Some(Scale::XLarge),
            _ => None,
        }
    }

    /// The realm's name.
    pub fn realm_name(self) -> &'static str {
        match self {
            Scale::Large => LARGE_REALM,
            Scale::XLarge => "Acme Million",
        }
    }

    fn identities(self) -> usize {
        match self {
            Scale::Large => 100_000,
            Scale::XLarge => 1_000_000,
        }
    }
}

/// The large realm's name.
pub const LARGE_REALM: &str = "Acme Scale";

/// Adds the realm of `scale` (see [`Scale`]) unless it is there. Answers its id.
pub async fn seed_large(store: &SandboxStore, scale: Scale) -> Result<String, ApiError> {
    let name = scale.realm_name();
    if let Some(r) = store
        .list_realms(0, 1000)
        .await?
        .items
        .into_iter()
        .find(|r| r.display_name == name)
    {
        return Ok(r.id);
    }
    let started = std::time::Instant::now();
    let realm = store.insert_realm(name, "SECURE_WORKFORCE").await?;
    store
        .bulk_seed(&realm.id, "scale", scale.identities(), 5_000, 5, 10_000)
        .await?;
    tracing::info!(realm = %realm.id, secs = started.elapsed().as_secs_f32(), "seeded {name}");
    Ok(realm.id)
}
