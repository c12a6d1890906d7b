//! The JSON credentials documents that sources print or serve: a `credential_process`'s output,
//! the instance metadata service's and the container agent's answers. They share their members
//! but for the session token's name.

use std::time::SystemTime;

use crate::runtime::credential_provider::Credentials;
use crate::runtime::json::{self, Value};
use crate::runtime::timestamp::{parse_timestamp, TimestampFormat};

/// How a source names its members and what it does with credentials that have expired.
pub(super) struct DocumentKind {
    /// `SessionToken` (credential_process) or `Token` (IMDS, containers).
    pub(super) token_member: &'static str,
    /// The provider name the credentials carry.
    pub(super) provider: &'static str,
    /// Refuse credentials that have expired (botocore does for a process); IMDS answers with
    /// expired ones are kept by its provider, which extends them (static stability).
    pub(super) refuse_expired: bool,
}

/// Reads `AccessKeyId`, `SecretAccessKey`, the session token and `Expiration` from a parsed
/// document; the error says what is wrong without quoting any value.
pub(super) fn credentials_from_members(
    members: &[(String, Value)],
    kind: &DocumentKind,
    now: SystemTime,
) -> Result<Credentials, String> {
    let access_key_id = json::required_string(members, "AccessKeyId")?;
    let secret_access_key = json::required_string(members, "SecretAccessKey")?;
    let session_token = json::optional_string(members, kind.token_member)?;
    let mut expiry = None;
    if let Some(expiration) = json::optional_string(members, "Expiration")? {
        let at = parse_timestamp(&expiration, TimestampFormat::DateTime)
            .map_err(|e| format!("an invalid Expiration: {e}"))
            .and_then(|date| SystemTime::try_from(date).map_err(|e| format!("an Expiration out of range: {e}")))?;
        if kind.refuse_expired && at <= now {
            return Err(format!("credentials that expired at {expiration}; they cannot sign requests"));
        }
        expiry = Some(at);
    }
    Ok(Credentials::new(access_key_id, secret_access_key, session_token, expiry, kind.provider))
}
