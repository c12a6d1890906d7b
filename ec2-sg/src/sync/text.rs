//! The one-line form of an [`IpPermission`]: `tcp 443 10.0.0.0/8 "office" ::/0`, so that desired
//! rules can be written by hand and a printed plan can be reviewed and fed back.
//!
//! ```text
//! PROTOCOL [PORTS] (PEER ["DESCRIPTION"])*
//! PORTS = FROM | FROM-TO | FROM:TO          (ICMP is printed TYPE:CODE; `?` for a missing side)
//! PEER  = IPv4 CIDR | IPv6 CIDR | pl-… | [ACCOUNT/]sg-…[@pcx-…] | [ACCOUNT/]name:"GROUP NAME"[@pcx-…]
//! ```
//!
//! A description and a group name are quoted, with `\"` and `\\` inside. Members that only
//! DescribeSecurityGroups fills in (a group peer's VPC id and peering status) are not written.

use crate::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
use std::fmt::{self, Write as _};
use std::str::FromStr;

/// A line that is not an [`IpPermission`] in its one-line form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePermissionError {
    line: String,
    reason: String,
}

impl ParsePermissionError {
    fn new(line: &str, reason: impl Into<String>) -> Self {
        Self { line: line.to_string(), reason: reason.into() }
    }

    /// What is wrong with the line.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ParsePermissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}` as a permission: {}", self.line, self.reason)
    }
}

impl std::error::Error for ParsePermissionError {}

/// Whether a protocol's ports carry an ICMP type and code (printed `TYPE:CODE`).
fn is_icmp(protocol: &str) -> bool {
    matches!(protocol.to_ascii_lowercase().as_str(), "icmp" | "1" | "icmpv6" | "58")
}

fn write_quoted(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

fn write_port(out: &mut impl fmt::Write, port: Option<i32>) -> fmt::Result {
    match port {
        Some(port) => write!(out, "{port}"),
        None => out.write_char('?'),
    }
}

impl fmt::Display for IpPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocol = self.ip_protocol.as_deref().unwrap_or("?");
        f.write_str(protocol)?;
        match (self.from_port, self.to_port) {
            (None, None) => {}
            (Some(from), Some(to)) if from == to && !is_icmp(protocol) => write!(f, " {from}")?,
            (from, to) => {
                f.write_char(' ')?;
                write_port(f, from)?;
                f.write_char(if is_icmp(protocol) { ':' } else { '-' })?;
                write_port(f, to)?;
            }
        }
        let mut peer = |text: &dyn fmt::Display, description: Option<&str>| -> fmt::Result {
            write!(f, " {text}")?;
            match description {
                Some(description) => {
                    f.write_char(' ')?;
                    write_quoted(f, description)
                }
                None => Ok(()),
            }
        };
        for range in self.ip_ranges() {
            peer(&range.cidr_ip.as_deref().unwrap_or("?"), range.description.as_deref())?;
        }
        for range in self.ipv6_ranges() {
            peer(&range.cidr_ipv6.as_deref().unwrap_or("?"), range.description.as_deref())?;
        }
        for list in self.prefix_list_ids() {
            peer(&list.prefix_list_id.as_deref().unwrap_or("?"), list.description.as_deref())?;
        }
        for pair in self.user_id_group_pairs() {
            peer(&GroupToken(pair), pair.description.as_deref())?;
        }
        Ok(())
    }
}

/// A group peer as one token: `[ACCOUNT/]sg-…[@pcx-…]` or `[ACCOUNT/]name:"…"[@pcx-…]`.
pub(super) struct GroupToken<'a>(pub(super) &'a UserIdGroupPair);

impl fmt::Display for GroupToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pair = self.0;
        if let Some(user) = &pair.user_id {
            write!(f, "{user}/")?;
        }
        match (&pair.group_id, &pair.group_name) {
            (Some(id), _) => f.write_str(id)?,
            (None, Some(name)) => {
                f.write_str("name:")?;
                write_quoted(f, name)?;
            }
            (None, None) => f.write_str("sg-?")?,
        }
        if let Some(peering) = &pair.vpc_peering_connection_id {
            write!(f, "@{peering}")?;
        }
        Ok(())
    }
}

/// Splits a line at spaces outside quotes; quotes stay in the tokens.
fn tokens(line: &str) -> Result<Vec<&str>, ParsePermissionError> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(&line[s..i]);
            }
            continue;
        }
        start.get_or_insert(i);
        if c == '"' {
            quoted = true;
        }
    }
    if quoted {
        return Err(ParsePermissionError::new(line, "a quote is not closed"));
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    Ok(out)
}

/// The text of a whole quoted token, `"…"` with `\"` and `\\` inside.
fn unquote(line: &str, token: &str) -> Result<String, ParsePermissionError> {
    let inner = token
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|_| token.len() >= 2)
        .ok_or_else(|| ParsePermissionError::new(line, format!("`{token}` is not one quoted text")))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ ('"' | '\\')) => out.push(next),
                _ => {
                    return Err(ParsePermissionError::new(
                        line,
                        format!("`{token}` has a `\\` before neither `\"` nor `\\`"),
                    ))
                }
            },
            '"' => return Err(ParsePermissionError::new(line, format!("`{token}` has an unescaped quote inside"))),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn parse_port(text: &str) -> Option<Option<i32>> {
    match text {
        "?" => Some(None),
        _ => text.parse::<i32>().ok().map(Some),
    }
}

/// `FROM`, `FROM-TO` or `FROM:TO` (each side a number, possibly negative, or `?`).
fn parse_ports(token: &str) -> Option<(Option<i32>, Option<i32>)> {
    // The separator is the first `-` or `:` after the first character (which may be a sign).
    let separator = token.char_indices().skip(1).find(|&(_, c)| c == '-' || c == ':').map(|(i, _)| i);
    match separator {
        None => parse_port(token).map(|port| (port, port)),
        Some(i) => Some((parse_port(&token[..i])?, parse_port(&token[i + 1..])?)),
    }
}

/// A group peer token; `None` when the token is not one.
fn parse_group(line: &str, token: &str) -> Result<Option<UserIdGroupPair>, ParsePermissionError> {
    let (user_id, rest) = match token.split_once('/') {
        Some((account, rest))
            if !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && (rest.starts_with("sg-") || rest.starts_with("name:")) =>
        {
            (Some(account.to_string()), rest)
        }
        _ => (None, token),
    };
    let (group_id, group_name, rest) = if let Some(quoted) = rest.strip_prefix("name:") {
        // The quoted name runs to its closing quote; what follows may be `@pcx-…`.
        let end = closing_quote(quoted)
            .ok_or_else(|| ParsePermissionError::new(line, format!("the group name in `{token}` is not quoted")))?;
        (None, Some(unquote(line, &quoted[..=end])?), &quoted[end + 1..])
    } else if rest.starts_with("sg-") {
        let end = rest.find('@').unwrap_or(rest.len());
        (Some(rest[..end].to_string()), None, &rest[end..])
    } else {
        return Ok(None);
    };
    let vpc_peering_connection_id = match rest {
        "" => None,
        _ => Some(
            rest.strip_prefix('@')
                .filter(|peering| !peering.is_empty())
                .ok_or_else(|| {
                    ParsePermissionError::new(line, format!("`{token}`: expected `@pcx-…` after the group"))
                })?
                .to_string(),
        ),
    };
    Ok(Some(UserIdGroupPair { group_id, group_name, user_id, vpc_peering_connection_id, ..Default::default() }))
}

/// The index of the quote that closes the quoted text `text` starts with.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '"') => return Some(i),
            _ => {}
        }
    }
    None
}

impl FromStr for IpPermission {
    type Err = ParsePermissionError;

    /// Reads the one-line form [`Display`](fmt::Display) writes. It checks the form only; what EC2
    /// would refuse (a port out of range, a bad CIDR) is refused by [`crate::sync::validate`].
    fn from_str(line: &str) -> Result<Self, Self::Err> {
        let tokens = tokens(line)?;
        let mut tokens = tokens.into_iter().peekable();
        let protocol = tokens.next().ok_or_else(|| ParsePermissionError::new(line, "the line is empty"))?;
        if protocol.starts_with('"') {
            return Err(ParsePermissionError::new(line, "a permission starts with its protocol, not a description"));
        }
        let mut permission =
            IpPermission { ip_protocol: (protocol != "?").then(|| protocol.to_string()), ..Default::default() };
        if let Some((from, to)) = tokens.peek().and_then(|token| parse_ports(token)) {
            permission.from_port = from;
            permission.to_port = to;
            tokens.next();
        }
        while let Some(token) = tokens.next() {
            if token.starts_with('"') {
                return Err(ParsePermissionError::new(line, format!("the description {token} follows no peer")));
            }
            let description = match tokens.peek() {
                Some(next) if next.starts_with('"') => {
                    let text = unquote(line, next)?;
                    tokens.next();
                    Some(text)
                }
                _ => None,
            };
            if token.starts_with("pl-") {
                permission
                    .prefix_list_ids
                    .get_or_insert_with(Vec::new)
                    .push(PrefixListId { prefix_list_id: Some(token.to_string()), description });
            } else if let Some(mut pair) = parse_group(line, token)? {
                pair.description = description;
                permission.user_id_group_pairs.get_or_insert_with(Vec::new).push(pair);
            } else if token.contains(':') {
                permission
                    .ipv6_ranges
                    .get_or_insert_with(Vec::new)
                    .push(Ipv6Range { cidr_ipv6: Some(token.to_string()), description });
            } else if token.contains('/') || token.contains('.') {
                permission
                    .ip_ranges
                    .get_or_insert_with(Vec::new)
                    .push(IpRange { cidr_ip: Some(token.to_string()), description });
            } else {
                return Err(ParsePermissionError::new(
                    line,
                    format!("`{token}` is no peer (a CIDR, `pl-…`, `sg-…` or `name:\"…\"`)"),
                ));
            }
        }
        Ok(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        for line in [
            "tcp 443 10.0.0.0/8 \"office\"",
            "tcp 1000-2000 10.0.0.0/8 ::/0 \"v6\" pl-0123abcd",
            "icmp 8:0 10.0.0.0/8",
            "icmpv6 -1:-1 2001:db8::/32",
            "-1 sg-0123abcd 111122223333/sg-0123abcd@pcx-0123abcd \"peer\"",
            "udp ?-53 name:\"web \\\"front\\\"\" \"a \\\\ b\"",
            "tcp 22",
        ] {
            let permission: IpPermission = line.parse().unwrap();
            assert_eq!(permission.to_string(), line);
        }
    }

    #[test]
    fn bad_lines_say_why() {
        for (line, reason) in [
            ("", "empty"),
            ("tcp 22 \"x\"", "follows no peer"),
            ("tcp 22 10.0.0.0/8 \"open", "not closed"),
            ("tcp 22 banana", "no peer"),
            ("tcp 22 sg-1@", "@pcx"),
        ] {
            let error = line.parse::<IpPermission>().unwrap_err();
            assert!(error.reason().contains(reason), "{line}: {error}");
        }
    }
}
