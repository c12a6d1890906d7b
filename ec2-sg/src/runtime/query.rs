//! Writing an EC2 Query request body: `Action=Op&Version=…&Key=value…`, form-encoded as botocore
//! does (RFC 3986 unreserved characters kept, space as `+`, everything else `%XX`).

use super::error::BuildError;
use super::form::encode_form_component_into;
use super::idempotency::IdempotencyTokenProvider;
use super::timestamp::{DateTime, TimestampFormat};
use aws_smithy_types::primitive::Encoder;
use aws_smithy_types::{base64, Blob};

/// Accumulates the form-encoded body of one request.
pub struct QueryWriter<'a> {
    body: String,
    tokens: &'a dyn IdempotencyTokenProvider,
}

impl<'a> QueryWriter<'a> {
    /// Starts a body with `Action` and `Version`.
    pub fn new(action: &str, version: &str, tokens: &'a dyn IdempotencyTokenProvider) -> Self {
        let mut writer = Self { body: String::with_capacity(256), tokens };
        writer.string("Action", action);
        writer.string("Version", version);
        writer
    }

    /// Appends `key=value`, both percent-encoded (RFC 3986).
    pub fn string(&mut self, key: &str, value: &str) {
        if !self.body.is_empty() {
            self.body.push('&');
        }
        encode_form_component_into(key, &mut self.body);
        self.body.push('=');
        encode_form_component_into(value, &mut self.body);
    }

    /// An integer in decimal.
    pub fn integer(&mut self, key: &str, value: i64) {
        self.string(key, Encoder::from(value).encode());
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, key: &str, value: bool) {
        self.string(key, if value { "true" } else { "false" });
    }

    /// A 32-bit float in its shortest exact decimal form (`10.8`, not `10.800000190734863`).
    pub fn float32(&mut self, key: &str, value: f32) {
        self.string(
            key,
            &special_float(value.is_nan(), value.is_infinite(), value < 0.0).unwrap_or_else(|| value.to_string()),
        );
    }

    /// A 64-bit float; NaN and the infinities as `NaN`, `Infinity`, `-Infinity`.
    pub fn float64(&mut self, key: &str, value: f64) {
        self.string(
            key,
            &special_float(value.is_nan(), value.is_infinite(), value < 0.0).unwrap_or_else(|| value.to_string()),
        );
    }

    /// A timestamp in the member's wire format; one the format cannot express (a year past
    /// 9999 in ISO 8601) is an error and nothing is sent.
    pub fn timestamp(&mut self, key: &str, value: &DateTime, format: TimestampFormat) -> Result<(), BuildError> {
        let text = value
            .fmt(format)
            .map_err(|e| BuildError::InvalidTimestamp { key: key.to_string(), reason: e.to_string() })?;
        self.string(key, &text);
        Ok(())
    }

    /// Binary data, base64-encoded.
    pub fn blob(&mut self, key: &str, value: &Blob) {
        self.string(key, &base64::encode(value));
    }

    /// A fresh idempotency token, for a token member the caller left unset.
    pub fn idempotency_token(&self) -> String {
        self.tokens.make_token()
    }

    /// The finished body.
    pub fn finish(self) -> String {
        self.body
    }
}

// Kept beside `primitive::Encoder`, which writes ryu's form (`1.0`, `1e20` where ours sends `1`, `100000000000000000000`): what is sent stays as it was.
fn special_float(nan: bool, infinite: bool, negative: bool) -> Option<String> {
    match (nan, infinite, negative) {
        (true, _, _) => Some("NaN".into()),
        (false, true, false) => Some("Infinity".into()),
        (false, true, true) => Some("-Infinity".into()),
        _ => None,
    }
}

/// The key of a member under `prefix`: `Prefix.Name`, or `Name` at the top level.
pub fn member_key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::idempotency::FixedTokens;

    #[test]
    fn writes_encoded_pairs() {
        let tokens = FixedTokens("tok".into());
        let mut w = QueryWriter::new("Op", "2016-11-15", &tokens);
        w.string("A.1", "x y/ü&=");
        w.integer("N", -3);
        w.boolean("B", false);
        w.float32("F", 10.8);
        w.float64("D", f64::NEG_INFINITY);
        w.float64("E", 1.0);
        w.timestamp("T", &DateTime::from_secs(1422172800), TimestampFormat::DateTime).unwrap();
        w.blob("Q", &Blob::new(b"value".to_vec()));
        let token = w.idempotency_token();
        w.string("Token", &token);
        assert_eq!(
            w.finish(),
            "Action=Op&Version=2016-11-15&A.1=x+y%2F%C3%BC%26%3D&N=-3&B=false&F=10.8&D=-Infinity&E=1\
             &T=2015-01-25T08%3A00%3A00Z&Q=dmFsdWU%3D&Token=tok"
        );
        assert_eq!(member_key("", "GroupId"), "GroupId");
        assert_eq!(member_key("IpPermissions.1", "FromPort"), "IpPermissions.1.FromPort");
    }
}
