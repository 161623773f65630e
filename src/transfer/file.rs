//! The import file: CSV (RFC 4180 through the `csv` crate; UTF-8 with or without a BOM; a
//! header row naming the columns) or JSON (an array of objects with the same names). The columns are the export's:
//! `username` (required), `name`, `email`, `external_id`, `given_name`, `family_name`, `status`, `groups` (names
//! separated by `;`); `enrollment_status`, `id`, `created` and `updated` are the export's and are not imported;
//! any other column is reported and ignored. An empty cell leaves the identity's value as it is.

use crate::model::ImportValues;

/// The columns an export writes, in order.
pub const EXPORT_COLUMNS: [&str; 12] = [
    "username",
    "name",
    "email",
    "external_id",
    "given_name",
    "family_name",
    "status",
    "enrollment_status",
    "groups",
    "id",
    "created",
    "updated",
];

/// Export columns that an import reads past.
const READ_ONLY: [&str; 4] = ["enrollment_status", "id", "created", "updated"];

/// One row of the file, with its line (1 is the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub line: u64,
    pub values: ImportValues,
}

/// A file read: its rows, and the columns it had that an import does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportFile {
    pub rows: Vec<FileRow>,
    /// The first [`MAX_UNKNOWN_NAMED`] unknown columns, in the file's order…
    pub unknown_columns: Vec<String>,
    /// …and how many more there were.
    pub unknown_more: u64,
}

/// Unknown columns named in a plan; the rest are counted.
pub const MAX_UNKNOWN_NAMED: usize = 50;

/// The unknown columns of a file, each once: a set to find repeats (a file may have tens of thousands), the first
/// [`MAX_UNKNOWN_NAMED`] kept by name.
#[derive(Default)]
struct Unknown {
    seen: std::collections::HashSet<String>,
    named: Vec<String>,
}

impl Unknown {
    fn add(&mut self, key: &str) {
        if !self.seen.contains(key) {
            self.seen.insert(key.to_string());
            if self.named.len() < MAX_UNKNOWN_NAMED {
                self.named.push(key.to_string());
            }
        }
    }

    fn into_parts(self) -> (Vec<String>, u64) {
        let more = (self.seen.len() - self.named.len()) as u64;
        (self.named, more)
    }
}

/// Why a file cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty.")]
    Empty,
    #[error("Line {line} is not UTF-8 text: save the file as CSV UTF-8.")]
    NotUtf8 { line: u64 },
    #[error("The first line must name the columns, and one of them must be `username` (found: {found}).")]
    NoUsername { found: String },
    #[error("Line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("The file has more than {max} rows; split it, or raise CONSOLE_IMPORT_MAX_ROWS.")]
    TooManyRows { max: usize },
    #[error("The JSON form must be an array of objects with the export's names: {0}")]
    Json(String),
}

/// A column of the import, by its header (ignoring case and surrounding spaces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Username,
    Name,
    Email,
    ExternalId,
    GivenName,
    FamilyName,
    Status,
    Groups,
    ReadOnly,
}

fn column(header: &str) -> Option<Column> {
    let h = header.trim().to_ascii_lowercase();
    Some(match h.as_str() {
        "username" => Column::Username,
        "name" | "display_name" => Column::Name,
        "email" | "primary_email_address" => Column::Email,
        "external_id" => Column::ExternalId,
        "given_name" => Column::GivenName,
        "family_name" => Column::FamilyName,
        "status" => Column::Status,
        "groups" => Column::Groups,
        other if READ_ONLY.contains(&other) => Column::ReadOnly,
        _ => return None,
    })
}

/// `a; b;;c` → `["a", "b", "c"]`.
pub fn split_groups(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect()
}

/// A cell as the export wrote it, back to its value: a neutralised formula loses its leading `'`.
pub(super) fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if super::written::could_run(rest) => rest,
        _ => cell,
    }
}

fn set(values: &mut ImportValues, col: Column, cell: &str) {
    let cell = unneutralise(cell.trim());
    let text = (!cell.is_empty()).then(|| cell.to_string());
    match col {
        Column::Username => values.username = cell.to_string(),
        Column::Name => values.display_name = text,
        Column::Email => values.email = text,
        Column::ExternalId => values.external_id = text,
        Column::GivenName => values.given_name = text,
        Column::FamilyName => values.family_name = text,
        Column::Status => values.status = text.map(|s| s.to_ascii_lowercase()),
        Column::Groups => values.groups = text.map(|g| split_groups(&g)),
        Column::ReadOnly => {}
    }
}

/// Reads a CSV or JSON file (JSON when its first non-space character is `[`), at most `max_rows` rows.
pub fn read(bytes: &[u8], max_rows: usize) -> Result<ImportFile, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(FileError::Empty),
        Some(b'[') => read_json(bytes, max_rows),
        Some(_) => read_csv(bytes, max_rows),
    }
}

fn read_csv(bytes: &[u8], max_rows: usize) -> Result<ImportFile, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let line_of = |e: &csv::Error| e.position().map(|p| p.line()).unwrap_or(1);
    let headers = reader.headers().map_err(|e| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => FileError::NotUtf8 { line: line_of(&e) },
        _ => FileError::Csv {
            line: line_of(&e),
            message: e.to_string(),
        },
    })?;
    let columns: Vec<Option<Column>> = headers.iter().map(column).collect();
    if !columns.contains(&Some(Column::Username)) {
        return Err(FileError::NoUsername {
            found: headers.iter().collect::<Vec<_>>().join(", "),
        });
    }
    let mut unknown = Unknown::default();
    for (h, _) in headers.iter().zip(&columns).filter(|(_, c)| c.is_none()) {
        unknown.add(h);
    }
    let mut rows = Vec::new();
    // Lines are counted here: the reader's positions point at the end of the record before, and skip blank lines.
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    let mut line_at = |end_before: usize| {
        let start = end_before
            + bytes[end_before.min(bytes.len())..]
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
        newlines += bytes[counted_to.min(start)..start].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = start;
        newlines + 1
    };
    for record in reader.records() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => FileError::NotUtf8 { line: line_of(&e) },
            _ => FileError::Csv {
                line: line_of(&e),
                message: e.to_string(),
            },
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == max_rows {
            return Err(FileError::TooManyRows { max: max_rows });
        }
        let mut values = ImportValues::default();
        for (cell, col) in record.iter().zip(&columns) {
            if let Some(col) = col {
                set(&mut values, *col, cell);
            }
        }
        let line = line_at(record.position().map(|p| p.byte() as usize).unwrap_or(0));
        rows.push(FileRow { line, values });
    }
    let (unknown_columns, unknown_more) = unknown.into_parts();
    Ok(ImportFile {
        rows,
        unknown_columns,
        unknown_more,
    })
}

fn read_json(bytes: &[u8], max_rows: usize) -> Result<ImportFile, FileError> {
    let items: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(bytes).map_err(|e| FileError::Json(e.to_string()))?;
    if items.len() > max_rows {
        return Err(FileError::TooManyRows { max: max_rows });
    }
    let mut unknown = Unknown::default();
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut values = ImportValues::default();
        for (key, value) in item {
            let Some(col) = column(&key) else {
                unknown.add(&key);
                continue;
            };
            let cell = match value {
                serde_json::Value::Array(list) => list
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            set(&mut values, col, &cell);
        }
        // The n-th object is "line" n + 1, as a CSV row after its header would be.
        rows.push(FileRow {
            line: i as u64 + 2,
            values,
        });
    }
    let (unknown_columns, unknown_more) = unknown.into_parts();
    Ok(ImportFile {
        rows,
        unknown_columns,
        unknown_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_columns_are_found_with_a_set_and_named_up_to_a_bound() {
        // Tens of thousands of distinct unknown keys (a crafted upload): read in one pass, the first 50 named.
        let items: Vec<String> = (0..60_000)
            .map(|n| format!("{{\"username\":\"u{n}\",\"k{n}\":\"v\"}}"))
            .collect();
        let json = format!("[{}]", items.join(","));
        let file = read(json.as_bytes(), 100_000).unwrap();
        assert_eq!(file.rows.len(), 60_000);
        assert_eq!(file.unknown_columns.len(), MAX_UNKNOWN_NAMED);
        assert_eq!(file.unknown_columns[0], "k0");
        assert_eq!(file.unknown_more, 60_000 - MAX_UNKNOWN_NAMED as u64);
        let csv = "username,shoe,shoe,hat\nada,1,2,3\n";
        let file = read(csv.as_bytes(), 10).unwrap();
        assert_eq!((file.unknown_columns.clone(), file.unknown_more), (vec!["shoe".to_string(), "hat".into()], 0));
    }

    #[test]
    fn csv_with_bom_crlf_quotes_and_unknown_columns() {
        let file = "\u{feff}Username,Name,Email,groups,Shoe size\r\n\
                    ada,\"Lovelace, Ada\",ada@example.com,Engineering; Sales,38\r\n\
                    zoë,\"Zoë \"\"Z\"\" Ångström\",,,\r\n\
                    \r\n\
                    bob,\"Bob\nNewline\",bob@example.com,,\r\n";
        let read = read(file.as_bytes(), 10).unwrap();
        assert_eq!(read.unknown_columns, ["Shoe size"]);
        assert_eq!(read.rows.len(), 3);
        let ada = &read.rows[0];
        assert_eq!(ada.line, 2);
        assert_eq!(ada.values.username, "ada");
        assert_eq!(ada.values.display_name.as_deref(), Some("Lovelace, Ada"));
        assert_eq!(ada.values.groups.as_deref(), Some(&["Engineering".to_string(), "Sales".to_string()][..]));
        let zoe = &read.rows[1];
        assert_eq!(zoe.values.display_name.as_deref(), Some("Zoë \"Z\" Ångström"));
        assert_eq!(zoe.values.email, None, "an empty cell leaves the value as it is");
        assert_eq!(read.rows[2].values.display_name.as_deref(), Some("Bob\nNewline"));
        assert_eq!(read.rows[2].line, 5, "lines count the file's lines");
    }

    #[test]
    fn bad_files_say_what_is_wrong_and_where() {
        assert_eq!(read(b"", 10), Err(FileError::Empty));
        assert!(matches!(read(b"name,email\nAda,a@x\n", 10), Err(FileError::NoUsername { .. })));
        assert_eq!(read(b"username\nada\n\xff\xfe\n", 10), Err(FileError::NotUtf8 { line: 3 }));
        assert_eq!(read(b"username\na\nb\nc\n", 2), Err(FileError::TooManyRows { max: 2 }));
        assert!(matches!(read(b"[{\"username\": 1", 10), Err(FileError::Json(_))));
    }

    #[test]
    fn the_json_form_reads_like_the_csv() {
        let json = br#"[{"username":"ada","name":"Ada","groups":["Eng","Ops"],"shoe":1},{"username":"bob","status":"SUSPENDED"}]"#;
        let read = read(json, 10).unwrap();
        assert_eq!(read.unknown_columns, ["shoe"]);
        assert_eq!(read.rows[0].values.groups.as_ref().unwrap(), &["Eng", "Ops"]);
        assert_eq!(read.rows[1].values.status.as_deref(), Some("suspended"));
        assert_eq!(read.rows[1].line, 3);
    }
}
