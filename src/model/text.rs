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
    match date_parts(rfc3339) {
        Some(parts) => {
            let mut out = String::with_capacity(11);
            push_date(&mut out, parts);
            out
        }
        None => rfc3339.to_string(),
    }
}

/// [`human_date`] written at the end of `out`, escaped for HTML (a date needs none; text that is not one may).
pub fn human_date_into(out: &mut String, rfc3339: &str) {
    match date_parts(rfc3339) {
        Some(parts) => push_date(out, parts),
        None => escape_into(out, rfc3339),
    }
}

/// "28 Nov 2026" from its parts.
fn push_date(out: &mut String, (day, month, year): (usize, &str, &str)) {
    push_number(out, day);
    out.push(' ');
    out.push_str(month);
    out.push(' ');
    out.push_str(year);
}

/// The day, the month's short name and the (four-digit) year of a date that starts "YYYY-MM-DD".
fn date_parts(rfc3339: &str) -> Option<(usize, &'static str, &str)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = rfc3339.get(..10)?.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || !digits(year) || !digits(month) || !digits(day)
    {
        return None;
    }
    let month: usize = month.parse().ok()?;
    let day: usize = day.parse().ok()?;
    (1..=12)
        .contains(&month)
        .then(|| (day, MONTHS[month - 1], year))
}

/// `n` in decimal at the end of `out`, without formatting machinery.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(d as char);
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_component_into(&mut out, s);
    out
}

/// [`encode_component`] written at the end of `out` (the result holds nothing HTML gives meaning to).
pub fn encode_component_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
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
    // Every character replaced is ASCII, so the text is cut only at character boundaries.
    let mut plain = 0;
    for (at, b) in text.bytes().enumerate() {
        let reference = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
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
        assert_eq!(
            super::human_date("2026-13-01T00:00:00Z"),
            "2026-13-01T00:00:00Z"
        );
        assert_eq!(
            super::human_date("2026-+1-01T00:00:00Z"),
            "2026-+1-01T00:00:00Z"
        );
        let mut out = String::new();
        super::human_date_into(&mut out, "<b>not a date</b>");
        assert_eq!(out, "&lt;b&gt;not a date&lt;/b&gt;");
    }

    #[test]
    fn percent_encoded_components() {
        assert_eq!(super::encode_component("a b/ç~"), "a%20b%2F%C3%A7~");
        assert_eq!(super::encode_component("0123abcd-_."), "0123abcd-_.");
    }
}
