//! Idempotency tokens: filled in for token members the caller leaves unset, from a source that
//! tests (and users who want reproducible requests) can replace.

use super::random::random_u64;

/// Makes idempotency tokens.
pub trait IdempotencyTokenProvider: Send + Sync {
    /// A new token; every call should give a different one.
    fn make_token(&self) -> String;
}

/// Random version-4 UUIDs (from the runtime's `random_u64`): unique, which is what a token
/// needs, without a `rand` dependency.
#[derive(Debug, Default)]
pub struct RandomUuidTokens;

impl IdempotencyTokenProvider for RandomUuidTokens {
    fn make_token(&self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&random_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&random_u64().to_le_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }
}

/// Always the same token: for tests and recorded-request comparisons.
#[derive(Debug, Clone)]
pub struct FixedTokens(pub String);

impl IdempotencyTokenProvider for FixedTokens {
    fn make_token(&self) -> String {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_v4_uuids_and_differ() {
        let tokens = RandomUuidTokens;
        let a = tokens.make_token();
        let b = tokens.make_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
