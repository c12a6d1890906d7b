//! The service's clock, as far as signing goes: the offset learned from answers that refused a
//! request for its time.

use super::timestamp::{parse_timestamp, TimestampFormat};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

/// The service's clock minus the local one, learned from the `Date` of answers that refused a
/// request for its time (as the Go, Java and JS SDKs do): requests are signed with the local time
/// plus this offset, so a machine whose clock is wrong still makes calls.
#[derive(Debug, Default)]
pub(crate) struct ClockSkew {
    millis: AtomicI64,
}

/// Answers that may mean the request's time was too far from the service's.
const SKEW_ERROR_CODES: [&str; 6] = [
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Below this difference between the signing time and the service's, a refusal is not about time
/// (AWS accepts 5 minutes either way).
const SKEW_THRESHOLD: Duration = Duration::from_secs(4 * 60);

/// A learned offset is accepted only within this much of the local clock; a `Date` further off is
/// logged and ignored. The SDKs that correct skew sign within minutes to hours of local time, and
/// a local clock a day or more wrong cannot reach AWS over HTTPS anyway (certificates are checked
/// against it); a `Date` of 1970 or 9999 comes from a broken or hostile endpoint, and learning it
/// would sign every later call of the client with that time.
const MAX_PLAUSIBLE_SKEW: Duration = Duration::from_secs(24 * 60 * 60);

impl ClockSkew {
    /// The local time corrected by the learned offset.
    pub(crate) fn now(&self) -> SystemTime {
        shift(SystemTime::now(), self.millis.load(Ordering::Relaxed))
    }

    /// Learns the offset from an answer that refused a request signed at `signed_at` for its
    /// time; `true` when the offset changed and the request is worth signing again.
    pub(crate) fn learn(&self, error_code: &str, headers: &[(String, String)], signed_at: SystemTime) -> bool {
        if !SKEW_ERROR_CODES.contains(&error_code) {
            return false;
        }
        let Some(server_time) = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("date"))
            .and_then(|(_, value)| parse_timestamp(value, TimestampFormat::HttpDate).ok())
            .and_then(|date| SystemTime::try_from(date).ok())
        else {
            return false;
        };
        let gap = match server_time.duration_since(signed_at) {
            Ok(ahead) => ahead,
            Err(behind) => behind.duration(),
        };
        if gap < SKEW_THRESHOLD {
            return false;
        }
        let offset = millis_between(SystemTime::now(), server_time);
        if offset.unsigned_abs() > MAX_PLAUSIBLE_SKEW.as_millis() as u64 {
            tracing::warn!(
                offset_ms = offset,
                error_code,
                "the service's Date is more than 24 hours from the local clock; not signing with it"
            );
            return false;
        }
        self.millis.store(offset, Ordering::Relaxed);
        tracing::warn!(offset_ms = offset, "the service's clock differs from the local one; signing with its time");
        true
    }
}

/// `to - from` in milliseconds (negative when `to` is earlier), saturating.
fn millis_between(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(ahead) => i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX),
        Err(behind) => i64::try_from(behind.duration().as_millis()).map(|m| -m).unwrap_or(i64::MIN),
    }
}

fn shift(time: SystemTime, millis: i64) -> SystemTime {
    let by = Duration::from_millis(millis.unsigned_abs());
    let shifted = if millis >= 0 { time.checked_add(by) } else { time.checked_sub(by) };
    shifted.unwrap_or(time)
}
