//! The directory index against the real sandbox over HTTP: a first index matches the sandbox exactly, searches
//! find any part of a name or email whatever its case or accents, filters and sorts hold, changes made at the
//! sandbox directly appear after a refresh (and an unchanged realm rewrites nothing), faults while indexing still
//! end with a correct index, and the console's own writes appear at once.

#![cfg(feature = "ssr")]

use crate::common;

use std::collections::HashSet;

use bi_console::bi::wire::{IdentityWrite, ListQuery};
use bi_console::index::DirectoryIndex;
use bi_console::model::{IdentityFilter, Sort, SortKey, Traits};
use common::permit;
use leptos::server_fn::ServerFn;

async fn index_for(t: &common::TestSandbox) -> DirectoryIndex {
    let pool = bi_console::db::open(&t.dir.join("console")).await.unwrap();
    DirectoryIndex::new(bi_console::db::Db::new(pool))
}

fn text(q: &str) -> IdentityFilter {
    IdentityFilter {
        q: q.into(),
        ..IdentityFilter::default()
    }
}

fn person(name: &str, username: &str, email: &str) -> IdentityWrite {
    IdentityWrite {
        display_name: Some(name.into()),
        status: None,
        traits: Some(Traits {
            username: Some(username.into()),
            primary_email_address: Some(email.into()),
            ..Traits::default()
        }),
    }
}

/// Every identity id of `realm` at the sandbox, through BI's pages.
async fn all_ids(t: &common::TestSandbox, realm: &str) -> HashSet<String> {
    let c = t.client();
    let mut ids = HashSet::new();
    let mut query = ListQuery {
        page_size: Some(200),
        ..ListQuery::default()
    };
    loop {
        let page = c.list_identities(realm, &query).await.unwrap();
        ids.extend(page.items.iter().map(|i| i.id.clone()));
        match page.next_page_token {
            Some(token) if !page.items.is_empty() => query.page_token = Some(token),
            _ => return ids,
        }
    }
}

async fn found(index: &DirectoryIndex, realm: &str, filter: &IdentityFilter) -> Vec<String> {
    let page = index.search(realm, filter, 1, 200).await.unwrap();
    page.items
        .iter()
        .map(|i| i.username().to_string())
        .collect()
}

#[tokio::test]
async fn a_first_index_matches_the_sandbox_and_finds_any_part() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    common::make_identities(&t, "page.filler", 450).await;
    c.create_identity(
        &permit(&realm),
        &person("Zoë Quixley", "zq.quixley", "zoe@quux-finance.example"),
    )
    .await
    .unwrap();
    let index = index_for(&t).await;
    assert!(!index.state(&realm).await.unwrap().ready);
    let before = t.sandbox.calls_total();
    let report = index.refresh(&c, &realm).await.unwrap();
    let answered = t.sandbox.calls_total() - before;
    let expected = all_ids(&t, &realm).await;
    assert_eq!(report.read as usize, expected.len());
    assert!(
        report.calls >= 3,
        "a realm larger than one page: {report:?}"
    );
    assert_eq!(
        answered, report.calls,
        "the calls it reports are the calls the sandbox answered"
    );
    let all = index.search(&realm, &text(""), 1, 200).await.unwrap();
    assert_eq!(all.total as usize, expected.len());
    let state = index.state(&realm).await.unwrap();
    assert!(state.ready && !state.running, "{state:?}");
    assert_eq!(state.done as usize, expected.len());

    for q in [
        "quixley",
        "QUIX",
        "zoë quix",
        "zoe quix",
        "@quux-finance.example",
        "zq",
    ] {
        assert_eq!(
            found(&index, &realm, &text(q)).await,
            vec!["zq.quixley"],
            "{q}"
        );
    }
    assert!(found(&index, &realm, &text("\"*) OR")).await.is_empty());
    assert!(found(&index, &realm, &text("%")).await.is_empty());

    // Unchanged: nothing is rewritten.
    let again = index.refresh(&c, &realm).await.unwrap();
    assert_eq!((again.written, again.removed), (0, 0), "{again:?}");
}

#[tokio::test]
async fn filters_sorts_and_the_summary_follow_the_records() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let ids = common::make_identities(&t, "sorted", 5).await;
    let edit = permit::<bi_console::permit::act::SetStatus>(&realm);
    c.update_identity(
        &common::target(&edit, &ids[1]),
        &IdentityWrite::status_change(true),
    )
    .await
    .unwrap();
    let index = index_for(&t).await;
    index.refresh(&c, &realm).await.unwrap();
    let suspended = IdentityFilter {
        status: "suspended".into(),
        ..text("sorted")
    };
    assert_eq!(
        index.search(&realm, &suspended, 1, 50).await.unwrap().total,
        1
    );
    let descending = IdentityFilter {
        sort: Some(Sort {
            key: SortKey::Username,
            descending: true,
        }),
        ..text("sorted")
    };
    let names = found(&index, &realm, &descending).await;
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 5);
    let summary = index.enrollment_summary(&realm).await.unwrap();
    let total: u64 = summary.iter().map(|s| s.count).sum();
    assert_eq!(total as usize, all_ids(&t, &realm).await.len());
}

#[tokio::test]
async fn changes_made_at_bi_appear_after_a_refresh() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let index = index_for(&t).await;
    index.refresh(&c, &realm).await.unwrap();
    // Straight at the sandbox, as another tool would: a new identity, a rename, a suspension, a deletion.
    let made = c
        .create_identity(
            &permit(&realm),
            &person("Grace Outside", "grace.outside", "g@o.example"),
        )
        .await
        .unwrap();
    let victim = all_ids(&t, &realm)
        .await
        .into_iter()
        .find(|id| *id != made.id)
        .unwrap();
    let rename = IdentityWrite {
        display_name: Some("Renamed Elsewhere".into()),
        ..IdentityWrite::default()
    };
    let edit = permit::<bi_console::permit::act::EditIdentity>(&realm);
    c.update_identity(&common::target(&edit, &made.id), &rename)
        .await
        .unwrap();
    c.delete_identity(&common::target(&permit(&realm), &victim))
        .await
        .unwrap();
    assert!(found(&index, &realm, &text("Renamed Elsewhere"))
        .await
        .is_empty());
    let report = index.refresh(&c, &realm).await.unwrap();
    assert_eq!((report.written, report.removed), (1, 1), "{report:?}");
    assert_eq!(
        found(&index, &realm, &text("renamed elsewhere")).await,
        vec!["grace.outside"]
    );
    let all = index.search(&realm, &text(""), 1, 200).await.unwrap();
    assert!(all.items.iter().all(|i| i.id != victim));
    assert_eq!(all.total as usize, all_ids(&t, &realm).await.len());
}

#[tokio::test]
async fn faults_while_indexing_still_end_with_a_correct_index() {
    let t = common::start().await;
    let c = t.client().with_retry(bi_console::bi::retry::RetryPolicy {
        attempts: 8,
        base: std::time::Duration::from_millis(5),
        cap: std::time::Duration::from_millis(50),
    });
    let realm = t.workforce.clone();
    common::make_identities(&t, "faulty", 600).await;
    t.sandbox
        .set_faults(bi_console::sandbox::faults::Faults::parse("rate=0.3,seed=11").unwrap());
    let index = index_for(&t).await;
    index.refresh(&c, &realm).await.unwrap();
    t.sandbox.set_faults(Default::default());
    assert!(t.sandbox.faults_injected() > 0);
    let all = index.search(&realm, &text(""), 1, 200).await.unwrap();
    assert_eq!(all.total as usize, all_ids(&t, &realm).await.len());
}

/// Searches `realm` through the console until its first index (which the first search starts) is complete.
async fn wait_indexed(c: &reqwest::Client, base: &str, realm: &str) {
    use bi_console::api::SearchIdentities;
    let search = SearchIdentities {
        realm: realm.to_string(),
        filter: text(""),
        page: 1,
        size: 50,
    };
    for _ in 0..300 {
        let (status, body) = common::call(c, base, SearchIdentities::PATH, &search).await;
        assert_eq!(status, 200, "{body}");
        let answer: bi_console::model::IdentitySearch = serde_json::from_str(&body).unwrap();
        if answer.index.ready {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the first index did not complete");
}

#[tokio::test]
async fn the_consoles_own_writes_appear_at_once() {
    use bi_console::api::{CreateIdentity, SearchIdentities};
    let dir = common::temp_dir("index-writes");
    let t = common::start_console(&dir, &[]).await;
    let c = common::browser();
    common::sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let realm = t.info.default_realm.clone();
    let search = |q: &str| SearchIdentities {
        realm: realm.clone(),
        filter: text(q),
        page: 1,
        size: 50,
    };
    wait_indexed(&c, &t.base, &realm).await;
    let create = CreateIdentity {
        realm: realm.clone(),
        input: bi_console::model::IdentityInput {
            display_name: "Hedy Indexed".into(),
            username: "hedy.indexed".into(),
            ..Default::default()
        },
        then: Default::default(),
    };
    let (status, body) = common::call(&c, &t.base, CreateIdentity::PATH, &create).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = common::call(&c, &t.base, SearchIdentities::PATH, &search("indexed")).await;
    let answer: bi_console::model::IdentitySearch = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = answer
        .page
        .items
        .iter()
        .map(|i| i.username.as_str())
        .collect();
    assert_eq!(names, vec!["hedy.indexed"], "found without a refresh");
    assert!(!answer.summary.is_empty());

    // Deleted at BI behind the console's back, the record is shown as gone when opened, and leaves the index.
    let id = answer.page.items[0].id.clone();
    let sb = t.sandbox.clone().unwrap();
    sb.store().delete_identity(&realm, &id).await.unwrap();
    let (status, body) = common::call(
        &c,
        &t.base,
        bi_console::api::GetIdentity::PATH,
        &bi_console::api::GetIdentity {
            realm: realm.clone(),
            id,
        },
    )
    .await;
    assert_ne!(status, 200, "{body}");
    assert!(body.contains("\"status\":404"), "{body}");
    let index = DirectoryIndex::new(bi_console::db::Db::new(common::open_db(&dir).await));
    assert!(found(&index, &realm, &text("indexed")).await.is_empty());
}

#[tokio::test]
async fn a_thousand_pasted_usernames_the_index_knows_cost_two_bi_calls() {
    use bi_console::bi::wire::GroupWrite;
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    t.sandbox
        .store()
        .bulk_seed(&realm, "paste", 1000, 0, 0, 0)
        .await
        .unwrap();
    let group = c
        .create_group(
            &permit(&realm),
            &GroupWrite {
                display_name: Some("Pasted".into()),
                description: None,
            },
        )
        .await
        .unwrap()
        .id;
    let index = index_for(&t).await;
    index.refresh(&c, &realm).await.unwrap();
    let pasted: Vec<String> = (1..=1000).map(|n| format!("PASTE.{n:06}")).collect();
    let known = index.by_usernames(&realm, &pasted).await.unwrap();
    assert_eq!(known.len(), 1000, "found ignoring case");
    let before = t.sandbox.calls_total();
    let r = bi_console::api::members::add_by_usernames(&c, &permit(&realm), &group, &pasted, known)
        .await
        .unwrap();
    let calls = t.sandbox.calls_since(before);
    assert_eq!(r.changed, 1000);
    assert!(calls.len() <= 3, "{} calls: {calls:?}", calls.len());
}

#[tokio::test]
async fn groups_are_found_by_part_of_their_name_with_member_counts() {
    use bi_console::bi::wire::GroupWrite;
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let group = c
        .create_group(
            &permit(&realm),
            &GroupWrite {
                display_name: Some("Zürich Quants".into()),
                description: Some("Risk models".into()),
            },
        )
        .await
        .unwrap()
        .id;
    let ids = common::make_identities(&t, "quant", 3).await;
    c.add_members(&permit(&realm), &group, &ids).await.unwrap();
    let index = index_for(&t).await;
    let report = index.refresh(&c, &realm).await.unwrap();
    let at_bi = c
        .list_groups(
            &realm,
            &ListQuery {
                page_size: Some(200),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.groups_read, at_bi.total_size);
    for q in ["zurich", "QUANT", "risk mod"] {
        let found = index.search_groups(&realm, q, None, 1, 50).await.unwrap();
        let names: Vec<(&str, Option<u64>)> = found
            .items
            .iter()
            .map(|l| (l.group.display_name.as_str(), l.members))
            .collect();
        assert_eq!(names, vec![("Zürich Quants", Some(3))], "{q}");
    }
    let by_members = index
        .search_groups(
            &realm,
            "",
            Some(Sort {
                key: SortKey::Members,
                descending: true,
            }),
            1,
            200,
        )
        .await
        .unwrap();
    let counts: Vec<u64> = by_members
        .items
        .iter()
        .map(|l| l.members.unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted);
    // A membership change at BI shows after a refresh; an unchanged realm rewrites no group.
    c.delete_members(&permit(&realm), &group, &ids[..1])
        .await
        .unwrap();
    let again = index.refresh(&c, &realm).await.unwrap();
    assert_eq!(again.groups_written, 1, "{again:?}");
    let found = index
        .search_groups(&realm, "quants", None, 1, 50)
        .await
        .unwrap();
    assert_eq!(found.items[0].members, Some(2));
    let unchanged = index.refresh(&c, &realm).await.unwrap();
    assert_eq!((unchanged.groups_written, unchanged.groups_removed), (0, 0));
}

#[tokio::test]
async fn the_picker_searches_the_index_and_adds_every_result_in_one_call_per_thousand() {
    use bi_console::api::PickerPage;
    use bi_console::api::{AddGroupMembersMatching, MemberPickerPage};
    use bi_console::model::MembershipResult;
    let dir = common::temp_dir("index-matching");
    let t = common::start_console(&dir, &[]).await;
    let sb = t.sandbox.clone().unwrap();
    let realm = t.info.default_realm.clone();
    sb.store()
        .bulk_seed(&realm, "bulk", 2_500, 0, 0, 0)
        .await
        .unwrap();
    let group = sb
        .store()
        .create_group(&realm, "Everyone in bulk", None, None)
        .await
        .unwrap()
        .id;
    let c = common::browser();
    common::sign_in(&c, &t.base, "admin", common::ADMIN_PASSWORD).await;
    wait_indexed(&c, &t.base, &realm).await;
    // Three of them are members already.
    let (_, body) = common::call(
        &c,
        &t.base,
        bi_console::api::AddGroupMembersByUsernames::PATH,
        &bi_console::api::AddGroupMembersByUsernames {
            realm: realm.clone(),
            group: group.clone(),
            usernames: "bulk.000001\nbulk.000002\nbulk.000003".into(),
        },
    )
    .await;
    assert!(body.contains("\"changed\":3"), "{body}");

    // The picker finds them by part of their email, from the index, and marks the members.
    let picker = |page: u32, q: &str| MemberPickerPage {
        realm: realm.clone(),
        group: group.clone(),
        page,
        q: q.into(),
    };
    let (status, body) = common::call(
        &c,
        &t.base,
        MemberPickerPage::PATH,
        &picker(1, "@SCALE.example"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first: PickerPage = serde_json::from_str(&body).unwrap();
    assert!(first.indexed);
    assert_eq!(first.identities.total, 2_500);
    assert_eq!(first.identities.items.len(), 10);
    assert_eq!(first.member_ids.len(), 3, "the first three are members");

    // Every result at once: the members are left alone, the rest go in one :addMembers per 1000.
    let before = sb.calls_total();
    let all = AddGroupMembersMatching {
        realm: realm.clone(),
        group: group.clone(),
        q: "@scale.example".into(),
    };
    let (status, body) = common::call(&c, &t.base, AddGroupMembersMatching::PATH, &all).await;
    assert_eq!(status, 200, "{body}");
    let result: MembershipResult = serde_json::from_str(&body).unwrap();
    assert_eq!(result.changed, 2_497);
    assert_eq!(result.already.len(), 3);
    let calls = sb.calls_since(before);
    let adds = calls.iter().filter(|c| c.ends_with(":addMembers")).count();
    assert_eq!(adds, 3, "{calls:?}");
    assert!(calls.len() <= 5, "{} calls: {calls:?}", calls.len());
    let at_bi = sb.store().list_members(&realm, &group, 0, 1).await.unwrap();
    assert_eq!(at_bi.total, 2_500);

    // Search text longer than the search takes is refused on its field, and nothing is sent.
    let before = sb.calls_total();
    let long = "x".repeat(201);
    for (path, status_body) in [
        (
            AddGroupMembersMatching::PATH,
            common::call(
                &c,
                &t.base,
                AddGroupMembersMatching::PATH,
                &AddGroupMembersMatching {
                    q: long.clone(),
                    ..all.clone()
                },
            )
            .await,
        ),
        (
            MemberPickerPage::PATH,
            common::call(&c, &t.base, MemberPickerPage::PATH, &picker(1, &long)).await,
        ),
    ] {
        let (status, body) = status_body;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains("at most 200 characters"), "{path}: {body}");
        assert!(body.contains("\"q\""), "{path}: the field is named: {body}");
    }
    assert!(sb.calls_since(before).is_empty());
}

#[tokio::test]
async fn a_row_the_console_writes_while_a_refresh_runs_is_kept() {
    let t = common::start().await;
    let realm = t.workforce.clone();
    let index = std::sync::Arc::new(index_for(&t).await);
    let c = std::sync::Arc::new(t.client());
    index.refresh(&c, &realm).await.unwrap();
    let pool = bi_console::db::open(&t.dir.join("console")).await.unwrap();
    let generation = || async {
        sqlx::query_scalar::<_, i64>("SELECT gen FROM ix_realms WHERE realm_id = $1")
            .bind(&realm)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = generation().await;
    // BI answers slowly: the refresh is still reading when the console writes.
    t.sandbox
        .set_faults(bi_console::sandbox::faults::Faults::parse("latency_ms=400").unwrap());
    let running = {
        let (index, c, realm) = (index.clone(), c.clone(), realm.clone());
        tokio::spawn(async move { index.refresh(&c, &realm).await })
    };
    while generation().await == before {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // A record the refresh's pages cannot hold: written by the console after they were read.
    let written: bi_console::model::Identity = serde_json::from_value(serde_json::json!({
        "id": "feedfeedfeedfeed", "display_name": "Written Meanwhile", "status": "active",
        "traits": {"type": "traits_v0", "username": "written.meanwhile"}
    }))
    .unwrap();
    index.put(&realm, &written).await.unwrap();
    assert!(!running.is_finished(), "the refresh was still running");
    running.await.unwrap().unwrap();
    let found = index
        .search(&realm, &text("written.meanwhile"), 1, 10)
        .await
        .unwrap();
    assert_eq!(
        found.total, 1,
        "kept by the refresh that ran while it was written"
    );
    // The next refresh, which began after it, removes it: BI does not have it.
    t.sandbox
        .set_faults(bi_console::sandbox::faults::Faults::parse("").unwrap());
    index.refresh(&c, &realm).await.unwrap();
    let found = index
        .search(&realm, &text("written.meanwhile"), 1, 10)
        .await
        .unwrap();
    assert_eq!(found.total, 0);
}
