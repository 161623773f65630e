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
    if n > MAX_SEARCH_CHARS {
        return Some(format!(
            "Search text is at most {MAX_SEARCH_CHARS} characters; this is {n}."
        ));
    }
    q.chars().any(char::is_control).then(|| {
        "Search text cannot hold control characters (such as a line break or NUL).".to_string()
    })
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
/// back in the browser, and to render). Sent as an array of its fields in this order, not an object (the fields'
/// names were a third of the data), and without its last fields when they are empty: the page's data for hydration
/// holds only each row's id and username (see [`IdentityRow::key`]), as the rows themselves are in its HTML.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

impl IdentityRow {
    /// The row's id and username alone: what the browser needs of a row it did not draw (the selection's boxes).
    pub fn key(&self) -> IdentityRow {
        IdentityRow {
            id: self.id.clone(),
            username: self.username.clone(),
            ..IdentityRow::default()
        }
    }

    /// How many of the fields, in order, are sent: up to the last that is not empty.
    fn sent_fields(&self) -> usize {
        let filled = [
            !self.id.is_empty(),
            !self.username.is_empty(),
            !self.display_name.is_empty(),
            !self.email.is_empty(),
            self.suspended,
            !self.enrollment.is_empty(),
            !self.created.is_empty(),
        ];
        filled.iter().rposition(|f| *f).map_or(0, |last| last + 1)
    }
}

impl Serialize for IdentityRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let n = self.sent_fields();
        let mut t = serializer.serialize_seq(Some(n))?;
        let strings = [&self.id, &self.username, &self.display_name, &self.email];
        for s in strings.iter().take(n) {
            t.serialize_element(s)?;
        }
        if n > 4 {
            t.serialize_element(&self.suspended)?;
        }
        if n > 5 {
            t.serialize_element(&self.enrollment)?;
        }
        if n > 6 {
            t.serialize_element(&self.created)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for IdentityRow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = IdentityRow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an identity's row: up to seven fields in order")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IdentityRow, A::Error> {
                let mut row = IdentityRow::default();
                for at in 0..7 {
                    let read = match at {
                        4 => seq.next_element()?.map(|v| row.suspended = v),
                        _ => seq.next_element::<String>()?.map(|v| match at {
                            0 => row.id = v,
                            1 => row.username = v,
                            2 => row.display_name = v,
                            3 => row.email = v,
                            5 => row.enrollment = v,
                            _ => row.created = v,
                        }),
                    };
                    if read.is_none() {
                        return Ok(row);
                    }
                }
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(serde::de::Error::invalid_length(8, &self));
                }
                Ok(row)
            }
        }
        deserializer.deserialize_seq(Fields)
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
    fn search_text_is_bounded_and_holds_no_control_characters() {
        assert_eq!(search_text_problem("ada lovelace"), None);
        assert!(search_text_problem(&"a".repeat(MAX_SEARCH_CHARS + 1)).is_some());
        for bad in ["ada\0", "a\nb", "\u{7f}x", "tab\there"] {
            assert!(
                search_text_problem(bad)
                    .unwrap()
                    .contains("control characters"),
                "{bad:?}"
            );
        }
    }

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
    fn a_row_is_sent_as_its_filled_fields_in_order_and_read_back_whole() {
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
        // The last fields left out when empty (a row's key: its id and username), and read back as empty.
        let key = row.key();
        assert_eq!(serde_json::to_string(&key).unwrap(), r#"["0123","ada"]"#);
        assert_eq!(
            serde_json::from_str::<IdentityRow>(r#"["0123","ada"]"#).unwrap(),
            key
        );
        let no_date = IdentityRow {
            created: String::new(),
            ..row
        };
        let sent = serde_json::to_string(&no_date).unwrap();
        assert_eq!(sent, r#"["0123","ada","Ada \"A\" L","",true,"PENDING"]"#);
        assert_eq!(serde_json::from_str::<IdentityRow>(&sent).unwrap(), no_date);
        assert_eq!(
            serde_json::to_string(&IdentityRow::default()).unwrap(),
            "[]"
        );
        assert!(
            serde_json::from_str::<IdentityRow>(r#"["i","u","n","e",false,"P","c","x"]"#).is_err()
        );
        assert!(serde_json::from_str::<IdentityRow>(r#"["i","u","n","e","yes"]"#).is_err());
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(180), "3 min ago");
        assert_eq!(ago(7200), "2 h ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
    }
}
