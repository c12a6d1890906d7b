//! What EC2 checks on a rule, checked before any call, and what it normalizes, normalized the
//! same way (so that a plan compares what DescribeSecurityGroups will answer).
//!
//! From the EC2 API Reference (`IpPermission`, `IpRange`, `Ipv6Range`, `PrefixListId`,
//! `UserIdGroupPair`):
//! - TCP and UDP need a port range, 0–65535, from ≤ to. ICMP and ICMPv6 carry a type and a code,
//!   each −1 (any) to 255; "If you specify all ICMP/ICMPv6 types, you must specify all codes". For
//!   `-1` and other protocol numbers the ports are ignored ("allows traffic on all ports,
//!   regardless of any port range you specify").
//! - "Amazon canonicalizes IPv4 and IPv6 CIDRs. For example, if you specify 100.68.0.18/18 for
//!   the CIDR block, Amazon canonicalizes the CIDR block to 100.68.0.0/18", and describe calls
//!   answer with that form: host bits are cleared here too, not refused. IPv6 addresses are
//!   answered in their compressed lower-case form (RFC 5952), which `Ipv6Addr`'s `Display` writes.
//! - A description is "up to 255 characters in length. Allowed characters are a-z, A-Z, 0-9,
//!   spaces, and ._-:/()#,@[]+=&;{}!$*".

use super::SyncError;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The characters EC2 allows in a rule's description besides ASCII letters and digits.
const DESCRIPTION_PUNCTUATION: &str = " ._-:/()#,@[]+=&;{}!$*";

/// The longest description EC2 takes.
pub const MAX_DESCRIPTION_LEN: usize = 255;

/// What is wrong with a description, if anything.
pub(crate) fn description_problem(description: &str) -> Option<String> {
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        return Some(format!(
            "its description is {} characters long; EC2 takes at most {MAX_DESCRIPTION_LEN}",
            description.chars().count()
        ));
    }
    let bad = description.chars().find(|&c| !(c.is_ascii_alphanumeric() || DESCRIPTION_PUNCTUATION.contains(c)))?;
    Some(format!(
        "its description {description:?} has {bad:?}, which EC2 refuses (allowed: letters, digits, spaces and \
         ._-:/()#,@[]+=&;{{}}!$*)"
    ))
}

fn split_prefix(cidr: &str) -> Result<(&str, u8), String> {
    let (address, prefix) =
        cidr.split_once('/').ok_or_else(|| format!("`{cidr}` has no prefix length (write /32 for one address)"))?;
    // `u8::from_str` takes a leading `+`, which EC2 does not.
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return Err(format!("`{cidr}` has no prefix length that is a number"));
    }
    let length = prefix.parse::<u8>().map_err(|_| format!("the prefix length of `{cidr}` is too long"))?;
    Ok((address, length))
}

/// An IPv4 CIDR in EC2's canonical form (host bits cleared).
pub(crate) fn canonical_ipv4(cidr: &str) -> Result<String, String> {
    let (address, length) = split_prefix(cidr)?;
    let address: Ipv4Addr = address.parse().map_err(|_| {
        if address.parse::<Ipv6Addr>().is_ok() {
            format!("`{cidr}` is an IPv6 CIDR: give it as an IPv6 range")
        } else {
            format!("`{cidr}` is not an IPv4 CIDR")
        }
    })?;
    if length > 32 {
        return Err(format!("`{cidr}` has a prefix length of {length}; IPv4 allows 0 to 32"));
    }
    let mask = u32::MAX.checked_shl(32 - u32::from(length)).unwrap_or(0);
    Ok(format!("{}/{length}", Ipv4Addr::from(u32::from(address) & mask)))
}

/// An IPv6 CIDR in EC2's canonical form (host bits cleared, compressed, lower case).
pub(crate) fn canonical_ipv6(cidr: &str) -> Result<String, String> {
    let (address, length) = split_prefix(cidr)?;
    let address: Ipv6Addr = address.parse().map_err(|_| {
        if address.parse::<Ipv4Addr>().is_ok() {
            format!("`{cidr}` is an IPv4 CIDR: give it as an IPv4 range")
        } else {
            format!("`{cidr}` is not an IPv6 CIDR")
        }
    })?;
    if length > 128 {
        return Err(format!("`{cidr}` has a prefix length of {length}; IPv6 allows 0 to 128"));
    }
    let mask = u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0);
    Ok(format!("{}/{length}", Ipv6Addr::from(u128::from(address) & mask)))
}

/// Whether `id` is `prefix` followed by 8 or 17 lower-case hex digits, as EC2's ids are.
pub(crate) fn is_resource_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `id` is an AWS account id (12 digits).
pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The port range EC2 keeps for a TCP or UDP rule, or why it refuses it.
pub(crate) fn port_range(from: Option<i32>, to: Option<i32>) -> Result<(i32, i32), String> {
    let (Some(from), Some(to)) = (from, to) else {
        return Err("TCP and UDP rules need both ports (from_port and to_port)".into());
    };
    for port in [from, to] {
        if !(0..=65535).contains(&port) {
            return Err(format!("port {port} is outside 0-65535"));
        }
    }
    if from > to {
        return Err(format!("the port range {from}-{to} ends before it starts"));
    }
    Ok((from, to))
}

/// The ICMP type and code EC2 keeps (missing means −1, any), or why it refuses them.
pub(crate) fn icmp_type_code(from: Option<i32>, to: Option<i32>) -> Result<(i32, i32), String> {
    let (icmp_type, code) = (from.unwrap_or(-1), to.unwrap_or(-1));
    for (what, value) in [("type", icmp_type), ("code", code)] {
        if !(-1..=255).contains(&value) {
            return Err(format!("ICMP {what} {value} is outside -1 (any) to 255"));
        }
    }
    if icmp_type == -1 && code != -1 {
        return Err(format!("ICMP type -1 (any) needs code -1 (any), not {code}"));
    }
    Ok((icmp_type, code))
}

/// A problem with rule `position` (1-based) of the desired rules, written as `text`.
pub(crate) fn rule_error(position: usize, text: &str, problem: impl std::fmt::Display) -> SyncError {
    SyncError::for_rule(position, text, problem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_are_canonicalized_or_refused() {
        assert_eq!(canonical_ipv4("100.68.0.18/18").unwrap(), "100.68.0.0/18");
        assert_eq!(canonical_ipv4("10.1.2.3/0").unwrap(), "0.0.0.0/0");
        assert_eq!(canonical_ipv4("10.1.2.3/32").unwrap(), "10.1.2.3/32");
        assert_eq!(canonical_ipv6("2001:DB8:0:0::1/32").unwrap(), "2001:db8::/32");
        assert_eq!(canonical_ipv6("::/0").unwrap(), "::/0");
        for bad in ["10.0.0.0/33", "10.0.0.0", "10.0.0/8", "010.0.0.0/8", "10.0.0.0/+8", "::/0", "10.0.0.0/"] {
            assert!(canonical_ipv4(bad).is_err(), "{bad}");
        }
        for bad in ["::/129", "10.0.0.0/8", "2001:db8::g/32"] {
            assert!(canonical_ipv6(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions_as_ec2_takes_them() {
        assert_eq!(description_problem("web (prod) #1: a@b.c [x]+=&;{}!$*/_-,"), None);
        assert!(description_problem("naïve").is_some());
        assert!(description_problem("a\"b").is_some());
        assert!(description_problem(&"x".repeat(256)).is_some());
        assert_eq!(description_problem(&"x".repeat(255)), None);
    }

    #[test]
    fn ports_and_icmp() {
        assert_eq!(port_range(Some(0), Some(65535)), Ok((0, 65535)));
        assert!(port_range(Some(100), Some(90)).is_err());
        assert!(port_range(Some(-1), Some(22)).is_err());
        assert!(port_range(Some(22), None).is_err());
        assert_eq!(icmp_type_code(None, None), Ok((-1, -1)));
        assert_eq!(icmp_type_code(Some(8), Some(-1)), Ok((8, -1)));
        assert!(icmp_type_code(Some(-1), Some(0)).is_err());
        assert!(icmp_type_code(Some(256), Some(0)).is_err());
    }
}
