//! SCIM filters as BI's SCIM server takes them (RFC 7644 §3.4.2.2, narrowed): one comparison `attribute op
//! "value"`, the attribute one of those a list allows (names compare ignoring case and may carry their schema's
//! URN), the operator `eq` or `ne`. Anything else — other operators, `and` / `or` / `not`, groupings, value paths —
//! is `400 invalidFilter`.

use super::ScimError;

/// A parsed comparison: the attribute as the list names it, whether it is `eq`, and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub attribute: &'static str,
    pub equal: bool,
    pub value: String,
}

/// Parses `filter` for a list whose filterable attributes are `allowed` (with the schema URN `schema`).
pub fn parse(filter: &str, allowed: &[&'static str], schema: &str) -> Result<Comparison, ScimError> {
    let text = filter.trim();
    let (attribute, rest) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| ScimError::invalid_filter(format!("“{text}” is not a filter: attribute operator \"value\".")))?;
    if attribute.contains(['(', '[', ')', ']']) {
        return Err(ScimError::invalid_filter("Groupings and value paths are not supported in filters."));
    }
    let short = attribute
        .strip_prefix(schema)
        .and_then(|a| a.strip_prefix(':'))
        .unwrap_or(attribute);
    let attribute = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(short))
        .copied()
        .ok_or_else(|| {
            ScimError::invalid_filter(format!(
                "Filtering on “{short}” is not supported; filter on {}.",
                allowed.join(" or ")
            ))
        })?;
    let rest = rest.trim_start();
    let (op, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let equal = match op.to_ascii_lowercase().as_str() {
        "eq" => true,
        "ne" => false,
        "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le" | "pr" => {
            return Err(ScimError::invalid_filter(format!(
                "The “{op}” operator is not supported; use eq or ne."
            )))
        }
        _ => return Err(ScimError::invalid_filter(format!("“{op}” is not a filter operator."))),
    };
    let value = value.trim();
    // One JSON string and nothing after it (no `and` / `or`).
    let mut stream = serde_json::Deserializer::from_str(value).into_iter::<serde_json::Value>();
    let parsed = match stream.next() {
        Some(Ok(serde_json::Value::String(s))) => s,
        _ => {
            return Err(ScimError::invalid_filter(format!(
                "The value of a filter must be a quoted string, not “{value}”."
            )))
        }
    };
    if !value[stream.byte_offset()..].trim().is_empty() {
        return Err(ScimError::invalid_filter(
            "Only one comparison is supported in a filter (no and, or, not).",
        ));
    }
    Ok(Comparison {
        attribute,
        equal,
        value: parsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

    #[test]
    fn one_comparison_on_an_allowed_attribute_with_eq_or_ne() {
        let allowed = ["userName", "externalId"];
        let c = parse(r#"userName eq "bjensen""#, &allowed, USER).unwrap();
        assert_eq!((c.attribute, c.equal, c.value.as_str()), ("userName", true, "bjensen"));
        let c = parse(r#"USERNAME Ne "a \"quoted\" name""#, &allowed, USER).unwrap();
        assert_eq!((c.attribute, c.equal, c.value.as_str()), ("userName", false, "a \"quoted\" name"));
        let c = parse(&format!(r#"{USER}:externalId eq "x 1""#), &allowed, USER).unwrap();
        assert_eq!((c.attribute, c.value.as_str()), ("externalId", "x 1"));
        for (bad, words) in [
            (r#"userName co "b""#, "“co” operator is not supported"),
            (r#"title eq "b""#, "Filtering on “title” is not supported"),
            (r#"userName eq "a" and externalId eq "b""#, "Only one comparison"),
            (r#"userName eq b"#, "must be a quoted string"),
            (r#"emails[type eq "work"] eq "x""#, "value paths"),
            ("userName", "is not a filter"),
            (r#"userName pr"#, "“pr” operator is not supported"),
        ] {
            let e = parse(bad, &allowed, USER).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"));
            assert!(e.detail.contains(words), "{bad}: {}", e.detail);
        }
    }
}
