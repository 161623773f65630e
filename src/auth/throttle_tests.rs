//! The sign-in throttle's rules, in one process.
use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn quick() -> Limits {
    Limits {
        window: Duration::from_secs(60),
        per_pair: 3,
        per_address: 5,
        free_per_user: 3,
        first_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(400),
        max_wait: Duration::from_millis(500),
    }
}

#[test]
fn a_pair_is_walled_but_the_username_only_slowed() {
    let t = Throttle::new(quick());
    let (a, b) = (ip("10.0.0.1"), ip("10.0.0.2"));
    for _ in 0..3 {
        assert_eq!(t.begin("ada", a, true).unwrap().wait, Duration::ZERO);
    }
    assert_eq!(t.begin("ADA", a, true), Err(Refusal::Pair), "pair wall");
    // From elsewhere: not refused, queued behind the failures.
    let first = t.begin("ada", b, true).unwrap();
    assert_eq!(first.wait, Duration::ZERO);
    let second = t.begin("ada", ip("10.0.0.3"), true).unwrap();
    assert!(
        second.wait > Duration::from_millis(90) && second.wait <= Duration::from_millis(100),
        "one turn later: {second:?}"
    );
    let third = t.begin("ada", ip("10.0.0.4"), true).unwrap();
    assert!(third.wait >= Duration::from_millis(250), "{third:?}");
    // Turns further than max_wait away are refused.
    let mut refused = false;
    for i in 5..12 {
        if t.begin("ada", ip(&format!("10.0.0.{i}")), true) == Err(Refusal::Queue) {
            refused = true;
        }
    }
    assert!(refused);
}

#[test]
fn a_known_address_skips_the_queue_and_success_forgives_the_pair() {
    let t = Throttle::new(quick());
    let (home, stranger) = (ip("10.0.0.1"), ip("10.9.9.9"));
    t.begin("ada", home, true).unwrap();
    t.succeeded("ada", home);
    for _ in 0..3 {
        t.begin("ada", stranger, true).unwrap();
    }
    assert_eq!(t.begin("ada", stranger, true), Err(Refusal::Pair));
    for _ in 0..3 {
        t.begin("ada", ip("10.9.9.8"), true).unwrap();
    }
    assert_eq!(
        t.begin("ada", home, true).unwrap().wait,
        Duration::ZERO,
        "the operator's own address is not queued"
    );
    t.succeeded("ada", home);
    assert!(t.begin("ada", home, true).is_ok());
}

#[test]
fn an_address_is_walled_across_usernames() {
    let t = Throttle::new(quick());
    let a = ip("10.0.0.1");
    for i in 0..5 {
        t.begin(&format!("user{i}"), a, false).unwrap();
    }
    assert_eq!(t.begin("someone", a, false), Err(Refusal::Address));
    assert!(t.begin("someone", ip("10.0.0.2"), false).is_ok());
}

#[test]
fn strangers_spraying_names_do_not_wall_operators_and_a_known_pair_is_never_walled() {
    let t = Throttle::new(quick());
    let proxy = ip("10.0.0.1");
    // An operator signed in from here before.
    t.begin("ada", proxy, true).unwrap();
    t.succeeded("ada", proxy);
    for i in 0..10 {
        let _ = t.begin(&format!("random{i}"), proxy, false);
    }
    assert_eq!(t.begin("random99", proxy, false), Err(Refusal::Address));
    // Operators' names are not refused by the address's wall.
    assert!(t.begin("grace", proxy, true).is_ok());
    t.succeeded("grace", proxy);
    // ada's own failures from her known address: never a wall, a queue once they reach the pair limit.
    for _ in 0..8 {
        assert_ne!(t.begin("ada", proxy, true), Err(Refusal::Pair));
    }
    let queued = t.begin("ada", proxy, true);
    assert!(
        matches!(queued, Err(Refusal::Queue)) || queued.is_ok_and(|a| !a.wait.is_zero()),
        "guessing from a known address is slowed: {queued:?}"
    );
}

#[test]
fn failures_age_out() {
    let t = Throttle::new(Limits {
        window: Duration::from_millis(20),
        ..quick()
    });
    let a = ip("10.0.0.1");
    for _ in 0..3 {
        t.begin("ada", a, true).unwrap();
    }
    assert!(t.begin("ada", a, true).is_err());
    std::thread::sleep(Duration::from_millis(30));
    assert!(t.begin("ada", a, true).is_ok());
}

#[test]
fn long_usernames_are_cut_and_tables_stay_bounded() {
    assert_eq!(user_key(&"é".repeat(300)).len(), 256);
    let t = Throttle::new(Limits {
        window: Duration::from_secs(3600),
        ..quick()
    });
    for i in 0..(5 * PRUNE_AT as u32) {
        let _ = t.begin(&format!("u{i}"), IpAddr::from(i.to_be_bytes()), false);
    }
    assert!(t.entries() <= 3 * 8 * PRUNE_AT, "{}", t.entries());
}
