//! Words and formats: sentence case, dates, percent-encoding, name lists, and audit-log descriptions of a change.

/// The console's own words with the first letter in upper case: "deleted" → "Deleted". ASCII only (a first letter
/// outside ASCII is kept as it is), so the browser's code carries no Unicode case tables.
pub fn capitalize(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// "2026-11-28T14:03:00.000Z" → "28 Nov 2026"; anything unparseable is returned as it is.
pub fn human_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = rfc3339.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
            _ => rfc3339.to_string(),
        },
        _ => rfc3339.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// "Label: value; …" of the non-empty fields, for the audit log.
pub fn describe_fields(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}: {}", v.trim()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Label: before → after; …" of the fields that differ, for the audit log.
pub fn describe_changes(fields: &[(&str, &str, &str)]) -> String {
    fields
        .iter()
        .filter(|(_, before, after)| before.trim() != after.trim())
        .map(|(k, before, after)| {
            format!(
                "{k}: \u{201c}{}\u{201d} → \u{201c}{}\u{201d}",
                before.trim(),
                after.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "ada, grace, alan" — at most ten names, then "and N more".
pub fn names_list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
    let more = if names.len() > 10 {
        format!(" and {} more", names.len() - 10)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// A count with thousands separated: 35000 → "35,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` with the characters that mean something in HTML (text or a quoted attribute) written as references.
pub fn escape_into(out: &mut String, text: &str) {
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        let reference = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(reference);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

/// `text` escaped for HTML (see [`escape_into`]).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_html_gives_meaning_to() {
        let mut out = String::new();
        super::escape_into(&mut out, r#"<script>alert("x")</script> & 'café'"#);
        assert_eq!(
            out,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;café&#39;"
        );
        let mut plain = String::new();
        super::escape_into(&mut plain, "ada.lovelace");
        assert_eq!(plain, "ada.lovelace");
    }

    #[test]
    fn escaped_html_as_a_string() {
        assert_eq!(
            super::escape_html("a<b & \"c\""),
            "a&lt;b &amp; &quot;c&quot;"
        );
    }

    #[test]
    fn counts_with_thousands_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(35_000), "35,000");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn human_dates() {
        assert_eq!(super::human_date("2026-11-28T14:03:00.000Z"), "28 Nov 2026");
        assert_eq!(super::human_date("2022-01-05T00:00:00Z"), "5 Jan 2022");
        assert_eq!(super::human_date("soon"), "soon");
    }
}
