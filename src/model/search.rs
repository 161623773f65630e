//! Searching the directory index: what the Identities page asks for (text, filters, sort) and what it gets back
//! (a page, the realm's enrollment summary, and how fresh the index is).

use serde::{Deserialize, Serialize};

use super::{Identity, PageView};

/// A column the identities can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    Username,
    Name,
    Email,
    Enrollment,
    Created,
    Updated,
    /// Groups only: the member count.
    Members,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::Username,
        SortKey::Name,
        SortKey::Email,
        SortKey::Enrollment,
        SortKey::Created,
        SortKey::Updated,
        SortKey::Members,
    ];

    /// The name in the URL: `username`, `name`, `email`, `enrollment`, `created`, `updated`.
    pub fn param(self) -> &'static str {
        match self {
            SortKey::Username => "username",
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::Enrollment => "enrollment",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
            SortKey::Members => "members",
        }
    }
}

/// A sort: a column, ascending or descending. In the URL `created` or `-created`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// `created`, `-created`; anything else is no sort (BI's own order).
    pub fn parse(param: &str) -> Option<Sort> {
        let (descending, name) = match param.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, param),
        };
        SortKey::ALL
            .into_iter()
            .find(|k| k.param() == name)
            .map(|key| Sort { key, descending })
    }

    pub fn param(self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.param()
        )
    }
}

/// The longest search text: longer than any username, name or email worth typing.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Why `q` cannot be searched for, in words for the search field; `None` when it can.
pub fn search_text_problem(q: &str) -> Option<String> {
    let n = q.trim().chars().count();
    (n > MAX_SEARCH_CHARS)
        .then(|| format!("Search text is at most {MAX_SEARCH_CHARS} characters; this is {n}."))
}

/// What the Identities page asks the index for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityFilter {
    /// Any part of the username, name, email or external id.
    pub q: String,
    /// `active` or `suspended`; empty: either.
    pub status: String,
    /// BI's enrollment status (`ENROLLED`, `PENDING`, `INVITE_FAILED`, `UNENROLLED`); empty: any.
    pub enrollment: String,
    /// `None`: BI's own order (the order records were listed and added in).
    pub sort: Option<Sort>,
}

/// How many of a realm's identities are in one enrollment status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCount {
    pub status: String,
    pub count: u64,
}

/// How fresh a realm's index is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    /// A full index has completed at least once: searches answer from it.
    pub ready: bool,
    /// When the last full refresh ended (RFC 3339).
    pub indexed_at: Option<String>,
    /// Seconds since then, when the answer was made.
    #[serde(default)]
    pub age_secs: Option<u64>,
    /// A refresh is running: records read so far, and how many BI said there are.
    pub running: bool,
    pub done: u64,
    pub total: u64,
}

/// A group with its member count (`None` when the index does not know it yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupListing {
    pub group: super::Group,
    pub members: Option<u64>,
}

/// One answer of the Groups page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSearch {
    pub page: PageView<GroupListing>,
    pub index: IndexState,
}

/// One identity as the Identities list shows it: what its row needs, not the whole record (lighter to send, to read
/// back in the browser, and to render). Sent as an array of its fields in this order, not an object: a page of 50
/// rows is sent twice in its first load (the rows in the HTML, the data for hydration as a string in a script), and
/// the fields' names were a third of the data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "IdentityRowFields")]
pub struct IdentityRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// The primary email address ("" if none).
    pub email: String,
    pub suspended: bool,
    /// BI's enrollment status ("" if unknown).
    pub enrollment: String,
    /// When it was created (RFC 3339; "" if unknown).
    pub created: String,
}

/// [`IdentityRow`] as it is sent.
#[derive(Deserialize)]
struct IdentityRowFields(String, String, String, String, bool, String, String);

impl From<IdentityRowFields> for IdentityRow {
    fn from(f: IdentityRowFields) -> Self {
        let IdentityRowFields(id, username, display_name, email, suspended, enrollment, created) =
            f;
        IdentityRow {
            id,
            username,
            display_name,
            email,
            suspended,
            enrollment,
            created,
        }
    }
}

impl Serialize for IdentityRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = serializer.serialize_tuple(7)?;
        t.serialize_element(&self.id)?;
        t.serialize_element(&self.username)?;
        t.serialize_element(&self.display_name)?;
        t.serialize_element(&self.email)?;
        t.serialize_element(&self.suspended)?;
        t.serialize_element(&self.enrollment)?;
        t.serialize_element(&self.created)?;
        t.end()
    }
}

impl From<Identity> for IdentityRow {
    fn from(i: Identity) -> Self {
        IdentityRow {
            suspended: i.is_suspended(),
            username: i.traits.username.unwrap_or_default(),
            email: i.traits.primary_email_address.unwrap_or_default(),
            enrollment: i.enrollment_status.unwrap_or_default(),
            created: i.create_time.unwrap_or_default(),
            id: i.id,
            display_name: i.display_name,
        }
    }
}

/// One answer of the Identities page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySearch {
    pub page: PageView<IdentityRow>,
    /// The realm's counts per enrollment status (empty until the index is ready).
    pub summary: Vec<EnrollmentCount>,
    pub index: IndexState,
}

/// "just now", "3 min ago", "2 h ago", "4 days ago".
pub fn ago(secs: u64) -> String {
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_round_trip_through_the_url() {
        for key in SortKey::ALL {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                assert_eq!(Sort::parse(&sort.param()), Some(sort));
            }
        }
        assert_eq!(Sort::parse("bogus"), None);
        assert_eq!(Sort::parse("").map(|s| s.key), None);
        assert_eq!(
            Sort::parse("-created").map(|s| s.key),
            Some(SortKey::Created)
        );
    }

    #[test]
    fn a_row_is_sent_as_its_fields_in_order_and_read_back_whole() {
        let row = IdentityRow {
            id: "0123".into(),
            username: "ada".into(),
            display_name: "Ada \"A\" L".into(),
            email: "".into(),
            suspended: true,
            enrollment: "PENDING".into(),
            created: "2026-11-28T14:03:00Z".into(),
        };
        let sent = serde_json::to_string(&row).unwrap();
        assert_eq!(
            sent,
            r#"["0123","ada","Ada \"A\" L","",true,"PENDING","2026-11-28T14:03:00Z"]"#
        );
        assert_eq!(serde_json::from_str::<IdentityRow>(&sent).unwrap(), row);
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(180), "3 min ago");
        assert_eq!(ago(7200), "2 h ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
    }
}
