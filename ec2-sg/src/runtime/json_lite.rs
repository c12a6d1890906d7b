//! A tiny JSON reader for flat documents such as the output of a `credential_process`: one
//! top-level object whose members are strings, numbers, booleans or null. Nested arrays and
//! objects are checked for well-formedness and skipped.
//!
//! Errors give a byte offset and what was expected, never the text itself (it may be a secret),
//! and `Debug` of a [`Value`] shows the length of a string rather than its contents.

use std::fmt;

/// Deepest nesting accepted (bounds the recursion on hostile input).
const MAX_DEPTH: usize = 64;

/// One member value of the top-level object.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// A string, unescaped.
    String(String),
    /// A number, as written (e.g. `1`, `-2.5e3`); it has been checked against the JSON grammar.
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array or object, skipped.
    Nested,
}

impl Value {
    /// The number as an `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(raw) => raw.parse().ok(),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::String(_) => "a string",
            Self::Number(_) => "a number",
            Self::Bool(_) => "a boolean",
            Self::Null => "null",
            Self::Nested => "an array or object",
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => write!(f, "String(<{} chars>)", s.chars().count()),
            Self::Number(n) => write!(f, "Number({n})"),
            Self::Bool(b) => write!(f, "Bool({b})"),
            Self::Null => f.write_str("Null"),
            Self::Nested => f.write_str("Nested"),
        }
    }
}

/// Malformed JSON: where (byte offset) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    offset: usize,
    what: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Parses a document that must be a single JSON object (surrounding whitespace allowed) into
/// its members, in order (a repeated name appears twice; the caller decides).
pub fn parse_object(text: &str) -> Result<Vec<(String, Value)>, JsonError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
    parser.skip_ws();
    if parser.peek() != Some(b'{') {
        return Err(parser.error("expected a JSON object"));
    }
    let mut members = Vec::new();
    parser.object(0, |name, value| members.push((name, value)))?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON object"));
    }
    Ok(members)
}

/// Finds the last member called `name` (JSON parsers commonly let a later duplicate win).
pub fn member<'a>(members: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    members.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &'static str) -> JsonError {
        JsonError { offset: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// An object starting at `{`; each member is handed to `on_member`.
    fn object(&mut self, depth: usize, mut on_member: impl FnMut(String, Value)) -> Result<(), JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        self.expect(b'{', "expected `{`")?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name in double quotes"));
            }
            let name = self.string()?;
            self.skip_ws();
            self.expect(b':', "expected `:` after a member name")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            on_member(name, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        self.expect(b'[', "expected `[`")?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b'{') => self.object(depth, |_, _| {}).map(|()| Value::Nested),
            Some(b'[') => self.array(depth).map(|()| Value::Nested),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(self.error("unexpected end of input, expected a value")),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected `true`, `false` or `null`"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        // Only ASCII was consumed, so both ends are character boundaries.
        let raw = self.text.get(start..self.pos).ok_or_else(|| self.error("invalid number"))?;
        Ok(Value::Number(raw.to_owned()))
    }

    /// A string starting at `"`, unescaped.
    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"', "expected `\"`")?;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run stops only at ASCII bytes (or the end), so it is whole characters.
            out.push_str(self.text.get(run_start..self.pos).ok_or_else(|| self.error("invalid string"))?);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// The character of an escape sequence, just after its `\`.
    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                match high {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u".as_slice()) {
                            return Err(self.error("unpaired surrogate in a \\u escape"));
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.error("unpaired surrogate in a \\u escape"));
                        }
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?
                    }
                    0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate in a \\u escape")),
                    _ => char::from_u32(high).ok_or_else(|| self.error("invalid \\u escape"))?,
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape sequence"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error("expected 4 hex digits in a \\u escape"));
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn flat_object() {
        let members = parse_object(
            r#" { "Version": 1, "A": "x", "B": -2.5e3, "C": true, "D": false, "E": null, "F": {"n": [1, {"m": []}]}, "G": [] } "#,
        )
        .unwrap();
        assert_eq!(
            members,
            vec![
                ("Version".to_owned(), Value::Number("1".to_owned())),
                ("A".to_owned(), s("x")),
                ("B".to_owned(), Value::Number("-2.5e3".to_owned())),
                ("C".to_owned(), Value::Bool(true)),
                ("D".to_owned(), Value::Bool(false)),
                ("E".to_owned(), Value::Null),
                ("F".to_owned(), Value::Nested),
                ("G".to_owned(), Value::Nested),
            ]
        );
        assert_eq!(member(&members, "Version").and_then(Value::as_f64), Some(1.0));
        assert_eq!(parse_object("{}").unwrap(), vec![]);
    }

    #[test]
    fn escapes() {
        let members = parse_object(r#"{"k": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00é"}"#).unwrap();
        assert_eq!(members, vec![("k".to_owned(), s("a\"b\\c/d\n\té😀é"))]);
    }

    #[test]
    fn last_duplicate_wins() {
        let members = parse_object(r#"{"k": "1", "k": "2"}"#).unwrap();
        assert_eq!(member(&members, "k"), Some(&s("2")));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let cases = [
            "",
            "   ",
            "[]",
            "\"str\"",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":\"x}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\ud800\\u0041\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{} trailing",
            "{}{}",
            "{\"a\":\"é",
        ];
        for case in cases {
            assert!(parse_object(case).is_err(), "{case:?} should not parse");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(parse_object(&deep).unwrap_err().what, "JSON nested too deeply");
    }

    #[test]
    fn error_positions_and_no_content() {
        let err = parse_object("{\"secret\": SECRETVALUE}").unwrap_err();
        assert_eq!(err.offset, 11);
        assert_eq!(err.to_string(), "expected a value at byte 11");
    }

    #[test]
    fn debug_hides_strings() {
        let debug = format!("{:?}", s("TOPSECRET"));
        assert_eq!(debug, "String(<9 chars>)");
    }
}
