//! The filters the sandbox accepts: exactly what BI documents for ListIdentities, `traits.username eq "…"` (SCIM
//! grammar, RFC 7644 §3.4.2.2: attribute names and the operator are case-insensitive, the value is a JSON string).
//! Everything else is refused as BI refuses it, so the console cannot come to rely on more than BI offers.

/// A parsed, supported filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    UsernameEq(String),
}

/// Why a filter is refused; the text goes into the `filter` field violation.
pub fn parse(input: &str) -> Result<Filter, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("empty filter".to_string());
    }
    let (attr, rest) = s
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("invalid filter: {s}"))?;
    let rest = rest.trim_start();
    let (op, value) = rest
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("invalid filter: {s}"))?;
    if !attr.eq_ignore_ascii_case("traits.username") {
        return Err(format!("unsupported filter attribute: {attr}"));
    }
    if !op.eq_ignore_ascii_case("eq") {
        return Err(format!("unsupported filter operator: {op}"));
    }
    let value = value.trim();
    if !value.starts_with('"') {
        return Err("filter value must be a quoted string".to_string());
    }
    // The value must be exactly one JSON string: `"a" and x eq "b"` is refused, not cut short.
    let parsed: String =
        serde_json::from_str(value).map_err(|_| format!("invalid filter value: {value}"))?;
    Ok(Filter::UsernameEq(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_filter() {
        assert_eq!(
            parse(r#"traits.username eq "ada""#),
            Ok(Filter::UsernameEq("ada".into()))
        );
        assert_eq!(
            parse(r#"  Traits.Username EQ "Ada"  "#),
            Ok(Filter::UsernameEq("Ada".into()))
        );
        assert_eq!(
            parse(r#"traits.username eq "a\"b""#),
            Ok(Filter::UsernameEq("a\"b".into()))
        );
        assert_eq!(
            parse(r#"traits.username eq "Zoë""#),
            Ok(Filter::UsernameEq("Zoë".into()))
        );
    }

    #[test]
    fn refuses_what_bi_does_not_support() {
        for f in [
            r#"traits.username co "ad""#,
            r#"traits.username sw "ad""#,
            r#"display_name eq "Ada""#,
            r#"traits.primary_email_address eq "a@b.c""#,
            r#"traits.username eq "a" or traits.username eq "b""#,
            r#"traits.username eq ada"#,
            r#"traits.username pr"#,
            "",
            "nonsense",
        ] {
            assert!(parse(f).is_err(), "{f} must be refused");
        }
    }
}
