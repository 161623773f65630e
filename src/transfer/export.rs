//! An export, streamed: identities are read a chunk at a time (from the directory index when it is ready, in
//! index order with the search applied; else BI's pages of the whole realm) and written out as CSV or JSON as they
//! come, so memory holds one chunk and the groups' names per identity, never the realm.

use std::collections::HashMap;
use std::sync::Arc;

use futures::{Stream, StreamExt, TryStreamExt};

use super::written::{csv_chunk, ExportRow};
use crate::bi::pages::{pages, Bounds};
use crate::bi::wire::BiPage;
use crate::bi::{BiError, Client};
use crate::model::{Identity, IdentityFilter};

/// Where an export reads from.
pub struct Source {
    client: Arc<Client>,
    index: Option<Arc<crate::index::DirectoryIndex>>,
    realm: String,
    filter: IdentityFilter,
    /// Group names per identity id.
    groups: HashMap<String, Vec<String>>,
    /// BI calls made to read the groups.
    pub calls: u64,
}

impl Source {
    /// Reads the realm's groups and their members (BI's pages of 200); identities will come from `index` when
    /// given (a ready index), else from BI's pages.
    pub async fn open(
        client: Arc<Client>,
        index: Option<Arc<crate::index::DirectoryIndex>>,
        realm: &str,
        filter: IdentityFilter,
    ) -> Result<Source, BiError> {
        let mut calls = 0;
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        {
            let bi = &*client;
            let mut walk = std::pin::pin!(pages(Bounds::WHOLE, |q| async move { bi.list_groups(realm, &q).await }));
            while let Some(page) = walk.try_next().await? {
                calls += 1;
                for g in &page.items {
                    let group = g.id.as_str();
                    let mut members = std::pin::pin!(pages(Bounds::WHOLE, |q| async move {
                        bi.list_members(realm, group, &q).await
                    }));
                    while let Some(members) = members.try_next().await? {
                        calls += 1;
                        for i in &members.items {
                            groups.entry(i.id.clone()).or_default().push(g.display_name.clone());
                        }
                    }
                }
            }
        }
        for names in groups.values_mut() {
            names.sort();
        }
        Ok(Source {
            client,
            index,
            realm: realm.to_string(),
            filter,
            groups,
            calls,
        })
    }

    fn row(&self, i: &Identity) -> ExportRow {
        ExportRow::of(i, self.groups.get(&i.id).map(Vec::as_slice).unwrap_or(&[]))
    }
}

/// Whether `i` is found by the search `f` (BI's pages have no search: applied here, as the index would: any part
/// of the username, name, email or external id, ignoring case and accents; the status and enrollment filters).
fn matches(f: &IdentityFilter, i: &Identity) -> bool {
    use crate::index::fold;
    let t = &i.traits;
    let text = [
        i.username(),
        i.display_name.as_str(),
        t.primary_email_address.as_deref().unwrap_or(""),
        t.external_id.as_deref().unwrap_or(""),
    ]
    .join(" ");
    let q = fold(f.q.trim());
    (q.is_empty() || fold(&text).contains(&q))
        && (f.status.is_empty() || i.status.as_deref() == Some(f.status.as_str()))
        && (f.enrollment.is_empty() || i.enrollment_status.as_deref() == Some(f.enrollment.as_str()))
}

/// BI's pages of a realm's identities, as an export reads them.
type BiPages = std::pin::Pin<Box<dyn Stream<Item = Result<BiPage<Identity>, BiError>> + Send>>;

/// Where a stream is: the next position in the index, or BI's pages.
enum Cursor {
    Index(i64),
    Bi(BiPages),
    Done,
}

/// The export as a stream of text chunks (CSV with its header, or a JSON array).
pub fn stream(
    source: Source,
    json: bool,
    chunk: u32,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    let start = if source.index.is_some() {
        Cursor::Index(0)
    } else {
        let (client, realm) = (source.client.clone(), source.realm.clone());
        Cursor::Bi(Box::pin(pages(Bounds::WHOLE, move |q| {
            let (client, realm) = (client.clone(), realm.clone());
            async move { client.list_identities(&realm, &q).await }
        })))
    };
    futures::stream::unfold((source, start, true, false), move |(src, cursor, first, any)| async move {
        let (identities, cursor) = match cursor {
            Cursor::Done => return None,
            Cursor::Index(after) => {
                let index = src.index.as_ref()?;
                match index.export_page(&src.realm, &src.filter, after, chunk).await {
                    Ok(rows) if rows.is_empty() => (Vec::new(), Cursor::Done),
                    Ok(rows) => {
                        let last = rows.last().map(|(r, _)| *r).unwrap_or(after);
                        (rows.into_iter().map(|(_, i)| i).collect(), Cursor::Index(last))
                    }
                    Err(e) => return Some((Err(std::io::Error::other(e)), (src, Cursor::Done, false, any))),
                }
            }
            Cursor::Bi(mut walk) => match walk.try_next().await {
                Ok(None) => (Vec::new(), Cursor::Done),
                Ok(Some(page)) => {
                    let kept = page.items.into_iter().filter(|i| matches(&src.filter, i)).collect();
                    (kept, Cursor::Bi(walk))
                }
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (src, Cursor::Done, false, any))),
            },
        };
        let rows: Vec<ExportRow> = identities.iter().map(|i| src.row(i)).collect();
        let last = matches!(cursor, Cursor::Done);
        let mut out = Vec::new();
        if json {
            if first {
                out.push(b'[');
            }
            for (k, r) in rows.iter().enumerate() {
                if any || k > 0 {
                    out.push(b',');
                }
                out.extend(serde_json::to_vec(r).unwrap_or_default());
                out.push(b'\n');
            }
            if last {
                out.push(b']');
            }
        } else {
            out = csv_chunk(&rows, first);
        }
        let any = any || !rows.is_empty();
        Some((Ok(out), (src, cursor, false, any)))
    })
    // Ended for good: a body that is compressed is read once more after its last chunk.
    .fuse()
}
