//! The one JSON credentials reader, over aws-smithy-json's token iterator: the documents
//! credential sources print or serve (a `credential_process`'s output, the instance metadata
//! service's, the container agent's and SSO's answers, the SSO token cache) are objects whose
//! members are read by name. It gathers the top-level members, and those of one nested object
//! for SSO's `roleCredentials`. Errors name members by static names and never quote a value: a
//! document holds secrets.

use aws_smithy_json::deserialize::{error::DeserializeError, json_token_iter, Token};
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
    parse_document(text, None).map(|(members, _)| members)
}

/// The members of the object that is the value of member `name` of the top-level object (SSO's
/// `{"roleCredentials": {...}}`), read as [`parse_object`] reads the top level; `Ok(None)` when
/// there is no such member or it is not an object. The whole document must be valid.
#[cfg_attr(not(feature = "reqwest-client"), allow(dead_code))]
pub fn parse_inner_object(text: &str, name: &str) -> Result<Option<Vec<(String, Value)>>, String> {
    parse_document(text, Some(name)).map(|(_, inner)| inner)
}

type Members = Vec<(String, Value)>;

fn invalid(e: &dyn fmt::Display) -> String {
    format!("invalid JSON: {e}")
}

/// The top-level object's members, and those of its member `inner` when asked for.
fn parse_document(text: &str, inner: Option<&str>) -> Result<(Members, Option<Members>), String> {
    let mut tokens = json_token_iter(text.as_bytes());
    match tokens.next() {
        Some(Ok(Token::StartObject { .. })) => {}
        Some(Err(e)) => return Err(invalid(&e)),
        _ => return Err("invalid JSON: expected an object".to_string()),
    }
    let parsed = read_members(&mut tokens, inner)?;
    match tokens.next() {
        None => Ok(parsed),
        Some(Err(e)) => Err(invalid(&e)),
        Some(Ok(_)) => Err("invalid JSON: text after the object".to_string()),
    }
}

/// Reads members up to the object's end (its start already read). The value of member `inner`,
/// when it is an object, is read the same way (one level: `inner` is `None` there); any other
/// nested value is skipped.
fn read_members<'a>(
    tokens: &mut impl Iterator<Item = Result<Token<'a>, DeserializeError>>,
    inner: Option<&str>,
) -> Result<(Members, Option<Members>), String> {
    let mut members = Vec::new();
    let mut captured = None;
    loop {
        let name = match tokens.next() {
            Some(Ok(Token::EndObject { .. })) => break,
            Some(Ok(Token::ObjectKey { key, .. })) => key.to_unescaped().map_err(|e| invalid(&e))?.into_owned(),
            Some(Err(e)) => return Err(invalid(&e)),
            _ => return Err("invalid JSON: expected a member name".to_string()),
        };
        let is_inner = inner == Some(name.as_str());
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
            Some(Ok(Token::StartObject { .. })) if is_inner => {
                captured = Some(read_members(tokens, None)?.0);
                members.push((name, Value::Nested));
                continue;
            }
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
        if is_inner {
            // The last one counts when a name repeats, as for members; this one is no object.
            captured = None;
        }
        members.push((name, value));
    }
    Ok((members, captured))
}

/// The value of member `name`; the last one when a name repeats, as most JSON readers do.
pub fn member<'a>(members: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    members.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Member `name`, a string that is not empty. The error names the member (a static name, as
/// aws-config's `json_credentials.rs` does) and what it holds instead, never its value.
pub fn required_string(members: &[(String, Value)], name: &'static str) -> Result<String, String> {
    match member(members, name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("JSON with an empty {name}")),
        Some(other) => Err(not_a_string(name, other)),
        None => Err(format!("JSON without {name}")),
    }
}

/// Member `name`, a string; `None` when it is absent, `null` or empty. The error names the
/// member and what it holds instead, never its value.
pub fn optional_string(members: &[(String, Value)], name: &'static str) -> Result<Option<String>, String> {
    match member(members, name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(Value::String(_) | Value::Null) | None => Ok(None),
        Some(other) => Err(not_a_string(name, other)),
    }
}

fn not_a_string(name: &'static str, value: &Value) -> String {
    format!("JSON whose {name} is {} (expected a string)", value.type_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_by_static_name_without_their_values() {
        let members =
            parse_object(r#"{"A": "secret-a", "Empty": "", "Null": null, "N": 5, "O": {"x": "secret-o"}}"#).unwrap();
        assert_eq!(required_string(&members, "A").unwrap(), "secret-a");
        assert_eq!(optional_string(&members, "A").unwrap().as_deref(), Some("secret-a"));
        for name in ["Empty", "Null", "Missing"] {
            assert_eq!(optional_string(&members, name).unwrap(), None, "{name}");
        }
        assert_eq!(required_string(&members, "Empty").unwrap_err(), "JSON with an empty Empty");
        assert_eq!(required_string(&members, "Missing").unwrap_err(), "JSON without Missing");
        assert_eq!(required_string(&members, "Null").unwrap_err(), "JSON whose Null is null (expected a string)");
        assert_eq!(optional_string(&members, "N").unwrap_err(), "JSON whose N is a number (expected a string)");
        assert_eq!(
            required_string(&members, "O").unwrap_err(),
            "JSON whose O is an array or object (expected a string)"
        );
    }

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
    fn inner_object() {
        let text = r#"{"roleCredentials": {"a": "x", "n": 12, "deep": {"z": 1}}, "other": [1]}"#;
        let inner = parse_inner_object(text, "roleCredentials").unwrap().unwrap();
        assert_eq!(
            inner,
            vec![("a".to_owned(), s("x")), ("n".to_owned(), Value::Number(12.0)), ("deep".to_owned(), Value::Nested)]
        );
        assert_eq!(parse_object(text).unwrap()[0], ("roleCredentials".to_owned(), Value::Nested));
        assert_eq!(parse_inner_object(text, "missing").unwrap(), None);
        assert_eq!(parse_inner_object(r#"{"roleCredentials": "x"}"#, "roleCredentials").unwrap(), None);
        assert_eq!(parse_inner_object(r#"{"roleCredentials": [{"a": "x"}]}"#, "roleCredentials").unwrap(), None);
        assert_eq!(
            parse_inner_object(r#"{"roleCredentials": {}, "roleCredentials": []}"#, "roleCredentials").unwrap(),
            None
        );
        assert_eq!(
            parse_inner_object(r#"{"roleCredentials": 1, "roleCredentials": {}}"#, "roleCredentials").unwrap(),
            Some(vec![])
        );
        for broken in
            [r#"{"roleCredentials": {"a": }}"#, r#"{"roleCredentials": {"a": "x"}"#, r#"{"roleCredentials": {}} x"#]
        {
            assert!(parse_inner_object(broken, "roleCredentials").is_err(), "{broken}");
        }
    }

    #[test]
    fn errors_do_not_quote_values() {
        let error = parse_object("{\"secret\": SECRETVALUE}").unwrap_err();
        assert!(!error.contains("SECRETVALUE") && !error.contains("ECRET"), "{error}");
        assert_eq!(format!("{:?}", s("TOPSECRET")), "String(<9 chars>)");
    }
}
