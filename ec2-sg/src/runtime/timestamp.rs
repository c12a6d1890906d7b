//! Timestamps on the wire, with aws-smithy-types' [`DateTime`] (the type every AWS SDK for Rust
//! uses) and its formats. The only glue: answers may give ISO 8601 times with a UTC offset
//! (`2014-04-29T18:30:38+01:00`), which its `DateTime` format refuses, and XML text may carry
//! whitespace around them.

pub use aws_smithy_types::date_time::{DateTimeFormatError, DateTimeParseError, Format as TimestampFormat};
pub use aws_smithy_types::DateTime;

/// Parses `text` (surrounding whitespace ignored) in `format`; ISO 8601 also with a `±hh:mm`
/// offset, as the protocols allow in answers.
pub fn parse_timestamp(text: &str, format: TimestampFormat) -> Result<DateTime, DateTimeParseError> {
    let format = match format {
        TimestampFormat::DateTime => TimestampFormat::DateTimeWithOffset,
        other => other,
    };
    DateTime::from_str(text.trim(), format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_applied() {
        let utc = parse_timestamp("2014-04-29T18:30:38Z", TimestampFormat::DateTime).unwrap();
        assert_eq!(utc.secs(), 1398796238);
        for (text, secs) in [
            ("2014-04-29T19:30:38+01:00", 1398796238),
            ("2014-04-29T17:00:38-01:30", 1398796238),
            ("2014-04-29T18:30:38+00:00", 1398796238),
        ] {
            assert_eq!(parse_timestamp(text, TimestampFormat::DateTime).unwrap().secs(), secs, "{text}");
        }
        let fraction = parse_timestamp(" 2014-04-29T18:30:38.123-00:00\n", TimestampFormat::DateTime).unwrap();
        assert_eq!((fraction.secs(), fraction.subsec_nanos()), (1398796238, 123_000_000));
    }

    #[test]
    fn other_formats_and_bad_input() {
        let http = parse_timestamp("Tue, 29 Apr 2014 18:30:38 GMT", TimestampFormat::HttpDate).unwrap();
        assert_eq!(http.secs(), 1398796238);
        let epoch = parse_timestamp("1398796238.5", TimestampFormat::EpochSeconds).unwrap();
        assert_eq!((epoch.secs(), epoch.subsec_nanos()), (1398796238, 500_000_000));
        for bad in
            ["", "2014-04-29T18:30:38+1:00", "2014-04-29T18:30:38+24:00", "2014-04-29+01:00", "é-04-29T18:30:38+01:00"]
        {
            assert!(parse_timestamp(bad, TimestampFormat::DateTime).is_err(), "{bad}");
        }
    }
}
