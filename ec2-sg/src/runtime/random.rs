//! Random numbers for retry jitter and idempotency tokens, without a `rand` dependency: a hash
//! keyed by std's randomly seeded `RandomState`, over a process-wide counter and the clock.
//! Unpredictable enough for spreading retries and unique tokens; not for cryptography.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// 64 random bits; two calls never hash the same input (the counter differs).
pub(crate) fn random_u64() -> u64 {
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(DRAWS.fetch_add(1, Ordering::Relaxed));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.finish()
}
