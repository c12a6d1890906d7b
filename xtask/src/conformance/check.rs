// Checks used by the generated conformance driver (copied into target/conformance/src/check.rs).
// Hand-written; compiled only in the throwaway conformance crate.

use crate::runtime::{parse_form, Endpoint, HttpRequest};
use std::fmt::Debug;

/// What a vector expects of a serialized request.
pub struct ExpectedRequest<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub body: Option<&'a str>,
    pub headers: &'a [(&'a str, &'a str)],
    pub require_headers: &'a [&'a str],
    pub host: Option<&'a str>,
}

pub fn request(actual: &HttpRequest, endpoint: &Endpoint, expected: &ExpectedRequest<'_>) -> Result<(), String> {
    if actual.method != expected.method {
        return Err(format!("method {} != expected {}", actual.method, expected.method));
    }
    if actual.path != expected.uri {
        return Err(format!("path {} != expected {}", actual.path, expected.uri));
    }
    for (name, value) in expected.headers {
        let got = actual.header(name).ok_or_else(|| format!("header {name} missing"))?;
        // The vectors give `application/x-www-form-urlencoded`; the SDKs add `; charset=utf-8`.
        let matches = if name.eq_ignore_ascii_case("content-type") {
            got.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(value)
        } else {
            got == *value
        };
        if !matches {
            return Err(format!("header {name}: {got:?} != expected {value:?}"));
        }
    }
    for name in expected.require_headers {
        if actual.header(name).is_none() {
            return Err(format!("required header {name} missing"));
        }
    }
    if let Some(length) = actual.header("content-length") {
        if length != actual.body.len().to_string() {
            return Err(format!("Content-Length {length} but the body has {} bytes", actual.body.len()));
        }
    }
    if let Some(host) = expected.host {
        // botocore's `host` is the endpoint's network location followed by its path.
        let with_path = format!("{}{}", actual.authority, endpoint.path());
        if actual.authority != host && with_path != host {
            return Err(format!("host {} != expected {host}", actual.authority));
        }
    }
    let body = match actual.header("content-encoding") {
        Some("gzip") => gunzip(&actual.body)?,
        _ => String::from_utf8(actual.body.clone()).map_err(|e| format!("body is not UTF-8: {e}"))?,
    };
    match expected.body {
        Some(expected_body) => form_bodies_match(&body, expected_body),
        // Compression cases give no body: it must still be a well-formed form body.
        None => parse_form(&body).map(|_| ()).map_err(|e| format!("body is not a form: {e}")),
    }
}

/// Form bodies are compared as parameters: `Action` and `Version` first, the rest in any order.
/// (The vectors list members in the order of their `params`; the model's order is another.)
fn form_bodies_match(actual: &str, expected: &str) -> Result<(), String> {
    let parse = |body: &str| parse_form(body).map_err(|e| format!("not a form body ({e}): {body}"));
    let mut got = parse(actual)?;
    let mut want = parse(expected)?;
    if got.get(..2) != want.get(..2) {
        return Err(format!("body must start with Action and Version as {:?}, got {:?}", want.get(..2), got.get(..2)));
    }
    got.sort();
    want.sort();
    if got != want {
        let missing: Vec<_> = want.iter().filter(|p| !got.contains(p)).collect();
        let extra: Vec<_> = got.iter().filter(|p| !want.contains(p)).collect();
        return Err(format!("body differs: missing {missing:?}, unexpected {extra:?}\n  got:      {actual}\n  expected: {expected}"));
    }
    Ok(())
}

fn gunzip(bytes: &[u8]) -> Result<String, String> {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .map_err(|e| format!("body is not valid gzip: {e}"))?;
    Ok(out)
}

/// Whole-value equality; Debug text equality covers NaN, which is never `==` itself.
pub fn value<T: PartialEq + Debug>(what: &str, actual: &T, expected: &T) -> Result<(), String> {
    if actual == expected || format!("{actual:?}") == format!("{expected:?}") {
        Ok(())
    } else {
        Err(format!("{what} differs\n  got:      {actual:?}\n  expected: {expected:?}"))
    }
}
