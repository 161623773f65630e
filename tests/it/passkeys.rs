//! Passkeys through the real client against the sandbox over HTTP: authenticator configurations, invitations by
//! email and as a link, the enrollment life cycle as BI's rule derives it (UNENROLLED → PENDING → ENROLLED → revoke
//! → UNENROLLED; an undeliverable address → INVITE_FAILED), revocations, batches within BI's limits, and errors.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::bi::wire::{IdentityWrite, JobTemplate, JobWrite, ListQuery};
use bi_console::bi::BiError;
use bi_console::model::{Traits, DELIVERY_EMAIL, DELIVERY_RETURN};
use common::permit;

fn person(username: &str, email: Option<&str>) -> IdentityWrite {
    IdentityWrite {
        display_name: Some(format!("Person {username}")),
        status: None,
        traits: Some(Traits {
            username: Some(username.into()),
            primary_email_address: email.map(str::to_string),
            ..Traits::default()
        }),
    }
}

/// An invitation by `delivery` with the authenticator configuration `config`.
fn invitation(delivery: &str, config: &str, redirect: Option<&str>) -> JobWrite {
    JobWrite {
        delivery_method: delivery.into(),
        authenticator_config_id: config.into(),
        post_binding_redirect_uri: redirect.map(str::to_string),
    }
}

async fn new_person(t: &common::TestSandbox, username: &str, email: Option<&str>) -> String {
    t.client()
        .create_identity(&permit(&t.workforce), &person(username, email))
        .await
        .unwrap()
        .id
}

async fn config(t: &common::TestSandbox) -> String {
    let configs = t
        .client()
        .list_authenticator_configs(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert!(configs.total_size >= 1, "every realm has one");
    configs.items[0].id.clone()
}

async fn enrollment(t: &common::TestSandbox, id: &str) -> String {
    t.client()
        .get_identity(&t.workforce, id)
        .await
        .unwrap()
        .enrollment_status
        .unwrap_or_default()
}

/// The batch once BI (here, the sandbox) has worked through it (at most 20 s).
async fn finished(
    c: &bi_console::bi::Client,
    realm: &str,
    id: &str,
) -> bi_console::bi::wire::BatchJob {
    for _ in 0..200 {
        let b = c.get_batch_credential_binding_job(realm, id).await.unwrap();
        if b.state != "RUNNING" {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the batch {id} did not finish");
}

fn status_of(e: &BiError) -> Option<u16> {
    e.status()
}

/// Follows an enrollment link the way the person would: opens the page, then presses a button.
async fn press(link: &str, step: &str) -> String {
    let http = reqwest::Client::new();
    let page = http.get(link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Simulated enrollment for"), "{html}");
    let res = http
        .post(link)
        .form(&[("step", step)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn authenticator_configs_are_listed_and_read() {
    let t = common::start().await;
    let c = t.client();
    let id = config(&t).await;
    let one = c.get_authenticator_config(&t.workforce, &id).await.unwrap();
    assert_eq!(one.kind(), "hosted_web");
    assert!(!one.label().is_empty());
    let missing = c
        .get_authenticator_config(&t.workforce, "0000000000000000")
        .await
        .unwrap_err();
    assert_eq!(status_of(&missing), Some(404));
}

#[tokio::test]
async fn the_whole_life_cycle_follows_bis_rule() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let cfg = config(&t).await;
    let ada = new_person(&t, "cycle.ada", Some("ada@cycle.example")).await;
    assert_eq!(enrollment(&t, &ada).await, "UNENROLLED");

    // An emailed invitation: PENDING, and the email with its link is in the outbox.
    let sent = c
        .create_credential_binding_job(
            &common::target(&permit(&realm), &ada),
            &invitation(DELIVERY_EMAIL, &cfg, None),
        )
        .await
        .unwrap();
    assert_eq!(sent.credential_binding_job.state, "LINK_SENT");
    assert!(
        sent.credential_binding_link.is_none(),
        "email: no link to the caller"
    );
    assert_eq!(enrollment(&t, &ada).await, "PENDING");
    let outbox = t.sandbox.store().outbox(Some(&realm), 10).await.unwrap();
    let mail = outbox
        .iter()
        .find(|m| m.identity_id == ada)
        .expect("the email is in the outbox");
    assert_eq!(mail.recipient, "ada@cycle.example");

    // The person completes enrollment: a passkey, ENROLLED, the job COMPLETE with the credential's id.
    let page = press(&mail.link, "complete").await;
    assert!(page.contains("Passkey created"), "{page}");
    assert_eq!(enrollment(&t, &ada).await, "ENROLLED");
    let jobs = c
        .list_credential_binding_jobs(&realm, &ada, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(jobs.total_size, 1);
    let job = &jobs.items[0];
    assert_eq!(job.state, "COMPLETE");
    let credentials = c
        .list_credentials(&realm, &ada, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(credentials.total_size, 1);
    let passkey = &credentials.items[0];
    assert_eq!(job.credential_id.as_deref(), Some(passkey.id.as_str()));
    assert_eq!(passkey.state, "ACTIVE");
    let again = c.get_credential(&realm, &ada, &passkey.id).await.unwrap();
    assert_eq!(&again, passkey);

    // A completed invitation cannot be revoked (409); the passkey can, and the identity is UNENROLLED again.
    let refused = c
        .revoke_credential_binding_job(&common::target(&permit(&realm), &ada), &job.id)
        .await
        .unwrap_err();
    assert_eq!(status_of(&refused), Some(409));
    let revoked = c
        .revoke_credential(&common::target(&permit(&realm), &ada), &passkey.id)
        .await
        .unwrap();
    assert_eq!(revoked.state, "REVOKED");
    assert_eq!(enrollment(&t, &ada).await, "UNENROLLED");

    // An enrollment link for someone helped in person (RETURN), revoked before use: UNENROLLED, the link dead.
    let link = c
        .create_credential_binding_job(
            &common::target(&permit(&realm), &ada),
            &invitation(DELIVERY_RETURN, &cfg, Some("https://example.com/done")),
        )
        .await
        .unwrap();
    let url = link
        .credential_binding_link
        .clone()
        .expect("RETURN answers the link");
    assert!(url.contains(":invokeAuthenticator?token="), "{url}");
    assert_eq!(enrollment(&t, &ada).await, "PENDING");
    let job = c
        .revoke_credential_binding_job(
            &common::target(&permit(&realm), &ada),
            &link.credential_binding_job.id,
        )
        .await
        .unwrap();
    assert_eq!(job.state, "REVOKED");
    assert_eq!(enrollment(&t, &ada).await, "UNENROLLED");
    let page = press(&url, "complete").await;
    assert!(page.contains("can no longer be used"), "{page}");
    assert_eq!(enrollment(&t, &ada).await, "UNENROLLED");

    // Declining a link ends the invitation without a passkey.
    let link = c
        .create_credential_binding_job(
            &common::target(&permit(&realm), &ada),
            &invitation(DELIVERY_RETURN, &cfg, None),
        )
        .await
        .unwrap();
    press(link.credential_binding_link.as_deref().unwrap(), "decline").await;
    let job = c
        .get_credential_binding_job(&realm, &ada, &link.credential_binding_job.id)
        .await
        .unwrap();
    assert_eq!(job.state, "EXPIRED");
    assert_eq!(enrollment(&t, &ada).await, "UNENROLLED");
}

#[tokio::test]
async fn an_undeliverable_address_fails_the_invitation_and_errors_keep_their_meaning() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let cfg = config(&t).await;
    let email_job = |config: &str| invitation(DELIVERY_EMAIL, config, None);

    let bounced = new_person(&t, "bounce.me", Some("me@nowhere.invalid")).await;
    let sent = c
        .create_credential_binding_job(&common::target(&permit(&realm), &bounced), &email_job(&cfg))
        .await
        .unwrap();
    assert_eq!(sent.credential_binding_job.state, "FAILED_TO_SEND");
    assert_eq!(enrollment(&t, &bounced).await, "INVITE_FAILED");

    // No email address: 422, nothing created.
    let silent = new_person(&t, "no.mail", None).await;
    let e = c
        .create_credential_binding_job(&common::target(&permit(&realm), &silent), &email_job(&cfg))
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(422));
    assert!(e.reason().contains("missing email"), "{}", e.reason());
    assert_eq!(enrollment(&t, &silent).await, "UNENROLLED");

    // No authenticator configuration: 400 on its field; an unknown one too.
    for config in ["", "0000000000000000"] {
        let e = c
            .create_credential_binding_job(
                &common::target(&permit(&realm), &silent),
                &email_job(config),
            )
            .await
            .unwrap_err();
        assert_eq!(status_of(&e), Some(400), "{config:?}");
        let fields: Vec<String> = e
            .body()
            .unwrap()
            .field_violations()
            .map(|v| v.field.clone())
            .collect();
        assert_eq!(fields, vec!["job.authenticator_config_id"]);
    }

    // Unknown identity, job and credential: 404.
    let e = c
        .create_credential_binding_job(
            &common::target(&permit(&realm), "0000000000000000"),
            &email_job(&cfg),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(404));
    let e = c
        .get_credential_binding_job(&realm, &silent, "0000000000000000")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(404));
    let e = c
        .revoke_credential(
            &common::target(&permit(&realm), &silent),
            "0000000000000000",
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(404));
    // An unknown identity's passkeys: none (BI's spec names no 404 for the list).
    let none = c
        .list_credentials(&realm, "0000000000000000", &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(none.total_size, 0);
}

#[tokio::test]
async fn the_seed_has_every_enrollment_state_backed_by_passkeys_and_invitations() {
    let t = common::start().await;
    let c = t.client();
    let page = c
        .list_identities(
            &t.workforce,
            &ListQuery {
                page_size: Some(200),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for i in &page.items {
        let status = i.enrollment_status.clone().unwrap_or_default();
        let credentials = c
            .list_credentials(&t.workforce, &i.id, &ListQuery::default())
            .await
            .unwrap();
        let jobs = c
            .list_credential_binding_jobs(&t.workforce, &i.id, &ListQuery::default())
            .await
            .unwrap();
        let active = credentials
            .items
            .iter()
            .filter(|p| p.state == "ACTIVE")
            .count() as u64;
        let open = jobs.items.iter().filter(|j| j.is_pending()).count() as u64;
        let failed = jobs
            .items
            .iter()
            .filter(|j| j.state == "FAILED_TO_SEND")
            .count() as u64;
        assert_eq!(
            status,
            bi_console::model::enrollment_status(active, open, failed),
            "{}",
            i.username()
        );
        seen.insert(status);
    }
    let all: std::collections::BTreeSet<String> =
        ["ENROLLED", "INVITE_FAILED", "PENDING", "UNENROLLED"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    assert_eq!(seen, all);
}

#[tokio::test]
async fn batches_of_1200_go_in_two_within_the_queue_limit() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let cfg = config(&t).await;
    t.sandbox
        .store()
        .bulk_seed(&realm, "batch", 1_200, 0, 0, 0)
        .await
        .unwrap();
    let mut ids = Vec::new();
    let mut q = ListQuery {
        page_size: Some(200),
        ..Default::default()
    };
    loop {
        let page = c.list_identities(&realm, &q).await.unwrap();
        ids.extend(
            page.items
                .iter()
                .filter(|i| i.username().starts_with("batch."))
                .map(|i| i.id.clone()),
        );
        match page.next_page_token {
            Some(token) if !page.items.is_empty() => q.page_token = Some(token),
            _ => break,
        }
    }
    assert_eq!(ids.len(), 1_200);
    let template = JobTemplate {
        authenticator_config_id: cfg.clone(),
        post_binding_redirect_uri: None,
    };

    // More than 1,000 in one batch: 400.
    let e = c
        .create_batch_credential_binding_job(&common::targets(&permit(&realm), &ids), &template)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(400));

    // 1,000, then 200 more while the first is queued: the queue holds at most 1,000, so 429 until it drains.
    let first = c
        .create_batch_credential_binding_job(
            &common::targets(&permit(&realm), &ids[..1_000]),
            &template,
        )
        .await
        .unwrap();
    assert_eq!(first.state, "RUNNING");
    let e = c
        .create_batch_credential_binding_job(
            &common::targets(&permit(&realm), &ids[1_000..]),
            &template,
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), Some(429));
    let mut second = None;
    for _ in 0..200 {
        match c
            .create_batch_credential_binding_job(
                &common::targets(&permit(&realm), &ids[1_000..]),
                &template,
            )
            .await
        {
            Ok(b) => {
                second = Some(b);
                break;
            }
            Err(e) if status_of(&e) == Some(429) => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            Err(e) => panic!("{e}"),
        }
    }
    let second = second.expect("queued once the first drained");
    // Both finish; every identity has an open invitation by email.
    for batch in [&first, &second] {
        let done = finished(&c, &realm, &batch.id).await;
        assert_eq!(done.state, "SUCCESS");
        let results = c
            .list_batch_results(
                &realm,
                &batch.id,
                &ListQuery {
                    page_size: Some(200),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(results.total_size as usize, batch.identity_ids.len());
        assert_eq!(
            results.total_success_count as usize,
            batch.identity_ids.len()
        );
        assert_eq!(results.total_failure_count, 0);
        assert_eq!(results.total_pending_count, 0);
        assert!(results
            .job_results
            .iter()
            .all(|j| j.batch_id.as_deref() == Some(batch.id.as_str())));
    }
    assert_eq!(enrollment(&t, &ids[1_100]).await, "PENDING");
}

#[tokio::test]
async fn a_batch_reports_who_could_not_be_invited() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let cfg = config(&t).await;
    let ok = new_person(&t, "batch.ok", Some("ok@batch.example")).await;
    let silent = new_person(&t, "batch.silent", None).await;
    let bounced = new_person(&t, "batch.bounced", Some("x@batch.invalid")).await;
    let ids = vec![
        ok.clone(),
        silent.clone(),
        bounced.clone(),
        "0000000000000000".to_string(),
    ];
    let batch = c
        .create_batch_credential_binding_job(
            &common::targets(&permit(&realm), &ids),
            &JobTemplate {
                authenticator_config_id: cfg,
                post_binding_redirect_uri: None,
            },
        )
        .await
        .unwrap();
    let done = finished(&c, &realm, &batch.id).await;
    assert_eq!(done.state, "PARTIAL_SUCCESS");
    let errors = done.state_commentary.unwrap().errors;
    assert!(errors[&silent].last_error.contains("missing email"));
    assert!(errors.contains_key("0000000000000000"));
    let results = c
        .list_batch_results(&realm, &batch.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(results.total_success_count, 1);
    assert_eq!(
        results.total_failure_count, 3,
        "two with no job, one that failed to send"
    );
    assert_eq!(enrollment(&t, &ok).await, "PENDING");
    assert_eq!(enrollment(&t, &bounced).await, "INVITE_FAILED");
}

#[tokio::test]
async fn only_the_enrollment_link_goes_without_the_token_and_links_point_where_configured() {
    let t = common::start().await;
    let realm = t.workforce.clone();
    let ada = new_person(&t, "link.base.ada", Some("ada@link.example")).await;
    let tenant = t.sandbox.tenant_id().to_string();
    let http = reqwest::Client::new();
    // Any other call whose path merely ends like a link needs the token: nothing is changed without it.
    let forged = format!(
        "{}/v1/tenants/{tenant}/realms/{realm}/identities/{ada}:invokeAuthenticator",
        t.api_base
    );
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
        reqwest::Method::GET,
    ] {
        let res = http
            .request(method.clone(), &forged)
            .header("content-type", "application/json")
            .body(r#"{"identity":{"display_name":"Taken"}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {forged}");
    }
    let still = t.client().get_identity(&realm, &ada).await.unwrap();
    assert_eq!(still.display_name, "Person link.base.ada");
    // A link's base is the sandbox's configured origin, whatever the request's headers say.
    let url = format!(
        "{}/v1/tenants/{tenant}/realms/{realm}/identities/{ada}/credential-binding-jobs",
        t.api_base
    );
    let cfg = config(&t).await;
    let res = http
        .post(&url)
        .bearer_auth(t.sandbox.credentials().api_token.expose())
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "evil.example")
        .json(&serde_json::json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": cfg}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let made: serde_json::Value = res.json().await.unwrap();
    let link = made["credential_binding_link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/v1/", t.api_base)), "{link}");
}

#[tokio::test]
async fn one_link_completed_many_times_at_once_makes_one_passkey() {
    let t = common::start().await;
    let c = t.client();
    let realm = t.workforce.clone();
    let cfg = config(&t).await;
    for round in 0..3 {
        let who = new_person(&t, &format!("race.{round}"), None).await;
        let made = c
            .create_credential_binding_job(
                &common::target(&permit(&realm), &who),
                &invitation(DELIVERY_RETURN, &cfg, None),
            )
            .await
            .unwrap();
        let link = made.credential_binding_link.unwrap();
        let http = reqwest::Client::new();
        let presses: Vec<_> = (0..60)
            .map(|_| {
                let (http, link) = (http.clone(), link.clone());
                tokio::spawn(async move {
                    http.post(&link)
                        .form(&[("step", "complete")])
                        .send()
                        .await
                        .unwrap()
                        .status()
                })
            })
            .collect();
        for p in presses {
            assert_eq!(p.await.unwrap(), 200);
        }
        let passkeys = c
            .list_credentials(&realm, &who, &ListQuery::default())
            .await
            .unwrap();
        let active = passkeys
            .items
            .iter()
            .filter(|p| p.state == "ACTIVE")
            .count();
        assert_eq!((active, passkeys.total_size), (1, 1), "round {round}");
    }
}

#[tokio::test]
async fn an_identitys_passkeys_and_invitations_are_listed_only_in_its_own_realm() {
    let t = common::start().await;
    let c = t.client();
    let ada = c
        .find_by_username(&t.workforce, "ada.lovelace")
        .await
        .unwrap()
        .unwrap()
        .id;
    let q = ListQuery::default();
    let here = c.list_credentials(&t.workforce, &ada, &q).await.unwrap();
    assert!(here.total_size >= 1, "ada has a passkey in her realm");
    let there = c.list_credentials(&t.customers, &ada, &q).await.unwrap();
    assert_eq!((there.items.len(), there.total_size), (0, 0));
    let jobs = c
        .list_credential_binding_jobs(&t.customers, &ada, &q)
        .await
        .unwrap();
    assert_eq!((jobs.items.len(), jobs.total_size), (0, 0));
}
