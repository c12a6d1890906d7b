//! The JSON documents credential sources print or serve (a `credential_process`'s output): flat
//! objects whose members are read by name. Tokens come from aws-smithy-json, the SDKs' own JSON
//! reader; this only gathers the top-level members. Errors never quote a value: a document
//! holds secrets.

use aws_smithy_json::deserialize::{json_token_iter, Token};
use aws_smithy_types::Number;
use std::fmt;

/// A member's value, as far as a flat document needs it: strings and numbers, and the kind of
/// anything else.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// A string, unescaped.
    String(String),
    /// A number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An object or an array (skipped).
    Nested,
}

impl Value {
    /// What kind of value this is, for error messages.
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
    // A string's text is a secret as often as not.
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

/// The members of a JSON object, in order; nothing but whitespace may follow it.
pub fn parse_object(text: &str) -> Result<Vec<(String, Value)>, String> {
    let invalid = |e: &dyn fmt::Display| format!("invalid JSON: {e}");
    let mut tokens = json_token_iter(text.as_bytes());
    match tokens.next() {
        Some(Ok(Token::StartObject { .. })) => {}
        Some(Err(e)) => return Err(invalid(&e)),
        _ => return Err("invalid JSON: expected an object".to_string()),
    }
    let mut members = Vec::new();
    loop {
        let name = match tokens.next() {
            Some(Ok(Token::EndObject { .. })) => break,
            Some(Ok(Token::ObjectKey { key, .. })) => key.to_unescaped().map_err(|e| invalid(&e))?.into_owned(),
            Some(Err(e)) => return Err(invalid(&e)),
            _ => return Err("invalid JSON: expected a member name".to_string()),
        };
        let value = match tokens.next() {
            Some(Ok(Token::ValueString { value, .. })) => {
                Value::String(value.to_unescaped().map_err(|e| invalid(&e))?.into_owned())
            }
            Some(Ok(Token::ValueNumber { value, .. })) => Value::Number(match value {
                Number::PosInt(n) => n as f64,
                Number::NegInt(n) => n as f64,
                Number::Float(f) => f,
            }),
            Some(Ok(Token::ValueBool { value, .. })) => Value::Bool(value),
            Some(Ok(Token::ValueNull { .. })) => Value::Null,
            Some(Ok(Token::StartObject { .. } | Token::StartArray { .. })) => {
                // Skipped by counting, not by recursion: any depth is fine.
                let mut depth = 1usize;
                while depth > 0 {
                    match tokens.next() {
                        Some(Ok(Token::StartObject { .. } | Token::StartArray { .. })) => depth += 1,
                        Some(Ok(Token::EndObject { .. } | Token::EndArray { .. })) => depth -= 1,
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(invalid(&e)),
                        None => return Err("invalid JSON: the document ends inside a value".to_string()),
                    }
                }
                Value::Nested
            }
            Some(Err(e)) => return Err(invalid(&e)),
            _ => return Err("invalid JSON: expected a value".to_string()),
        };
        members.push((name, value));
    }
    match tokens.next() {
        None => Ok(members),
        Some(Err(e)) => Err(invalid(&e)),
        Some(Ok(_)) => Err("invalid JSON: text after the object".to_string()),
    }
}

/// The value of member `name`; the last one when a name repeats, as most JSON readers do.
pub fn member<'a>(members: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    members.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
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
                ("Version".to_owned(), Value::Number(1.0)),
                ("A".to_owned(), s("x")),
                ("B".to_owned(), Value::Number(-2500.0)),
                ("C".to_owned(), Value::Bool(true)),
                ("D".to_owned(), Value::Bool(false)),
                ("E".to_owned(), Value::Null),
                ("F".to_owned(), Value::Nested),
                ("G".to_owned(), Value::Nested),
            ]
        );
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
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":\"x}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{} trailing",
            "{}{}",
            "{\"a\":\"é",
            "{\"a\":[[[",
        ];
        let accepted: Vec<_> = cases.iter().filter(|case| parse_object(case).is_ok()).collect();
        assert!(accepted.is_empty(), "these should not parse: {accepted:?}");
        // Lenient where the SDKs' reader is, and never a panic.
        for case in
            ["{\"a\":01}", "{\"a\":1.}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}"]
        {
            let _ = parse_object(case);
        }
        // Deep nesting is skipped without recursion.
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_object(&deep).unwrap(), vec![("a".to_owned(), Value::Nested)]);
    }

    #[test]
    fn errors_do_not_quote_values() {
        let error = parse_object("{\"secret\": SECRETVALUE}").unwrap_err();
        assert!(!error.contains("SECRETVALUE") && !error.contains("ECRET"), "{error}");
        assert_eq!(format!("{:?}", s("TOPSECRET")), "String(<9 chars>)");
    }
}
