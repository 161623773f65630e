//! What an operator types, made safe to search with: accent and case folding, the full-text phrase (FTS5's
//! trigram tokenizer matches any substring of three characters or more), and the `LIKE` pattern for shorter text.

use unicode_normalization::UnicodeNormalization;

/// `text` in the form the index keeps and searches: decomposed, without combining marks, lower case, runs of
/// white space as one space. "Zoë  ÅSTRÖM" → "zoe astrom".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// How a search text is matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// Nothing typed: everything matches.
    All,
    /// Three characters or more: an FTS5 phrase, quotes doubled, so nothing typed is read as FTS syntax.
    Phrase(String),
    /// One or two characters: a `LIKE '%…%'` pattern with `%`, `_` and `\` escaped (`ESCAPE '\'`).
    Like(String),
}

/// The match for what was typed.
pub fn matcher(typed: &str) -> Match {
    let folded = fold(typed);
    match folded.chars().count() {
        0 => Match::All,
        1 | 2 => Match::Like(like_pattern(&folded)),
        _ => Match::Phrase(format!("\"{}\"", folded.replace('"', "\"\""))),
    }
}

/// `%folded%` for `LIKE … ESCAPE '\\'`, with `%`, `_` and `\\` escaped.
pub fn like_pattern(folded: &str) -> String {
    let mut pattern = String::from("%");
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_spacing() {
        assert_eq!(fold("Zoë  Lovelace"), "zoe lovelace");
        assert_eq!(fold(" ÅSTRÖM "), "astrom");
        assert_eq!(fold("Ｆｕｌｌ"), "full", "compatibility forms too");
        assert_eq!(fold("straße"), "straße", "no letters are invented");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn typed_text_never_becomes_syntax() {
        assert_eq!(matcher("  "), Match::All);
        assert_eq!(matcher("Zo"), Match::Like("%zo%".into()));
        assert_eq!(matcher("%_"), Match::Like("%\\%\\_%".into()));
        assert_eq!(matcher("a\\"), Match::Like("%a\\\\%".into()));
        assert_eq!(matcher("LOVE"), Match::Phrase("\"love\"".into()));
        assert_eq!(
            matcher("ada\" OR x*"),
            Match::Phrase("\"ada\"\" or x*\"".into())
        );
        assert_eq!(matcher("@finance.example"), Match::Phrase("\"@finance.example\"".into()));
    }
}
