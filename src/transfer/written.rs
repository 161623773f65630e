//! What the console writes out of an import or export: the export's rows (CSV and JSON), an import's errors and
//! results as CSV; every cell a spreadsheet could run neutralised, and CSV written by hand (RFC 4180, and quoted
//! where a spreadsheet splitting at `;` would cut a cell).

use serde::Serialize;

use super::file::EXPORT_COLUMNS;

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) made plain text.
///
/// Following OWASP's guidance on CSV injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (or their full-width forms), also after leading blanks (spaces, no-break spaces, line breaks), or that
/// holds such a start after a `;` or `,` (a spreadsheet set to another separator splits the cell there), gets a
/// leading `'`. Written by [`push_cell`], a cell with a separator is also quoted, so it stays one cell.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if could_run(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Whether a spreadsheet could take `cell`, or a part of it after a separator, for a formula.
pub(super) fn could_run(cell: &str) -> bool {
    let starts_formula = |part: &str| {
        let formula = |c: char| {
            matches!(
                c,
                '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}'
            )
        };
        part.starts_with(formula) || part.trim_start().starts_with(formula)
    };
    starts_formula(cell) || cell.split([';', ',']).skip(1).any(starts_formula)
}

/// One CSV record: cells separated by `,`, each quoted (`"` doubled) when it holds a separator (`,` or `;`), a quote
/// or a line break (RFC 4180; `;` too, for spreadsheets set to split there); the line ends with `\n`.
fn push_record<S: AsRef<str>>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = S>) {
    for (n, cell) in cells.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_cell(out, cell.as_ref());
    }
    out.push(b'\n');
}

fn push_cell(out: &mut Vec<u8>, cell: &str) {
    if cell.contains([',', ';', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

/// One exported identity, as its CSV row or JSON object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    pub username: String,
    pub name: String,
    pub email: String,
    pub external_id: String,
    pub given_name: String,
    pub family_name: String,
    pub status: String,
    pub enrollment_status: String,
    pub groups: String,
    pub id: String,
    pub created: String,
    pub updated: String,
}

impl ExportRow {
    pub fn of(identity: &crate::model::Identity, groups: &[String]) -> ExportRow {
        let t = &identity.traits;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        ExportRow {
            username: identity.username().to_string(),
            name: identity.display_name.clone(),
            email: s(&t.primary_email_address),
            external_id: s(&t.external_id),
            given_name: s(&t.given_name),
            family_name: s(&t.family_name),
            status: s(&identity.status),
            enrollment_status: s(&identity.enrollment_status),
            groups: groups.join(";"),
            id: identity.id.clone(),
            created: s(&identity.create_time),
            updated: s(&identity.update_time),
        }
    }

    /// The row's cells in [`EXPORT_COLUMNS`] order, neutralised for spreadsheets.
    pub fn cells(&self) -> [std::borrow::Cow<'_, str>; 12] {
        [
            neutralise(&self.username),
            neutralise(&self.name),
            neutralise(&self.email),
            neutralise(&self.external_id),
            neutralise(&self.given_name),
            neutralise(&self.family_name),
            neutralise(&self.status),
            neutralise(&self.enrollment_status),
            neutralise(&self.groups),
            neutralise(&self.id),
            neutralise(&self.created),
            neutralise(&self.updated),
        ]
    }
}

/// CSV text of `rows` (with the header when `header`), for one chunk of a streamed export.
pub fn csv_chunk(rows: &[ExportRow], header: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if header {
        push_record(&mut out, EXPORT_COLUMNS);
    }
    for r in rows {
        push_record(&mut out, r.cells());
    }
    out
}

/// An import's rows as CSV: the errors (each row as the file gave it, with its line and problem: fix the cells and
/// upload the file again; those two columns are ignored then), or the result (line, username, action, outcome,
/// BI's message, the identity's id).
pub fn rows_csv(rows: &[crate::model::PlanRow], errors: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let opt = |v: &Option<String>| neutralise(v.as_deref().unwrap_or("")).into_owned();
    if errors {
        push_record(&mut out, [
            "username", "name", "email", "external_id", "given_name", "family_name", "status", "groups", "line",
            "problem",
        ]);
        for r in rows {
            let v = r.values.clone().unwrap_or_default();
            let problem = r
                .problem
                .as_ref()
                .map(|p| format!("{}: {}", p.column, p.message))
                .unwrap_or_default();
            push_record(&mut out, [
                neutralise(&v.username).into_owned(),
                opt(&v.display_name),
                opt(&v.email),
                opt(&v.external_id),
                opt(&v.given_name),
                opt(&v.family_name),
                opt(&v.status),
                neutralise(&v.groups.unwrap_or_default().join(";")).into_owned(),
                r.line.to_string(),
                neutralise(&problem).into_owned(),
            ]);
        }
    } else {
        push_record(&mut out, ["line", "username", "action", "outcome", "message", "identity_id"]);
        for r in rows {
            let problem = r.problem.as_ref().map(|p| format!("{}: {}", p.column, p.message));
            // Line 0: an identity the file does not list (suspended by the import).
            let line = if r.line == 0 { String::new() } else { r.line.to_string() };
            push_record(&mut out, [
                line,
                neutralise(&r.username).into_owned(),
                r.action.clone(),
                r.outcome.clone().unwrap_or_else(|| {
                    if r.action == crate::model::ROW_ERROR || r.action == crate::model::ROW_UNCHANGED {
                        "skipped".into()
                    } else {
                        "not applied".into()
                    }
                }),
                opt(&r.message.clone().or(problem)),
                r.identity_id.clone().unwrap_or_default(),
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::file::{read, unneutralise};
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_the_export_reads_back() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("ada"), "ada");
        // OWASP's forms: after blanks, full-width, and after a separator a spreadsheet may split at.
        for cell in [" =1+1", "\u{a0}=1", "\n=1", "\u{ff1d}1+1", "x;=cmd", "x, @cmd", "\t1", "\r1", "\u{ff20}x"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
            assert_eq!(unneutralise(&neutralise(cell)), cell, "read back: {cell:?}");
        }
        assert_eq!(neutralise("a;b, c"), "a;b, c");
        // A cell with a separator is one quoted cell, whatever separator the spreadsheet splits at.
        let mut out = Vec::new();
        push_record(&mut out, ["x;=cmd", "say \"hi\"", "plain"]);
        assert_eq!(String::from_utf8(out).unwrap(), "\"x;=cmd\",\"say \"\"hi\"\"\",plain\n");
        let row = ExportRow {
            username: "ada".into(),
            name: "=HYPERLINK(\"x\")".into(),
            groups: "Eng;Ops".into(),
            ..ExportRow::default()
        };
        let text = csv_chunk(&[row], true);
        let back = read(&text, 10).unwrap();
        assert_eq!(back.unknown_columns, Vec::<String>::new());
        assert_eq!(
            back.rows[0].values.display_name.as_deref(),
            Some("=HYPERLINK(\"x\")"),
            "an export imported again is the same values"
        );
        assert_eq!(back.rows[0].values.groups.as_ref().unwrap(), &["Eng", "Ops"]);
    }
}
