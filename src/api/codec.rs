//! How server functions answer: the same JSON as server_fn's own `Json` encoding, read back from text with
//! `serde_json::from_str`, as a page's hydration data is read. The browser's code then carries one JSON reader per
//! answer type instead of two (one over bytes, one over text): a smaller wasm for the same answers.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, decoded from UTF-8 text.
pub struct TextJsonEncoding;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's answer in the body of its `POST` response, as [`TextJsonEncoding`].
pub type TextJson = Post<TextJsonEncoding>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_and_bad_text_is_an_error() {
        let bytes =
            <TextJsonEncoding as Encodes<Vec<String>>>::encode(&vec!["ada".into()]).unwrap();
        assert_eq!(&bytes[..], br#"["ada"]"#);
        let back: Vec<String> = TextJsonEncoding::decode(bytes).unwrap();
        assert_eq!(back, vec!["ada".to_string()]);
        assert!(
            <TextJsonEncoding as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]"))
                .is_err()
        );
        assert!(
            <TextJsonEncoding as Decodes<Vec<String>>>::decode(Bytes::from_static(b"{")).is_err()
        );
    }
}
