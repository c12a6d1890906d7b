//! The standard library of Smithy endpoint rules (v1.0), which the generated resolver
//! (`crate::generated::endpoints`) calls: `aws.partition` over a generated partition table,
//! `parseURL`, `isValidHostLabel`, `substring` and `uriEncode`, and the error a rule set reports.
//!
//! Regions and endpoint URLs come from users, so every function here takes any string and
//! answers (`None` / `false` for what it does not accept); nothing panics.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An endpoint rule set found no endpoint for the parameters, with the rule set's message
/// (e.g. "Invalid Configuration: Missing Region").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    message: String,
}

impl EndpointError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// The message, as the rule set words it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve the endpoint: {}", self.message)
    }
}

impl std::error::Error for EndpointError {}

// ---------------------------------------------------------------------------------------------
// aws.partition

/// One partition of `partitions.json` (aws, aws-cn, aws-us-gov, …), as the generated table holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, …
    pub id: &'static str,
    /// The partition's `regionRegex`, translated by the generator.
    pub region_regex: RegionRegex,
    /// The regions the partition names explicitly (including pseudo-regions like `aws-global`).
    pub regions: &'static [&'static str],
    /// What `aws.partition` returns for a region of this partition.
    pub outputs: PartitionOutputs,
}

/// The result of `aws.partition`: the attributes rules read with `getAttr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionOutputs {
    /// The partition's id (`aws`, `aws-cn`, …).
    pub name: &'static str,
    /// `amazonaws.com`, `amazonaws.com.cn`, …
    pub dns_suffix: &'static str,
    /// The DNS suffix of dual-stack (IPv4 and IPv6) endpoints: `api.aws`, …
    pub dual_stack_dns_suffix: &'static str,
    /// Whether the partition has FIPS endpoints.
    pub supports_fips: bool,
    /// Whether the partition has dual-stack endpoints.
    pub supports_dual_stack: bool,
    /// The region global services of the partition are signed for.
    pub implicit_global_region: &'static str,
}

/// A partition's `regionRegex` in the one form partitions use, `^(p1|p2|…)-\w+-\d+$`: one of the
/// `prefixes`, then `-`, one or more word characters (ASCII letters, digits, `_`), `-`, one or
/// more ASCII digits, and nothing after. The generator refuses any other form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionRegex {
    /// The literal alternatives the region starts with (`us`, `eu`, …; `us-iso`; `eusc-de`).
    pub prefixes: &'static [&'static str],
}

impl RegionRegex {
    /// Whether `region` matches the regex.
    pub fn matches(&self, region: &str) -> bool {
        self.prefixes.iter().any(|prefix| region.strip_prefix(prefix).is_some_and(matches_word_dash_digits))
    }
}

/// `-\w+-\d+` and the end of the string. `\w` cannot match `-`, so there is exactly one way to split.
fn matches_word_dash_digits(rest: &str) -> bool {
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let Some((word, digits)) = rest.split_once('-') else {
        return false;
    };
    !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `aws.partition(region)`: the partition that lists `region` explicitly, else the first whose
/// `regionRegex` matches it, else the `aws` partition (else the first of the table). `None`
/// only for an empty table.
pub fn partition<'a>(region: &str, table: &'a [Partition]) -> Option<&'a Partition> {
    table
        .iter()
        .find(|partition| partition.regions.contains(&region))
        .or_else(|| table.iter().find(|partition| partition.region_regex.matches(region)))
        .or_else(|| table.iter().find(|partition| partition.id == "aws"))
        .or_else(|| table.first())
}

// ---------------------------------------------------------------------------------------------
// parseURL

/// The result of `parseURL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host and optional port (and user info, if the URL has it), as written.
    pub authority: String,
    /// The path as written, possibly empty.
    pub path: String,
    /// The path beginning and ending with `/` (`/` for an empty path).
    pub normalized_path: String,
    /// Whether the host is an IPv4 address or a bracketed IPv6 address.
    pub is_ip: bool,
}

/// `parseURL(value)`: an `http` or `https` URL with a non-empty host, an optional numeric port
/// (at most 65535), a path and no query string; `None` for anything else. A `#fragment` is
/// dropped. Unlike botocore, the normalized path is not percent-encoded nor stripped of dot
/// segments: it is the path with a leading and a trailing `/`, as the Smithy specification says.
pub fn parse_url(value: &str) -> Option<Url> {
    let (scheme, rest) = value.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    if rest.contains('?') {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    let host = host_of(authority)?;
    if host.is_empty() || authority.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let is_ip = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.strip_suffix(']')?.parse::<Ipv6Addr>().is_ok(),
        None => host.parse::<Ipv4Addr>().is_ok(),
    };
    let mut normalized_path = String::with_capacity(path.len() + 2);
    if !path.starts_with('/') {
        normalized_path.push('/');
    }
    normalized_path.push_str(path);
    if !normalized_path.ends_with('/') {
        normalized_path.push('/');
    }
    Some(Url { scheme, authority: authority.to_string(), path: path.to_string(), normalized_path, is_ip })
}

/// The host of an authority (`user@host:port`), checking the port; `None` if the port is bad.
fn host_of(authority: &str) -> Option<&str> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host_port)| host_port);
    let (host, port) = if host_port.starts_with('[') {
        // [v6]:port — the port, if any, follows the closing bracket.
        let end = host_port.find(']')?;
        let (host, after) = host_port.split_at(end + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port {
        // An empty port (`host:`) is allowed, as in URLs generally; otherwise digits up to 65535.
        if !port.is_empty() && (!port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err()) {
            return None;
        }
    }
    Some(host)
}

// ---------------------------------------------------------------------------------------------
// isValidHostLabel, substring, uriEncode

/// `isValidHostLabel(value, allowSubDomains)`: 1 to 63 ASCII letters, digits and `-`, not
/// starting or ending with `-`; with `allow_subdomains`, every `.`-separated label must be one.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    fn label(value: &str) -> bool {
        (1..=63).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-')
    }
    if allow_subdomains {
        value.split('.').all(label)
    } else {
        label(value)
    }
}

/// `substring(value, start, stop, reverse)`: the characters `start..stop` of an ASCII string
/// (counted from the end if `reverse`); `None` if `start >= stop`, the string is shorter than
/// `stop` or it is not ASCII.
pub fn substring(value: &str, start: usize, stop: usize, reverse: bool) -> Option<String> {
    if start >= stop || value.len() < stop || !value.is_ascii() {
        return None;
    }
    let range = if reverse { value.len() - stop..value.len() - start } else { start..stop };
    value.get(range).map(str::to_string)
}

/// `uriEncode(value)`: percent-encoding of everything but the RFC 3986 unreserved characters
/// (A-Z a-z 0-9 `-` `.` `_` `~`), with upper-case hex digits.
pub fn uri_encode(value: &str) -> String {
    super::form::encode_component(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn outputs(name: &'static str, dns_suffix: &'static str) -> PartitionOutputs {
        PartitionOutputs {
            name,
            dns_suffix,
            dual_stack_dns_suffix: "api.example",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "x-east-1",
        }
    }

    const TABLE: &[Partition] = &[
        Partition {
            id: "aws",
            region_regex: RegionRegex { prefixes: &["us", "eu"] },
            regions: &["aws-global", "us-east-1"],
            outputs: outputs("aws", "amazonaws.com"),
        },
        Partition {
            id: "aws-cn",
            region_regex: RegionRegex { prefixes: &["cn"] },
            regions: &["aws-cn-global"],
            outputs: outputs("aws-cn", "amazonaws.com.cn"),
        },
        Partition {
            id: "aws-us-gov",
            region_regex: RegionRegex { prefixes: &["us-gov"] },
            // Listed explicitly although the `aws` regex would take it: the list wins.
            regions: &["us-gov-west-1", "eu-odd-1"],
            outputs: outputs("aws-us-gov", "amazonaws.com"),
        },
    ];

    fn id(region: &str) -> Option<&'static str> {
        partition(region, TABLE).map(|p| p.id)
    }

    #[test]
    fn partitions_by_list_then_regex_then_aws() {
        assert_eq!(id("us-east-1"), Some("aws"));
        assert_eq!(id("us-west-9"), Some("aws"));
        assert_eq!(id("aws-global"), Some("aws"));
        assert_eq!(id("cn-north-1"), Some("aws-cn"));
        assert_eq!(id("aws-cn-global"), Some("aws-cn"));
        assert_eq!(id("us-gov-west-1"), Some("aws-us-gov"));
        // `us-gov-east-9` does not match the aws regex: `\w+` cannot take `gov-east`.
        assert_eq!(id("us-gov-east-9"), Some("aws-us-gov"));
        assert_eq!(id("eu-odd-1"), Some("aws-us-gov"));
        for unknown in
            ["mars-1", "", "-", "us", "us-", "us-east", "us-east-", "us--1", "us-east-1a", "us-east-1 ", "🦀"]
        {
            assert_eq!(id(unknown), Some("aws"), "{unknown:?}");
        }
        assert_eq!(partition("us-east-1", &[]), None);
        let no_aws = &TABLE[1..];
        assert_eq!(partition("mars-1", no_aws).map(|p| p.id), Some("aws-cn"));
    }

    #[test]
    fn region_regex_is_anchored_and_ascii() {
        let regex = RegionRegex { prefixes: &["us", "us-iso"] };
        for yes in ["us-east-1", "us-iso-east-1", "us-a_b-0", "us-1-22"] {
            assert!(regex.matches(yes), "{yes}");
        }
        for no in ["xus-east-1", "us-east-1-", "us-east-x", "us-eäst-1", "us-east-١", "us-east-1\n", "usa-east-1"] {
            assert!(!regex.matches(no), "{no:?}");
        }
        assert!(!RegionRegex { prefixes: &[] }.matches("us-east-1"));
    }

    #[test]
    fn urls() {
        let url = parse_url("https://example.com/base/path").unwrap();
        assert_eq!(
            url,
            Url {
                scheme: "https".into(),
                authority: "example.com".into(),
                path: "/base/path".into(),
                normalized_path: "/base/path/".into(),
                is_ip: false,
            }
        );
        let url = parse_url("http://127.0.0.1:5000").unwrap();
        assert_eq!(
            (url.authority.as_str(), url.path.as_str(), url.normalized_path.as_str()),
            ("127.0.0.1:5000", "", "/")
        );
        assert!(url.is_ip);
        assert!(parse_url("http://[::1]:8080/x/").unwrap().is_ip);
        assert!(parse_url("https://[fe80::1]").unwrap().is_ip);
        assert!(!parse_url("https://1.2.3.4.example.com").unwrap().is_ip);
        assert_eq!(parse_url("HTTPS://host/#frag").unwrap().scheme, "https");
        assert_eq!(parse_url("https://host/a#b?c").unwrap().path, "/a");
        assert_eq!(parse_url("https://user@host:443/").unwrap().authority, "user@host:443");
    }

    #[test]
    fn bad_urls_are_none() {
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://host?x=1",
            "https://host/path?",
            "https://host:port",
            "https://host:99999",
            "https://host:-1",
            "https://[::1",
            "https://[::1]x",
            "https://ho st",
            "https://host\n",
            "://",
            "https://@",
            "https://:80",
        ] {
            assert_eq!(parse_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("a", false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        for bad in ["", "-a", "a-", "a.b", "a_b", "ä", "a b"] {
            assert!(!is_valid_host_label(bad, false), "{bad:?}");
        }
        assert!(is_valid_host_label("a.b-c.d", true));
        for bad in ["a..b", ".a", "a.", "a.-b", "a.b_c"] {
            assert!(!is_valid_host_label(bad, true), "{bad:?}");
        }
    }

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdef", 0, 4, false).as_deref(), Some("abcd"));
        assert_eq!(substring("abcdef", 0, 4, true).as_deref(), Some("cdef"));
        assert_eq!(substring("abcdef", 2, 6, true).as_deref(), Some("abcd"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("abc", 3, 1, true), None);
        assert_eq!(substring("äbcdef", 0, 2, false), None);
        assert_eq!(substring("abc", usize::MAX - 1, usize::MAX, true), None);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_encode("a b/c~d-e_f.g%ü"), "a%20b%2Fc~d-e_f.g%25%C3%BC");
        assert_eq!(uri_encode(""), "");
    }

    #[test]
    fn error_message_and_display() {
        let error = EndpointError::new("Invalid Configuration: Missing Region");
        assert_eq!(error.message(), "Invalid Configuration: Missing Region");
        assert_eq!(error.to_string(), "cannot resolve the endpoint: Invalid Configuration: Missing Region");
    }
}
