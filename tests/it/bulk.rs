//! Bulk identity changes through the real client against the sandbox: chunking at 1000, unknown ids reported.

#![cfg(feature = "ssr")]

use crate::common;

use bi_console::api::bulk;
use bi_console::bi::wire::ListQuery;

#[tokio::test]
async fn bulk_delete_chunks_above_1000_and_reports_unknown_ids() {
    let t = common::start().await;
    let mut ids = common::make_identities(&t, "bulk", 1005).await;
    // An unknown id in the first chunk: BI refuses that whole chunk; the rest of it is retried and deleted.
    ids.insert(10, "ffffffffffffffff".to_string());
    let c = t.client();
    let result = bulk::run(
        &c,
        &bulk::BulkWrite::Delete(common::permit(&t.workforce)),
        &ids,
        &common::protection(
            &common::permit::<bi_console::permit::act::SetStatus>(&t.workforce),
            &ids,
        ),
    )
    .await;
    assert_eq!(result.succeeded, 1005);
    assert_eq!(result.failed.len(), 1);
    assert_eq!(result.failed[0].id, "ffffffffffffffff");
    assert!(result.failed[0].reason.contains("not found"));
    let left = c
        .list_identities(&t.workforce, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(left.total_size, 60, "only the seeded identities remain");
}

#[tokio::test]
async fn bulk_suspend_and_unsuspend() {
    let t = common::start().await;
    let c = t.client();
    let page = c
        .list_identities(&t.workforce, &ListQuery::numbered(1, 10))
        .await
        .unwrap();
    let mut ids: Vec<String> = page.items.iter().map(|i| i.id.clone()).collect();
    ids.push("ffffffffffffffff".into());
    let result = bulk::run(
        &c,
        &bulk::BulkWrite::Suspend(common::permit(&t.workforce)),
        &ids,
        &common::protection(
            &common::permit::<bi_console::permit::act::SetStatus>(&t.workforce),
            &ids,
        ),
    )
    .await;
    assert_eq!(result.succeeded, 10);
    assert_eq!(result.failed.len(), 1);
    for i in &page.items {
        assert!(c
            .get_identity(&t.workforce, &i.id)
            .await
            .unwrap()
            .is_suspended());
    }
    let result = bulk::run(
        &c,
        &bulk::BulkWrite::Unsuspend(common::permit(&t.workforce)),
        &ids[..10],
        &common::protection(
            &common::permit::<bi_console::permit::act::SetStatus>(&t.workforce),
            &ids[..10],
        ),
    )
    .await;
    assert_eq!((result.succeeded, result.failed.len()), (10, 0));
    assert!(!c
        .get_identity(&t.workforce, &ids[0])
        .await
        .unwrap()
        .is_suspended());
}
