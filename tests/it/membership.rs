//! Group membership through the real client against the sandbox over HTTP: chunking at 1000, pasted usernames
//! (unknown ones, existing members), choosing how to learn who is already a member, emptying and deleting a group.
//! BI calls are counted at the sandbox.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::members;
use bi_console::bi::wire::{GroupWrite, ListQuery};
use bi_console::bi::Client;

async fn new_group(c: &Client, realm: &str, name: &str) -> String {
    c.create_group(
        &common::permit(realm),
        &GroupWrite {
            display_name: Some(name.into()),
            description: None,
        },
    )
    .await
    .unwrap()
    .id
}

async fn member_total(c: &Client, realm: &str, group: &str) -> u64 {
    c.list_members(realm, group, &ListQuery::numbered(1, 1))
        .await
        .unwrap()
        .total_size
}

async fn id_of(c: &Client, realm: &str, username: &str) -> String {
    let q =
        ListQuery::default().with_filter(Some(bi_console::bi::forms::username_filter(username)));
    c.list_identities(realm, &q).await.unwrap().items[0]
        .id
        .clone()
}

fn count(calls: &[String], suffix: &str) -> usize {
    calls.iter().filter(|c| c.ends_with(suffix)).count()
}

#[tokio::test]
async fn adds_and_removes_more_than_1000_in_calls_of_at_most_1000() {
    let t = common::start().await;
    let c = t.client();
    let mut ids = common::make_identities(&t, "chunk", 2050).await;
    let group = new_group(&c, &t.workforce, "Everyone").await;

    let before = t.sandbox.calls_total();
    let added = members::change(&c, &common::permit(&t.workforce), &group, &ids, true).await;
    let calls = t.sandbox.calls_since(before);
    assert_eq!(added.changed, 2050);
    assert!(added.failed.is_empty());
    assert_eq!(count(&calls, ":addMembers"), 3, "{calls:?}");
    assert_eq!(calls.len(), 3, "nothing but the three adds: {calls:?}");
    assert_eq!(member_total(&c, &t.workforce, &group).await, 2050);

    // Adding them again (already members) changes nothing and doubles nobody.
    let again = members::change(&c, &common::permit(&t.workforce), &group, &ids[..10], true).await;
    assert_eq!(again.changed, 10);
    assert_eq!(member_total(&c, &t.workforce, &group).await, 2050);

    // An id BI does not know, inside the second chunk: that chunk is refused whole, then sent again without it.
    ids.insert(1500, "ffffffffffffffff".into());
    let before = t.sandbox.calls_total();
    let removed = members::change(&c, &common::permit(&t.workforce), &group, &ids, false).await;
    let calls = t.sandbox.calls_since(before);
    assert_eq!(removed.changed, 2050);
    assert_eq!(removed.failed.len(), 1);
    assert_eq!(removed.failed[0].id, "ffffffffffffffff");
    assert!(removed.failed[0].reason.contains("not found"));
    assert_eq!(
        count(&calls, ":deleteMembers"),
        4,
        "3 chunks + 1 retry: {calls:?}"
    );
    assert_eq!(member_total(&c, &t.workforce, &group).await, 0);
}

#[tokio::test]
async fn pasted_usernames_skip_unknown_ones_and_existing_members() {
    let t = common::start().await;
    let c = t.client();
    let group = new_group(&c, &t.workforce, "Pasted").await;
    let grace = id_of(&c, &t.workforce, "grace.hopper").await;
    c.add_members(
        &common::permit(&t.workforce),
        &group,
        std::slice::from_ref(&grace),
    )
    .await
    .unwrap();

    let pasted = bi_console::model::parse_usernames(
        "ada.lovelace, grace.hopper\nnobody.here\n\nALAN.TURING,ada.lovelace",
    );
    let before = t.sandbox.calls_total();
    let r = members::add_by_usernames(&c, &common::permit(&t.workforce), &group, &pasted, vec![])
        .await
        .unwrap();
    let calls = t.sandbox.calls_since(before);
    assert_eq!(r.changed, 2, "ada and alan");
    assert_eq!(r.already, vec!["grace.hopper"]);
    assert_eq!(r.unknown, vec!["nobody.here"]);
    assert!(r.failed.is_empty());
    assert_eq!(count(&calls, ":addMembers"), 1, "{calls:?}");
    // One lookup per distinct username, one look at the (small) group's members, one add.
    assert_eq!(calls.len(), 4 + 1 + 1, "{calls:?}");
    let mut usernames: Vec<String> = c
        .list_members(&t.workforce, &group, &ListQuery::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.username().to_string())
        .collect();
    usernames.sort();
    assert_eq!(
        usernames,
        vec!["ada.lovelace", "alan.turing", "grace.hopper"]
    );

    // Nothing known: nothing sent.
    let before = t.sandbox.calls_total();
    let r = members::add_by_usernames(
        &c,
        &common::permit(&t.workforce),
        &group,
        &["ghost".to_string()],
        vec![],
    )
    .await
    .unwrap();
    assert_eq!((r.changed, r.unknown.len()), (0, 1));
    assert_eq!(
        count(&t.sandbox.calls_since(before), ":addMembers"),
        0,
        "no add for an empty list"
    );
}

#[tokio::test]
async fn existing_members_are_found_with_the_fewer_calls() {
    let t = common::start().await;
    let c = t.client();
    let ids = common::make_identities(&t, "big", 1000).await;
    let group = new_group(&c, &t.workforce, "Big").await;
    members::change(&c, &common::permit(&t.workforce), &group, &ids[..950], true).await;
    let outside = ids[990].clone();

    // Two rows to check against a group of 950: one call per row beats four more member pages.
    let first = members::first_members_page(&c, &t.workforce, &group)
        .await
        .unwrap();
    assert_eq!(first.total_size, 950);
    let before = t.sandbox.calls_total();
    let wanted = vec![ids[900].clone(), outside.clone()];
    let found = members::members_among(&c, &t.workforce, &group, first.clone(), &wanted)
        .await
        .unwrap();
    let calls = t.sandbox.calls_since(before);
    assert_eq!(found.len(), 1);
    assert!(found.contains(&ids[900]));
    assert_eq!(count(&calls, ":listGroups"), 2, "{calls:?}");
    assert_eq!(calls.len(), 2);

    // Ten rows: the remaining four member pages are cheaper.
    let mut wanted: Vec<String> = ids[940..949].to_vec();
    wanted.push(outside);
    let before = t.sandbox.calls_total();
    let found = members::members_among(&c, &t.workforce, &group, first, &wanted)
        .await
        .unwrap();
    let calls = t.sandbox.calls_since(before);
    assert_eq!(found.len(), 9);
    assert_eq!(count(&calls, ":listMembers"), 4, "{calls:?}");
    assert_eq!(calls.len(), 4);

    let all = members::all_member_ids(&c, &t.workforce, &group, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 950);
}

#[tokio::test]
async fn a_group_with_members_is_refused_then_emptied_and_deleted() {
    let t = common::start().await;
    let c = t.client();
    let ids = common::make_identities(&t, "leaving", 1200).await;
    let group = new_group(&c, &t.workforce, "Temporary").await;
    members::change(&c, &common::permit(&t.workforce), &group, &ids, true).await;

    let refused = c
        .delete_group(&common::permit(&t.workforce), &group)
        .await
        .unwrap_err();
    assert!(refused.is_conflict());
    assert_eq!(refused.body().unwrap().message, "group has children");

    let before = t.sandbox.calls_total();
    let r = members::empty_and_delete(
        &c,
        &common::permit(&t.workforce),
        &common::permit(&t.workforce),
        &group,
    )
    .await
    .unwrap();
    let calls = t.sandbox.calls_since(before);
    assert_eq!(r.changed, 1200);
    assert_eq!(count(&calls, ":listMembers"), 6, "{calls:?}");
    assert_eq!(count(&calls, ":deleteMembers"), 2, "{calls:?}");
    assert_eq!(calls.last().unwrap(), &format!("DELETE groups/{group}"));
    assert!(c
        .get_group(&t.workforce, &group)
        .await
        .unwrap_err()
        .is_not_found());
    // The identities stay.
    let still = c.get_identity(&t.workforce, &ids[0]).await.unwrap();
    assert_eq!(still.id, ids[0]);
}

#[tokio::test]
async fn membership_errors_keep_their_meaning() {
    let t = common::start().await;
    let c = t.client();
    let err = c
        .add_members(
            &common::permit(&t.workforce),
            "ffffffffffffffff",
            &["x".to_string()],
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let group = new_group(&c, &t.workforce, "Errors").await;
    let none: Vec<String> = Vec::new();
    let err = c
        .add_members(&common::permit(&t.workforce), &group, &none)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let too_many: Vec<String> = (0..1001).map(|n| format!("{n:016x}")).collect();
    let err = c
        .delete_members(&common::permit(&t.workforce), &group, &too_many)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}
