//! Timestamps (botocore `timestamp` shapes) and their three wire formats.
//!
//! Everything here is std-only and never panics on input: every parse failure is reported as a
//! [`DateTimeParseError`].
//!
//! Calendar conversions use Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
//! (proleptic Gregorian calendar), which are exact for every representable [`DateTime`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// 2^63 (exactly representable as an `f64`): `f64` seconds must lie in `[-LIMIT, LIMIT)`.
const F64_SECS_LIMIT: f64 = 9_223_372_036_854_775_808.0;
/// Longest input prefix (in characters) quoted back in a [`DateTimeParseError`].
const SNIPPET_CHARS: usize = 64;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A point in time with nanosecond precision (seconds since the Unix epoch, may be negative).
///
/// The value is `seconds + subsec_nanos / 1e9`, so one and a half seconds *before* the epoch is
/// `seconds = -2, subsec_nanos = 500_000_000`. The derived ordering is therefore chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    seconds: i64,
    /// Always `< 1_000_000_000`.
    subsec_nanos: u32,
}

/// Wire formats named by botocore's `timestampFormat` trait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// RFC 3339 / ISO 8601 (`iso8601`), e.g. `2014-04-29T18:30:38Z`.
    DateTime,
    /// RFC 822 / IMF-fixdate (`rfc822`), e.g. `Tue, 29 Apr 2014 18:30:38 GMT`.
    HttpDate,
    /// Decimal seconds since the Unix epoch (`unixTimestamp`), e.g. `1398796238.123`.
    EpochSeconds,
}

impl TimestampFormat {
    /// Maps a botocore `timestampFormat` value (`iso8601`, `rfc822`, `unixTimestamp`) to a format.
    pub fn from_model(name: &str) -> Option<Self> {
        match name {
            "iso8601" => Some(Self::DateTime),
            "rfc822" => Some(Self::HttpDate),
            "unixTimestamp" => Some(Self::EpochSeconds),
            _ => None,
        }
    }

    /// The botocore `timestampFormat` name of this format (inverse of [`Self::from_model`]).
    pub fn model_name(self) -> &'static str {
        match self {
            Self::DateTime => "iso8601",
            Self::HttpDate => "rfc822",
            Self::EpochSeconds => "unixTimestamp",
        }
    }
}

/// Error returned by [`DateTime::parse`]: the (possibly shortened) input and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParseError {
    input: String,
    format: TimestampFormat,
    reason: &'static str,
}

impl DateTimeParseError {
    fn new(input: &str, format: TimestampFormat, reason: &'static str) -> Self {
        let mut snippet: String = input.chars().take(SNIPPET_CHARS).collect();
        if snippet.len() < input.len() {
            snippet.push('…');
        }
        Self { input: snippet, format, reason }
    }

    /// The offending input (trimmed, and shortened to 64 characters plus `…` if longer).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The format the input was parsed as.
    pub fn format(&self) -> TimestampFormat {
        self.format
    }

    /// A short human-readable description of the problem.
    pub fn reason(&self) -> &str {
        self.reason
    }
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} timestamp {:?}: {}", self.format.model_name(), self.input, self.reason)
    }
}

impl std::error::Error for DateTimeParseError {}

/// Error returned when a [`DateTime`] is outside the range [`SystemTime`] can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemTimeRangeError {
    value: DateTime,
}

impl fmt::Display for SystemTimeRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timestamp {}.{:09} seconds from the Unix epoch is out of range for SystemTime",
            self.value.seconds, self.value.subsec_nanos
        )
    }
}

impl std::error::Error for SystemTimeRangeError {}

impl DateTime {
    /// The Unix epoch, `1970-01-01T00:00:00Z`.
    pub const UNIX_EPOCH: Self = Self { seconds: 0, subsec_nanos: 0 };

    /// Whole seconds since the Unix epoch (negative before it).
    pub fn from_secs(seconds: i64) -> Self {
        Self { seconds, subsec_nanos: 0 }
    }

    /// Seconds plus nanoseconds; `subsec_nanos >= 1e9` carries into seconds (saturating at the maximum).
    pub fn from_secs_and_nanos(seconds: i64, subsec_nanos: u32) -> Self {
        let carry = i64::from(subsec_nanos / NANOS_PER_SEC);
        match seconds.checked_add(carry) {
            Some(seconds) => Self { seconds, subsec_nanos: subsec_nanos % NANOS_PER_SEC },
            None => Self::max_value(),
        }
    }

    /// Fractional epoch seconds, rounded to the nearest microsecond (so `0.123` is exactly 123 ms).
    ///
    /// An `f64` cannot hold present-day epoch seconds with more than sub-microsecond precision, so
    /// rounding to microseconds removes binary-fraction noise without losing real information.
    /// Non-finite and out-of-range inputs are clamped: `NaN` gives the Unix epoch, `+∞` and values
    /// ≥ 2^63 give the latest representable instant, `-∞` and values < -2^63 the earliest.
    pub fn from_secs_f64(seconds: f64) -> Self {
        if seconds.is_nan() {
            return Self::UNIX_EPOCH;
        }
        if seconds >= F64_SECS_LIMIT {
            return Self::max_value();
        }
        if seconds < -F64_SECS_LIMIT {
            return Self::min_value();
        }
        let whole = seconds.floor();
        // `frac` is in [0, 1): subtraction of the floor is exact for finite floats.
        let frac = seconds - whole;
        // In [0, 1_000_000]; a float-to-int `as` cast saturates and never panics.
        let micros = (frac * 1_000_000.0).round() as u32;
        // `whole` is in [-2^63, 2^63), so the cast is exact.
        Self::from_secs_and_nanos(whole as i64, micros.saturating_mul(1_000))
    }

    /// Whole seconds since the Unix epoch (rounded towards negative infinity).
    pub fn secs(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`Self::secs`], always below 1_000_000_000.
    pub fn subsec_nanos(&self) -> u32 {
        self.subsec_nanos
    }

    /// Seconds since the Unix epoch as a float (lossy for large values).
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + f64::from(self.subsec_nanos) / f64::from(NANOS_PER_SEC)
    }

    /// The current time, from [`SystemTime::now`].
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// Converts to a [`SystemTime`], failing if the platform cannot represent the instant.
    pub fn to_system_time(&self) -> Result<SystemTime, SystemTimeRangeError> {
        let err = SystemTimeRangeError { value: *self };
        let result = if self.seconds >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(self.seconds.unsigned_abs(), self.subsec_nanos))
        } else if self.subsec_nanos == 0 {
            UNIX_EPOCH.checked_sub(Duration::new(self.seconds.unsigned_abs(), 0))
        } else {
            // seconds < 0 here, so |seconds| >= 1 and the subtraction cannot underflow.
            UNIX_EPOCH.checked_sub(Duration::new(self.seconds.unsigned_abs() - 1, NANOS_PER_SEC - self.subsec_nanos))
        };
        result.ok_or(err)
    }

    /// Parses `input` (surrounding whitespace ignored) in the given wire format.
    ///
    /// * [`TimestampFormat::DateTime`]: RFC 3339, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    ///   `t`/`z` may be lower case, the offset colon may be omitted, and a missing offset is read
    ///   as UTC (botocore is equally lenient).
    /// * [`TimestampFormat::HttpDate`]: `[Wkd, ]D[D] Mon YYYY HH:MM:SS[.fraction] ZONE` where the
    ///   zone is `GMT`, `UTC`, `UT`, `Z` or a numeric `±HHMM` / `±HH:MM`. The weekday name must be
    ///   a valid one but is not checked against the date.
    /// * [`TimestampFormat::EpochSeconds`]: `[-|+]digits[.digits]`, parsed exactly; scientific
    ///   notation (`1.398796238E9`) is also accepted and rounded to the microsecond.
    ///
    /// Fractions longer than 9 digits are truncated to nanoseconds. Seconds may be `60` (a leap
    /// second); it is carried into the next minute, so `23:59:60Z` equals `00:00:00Z` of the next
    /// day, as POSIX time does.
    pub fn parse(input: &str, format: TimestampFormat) -> Result<Self, DateTimeParseError> {
        let input = input.trim();
        let result = match format {
            TimestampFormat::DateTime => parse_rfc3339(input),
            TimestampFormat::HttpDate => parse_http_date(input),
            TimestampFormat::EpochSeconds => parse_epoch_seconds(input),
        };
        result.map_err(|reason| DateTimeParseError::new(input, format, reason))
    }

    /// Formats in the given wire format, with a fraction only when there are nanoseconds
    /// (trailing zeros trimmed).
    ///
    /// Years outside 0000–9999 cannot be expressed in RFC 3339; they are written as ISO 8601
    /// expanded years (`+10000-01-01T00:00:00Z`, `-0001-…`), which [`Self::parse`] does not accept.
    pub fn fmt(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::DateTime => self.fmt_rfc3339(),
            TimestampFormat::HttpDate => self.fmt_http_date(),
            TimestampFormat::EpochSeconds => self.fmt_epoch_seconds(),
        }
    }

    fn max_value() -> Self {
        Self { seconds: i64::MAX, subsec_nanos: NANOS_PER_SEC - 1 }
    }

    fn min_value() -> Self {
        Self { seconds: i64::MIN, subsec_nanos: 0 }
    }

    fn civil(&self) -> Civil {
        let days = self.seconds.div_euclid(SECS_PER_DAY);
        let secs_of_day = self.seconds.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs_of_day / 3600,
            minute: secs_of_day % 3600 / 60,
            second: secs_of_day % 60,
            // 1970-01-01 was a Thursday; index 0 is Sunday.
            weekday: (days + 4).rem_euclid(7),
        }
    }

    fn fmt_rfc3339(&self) -> String {
        let c = self.civil();
        let year = if (0..=9999).contains(&c.year) {
            format!("{:04}", c.year)
        } else if c.year > 9999 {
            format!("+{}", c.year)
        } else {
            format!("-{:04}", c.year.unsigned_abs())
        };
        format!(
            "{year}-{:02}-{:02}T{:02}:{:02}:{:02}{}Z",
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            fraction_suffix(self.subsec_nanos)
        )
    }

    fn fmt_http_date(&self) -> String {
        let c = self.civil();
        let weekday = usize::try_from(c.weekday).ok().and_then(|i| WEEKDAYS.get(i)).copied().unwrap_or("???");
        let month = usize::try_from(c.month)
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|i| MONTHS.get(i))
            .copied()
            .unwrap_or("???");
        format!(
            "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02}{} GMT",
            c.day,
            c.year,
            c.hour,
            c.minute,
            c.second,
            fraction_suffix(self.subsec_nanos)
        )
    }

    fn fmt_epoch_seconds(&self) -> String {
        if self.subsec_nanos == 0 {
            return self.seconds.to_string();
        }
        if self.seconds >= 0 {
            format!("{}{}", self.seconds, fraction_suffix(self.subsec_nanos))
        } else {
            // -2 s + 0.5 s = -1.5 s; `seconds + 1` cannot overflow because seconds < 0.
            let whole = (self.seconds + 1).unsigned_abs();
            let frac = NANOS_PER_SEC - self.subsec_nanos;
            format!("-{whole}{}", fraction_suffix(frac))
        }
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => match i64::try_from(after.as_secs()) {
                Ok(secs) => Self::from_secs_and_nanos(secs, after.subsec_nanos()),
                Err(_) => Self::max_value(),
            },
            Err(err) => {
                let before = err.duration();
                let Some(secs) = 0i64.checked_sub_unsigned(before.as_secs()) else {
                    return Self::min_value();
                };
                match before.subsec_nanos() {
                    0 => Self::from_secs(secs),
                    nanos => match secs.checked_sub(1) {
                        Some(secs) => Self::from_secs_and_nanos(secs, NANOS_PER_SEC - nanos),
                        None => Self::min_value(),
                    },
                }
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = SystemTimeRangeError;

    fn try_from(value: DateTime) -> Result<Self, Self::Error> {
        value.to_system_time()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fmt_rfc3339())
    }
}

/// A broken-down UTC time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    weekday: i64,
}

/// `.123` for 123 ms, `.5` for 500 ms, empty for zero: nanoseconds with trailing zeros trimmed.
fn fraction_suffix(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400; // [0, 399]
    let month_from_march = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Proleptic Gregorian `(year, month, day)` of a day count since 1970-01-01 (Hinnant's
/// `civil_from_days`). Exact for any `days` derived from an `i64` of seconds.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097; // [0, 146096]
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // [1, 31]
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both values are small and positive by construction.
    (year, month as u32, day as u32)
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Broken-down parsed fields, validated and converted by [`Fields::to_datetime`].
struct Fields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Local time minus UTC, in seconds.
    offset_secs: i64,
}

impl Fields {
    fn to_datetime(&self) -> Result<DateTime, &'static str> {
        let year = i64::from(self.year);
        if !(1..=12).contains(&self.month) {
            return Err("month out of range");
        }
        if self.day == 0 || self.day > days_in_month(year, self.month) {
            return Err("day out of range for month");
        }
        if self.hour > 23 {
            return Err("hour out of range");
        }
        if self.minute > 59 {
            return Err("minute out of range");
        }
        if self.second > 60 {
            return Err("second out of range");
        }
        // Years are at most 9999 (four digits), so none of this can overflow.
        let seconds = days_from_civil(year, self.month, self.day) * SECS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - self.offset_secs;
        Ok(DateTime::from_secs_and_nanos(seconds, self.nanos))
    }
}

/// A byte cursor over ASCII-only grammar; any non-ASCII byte simply fails to match.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(input: &'a str) -> Self {
        Self { bytes: input.as_bytes(), pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn end(&self) -> Result<(), &'static str> {
        if self.at_end() {
            Ok(())
        } else {
            Err("unexpected trailing characters")
        }
    }

    /// Consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes either case of the ASCII letter `byte` if it is next.
    fn eat_ignore_case(&mut self, byte: u8) -> bool {
        match self.peek() {
            Some(b) if b.eq_ignore_ascii_case(&byte) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn require(&mut self, byte: u8, reason: &'static str) -> Result<(), &'static str> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(reason)
        }
    }

    fn digit(&mut self) -> Option<u32> {
        match self.peek() {
            Some(b) if b.is_ascii_digit() => {
                self.pos += 1;
                Some(u32::from(b - b'0'))
            }
            _ => None,
        }
    }

    /// Exactly `count` (at most 9) decimal digits.
    fn digits(&mut self, count: usize, reason: &'static str) -> Result<u32, &'static str> {
        let mut value = 0u32;
        for _ in 0..count {
            let d = self.digit().ok_or(reason)?;
            value = value * 10 + d;
        }
        Ok(value)
    }

    /// At least one digit after an already-consumed `.`; up to 9 are kept, the rest truncated.
    fn fraction(&mut self) -> Result<u32, &'static str> {
        let mut nanos = 0u32;
        let mut kept = 0;
        while let Some(d) = self.digit() {
            if kept < 9 {
                nanos = nanos * 10 + d;
                kept += 1;
            }
        }
        if kept == 0 {
            return Err("expected digits after '.'");
        }
        for _ in kept..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }

    /// Optional `.fraction`.
    fn opt_fraction(&mut self) -> Result<u32, &'static str> {
        if self.eat(b'.') {
            self.fraction()
        } else {
            Ok(0)
        }
    }

    /// One or more spaces or tabs.
    fn spaces(&mut self, reason: &'static str) -> Result<(), &'static str> {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        if self.pos == start {
            Err(reason)
        } else {
            Ok(())
        }
    }

    /// A run of ASCII letters (possibly empty).
    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    /// `HH:MM:SS[.fraction]` into `(hour, minute, second, nanos)`.
    fn time_of_day(&mut self) -> Result<(u32, u32, u32, u32), &'static str> {
        let hour = self.digits(2, "expected two-digit hour")?;
        self.require(b':', "expected ':' after hour")?;
        let minute = self.digits(2, "expected two-digit minute")?;
        self.require(b':', "expected ':' after minute")?;
        let second = self.digits(2, "expected two-digit second")?;
        let nanos = self.opt_fraction()?;
        Ok((hour, minute, second, nanos))
    }

    /// `HH[:]MM` after an already-consumed sign, as seconds.
    fn numeric_offset(&mut self) -> Result<i64, &'static str> {
        let hours = self.digits(2, "expected two-digit offset hours")?;
        self.eat(b':');
        let minutes = self.digits(2, "expected two-digit offset minutes")?;
        if hours > 23 || minutes > 59 {
            return Err("UTC offset out of range");
        }
        Ok(i64::from(hours * 3600 + minutes * 60))
    }

    /// `+HH[:]MM` or `-HH[:]MM` if a sign is next.
    fn opt_signed_offset(&mut self) -> Result<Option<i64>, &'static str> {
        if self.eat(b'+') {
            Ok(Some(self.numeric_offset()?))
        } else if self.eat(b'-') {
            Ok(Some(-self.numeric_offset()?))
        } else {
            Ok(None)
        }
    }
}

fn position_of(names: &[&str], word: &[u8]) -> Option<usize> {
    names.iter().position(|name| name.as_bytes().eq_ignore_ascii_case(word))
}

fn parse_rfc3339(input: &str) -> Result<DateTime, &'static str> {
    if input.is_empty() {
        return Err("empty input");
    }
    let mut c = Cursor::new(input);
    let year = c.digits(4, "expected four-digit year")?;
    c.require(b'-', "expected '-' after year")?;
    let month = c.digits(2, "expected two-digit month")?;
    c.require(b'-', "expected '-' after month")?;
    let day = c.digits(2, "expected two-digit day")?;
    if !c.eat_ignore_case(b'T') {
        return Err("expected 'T' between date and time");
    }
    let (hour, minute, second, nanos) = c.time_of_day()?;
    let offset_secs = if c.eat_ignore_case(b'Z') {
        0
    } else if let Some(offset) = c.opt_signed_offset()? {
        offset
    } else if c.at_end() {
        0
    } else {
        return Err("expected 'Z' or a UTC offset");
    };
    c.end()?;
    Fields { year, month, day, hour, minute, second, nanos, offset_secs }.to_datetime()
}

fn parse_http_date(input: &str) -> Result<DateTime, &'static str> {
    if input.is_empty() {
        return Err("empty input");
    }
    let mut c = Cursor::new(input);
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        let weekday = c.word();
        if position_of(&WEEKDAYS, weekday).is_none() {
            return Err("invalid day-of-week name");
        }
        c.require(b',', "expected ',' after day-of-week")?;
        c.spaces("expected space after day-of-week")?;
    }
    let mut day = c.digit().ok_or("expected day of month")?;
    if let Some(d) = c.digit() {
        day = day * 10 + d;
    }
    c.spaces("expected space after day of month")?;
    let month = position_of(&MONTHS, c.word()).ok_or("invalid month name")?;
    // `position` is below 12.
    let month = month as u32 + 1;
    c.spaces("expected space after month")?;
    let year = c.digits(4, "expected four-digit year")?;
    c.spaces("expected space after year")?;
    let (hour, minute, second, nanos) = c.time_of_day()?;
    c.spaces("expected space before time zone")?;
    let offset_secs = match c.opt_signed_offset()? {
        Some(offset) => offset,
        None => {
            let zone = c.word();
            if position_of(&["GMT", "UTC", "UT", "Z"], zone).is_none() {
                return Err("expected time zone GMT, UTC or a numeric offset");
            }
            0
        }
    };
    c.end()?;
    Fields { year, month, day, hour, minute, second, nanos, offset_secs }.to_datetime()
}

fn parse_epoch_seconds(input: &str) -> Result<DateTime, &'static str> {
    if input.is_empty() {
        return Err("empty input");
    }
    if input.bytes().any(|b| b == b'e' || b == b'E') {
        return parse_epoch_scientific(input);
    }
    let mut c = Cursor::new(input);
    let negative = if c.eat(b'-') {
        true
    } else {
        c.eat(b'+');
        false
    };
    let mut magnitude = 0u64;
    let mut any_digit = false;
    while let Some(d) = c.digit() {
        any_digit = true;
        magnitude =
            magnitude.checked_mul(10).and_then(|m| m.checked_add(u64::from(d))).ok_or("epoch seconds out of range")?;
    }
    if !any_digit {
        return Err("expected decimal digits");
    }
    let nanos = c.opt_fraction()?;
    c.end()?;
    let seconds = if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
        .ok_or("epoch seconds out of range")?;
    if negative && nanos > 0 {
        // -1.25 = -2 + 0.75
        let seconds = seconds.checked_sub(1).ok_or("epoch seconds out of range")?;
        Ok(DateTime::from_secs_and_nanos(seconds, NANOS_PER_SEC - nanos))
    } else {
        Ok(DateTime::from_secs_and_nanos(seconds, nanos))
    }
}

/// `1.398796238E9` and similar: via `f64`, rounded to the microsecond.
fn parse_epoch_scientific(input: &str) -> Result<DateTime, &'static str> {
    // Restrict the alphabet so that `inf`, `NaN` and friends are never accepted.
    if !input.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'e' | b'E')) {
        return Err("invalid character in epoch seconds");
    }
    let value: f64 = input.parse().map_err(|_| "invalid number")?;
    // Also rejects infinities (`1e999`).
    if !(-F64_SECS_LIMIT..F64_SECS_LIMIT).contains(&value) {
        return Err("epoch seconds out of range");
    }
    Ok(DateTime::from_secs_f64(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISO: TimestampFormat = TimestampFormat::DateTime;
    const HTTP: TimestampFormat = TimestampFormat::HttpDate;
    const EPOCH: TimestampFormat = TimestampFormat::EpochSeconds;

    fn parse(input: &str, format: TimestampFormat) -> DateTime {
        match DateTime::parse(input, format) {
            Ok(dt) => dt,
            Err(err) => panic!("{input:?} should parse: {err}"),
        }
    }

    fn dt(seconds: i64, nanos: u32) -> DateTime {
        DateTime::from_secs_and_nanos(seconds, nanos)
    }

    fn assert_err(input: &str, format: TimestampFormat) {
        assert!(DateTime::parse(input, format).is_err(), "{input:?} should not parse as {format:?}");
    }

    #[test]
    fn model_names() {
        assert_eq!(TimestampFormat::from_model("iso8601"), Some(ISO));
        assert_eq!(TimestampFormat::from_model("rfc822"), Some(HTTP));
        assert_eq!(TimestampFormat::from_model("unixTimestamp"), Some(EPOCH));
        assert_eq!(TimestampFormat::from_model("ISO8601"), None);
        assert_eq!(TimestampFormat::from_model(""), None);
        for f in [ISO, HTTP, EPOCH] {
            assert_eq!(TimestampFormat::from_model(f.model_name()), Some(f));
        }
    }

    #[test]
    fn constructors_and_accessors() {
        let t = DateTime::from_secs(-5);
        assert_eq!((t.secs(), t.subsec_nanos()), (-5, 0));
        let t = dt(1, 2_500_000_000);
        assert_eq!((t.secs(), t.subsec_nanos()), (3, 500_000_000));
        let t = dt(10, u32::MAX);
        assert_eq!((t.secs(), t.subsec_nanos()), (14, 294_967_295));
        let t = dt(i64::MAX, 1_000_000_000);
        assert_eq!((t.secs(), t.subsec_nanos()), (i64::MAX, 999_999_999));
        assert_eq!(dt(1, 500_000_000).as_secs_f64(), 1.5);
        assert_eq!(dt(-2, 500_000_000).as_secs_f64(), -1.5);
        assert_eq!(DateTime::UNIX_EPOCH, DateTime::from_secs(0));
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(dt(-2, 500_000_000) < dt(-1, 0));
        assert!(dt(-1, 0) < dt(-1, 1));
        assert!(dt(0, 999_999_999) < dt(1, 0));
    }

    #[test]
    fn from_secs_f64_rounds_to_microseconds() {
        let t = DateTime::from_secs_f64(0.123);
        assert_eq!((t.secs(), t.subsec_nanos()), (0, 123_000_000));
        let t = DateTime::from_secs_f64(946_845_296.123);
        assert_eq!((t.secs(), t.subsec_nanos()), (946_845_296, 123_000_000));
        let t = DateTime::from_secs_f64(1_398_796_238.0);
        assert_eq!((t.secs(), t.subsec_nanos()), (1_398_796_238, 0));
        let t = DateTime::from_secs_f64(-1.5);
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        let t = DateTime::from_secs_f64(-0.001);
        assert_eq!((t.secs(), t.subsec_nanos()), (-1, 999_000_000));
        // Rounds up into the next second.
        let t = DateTime::from_secs_f64(0.999_999_9);
        assert_eq!((t.secs(), t.subsec_nanos()), (1, 0));
        let t = DateTime::from_secs_f64(-0.000_000_1);
        assert_eq!((t.secs(), t.subsec_nanos()), (0, 0));
    }

    #[test]
    fn from_secs_f64_clamps_non_finite() {
        assert_eq!(DateTime::from_secs_f64(f64::NAN), DateTime::UNIX_EPOCH);
        assert_eq!(DateTime::from_secs_f64(f64::INFINITY), dt(i64::MAX, 999_999_999));
        assert_eq!(DateTime::from_secs_f64(1e300), dt(i64::MAX, 999_999_999));
        assert_eq!(DateTime::from_secs_f64(f64::NEG_INFINITY), dt(i64::MIN, 0));
        assert_eq!(DateTime::from_secs_f64(-1e300), dt(i64::MIN, 0));
        assert_eq!(DateTime::from_secs_f64(-9_223_372_036_854_775_808.0), dt(i64::MIN, 0));
    }

    #[test]
    fn system_time_round_trip() {
        let cases = [dt(0, 0), dt(1_398_796_238, 123_456_789), dt(-1, 0), dt(-2, 500_000_000), dt(-1_000_000_000, 1)];
        for case in cases {
            let st = match SystemTime::try_from(case) {
                Ok(st) => st,
                Err(err) => panic!("{case:?}: {err}"),
            };
            assert_eq!(DateTime::from(st), case);
        }
        let before = UNIX_EPOCH - Duration::new(1, 250_000_000);
        assert_eq!(DateTime::from(before), dt(-2, 750_000_000));
        let after = UNIX_EPOCH + Duration::new(5, 7);
        assert_eq!(DateTime::from(after), dt(5, 7));
    }

    #[test]
    fn system_time_out_of_range_is_an_error() {
        let max = dt(i64::MAX, 999_999_999);
        // Whether this is representable depends on the platform, but it must not panic.
        let _ = max.to_system_time();
        let _ = dt(i64::MIN, 0).to_system_time();
        let _ = dt(i64::MIN, 1).to_system_time();
        if let Err(err) = max.to_system_time() {
            assert!(err.to_string().contains("out of range"));
        }
    }

    #[test]
    fn now_is_after_2020() {
        assert!(DateTime::now().secs() > 1_577_836_800);
    }

    #[test]
    fn parse_rfc3339_examples() {
        assert_eq!(parse("2014-04-29T18:30:38Z", ISO), dt(1_398_796_238, 0));
        assert_eq!(parse("2015-01-25T08:00:00Z", ISO), dt(1_422_172_800, 0));
        assert_eq!(parse("2019-12-16T22:48:18-01:00", ISO), dt(1_576_540_098, 0));
        assert_eq!(parse("2019-12-17T00:48:18+01:00", ISO), dt(1_576_540_098, 0));
        assert_eq!(parse("2000-01-02T20:34:56.123Z", ISO), dt(946_845_296, 123_000_000));
        assert_eq!(parse("1970-01-01T00:00:00Z", ISO), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn parse_rfc3339_leniency() {
        let expected = dt(1_398_796_238, 0);
        assert_eq!(parse("2014-04-29t18:30:38z", ISO), expected);
        assert_eq!(parse("  2014-04-29T18:30:38Z\n", ISO), expected);
        assert_eq!(parse("2014-04-29T18:30:38+00:00", ISO), expected);
        assert_eq!(parse("2014-04-29T18:30:38-00:00", ISO), expected);
        assert_eq!(parse("2014-04-29T19:30:38+0100", ISO), expected);
        // No offset: UTC.
        assert_eq!(parse("2014-04-29T18:30:38", ISO), expected);
        assert_eq!(parse("2014-04-29T18:30:38.000Z", ISO), expected);
    }

    #[test]
    fn parse_rfc3339_fractions() {
        let base = 946_845_296;
        assert_eq!(parse("2000-01-02T20:34:56.1Z", ISO), dt(base, 100_000_000));
        assert_eq!(parse("2000-01-02T20:34:56.12Z", ISO), dt(base, 120_000_000));
        assert_eq!(parse("2000-01-02T20:34:56.000001Z", ISO), dt(base, 1_000));
        assert_eq!(parse("2000-01-02T20:34:56.123456789Z", ISO), dt(base, 123_456_789));
        // Beyond nanoseconds: truncated, not rounded.
        assert_eq!(parse("2000-01-02T20:34:56.1234567899999Z", ISO), dt(base, 123_456_789));
        assert_eq!(parse("2000-01-02T20:34:56.999999999999999999999999999Z", ISO), dt(base, 999_999_999));
        assert_eq!(parse("2000-01-02T20:34:56.5+05:30", ISO), dt(base - 5 * 3600 - 1800, 500_000_000));
    }

    #[test]
    fn parse_rfc3339_offsets_cross_boundaries() {
        // Crossing midnight backwards and forwards.
        assert_eq!(parse("2019-12-17T00:30:00+01:00", ISO), parse("2019-12-16T23:30:00Z", ISO));
        assert_eq!(parse("2019-12-16T23:30:00-01:00", ISO), parse("2019-12-17T00:30:00Z", ISO));
        // Crossing a year boundary.
        assert_eq!(parse("2020-01-01T00:30:00+02:00", ISO), parse("2019-12-31T22:30:00Z", ISO));
        assert_eq!(parse("2019-12-31T23:00:00-05:00", ISO), parse("2020-01-01T04:00:00Z", ISO));
        assert_eq!(parse("2020-01-01T04:00:00Z", ISO), dt(1_577_851_200, 0));
        // Into a leap day.
        assert_eq!(parse("2020-03-01T00:00:00+00:01", ISO), parse("2020-02-29T23:59:00Z", ISO));
        // Before the epoch.
        assert_eq!(parse("1970-01-01T00:00:00+00:01", ISO), dt(-60, 0));
    }

    #[test]
    fn parse_leap_years() {
        assert_eq!(parse("2000-02-29T00:00:00Z", ISO), dt(951_782_400, 0));
        assert_eq!(parse("2024-02-29T12:00:00Z", ISO), dt(1_709_208_000, 0));
        assert_err("1900-02-29T00:00:00Z", ISO);
        assert_err("2023-02-29T00:00:00Z", ISO);
        assert_err("2100-02-29T00:00:00Z", ISO);
        assert_err("2000-02-30T00:00:00Z", ISO);
        assert_eq!(parse("Tue, 29 Feb 2000 00:00:00 GMT", HTTP), dt(951_782_400, 0));
        assert_err("Thu, 29 Feb 1900 00:00:00 GMT", HTTP);
    }

    #[test]
    fn parse_leap_second_carries() {
        assert_eq!(parse("2016-12-31T23:59:60Z", ISO), parse("2017-01-01T00:00:00Z", ISO));
        assert_eq!(parse("2016-12-31T23:59:60.5Z", ISO), parse("2017-01-01T00:00:00.5Z", ISO));
        assert_err("2016-12-31T23:59:61Z", ISO);
    }

    #[test]
    fn parse_rfc3339_range_errors() {
        for input in [
            "2014-00-29T18:30:38Z",
            "2014-13-29T18:30:38Z",
            "2014-04-00T18:30:38Z",
            "2014-04-31T18:30:38Z",
            "2014-01-32T18:30:38Z",
            "2014-04-29T24:00:00Z",
            "2014-04-29T18:60:38Z",
            "2014-04-29T18:30:38+24:00",
            "2014-04-29T18:30:38+01:60",
        ] {
            assert_err(input, ISO);
        }
    }

    #[test]
    fn parse_rfc3339_garbage() {
        for input in [
            "",
            "   ",
            "2014-04-29T",
            "2014-04-29",
            "2014-04-29T18",
            "2014-04-29T18:30",
            "2014-04-29T18:30:",
            "2014-04-29T18:30:3",
            "2014-04-29T18:30:38.",
            "2014-04-29T18:30:38.Z",
            "2014-04-29T18:30:38+",
            "2014-04-29T18:30:38+01",
            "2014-04-29T18:30:38+01:",
            "2014-04-29T18:30:38+01:0",
            "2014-04-29T18:30:38ZZ",
            "2014-04-29T18:30:38Z junk",
            "2014-04-29X18:30:38Z",
            "14-04-29T18:30:38Z",
            "2014-4-29T18:30:38Z",
            "+2014-04-29T18:30:38Z",
            "2014-04-29T18:30:38Ž",
            "2014-04-29T18:30:3Ž",
            "Ž014-04-29T18:30:38Z",
            "2014-04-29T18:30:38.12Ž",
            "2014-04-29T18:30:38+01:0Ž",
            "２０１４-04-29T18:30:38Z",
            "99999999999999999999999",
            "1398796238",
            "Tue, 29 Apr 2014 18:30:38 GMT",
            "\u{0}",
        ] {
            assert_err(input, ISO);
        }
    }

    #[test]
    fn parse_http_date_examples() {
        let expected = dt(1_398_796_238, 0);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38 GMT", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38 UTC", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38 +0000", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38 -0000", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 20:30:38 +0200", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 17:30:38 -01:00", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38 UT", HTTP), expected);
        assert_eq!(parse("29 Apr 2014 18:30:38 GMT", HTTP), expected);
        assert_eq!(parse("tue, 29 apr 2014 18:30:38 gmt", HTTP), expected);
        assert_eq!(parse("  Tue,  29  Apr 2014 18:30:38 GMT  ", HTTP), expected);
        assert_eq!(parse("Tue, 29 Apr 2014 18:30:38.123 GMT", HTTP), dt(1_398_796_238, 123_000_000));
        assert_eq!(parse("Sun, 25 Jan 2015 08:00:00 GMT", HTTP), dt(1_422_172_800, 0));
        // Single-digit day.
        assert_eq!(parse("Thu, 1 May 2014 00:00:00 GMT", HTTP), dt(1_398_902_400, 0));
        assert_eq!(parse("Thu, 01 May 2014 00:00:00 GMT", HTTP), dt(1_398_902_400, 0));
        // Weekday is not cross-checked.
        assert_eq!(parse("Mon, 29 Apr 2014 18:30:38 GMT", HTTP), expected);
        // Crossing a year boundary with an offset.
        assert_eq!(parse("Wed, 01 Jan 2020 00:30:00 +0100", HTTP), parse("2019-12-31T23:30:00Z", ISO));
    }

    #[test]
    fn parse_http_date_garbage() {
        for input in [
            "",
            "Tue",
            "Tue,",
            "Tue, 29 Apr",
            "Tue, 29 Apr 2014",
            "Tue, 29 Apr 2014 18:30",
            "Tue, 29 Apr 2014 18:30:38",
            "Tue, 29 Apr 2014 18:30:38 ",
            "Tue, 29 Apr 2014 18:30:38 EST",
            "Tue, 29 Apr 2014 18:30:38 GMTX",
            "Tue, 29 Apr 2014 18:30:38 GMT junk",
            "Tue, 29 Apr 2014 18:30:38.GMT",
            "Tue, 29 Apr 2014 18:30:38 +01",
            "Tue, 29 Apr 14 18:30:38 GMT",
            "Tue, 29 Foo 2014 18:30:38 GMT",
            "Tue, 31 Apr 2014 18:30:38 GMT",
            "Tue, 0 Apr 2014 18:30:38 GMT",
            "Tue, 123 Apr 2014 18:30:38 GMT",
            "Tue, 29 Apr 2014 25:30:38 GMT",
            "Tuesday, 29 Apr 2014 18:30:38 GMT",
            "Tue 29 Apr 2014 18:30:38 GMT",
            "Tue,29 Apr 2014 18:30:38 GMT",
            "Tue, 29 Apr 2014 18:30:38 GMŽ",
            "Tue, 29 Ap€ 2014 18:30:38 GMT",
            "Ž",
            "2014-04-29T18:30:38Z",
            "99999999999999999999999",
        ] {
            assert_err(input, HTTP);
        }
    }

    #[test]
    fn parse_epoch_seconds_examples() {
        assert_eq!(parse("1398796238", EPOCH), dt(1_398_796_238, 0));
        assert_eq!(parse("1398796238.123", EPOCH), dt(1_398_796_238, 123_000_000));
        assert_eq!(parse("946845296.123", EPOCH), dt(946_845_296, 123_000_000));
        assert_eq!(parse("0.1", EPOCH), dt(0, 100_000_000));
        assert_eq!(parse("0", EPOCH), DateTime::UNIX_EPOCH);
        assert_eq!(parse("-0", EPOCH), DateTime::UNIX_EPOCH);
        assert_eq!(parse("+5", EPOCH), dt(5, 0));
        assert_eq!(parse(" 42 ", EPOCH), dt(42, 0));
        assert_eq!(parse("1.000000001", EPOCH), dt(1, 1));
        assert_eq!(parse("1.0000000019", EPOCH), dt(1, 1));
        assert_eq!(parse("9223372036854775807", EPOCH), dt(i64::MAX, 0));
        assert_eq!(parse("-9223372036854775808", EPOCH), dt(i64::MIN, 0));
    }

    #[test]
    fn parse_negative_epoch() {
        assert_eq!(parse("-1", EPOCH), dt(-1, 0));
        assert_eq!(parse("-1.5", EPOCH), dt(-2, 500_000_000));
        assert_eq!(parse("-0.25", EPOCH), dt(-1, 750_000_000));
        assert_eq!(parse("-86400", EPOCH), parse("1969-12-31T00:00:00Z", ISO));
        assert_eq!(parse("-0.001", EPOCH), parse("1969-12-31T23:59:59.999Z", ISO));
    }

    #[test]
    fn parse_epoch_scientific_notation() {
        assert_eq!(parse("1.398796238E9", EPOCH), dt(1_398_796_238, 0));
        assert_eq!(parse("1.398796238123e9", EPOCH), dt(1_398_796_238, 123_000_000));
        assert_eq!(parse("-1.5e0", EPOCH), dt(-2, 500_000_000));
        assert_err("1e19", EPOCH);
        assert_err("1e999", EPOCH);
        assert_err("-1e999", EPOCH);
        assert_err("e", EPOCH);
        assert_err("1e", EPOCH);
        assert_err("infe", EPOCH);
        assert_err("NaNe", EPOCH);
    }

    #[test]
    fn parse_epoch_garbage() {
        for input in [
            "",
            "-",
            "+",
            ".",
            ".5",
            "1.",
            "1.5.5",
            "--1",
            "1-",
            "1 2",
            "0x10",
            "inf",
            "NaN",
            "99999999999999999999999",
            "9223372036854775808",
            "-9223372036854775809",
            "-9223372036854775808.5",
            "18446744073709551616",
            "1398796238Ž",
            "Ž",
            "1398796238.1Ž",
            "2014-04-29T18:30:38Z",
        ] {
            assert_err(input, EPOCH);
        }
    }

    #[test]
    fn parse_error_details() {
        let err = match DateTime::parse(" 2014-04-29T ", ISO) {
            Err(err) => err,
            Ok(dt) => panic!("unexpected {dt:?}"),
        };
        assert_eq!(err.input(), "2014-04-29T");
        assert_eq!(err.format(), ISO);
        assert_eq!(err.reason(), "expected two-digit hour");
        assert_eq!(err.to_string(), "invalid iso8601 timestamp \"2014-04-29T\": expected two-digit hour");
        let long = "Ž".repeat(100);
        let err = match DateTime::parse(&long, HTTP) {
            Err(err) => err,
            Ok(dt) => panic!("unexpected {dt:?}"),
        };
        assert_eq!(err.input().chars().count(), 65);
        assert!(err.input().ends_with('…'));
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().starts_with("invalid rfc822 timestamp"));
    }

    #[test]
    fn format_rfc3339() {
        assert_eq!(dt(1_422_172_800, 0).fmt(ISO), "2015-01-25T08:00:00Z");
        assert_eq!(dt(1_398_796_238, 0).fmt(ISO), "2014-04-29T18:30:38Z");
        assert_eq!(dt(946_845_296, 123_000_000).fmt(ISO), "2000-01-02T20:34:56.123Z");
        assert_eq!(dt(0, 500_000_000).fmt(ISO), "1970-01-01T00:00:00.5Z");
        assert_eq!(dt(0, 123_456_789).fmt(ISO), "1970-01-01T00:00:00.123456789Z");
        assert_eq!(dt(0, 1).fmt(ISO), "1970-01-01T00:00:00.000000001Z");
        assert_eq!(dt(-1, 0).fmt(ISO), "1969-12-31T23:59:59Z");
        assert_eq!(dt(-2, 500_000_000).fmt(ISO), "1969-12-31T23:59:58.5Z");
        assert_eq!(dt(951_782_400, 0).fmt(ISO), "2000-02-29T00:00:00Z");
        assert_eq!(dt(1_422_172_800, 0).to_string(), "2015-01-25T08:00:00Z");
    }

    #[test]
    fn format_http_date() {
        assert_eq!(dt(1_422_172_800, 0).fmt(HTTP), "Sun, 25 Jan 2015 08:00:00 GMT");
        assert_eq!(dt(1_398_796_238, 0).fmt(HTTP), "Tue, 29 Apr 2014 18:30:38 GMT");
        assert_eq!(dt(1_398_796_238, 123_000_000).fmt(HTTP), "Tue, 29 Apr 2014 18:30:38.123 GMT");
        assert_eq!(dt(0, 0).fmt(HTTP), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(dt(-1, 0).fmt(HTTP), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(dt(951_782_400, 0).fmt(HTTP), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn format_epoch_seconds() {
        assert_eq!(dt(1_422_172_800, 0).fmt(EPOCH), "1422172800");
        assert_eq!(dt(1_422_172_800, 123_000_000).fmt(EPOCH), "1422172800.123");
        assert_eq!(dt(0, 500_000_000).fmt(EPOCH), "0.5");
        assert_eq!(dt(0, 1).fmt(EPOCH), "0.000000001");
        assert_eq!(dt(-1, 0).fmt(EPOCH), "-1");
        assert_eq!(dt(-2, 500_000_000).fmt(EPOCH), "-1.5");
        assert_eq!(dt(-1, 500_000_000).fmt(EPOCH), "-0.5");
        assert_eq!(dt(-1, 999_999_999).fmt(EPOCH), "-0.000000001");
        assert_eq!(dt(i64::MIN, 0).fmt(EPOCH), "-9223372036854775808");
        assert_eq!(dt(i64::MIN, 1).fmt(EPOCH), "-9223372036854775807.999999999");
        assert_eq!(dt(i64::MAX, 999_999_999).fmt(EPOCH), "9223372036854775807.999999999");
    }

    #[test]
    fn format_extreme_years_does_not_panic() {
        assert_eq!(dt(253_402_300_799, 0).fmt(ISO), "9999-12-31T23:59:59Z");
        assert_eq!(dt(253_402_300_800, 0).fmt(ISO), "+10000-01-01T00:00:00Z");
        assert_eq!(dt(-62_135_596_800, 0).fmt(ISO), "0001-01-01T00:00:00Z");
        assert_eq!(dt(-62_167_219_200, 0).fmt(ISO), "0000-01-01T00:00:00Z");
        assert_eq!(dt(-62_167_219_201, 0).fmt(ISO), "-0001-12-31T23:59:59Z");
        assert_eq!(dt(i64::MAX, 999_999_999).fmt(ISO), "+292277026596-12-04T15:30:07.999999999Z");
        assert_eq!(dt(i64::MIN, 0).fmt(ISO), "-292277022657-01-27T08:29:52Z");
        for format in [ISO, HTTP, EPOCH] {
            for t in [dt(i64::MAX, 999_999_999), dt(i64::MIN, 0), dt(i64::MIN, 1)] {
                assert!(!t.fmt(format).is_empty());
            }
        }
        assert_eq!(dt(-62_135_596_800, 0).fmt(HTTP), "Mon, 01 Jan 0001 00:00:00 GMT");
    }

    #[test]
    fn round_trips_all_formats() {
        let cases = [
            dt(0, 0),
            dt(1_398_796_238, 0),
            dt(1_422_172_800, 123_000_000),
            dt(946_845_296, 123_456_789),
            dt(951_782_400, 1),
            dt(-1, 0),
            dt(-2, 500_000_000),
            dt(-62_135_596_800, 0),           // 0001-01-01
            dt(-62_167_219_200, 0),           // 0000-01-01
            dt(253_402_300_799, 999_999_999), // 9999-12-31T23:59:59.999999999
        ];
        for case in cases {
            for format in [ISO, HTTP, EPOCH] {
                let text = case.fmt(format);
                assert_eq!(parse(&text, format), case, "{format:?} {text}");
            }
        }
    }

    #[test]
    fn calendar_algorithms_agree() {
        // Every day from 0000-01-01 to 9999-12-31 round-trips, and consecutive days are one apart.
        let first = days_from_civil(0, 1, 1);
        let last = days_from_civil(9999, 12, 31);
        assert_eq!(first, -719_528);
        assert_eq!(last, 2_932_896);
        let mut expected = (0i64, 1u32, 1u32);
        for days in first..=last {
            let civil = civil_from_days(days);
            assert_eq!(civil, expected, "day {days}");
            assert_eq!(days_from_civil(civil.0, civil.1, civil.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn truncations_and_mutations_never_panic() {
        // Each seed is tried in every format, so formats also see each other's syntax.
        let seeds = [
            "2019-12-16T22:48:18.123456789-01:00",
            "Tue, 29 Apr 2014 18:30:38.123 +0100",
            "-1398796238.123456789",
            "1.398796238E9",
        ];
        let replacements = ['0', '9', 'Z', '-', '+', ':', '.', ' ', 'e', 'Ž', '€', '😀', '\0'];
        for seed in seeds {
            let chars: Vec<char> = seed.chars().collect();
            let mut inputs = Vec::new();
            for end in 0..=chars.len() {
                inputs.push(chars.iter().take(end).collect::<String>());
            }
            for i in 0..chars.len() {
                for r in replacements {
                    let mut mutated = chars.clone();
                    if let Some(c) = mutated.get_mut(i) {
                        *c = r;
                    }
                    inputs.push(mutated.iter().collect());
                    let mut inserted = chars.clone();
                    inserted.insert(i, r);
                    inputs.push(inserted.iter().collect());
                }
            }
            for input in &inputs {
                for f in [ISO, HTTP, EPOCH] {
                    if let Ok(t) = DateTime::parse(input, f) {
                        // Whatever parses must format and re-parse to the same instant
                        // (years stay within 0000-9999 for ISO and HTTP inputs).
                        assert_eq!(parse(&t.fmt(f), f), t, "{input:?} as {f:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn weekday_matches_known_dates() {
        // 2000-01-01 was a Saturday, 2014-04-29 a Tuesday, 1969-12-28 a Sunday.
        assert!(dt(946_684_800, 0).fmt(HTTP).starts_with("Sat, "));
        assert!(dt(1_398_796_238, 0).fmt(HTTP).starts_with("Tue, "));
        assert!(dt(-4 * 86_400, 0).fmt(HTTP).starts_with("Sun, "));
    }
}
