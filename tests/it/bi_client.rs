//! The real BI client against the real sandbox over HTTP: every operation, and every error the sandbox shares
//! with BI.

#![cfg(feature = "ssr")]

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use bi_console::bi::forms::username_filter;
use bi_console::bi::wire::{GroupWrite, IdentityWrite, ListQuery};
use bi_console::bi::{BiError, Client, ClientAuth, ClientConfig};
use bi_console::model::{Traits, MAX_BATCH_IDS};

fn new_identity(name: &str, username: &str) -> IdentityWrite {
    IdentityWrite {
        display_name: Some(name.to_string()),
        status: None,
        traits: Some(Traits {
            username: Some(username.to_string()),
            primary_email_address: Some(format!("{username}@example.com")),
            ..Traits::default()
        }),
    }
}

fn violations(e: &BiError) -> Vec<String> {
    e.body()
        .map(|b| b.field_violations().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

fn by_username(username: &str) -> ListQuery {
    ListQuery::default().with_filter(Some(username_filter(username)))
}

// --- realms ------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn realms_are_listed_and_fetched() {
    let t = common::start().await;
    let c = t.client();
    let page = c.list_realms(&ListQuery::default()).await.unwrap();
    assert_eq!(page.total_size, 2);
    assert_eq!(page.items.len(), 2);
    assert!(page.next_page_token.is_none());
    let realm = c.get_realm(&t.workforce).await.unwrap();
    assert_eq!(realm.display_name, "Acme Workforce");
    assert_eq!(realm.tenant_id, t.sandbox.tenant_id());

    let e = c.get_realm("0000000000000000").await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    let body = e.body().unwrap();
    assert_eq!(body.code, "not_found");
    assert_eq!(body.message, "realm not found");
    assert_eq!(body.details[0].kind, "ResourceInfo");
    assert_eq!(body.details[0].resource_type.as_deref(), Some("Realm"));
}

// --- identities: listing, paging, filter ---------------------------------------------------------------------

#[tokio::test]
async fn identities_page_with_default_size_tokens_and_skip() {
    let t = common::start().await;
    let c = t.client();
    let first = c
        .list_identities(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(first.total_size, 60);
    assert_eq!(first.items.len(), 20, "BI's default page size is 20");
    assert!(first.next_page_token.is_some());

    // Walk every page with the token: 60 distinct identities, no token on the last page.
    let mut seen: HashSet<String> = first.items.iter().map(|i| i.id.clone()).collect();
    let mut token = first.next_page_token.clone();
    let mut pages = 1;
    while let Some(tok) = token {
        let page = c
            .list_identities(
                &t.workforce,
                &ListQuery {
                    page_token: Some(tok),
                    ..ListQuery::default()
                },
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|i| i.id.clone()));
        token = page.next_page_token;
    }
    assert_eq!((pages, seen.len()), (3, 60));

    // skip + page_size: the numbered pages the console shows.
    let third = c
        .list_identities(&t.workforce, &ListQuery::numbered(3, 25))
        .await
        .unwrap();
    assert_eq!(third.items.len(), 10);
    assert!(third.next_page_token.is_none());
    let all = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                page_size: Some(500),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        60,
        "page_size above 200 is capped, here all 60 fit"
    );
    assert_eq!(third.items[0].id, all.items[50].id);
    // A page past the end: no rows, and still the realm's count.
    let past = c
        .list_identities(&t.workforce, &ListQuery::numbered(9, 25))
        .await
        .unwrap();
    assert_eq!((past.items.len(), past.total_size), (0, 60));

    let e = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                page_token: Some("not-a-token".into()),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(violations(&e), vec!["page_token"]);
}

#[tokio::test]
async fn page_size_is_capped_at_200() {
    let t = common::start().await;
    let c = t.client();
    let ids: Vec<String> = {
        let mut v = Vec::new();
        for n in 0..150 {
            v.push(
                c.create_identity(
                    &common::permit(&t.workforce),
                    &new_identity("Bulk Person", &format!("bulk{n}")),
                )
                .await
                .unwrap()
                .id,
            );
        }
        v
    };
    assert_eq!(ids.len(), 150);
    let page = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                page_size: Some(1000),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total_size, 210);
    assert_eq!(page.items.len(), 200);
    assert!(page.next_page_token.is_some());
}

#[tokio::test]
async fn username_filter_is_exact_and_case_insensitive_and_nothing_else_is_supported() {
    let t = common::start().await;
    let c = t.client();
    let hit = c
        .list_identities(&t.workforce, &by_username("ADA.Lovelace"))
        .await
        .unwrap();
    assert_eq!(hit.total_size, 1);
    assert_eq!(hit.items[0].username(), "ada.lovelace");
    let unicode = c
        .list_identities(&t.workforce, &by_username("JÜRGEN.MÜLLER"))
        .await
        .unwrap();
    assert_eq!(unicode.total_size, 1);
    let miss = c
        .list_identities(&t.workforce, &by_username("ada"))
        .await
        .unwrap();
    assert_eq!(miss.total_size, 0);
    assert!(miss.items.is_empty());

    for unsupported in [
        r#"traits.username co "ada""#,
        r#"display_name eq "Ada Lovelace""#,
    ] {
        let e = c
            .list_identities(
                &t.workforce,
                &ListQuery::default().with_filter(Some(unsupported.to_string())),
            )
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400), "{unsupported}");
        assert_eq!(violations(&e), vec!["filter"]);
    }
}

// --- identities: create, get, update, delete -----------------------------------------------------------------

#[tokio::test]
async fn create_get_update_delete_an_identity() {
    let t = common::start().await;
    let c = t.client();
    let created = c
        .create_identity(
            &common::permit(&t.workforce),
            &new_identity("Ada Byron", "ada.byron"),
        )
        .await
        .unwrap();
    assert_eq!(created.status.as_deref(), Some("active"));
    assert_eq!(created.enrollment_status.as_deref(), Some("UNENROLLED"));
    assert_eq!(created.traits.kind, "traits_v0");
    assert!(created.create_time.as_deref().unwrap().ends_with('Z'));

    let fetched = c.get_identity(&t.workforce, &created.id).await.unwrap();
    assert_eq!(fetched, created);

    // PATCH only what changes: the email stays.
    let renamed = c
        .update_identity(
            &common::target(
                &common::permit::<bi_console::permit::act::EditIdentity>(&t.workforce),
                &created.id,
            ),
            &IdentityWrite {
                display_name: Some("Augusta Ada King".into()),
                ..IdentityWrite::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "Augusta Ada King");
    assert_eq!(renamed.email(), "ada.byron@example.com");

    let suspended = c
        .update_identity(
            &common::target(
                &common::permit::<bi_console::permit::act::EditIdentity>(&t.workforce),
                &created.id,
            ),
            &IdentityWrite {
                status: Some("suspended".into()),
                ..IdentityWrite::default()
            },
        )
        .await
        .unwrap();
    assert!(suspended.is_suspended());
    assert_eq!(suspended.display_name, "Augusta Ada King");

    c.delete_identity(&common::target(&common::permit(&t.workforce), &created.id))
        .await
        .unwrap();
    let e = c.get_identity(&t.workforce, &created.id).await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.body().unwrap().message, "identity not found");
    assert_eq!(
        e.body().unwrap().details[0].id.as_deref(),
        Some(created.id.as_str())
    );
    let e = c
        .delete_identity(&common::target(&common::permit(&t.workforce), &created.id))
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let e = c
        .update_identity(
            &common::target(
                &common::permit::<bi_console::permit::act::EditIdentity>(&t.workforce),
                &created.id,
            ),
            &IdentityWrite::default(),
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively() {
    let t = common::start().await;
    let c = t.client();
    let e = c
        .create_identity(
            &common::permit(&t.workforce),
            &new_identity("Another Ada", "Ada.Lovelace"),
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert_eq!(e.body().unwrap().code, "conflict");
    assert_eq!(e.body().unwrap().message, "username already exists");

    // The same username in another realm is fine.
    c.create_identity(
        &common::permit(&t.customers),
        &new_identity("Ada", "ada.lovelace"),
    )
    .await
    .unwrap();

    // Renaming onto a taken username is a conflict too.
    let other = c
        .list_identities(&t.workforce, &by_username("grace.hopper"))
        .await
        .unwrap()
        .items
        .remove(0);
    let e = c
        .update_identity(
            &common::target(
                &common::permit::<bi_console::permit::act::EditIdentity>(&t.workforce),
                &other.id,
            ),
            &IdentityWrite {
                traits: Some(Traits {
                    username: Some("ADA.LOVELACE".into()),
                    ..Traits::default()
                }),
                ..IdentityWrite::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict());
}

#[tokio::test]
async fn invalid_identities_get_field_violations_and_nothing_is_written() {
    let t = common::start().await;
    let c = t.client();
    let cases: Vec<(IdentityWrite, Vec<&str>)> = vec![
        (
            new_identity("Ada; DROP", "ada.x"),
            vec!["identity.display_name"],
        ),
        (new_identity("", "ada.y"), vec!["identity.display_name"]),
        (
            new_identity("Ada", &"a".repeat(65)),
            vec!["identity.traits.username"],
        ),
        (
            new_identity("Ada", "ada!"),
            vec!["identity.traits.username"],
        ),
        (
            IdentityWrite {
                display_name: Some("No Username".into()),
                status: None,
                traits: Some(Traits::default()),
            },
            vec!["identity.traits.username"],
        ),
        (
            IdentityWrite {
                display_name: Some("Bad Status".into()),
                status: Some("sleeping".into()),
                traits: new_identity("x", "bad.status").traits,
            },
            vec!["identity.status"],
        ),
        (
            IdentityWrite {
                display_name: Some("Huge".into()),
                status: None,
                traits: Some(Traits {
                    username: Some("huge.values".into()),
                    external_id: Some("x".repeat(1_900_000)),
                    primary_email_address: Some(format!("{}@example.com", "m".repeat(300))),
                    ..Traits::default()
                }),
            },
            vec![
                "identity.traits.external_id",
                "identity.traits.primary_email_address",
            ],
        ),
    ];
    for (write, fields) in cases {
        let e = c
            .create_identity(&common::permit(&t.workforce), &write)
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400), "{write:?}");
        assert_eq!(e.body().unwrap().message, "invalid parameters");
        assert_eq!(violations(&e), fields, "{write:?}");
    }
    let page = c
        .list_identities(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total_size, 60, "no identity was written");

    let e = c
        .create_identity(
            &common::permit("0000000000000000"),
            &new_identity("Nobody", "nobody"),
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.body().unwrap().message, "realm not found");
}

#[tokio::test]
async fn malformed_bodies_are_refused() {
    let t = common::start().await;
    let url = format!(
        "{}/v1/tenants/{}/realms/{}/identities",
        t.api_base,
        t.sandbox.tenant_id(),
        t.workforce
    );
    let resp = reqwest::Client::new()
        .post(&url)
        .bearer_auth(t.sandbox.credentials().api_token.expose())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    assert_eq!(body["message"], "invalid request");
}

#[tokio::test]
async fn batch_delete_is_all_or_nothing_with_1_to_1000_ids() {
    let t = common::start().await;
    let c = t.client();
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            c.create_identity(
                &common::permit(&t.workforce),
                &new_identity("Temp", &format!("temp{n}")),
            )
            .await
            .unwrap()
            .id,
        );
    }
    // One unknown id: 404 naming it, and nothing deleted.
    let mut with_unknown = ids.clone();
    with_unknown.push("ffffffffffffffff".into());
    let e = c
        .batch_delete_identities(&common::targets(
            &common::permit(&t.workforce),
            &with_unknown,
        ))
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(
        e.body().unwrap().failed_ids(),
        vec!["ffffffffffffffff".to_string()]
    );
    assert_eq!(e.body().unwrap().details[0].kind, "BatchOperationErrors");
    for id in &ids {
        c.get_identity(&t.workforce, id).await.unwrap();
    }

    let e = c
        .batch_delete_identities(&common::targets(&common::permit(&t.workforce), &[]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), violations(&e)),
        (Some(400), vec!["ids".to_string()])
    );
    let too_many: Vec<String> = (0..=MAX_BATCH_IDS).map(|n| format!("{n:016x}")).collect();
    let e = c
        .batch_delete_identities(&common::targets(&common::permit(&t.workforce), &too_many))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.body().unwrap().details[0].field_violations[0]
        .description
        .contains("1000"));
    let e = c
        .batch_delete_identities(&common::targets(
            &common::permit(&t.workforce),
            &[ids[0].clone(), ids[0].clone()],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));

    c.batch_delete_identities(&common::targets(&common::permit(&t.workforce), &ids))
        .await
        .unwrap();
    for id in &ids {
        assert!(c
            .get_identity(&t.workforce, id)
            .await
            .unwrap_err()
            .is_not_found());
    }
}

// --- groups and membership -----------------------------------------------------------------------------------

#[tokio::test]
async fn groups_are_created_listed_updated_and_deleted() {
    let t = common::start().await;
    let c = t.client();
    let listed = c
        .list_groups(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.total_size, 9);

    let g = c
        .create_group(
            &common::permit(&t.workforce),
            &GroupWrite {
                display_name: Some("Auditors".into()),
                description: Some("Read-only reviewers.".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(c.get_group(&t.workforce, &g.id).await.unwrap(), g);
    let updated = c
        .update_group(
            &common::permit(&t.workforce),
            &g.id,
            &GroupWrite {
                description: Some("External auditors.".into()),
                ..GroupWrite::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.display_name, "Auditors");
    assert_eq!(updated.description.as_deref(), Some("External auditors."));

    let e = c
        .create_group(
            &common::permit(&t.workforce),
            &GroupWrite {
                display_name: Some(String::new()),
                description: Some("x".repeat(301)),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(
        violations(&e),
        vec!["group.display_name", "group.description"]
    );
    let e = c
        .update_group(
            &common::permit(&t.workforce),
            &g.id,
            &GroupWrite {
                display_name: Some("Bad<name>".into()),
                ..GroupWrite::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(violations(&e), vec!["group.display_name"]);

    c.delete_group(&common::permit(&t.workforce), &g.id)
        .await
        .unwrap();
    let e = c.get_group(&t.workforce, &g.id).await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.body().unwrap().message, "group not found");
    assert!(c
        .delete_group(&common::permit(&t.workforce), &g.id)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn members_are_added_listed_and_removed() {
    let t = common::start().await;
    let c = t.client();
    let g = c
        .create_group(
            &common::permit(&t.workforce),
            &GroupWrite {
                display_name: Some("Pilots".into()),
                description: None,
            },
        )
        .await
        .unwrap();
    let people = c
        .list_identities(&t.workforce, &ListQuery::numbered(1, 5))
        .await
        .unwrap()
        .items;
    let ids: Vec<String> = people.iter().map(|i| i.id.clone()).collect();
    let returned = c
        .add_members(&common::permit(&t.workforce), &g.id, &ids)
        .await
        .unwrap();
    assert_eq!(returned.id, g.id);
    // Adding again is not an error and does not double anyone.
    c.add_members(&common::permit(&t.workforce), &g.id, &ids[..2])
        .await
        .unwrap();
    let members = c
        .list_members(&t.workforce, &g.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(members.total_size, 5);

    let groups = c
        .list_identity_groups(&t.workforce, &ids[0], &ListQuery::default())
        .await
        .unwrap();
    assert!(groups.items.iter().any(|x| x.id == g.id));

    // A group with members cannot be deleted.
    let e = c
        .delete_group(&common::permit(&t.workforce), &g.id)
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert_eq!(e.body().unwrap().message, "group has children");

    // Unknown ids: 404, nothing changes. 0 or 1001 ids: 400.
    let e = c
        .add_members(
            &common::permit(&t.workforce),
            &g.id,
            &["ffffffffffffffff".to_string()],
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let e = c
        .add_members(&common::permit(&t.workforce), &g.id, &[])
        .await
        .unwrap_err();
    assert_eq!(violations(&e), vec!["identity_ids"]);
    let too_many: Vec<String> = (0..1001).map(|n| format!("{n:016x}")).collect();
    let e = c
        .delete_members(&common::permit(&t.workforce), &g.id, &too_many)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    let e = c
        .add_members(&common::permit(&t.workforce), "ffffffffffffffff", &ids)
        .await
        .unwrap_err();
    assert!(e.is_not_found());

    c.delete_members(&common::permit(&t.workforce), &g.id, &ids[..3])
        .await
        .unwrap();
    let members = c
        .list_members(&t.workforce, &g.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(members.total_size, 2);
    c.delete_members(&common::permit(&t.workforce), &g.id, &ids[3..])
        .await
        .unwrap();
    c.delete_group(&common::permit(&t.workforce), &g.id)
        .await
        .unwrap();

    // Deleting an identity removes its memberships.
    let admins = c
        .list_groups(&t.workforce, &ListQuery::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|g| g.display_name == "Realm Administrators")
        .unwrap();
    let before = c
        .list_members(&t.workforce, &admins.id, &ListQuery::default())
        .await
        .unwrap();
    c.delete_identity(&common::target(
        &common::permit(&t.workforce),
        &before.items[0].id,
    ))
    .await
    .unwrap();
    let after = c
        .list_members(&t.workforce, &admins.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(after.total_size, before.total_size - 1);
}

#[tokio::test]
async fn seeded_identity_lists_its_groups() {
    let t = common::start().await;
    let c = t.client();
    let ada = c
        .list_identities(&t.workforce, &by_username("ada.lovelace"))
        .await
        .unwrap()
        .items
        .remove(0);
    let groups = c
        .list_identity_groups(&t.workforce, &ada.id, &ListQuery::default())
        .await
        .unwrap();
    let names: Vec<&str> = groups
        .items
        .iter()
        .map(|g| g.display_name.as_str())
        .collect();
    assert_eq!(names, vec!["Realm Administrators"]);
    let e = c
        .list_identity_groups(&t.workforce, "ffffffffffffffff", &ListQuery::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

// --- auth ----------------------------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_token_is_401_and_wrong_tenant_is_403() {
    let t = common::start().await;
    let bad = common::token_client(&t.api_base, &t.sandbox, "not-the-token");
    let e = bad.list_realms(&ListQuery::default()).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.body().unwrap().code, "unauthorized");

    let other_tenant = Client::new(ClientConfig {
        api_base: t.api_base.clone(),
        tenant_id: "0001000000000000".into(),
        auth: ClientAuth::Token(bi_console::secret::Secret::new(
            t.sandbox.credentials().api_token.expose(),
        )),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let e = other_tenant
        .list_realms(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));
}

#[tokio::test]
async fn client_credentials_are_exchanged_cached_and_refreshed_once_on_401() {
    let t = common::start().await;
    let secret = t.sandbox.credentials().client_secret.expose().to_string();
    let c = t.credentials_client(&secret);
    c.list_realms(&ListQuery::default()).await.unwrap();
    c.list_identities(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(
        t.sandbox.tokens_issued(),
        1,
        "the token is cached between calls"
    );

    // The token is revoked: the next call gets 401, refreshes, retries once and succeeds.
    t.sandbox.revoke_issued_tokens();
    c.list_realms(&ListQuery::default()).await.unwrap();
    assert_eq!(t.sandbox.tokens_issued(), 2);

    // A short-lived token is refreshed before it expires.
    t.sandbox.set_token_ttl(Duration::from_secs(1));
    t.sandbox.revoke_issued_tokens();
    c.list_realms(&ListQuery::default()).await.unwrap();
    assert_eq!(t.sandbox.tokens_issued(), 3);
    tokio::time::sleep(Duration::from_millis(600)).await;
    c.list_realms(&ListQuery::default()).await.unwrap();
    assert_eq!(
        t.sandbox.tokens_issued(),
        4,
        "refreshed halfway through a short lifetime"
    );

    // Wrong secret: a token error, not a silent retry loop.
    let wrong = t.credentials_client("wrong-secret");
    let e = wrong.list_realms(&ListQuery::default()).await.unwrap_err();
    assert!(matches!(e, BiError::Token(_)), "{e:?}");
    assert!(e.to_string().contains("401"));
    assert!(!e.to_string().contains("wrong-secret"));
}

// --- transport failures --------------------------------------------------------------------------------------

#[tokio::test]
async fn a_silent_server_times_out_and_a_closed_port_is_unreachable() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let c = Client::new(ClientConfig {
        api_base: format!("http://{addr}/sandbox"),
        tenant_id: "t".into(),
        auth: ClientAuth::Token(bi_console::secret::Secret::new("x")),
        timeout: Duration::from_millis(500),
    })
    .unwrap();
    let e = c.list_realms(&ListQuery::default()).await.unwrap_err();
    assert!(matches!(e, BiError::Timeout(_)), "{e:?}");

    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let c = Client::new(ClientConfig {
        api_base: format!("http://{closed}/sandbox"),
        tenant_id: "t".into(),
        auth: ClientAuth::Token(bi_console::secret::Secret::new("x")),
        timeout: Duration::from_secs(2),
    })
    .unwrap();
    let e = c.list_realms(&ListQuery::default()).await.unwrap_err();
    assert!(matches!(e, BiError::Unreachable(_)), "{e:?}");
}

// --- BI's documented curl example, host changed --------------------------------------------------------------

#[tokio::test]
async fn bis_curl_example_works_with_only_the_host_changed() {
    let t = common::start().await;
    let url = format!(
        "{}/v1/tenants/{}/realms/{}/identities",
        t.api_base,
        t.sandbox.tenant_id(),
        t.workforce
    );
    let body = r#"{"identity":{"display_name":"Ada Lovelace","traits":{"type":"traits_v0","username":"ada","primary_email_address":"ada@example.com"}}}"#;
    let resp = reqwest::Client::new()
        .post(&url)
        .header(
            "Authorization",
            format!("Bearer {}", t.sandbox.credentials().api_token.expose()),
        )
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let created: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(created["display_name"], "Ada Lovelace");
    assert_eq!(created["traits"]["username"], "ada");
    assert_eq!(created["traits"]["type"], "traits_v0");
    assert_eq!(created["realm_id"], t.workforce.as_str());
    assert_eq!(created["tenant_id"], t.sandbox.tenant_id());
    assert_eq!(created["status"], "active");
    assert!(created["id"].as_str().unwrap().len() == 16);

    // And the client sees it.
    let found = t
        .client()
        .list_identities(&t.workforce, &by_username("ada"))
        .await
        .unwrap();
    assert_eq!(found.items[0].id, created["id"].as_str().unwrap());

    // Deletes answer 200 with an empty body.
    let resp = reqwest::Client::new()
        .delete(format!("{url}/{}", created["id"].as_str().unwrap()))
        .bearer_auth(t.sandbox.credentials().api_token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn data_survives_a_restart() {
    let t = common::start().await;
    let c = t.client();
    c.create_identity(
        &common::permit(&t.workforce),
        &new_identity("Kept", "kept.person"),
    )
    .await
    .unwrap();
    let token = t.sandbox.credentials().api_token.expose().to_string();
    let tenant = t.sandbox.tenant_id().to_string();
    t.sandbox.store().close().await;
    let reopened = bi_console::sandbox::Sandbox::open(&t.dir, None)
        .await
        .unwrap();
    assert_eq!(reopened.tenant_id(), tenant);
    assert_eq!(reopened.credentials().api_token.expose(), token);
    let rows = reopened
        .store()
        .list_identities(&t.workforce, Some("kept.person"), 0, 10)
        .await
        .unwrap();
    assert_eq!(rows.total, 1);
}

#[tokio::test]
async fn the_sidebar_realm_list_is_reused_instead_of_refetched_per_page() {
    let t = common::start().await;
    let secret = t.sandbox.credentials().client_secret.expose().to_string();
    let state = bi_console::state::AppState::new(
        t.credentials_client(&secret),
        bi_console::model::ConsoleInfo {
            sandbox: true,
            target_label: "Sandbox".into(),
            tenant_id: t.sandbox.tenant_id().into(),
            default_realm: t.workforce.clone(),
            bi_sign_in: false,
            password_sign_in: true,
        },
    );
    assert_eq!(state.realms().await.unwrap().len(), 2);
    assert_eq!(t.sandbox.tokens_issued(), 1);
    // Had the second call reached BI, the revoked token would have forced a refresh.
    t.sandbox.revoke_issued_tokens();
    assert_eq!(state.realms().await.unwrap().len(), 2);
    assert_eq!(
        t.sandbox.tokens_issued(),
        1,
        "served from the cache: no BI call"
    );
}

#[tokio::test]
async fn a_bulk_seeded_realm_pages_looks_up_and_lists_members_like_any_other() {
    let t = common::start().await;
    let store = t.sandbox.store();
    let realm = store
        .insert_realm("Scale test", "SECURE_WORKFORCE")
        .await
        .unwrap();
    store
        .bulk_seed(&realm.id, "bulk", 2_000, 40, 2, 500)
        .await
        .unwrap();
    let c = t.client();
    let first = c
        .list_identities(&realm.id, &ListQuery::numbered(1, 50))
        .await
        .unwrap();
    assert_eq!(first.total_size, 2_000);
    assert_eq!(first.items[0].username(), "bulk.000001");
    assert_eq!(first.items[0].email(), "bulk.000001@scale.example");
    assert_eq!(first.items[0].display_name, "Scale Person 1");
    assert_eq!(first.items[0].traits.given_name.as_deref(), Some("Scale"));
    let last = c
        .list_identities(&realm.id, &ListQuery::numbered(40, 50))
        .await
        .unwrap();
    assert_eq!(last.items.last().unwrap().username(), "bulk.002000");
    let beyond = c
        .list_identities(&realm.id, &ListQuery::numbered(41, 50))
        .await
        .unwrap();
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total_size, 2_000);
    let q = ListQuery::default().with_filter(Some(username_filter("BULK.001234")));
    let found = c.list_identities(&realm.id, &q).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].username(), "bulk.001234");
    let groups = c
        .list_groups(&realm.id, &ListQuery::numbered(1, 50))
        .await
        .unwrap();
    assert_eq!(groups.total_size, 40);
    let big = &groups.items[0];
    let members = c
        .list_members(&realm.id, &big.id, &ListQuery::numbered(1, 200))
        .await
        .unwrap();
    assert_eq!(members.total_size, 500);
    assert_eq!(members.items.len(), 200);
    // A small group: group n holds n % 20 people.
    assert_eq!(groups.items[2].display_name, "Scale group 0003");
    let small = c
        .list_members(&realm.id, &groups.items[2].id, &ListQuery::numbered(1, 200))
        .await
        .unwrap();
    assert_eq!(small.total_size, 3);
}
