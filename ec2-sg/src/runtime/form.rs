//! Form bodies (`application/x-www-form-urlencoded`) and URI components, with the
//! `percent-encoding` crate (already in the dependency graph through aws-sigv4). The glue here
//! is the spelling: RFC 3986's unreserved characters are kept and a space is `+` in a form, as
//! botocore sends it; servers that re-encode the parsed form to check a signature (moto does)
//! accept only that spelling. Decoding is strict: a bad escape is an error, not kept as text.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::fmt;

/// Everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) is `%XX`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Why [`decode_component`] or [`parse_form`] rejected its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentDecodeError {
    /// A `%` not followed by two hexadecimal digits.
    InvalidEscape {
        /// Byte offset of the `%` (in the form body for [`parse_form`]).
        position: usize,
    },
    /// The decoded bytes are not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the start of the offending component (in the form body for [`parse_form`]).
        position: usize,
    },
}

impl fmt::Display for PercentDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape { position } => {
                write!(f, "invalid percent-encoding: '%' at byte {position} is not followed by two hex digits")
            }
            Self::InvalidUtf8 { position } => {
                write!(f, "invalid percent-encoding: component at byte {position} does not decode to UTF-8")
            }
        }
    }
}

impl std::error::Error for PercentDecodeError {}

/// `value` percent-encoded per RFC 3986 (the endpoint rules' `uriEncode`): a space is `%20`.
pub fn encode_component(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// Appends `value` encoded for a form body: as [`encode_component`], but a space is `+`.
pub fn encode_form_component_into(value: &str, out: &mut String) {
    // The encoder yields runs of kept characters and one `%XX` per encoded byte.
    for piece in utf8_percent_encode(value, COMPONENT) {
        out.push_str(if piece == "%20" { "+" } else { piece });
    }
}

/// Decodes `%XX` and `+` (a space) of a form component.
pub fn decode_component(value: &str) -> Result<String, PercentDecodeError> {
    decode_at(value, 0)
}

/// [`decode_component`], reporting positions relative to `base`.
fn decode_at(value: &str, base: usize) -> Result<String, PercentDecodeError> {
    let bytes = value.as_bytes();
    for (i, _) in value.match_indices('%') {
        if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(PercentDecodeError::InvalidEscape { position: base.saturating_add(i) });
        }
    }
    let spaced = value.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8();
    decoded.map(|text| text.into_owned()).map_err(|_| PercentDecodeError::InvalidUtf8 { position: base })
}

// Not `form_urlencoded::parse`: it keeps a bad escape as text and turns bad UTF-8 into U+FFFD, so refusing both (with positions) would decode each component twice.
/// Splits a form body into decoded (key, value) pairs in order. Pairs are separated by `&`
/// (empty pairs are skipped); a pair without `=` has an empty value, and only the first `=`
/// separates key from value. Error positions are byte offsets in `body`.
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, PercentDecodeError> {
    let mut pairs = Vec::new();
    let mut offset = 0usize;
    for pair in body.split('&') {
        let start = offset;
        offset = offset.saturating_add(pair.len() + 1);
        if pair.is_empty() {
            continue;
        }
        let (key, value, value_start) = match pair.split_once('=') {
            Some((key, value)) => (key, value, start + key.len() + 1),
            None => (pair, "", start + pair.len()),
        };
        pairs.push((decode_at(key, start)?, decode_at(value, value_start)?));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(value: &str) -> String {
        match decode_component(value) {
            Ok(s) => s,
            Err(err) => panic!("{value:?} should decode: {err}"),
        }
    }

    fn form(body: &str) -> Vec<(String, String)> {
        match parse_form(body) {
            Ok(pairs) => pairs,
            Err(err) => panic!("{body:?} should parse: {err}"),
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn encodes_unreserved_unchanged() {
        let unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        assert_eq!(encode_component(unreserved), unreserved);
        assert_eq!(encode_component(""), "");
    }

    #[test]
    fn encodes_everything_else() {
        assert_eq!(encode_component(" "), "%20");
        assert_eq!(encode_component("+"), "%2B");
        assert_eq!(encode_component("a b&c=d/e?f#g%h"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25h");
        assert_eq!(encode_component("*"), "%2A");
        assert_eq!(encode_component("!'()"), "%21%27%28%29");
        assert_eq!(encode_component("\n\0\u{7f}"), "%0A%00%7F");
        assert_eq!(encode_component("é"), "%C3%A9");
        assert_eq!(encode_component("Ž"), "%C5%BD");
        assert_eq!(encode_component("😀"), "%F0%9F%98%80");
        assert_eq!(encode_component("0.0.0.0/0"), "0.0.0.0%2F0");
        assert_eq!(encode_component("sg-123:tcp"), "sg-123%3Atcp");
    }

    #[test]
    fn form_encoding_appends_with_plus_for_space() {
        let mut out = String::from("Action=");
        encode_form_component_into("Describe Security", &mut out);
        out.push('&');
        encode_form_component_into("ü+~*", &mut out);
        assert_eq!(out, "Action=Describe+Security&%C3%BC%2B~%2A");
    }

    /// RFC 3986's unreserved characters, independently of the encoder's set.
    fn is_unreserved(byte: u8) -> bool {
        byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
    }

    #[test]
    fn encodes_every_byte_correctly() {
        for c in (0u32..0x800).filter_map(char::from_u32) {
            let s = c.to_string();
            let encoded = encode_component(&s);
            let expected: String = s
                .bytes()
                .map(|b| if is_unreserved(b) { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect();
            assert_eq!(encoded, expected);
            assert_eq!(decode(&encoded), s);
        }
    }

    #[test]
    fn decodes() {
        assert_eq!(decode(""), "");
        assert_eq!(decode("plain"), "plain");
        assert_eq!(decode("a+b"), "a b");
        assert_eq!(decode("a%20b"), "a b");
        assert_eq!(decode("%2B"), "+");
        assert_eq!(decode("%2b%2f%3a"), "+/:");
        assert_eq!(decode("%C3%A9t%c3%a9"), "été");
        assert_eq!(decode("Ž+%C5%BD"), "Ž Ž");
        assert_eq!(decode("100%25"), "100%");
        assert_eq!(decode("%00"), "\0");
    }

    #[test]
    fn round_trips() {
        for s in ["", "a b+c", "%%%", "0.0.0.0/0", "日本語 テキスト", "a=b&c=d", "~-._"] {
            assert_eq!(decode(&encode_component(s)), s);
        }
    }

    #[test]
    fn rejects_bad_escapes() {
        let bad = |pos| Err(PercentDecodeError::InvalidEscape { position: pos });
        assert_eq!(decode_component("%"), bad(0));
        assert_eq!(decode_component("%2"), bad(0));
        assert_eq!(decode_component("ab%"), bad(2));
        assert_eq!(decode_component("ab%zz"), bad(2));
        assert_eq!(decode_component("ab%2g"), bad(2));
        assert_eq!(decode_component("%g2"), bad(0));
        assert_eq!(decode_component("a%20%"), bad(4));
        assert_eq!(decode_component("%Ž"), bad(0));
        assert_eq!(decode_component("%2Ž"), bad(0));
        assert_eq!(decode_component("%+1"), bad(0));
    }

    #[test]
    fn rejects_invalid_utf8() {
        let bad = Err(PercentDecodeError::InvalidUtf8 { position: 0 });
        assert_eq!(decode_component("%FF"), bad);
        assert_eq!(decode_component("%C3"), bad);
        assert_eq!(decode_component("%C3%28"), bad);
        assert_eq!(decode_component("%ED%A0%80"), bad); // surrogate
    }

    #[test]
    fn parses_forms() {
        assert_eq!(form(""), pairs(&[]));
        assert_eq!(
            form("Action=DescribeSecurityGroups&Version=2016-11-15"),
            pairs(&[("Action", "DescribeSecurityGroups"), ("Version", "2016-11-15")])
        );
        assert_eq!(
            form("GroupName=my+group&Filter.1.Value.1=0.0.0.0%2F0"),
            pairs(&[("GroupName", "my group"), ("Filter.1.Value.1", "0.0.0.0/0")])
        );
        assert_eq!(form("a=1&&b=2&"), pairs(&[("a", "1"), ("b", "2")]));
        assert_eq!(form("&&&"), pairs(&[]));
        assert_eq!(form("flag&x="), pairs(&[("flag", ""), ("x", "")]));
        assert_eq!(form("a=b=c"), pairs(&[("a", "b=c")]));
        assert_eq!(form("=v"), pairs(&[("", "v")]));
        assert_eq!(form("a=1&a=2"), pairs(&[("a", "1"), ("a", "2")]));
        assert_eq!(form("k%3D=v%26"), pairs(&[("k=", "v&")]));
        assert_eq!(form("ü=Ž"), pairs(&[("ü", "Ž")]));
    }

    #[test]
    fn form_round_trip() {
        let items = pairs(&[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
            ("IpPermissions.1.IpRanges.1.Description", "SSH from \"office\" & café"),
            ("Empty", ""),
        ]);
        let body = items
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(form(&body), items);
    }

    #[test]
    fn form_errors_report_body_positions() {
        assert_eq!(parse_form("a=1&b=%zz"), Err(PercentDecodeError::InvalidEscape { position: 6 }));
        assert_eq!(parse_form("a=1&&b%=2"), Err(PercentDecodeError::InvalidEscape { position: 6 }));
        assert_eq!(parse_form("a=1&b=%FF"), Err(PercentDecodeError::InvalidUtf8 { position: 6 }));
        assert_eq!(parse_form("Ž=1&%C3=2"), Err(PercentDecodeError::InvalidUtf8 { position: 5 }));
        assert_eq!(parse_form("%"), Err(PercentDecodeError::InvalidEscape { position: 0 }));
    }

    #[test]
    fn error_display() {
        assert_eq!(
            PercentDecodeError::InvalidEscape { position: 3 }.to_string(),
            "invalid percent-encoding: '%' at byte 3 is not followed by two hex digits"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(PercentDecodeError::InvalidUtf8 { position: 0 });
        assert!(boxed.to_string().contains("UTF-8"));
    }
}
