//! An in-process model of EC2's security group rule store, behind the blocking client's HTTP
//! seam: it reads the permissions the SDK really sends (the form body), applies them as EC2
//! does (one rule per protocol, port range and peer; CIDRs canonicalized; `6` is `tcp`; a rule
//! authorized twice or revoked while absent refuses the whole call), and answers describes
//! from the store. It knows nothing of `ec2_sg::sync`: the rule sync's tests compare its store
//! with the desired rules, read its own way.
//!
//! Faults make the sync plan again: the answer to a chosen call lost after the change was made,
//! or someone else making one of a call's own changes just before it.

use ec2_sg::runtime::body::Body;
use ec2_sg::runtime::http::{BlockingHttpClient, HttpResponse, TransportError};
use ec2_sg::runtime::HttpRequest;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The account that owns the fake's groups.
pub const OWNER: &str = "123456789012";
/// The group the sync works on.
pub const GROUP_ID: &str = "sg-0000000000000000a";
/// Its VPC.
pub const VPC_ID: &str = "vpc-0123abcd";

/// A rule as EC2 keys it: protocol (canonical name or number), ports where they apply, peer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelRule {
    pub protocol: String,
    pub ports: Option<(i32, i32)>,
    /// `cidr:…`, `cidr6:…`, `pl:…` or `sg:ID/ACCOUNT[/pcx-…]`.
    pub peer: String,
}

/// One direction's rules, each with its description (`None`: none or empty).
pub type Store = BTreeMap<ModelRule, Option<String>>;

/// What the fake does wrong on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The answer to the n-th mutating request (from 0) is lost after the change was made.
    LoseAnswer(usize),
    /// Just before the n-th mutating request, someone else makes its first change.
    Concurrent(usize),
}

#[derive(Debug)]
pub struct State {
    pub ingress: Store,
    pub egress: Store,
    /// Other groups of the VPC, by name, for peers given by name: (name, id).
    pub neighbours: Vec<(String, String)>,
    /// Every request's action, in order.
    pub actions: Vec<String>,
    pub fault: Fault,
    mutating_seen: usize,
}

/// The fake endpoint; clone it to keep a handle on its state.
#[derive(Debug, Clone)]
pub struct FakeEc2 {
    pub state: Arc<Mutex<State>>,
}

impl FakeEc2 {
    pub fn new(ingress: Store, egress: Store, fault: Fault) -> Self {
        let neighbours =
            vec![("web".into(), "sg-0000000000000000b".into()), ("db".into(), "sg-0000000000000000c".into())];
        let state = State { ingress, egress, neighbours, actions: Vec::new(), fault, mutating_seen: 0 };
        Self { state: Arc::new(Mutex::new(state)) }
    }

    /// A blocking client that sends to this fake, retrying a lost answer at once.
    pub fn client(&self) -> ec2_sg::blocking::Client {
        let config = ec2_sg::Config::builder()
            .env(crate::moto::isolated_env())
            .region("us-east-1")
            .credentials(ec2_sg::Credentials::from_keys("AKID", "SECRET", None))
            .retry_config(
                ec2_sg::RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_micros(1))
                    .with_max_backoff(Duration::from_micros(1)),
            )
            .blocking_http_client(self.clone())
            .build()
            .expect("the fake's configuration builds");
        ec2_sg::blocking::Client::from_conf(config).expect("the fake's client builds")
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The canonical protocol EC2 keeps, or `None` for one it refuses.
pub fn model_protocol(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    Some(match lower.as_str() {
        "tcp" | "6" => "tcp".into(),
        "udp" | "17" => "udp".into(),
        "icmp" | "1" => "icmp".into(),
        "icmpv6" | "58" => "icmpv6".into(),
        "-1" | "all" => "-1".into(),
        number => number.parse::<u8>().ok()?.to_string(),
    })
}

/// The ports EC2 keeps for a protocol, or `None` when it refuses them (`Some(None)`: none apply).
pub fn model_ports(protocol: &str, from: Option<i32>, to: Option<i32>) -> Option<Option<(i32, i32)>> {
    match protocol {
        "tcp" | "udp" => {
            let (from, to) = (from?, to?);
            ((0..=65535).contains(&from) && (0..=65535).contains(&to) && from <= to).then_some(Some((from, to)))
        }
        "icmp" | "icmpv6" => {
            let (kind, code) = (from.unwrap_or(-1), to.unwrap_or(-1));
            let ok = (-1..=255).contains(&kind) && (-1..=255).contains(&code) && (kind != -1 || code == -1);
            ok.then_some(Some((kind, code)))
        }
        _ => Some(None),
    }
}

/// A CIDR as EC2 stores it (host bits cleared, IPv6 compressed lower case), or `None`.
pub fn model_cidr(cidr: &str, v6: bool) -> Option<String> {
    let (address, length) = cidr.split_once('/')?;
    if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let length: u32 = length.parse().ok()?;
    if v6 {
        let address: Ipv6Addr = address.parse().ok()?;
        let bits = u128::from(address) & u128::MAX.checked_shl(128u32.checked_sub(length)?).unwrap_or(0);
        Some(format!("{}/{length}", Ipv6Addr::from(bits)))
    } else {
        let address: Ipv4Addr = address.parse().ok()?;
        let bits = u32::from(address) & u32::MAX.checked_shl(32u32.checked_sub(length)?).unwrap_or(0);
        Some(format!("{}/{length}", Ipv4Addr::from(bits)))
    }
}

fn hex_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

/// Whether EC2 takes a description.
pub fn model_description_ok(description: &str) -> bool {
    description.chars().count() <= 255
        && description.chars().all(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c))
}

/// A peer of a permission, as the SDK gives it: kind and fields.
#[derive(Debug, Clone, Default)]
pub struct ModelPeer {
    pub cidr: Option<String>,
    pub cidr6: Option<String>,
    pub prefix_list: Option<String>,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub user_id: Option<String>,
    pub peering: Option<String>,
    pub description: Option<String>,
}

/// The rule EC2 stores for a protocol, ports and peer, with its description; `Err` with EC2's
/// error code when it refuses it. Group names are looked up among `neighbours`.
pub fn model_rule(
    protocol: Option<&str>,
    from: Option<i32>,
    to: Option<i32>,
    peer: &ModelPeer,
    neighbours: &[(String, String)],
) -> Result<(ModelRule, Option<String>), &'static str> {
    let protocol = model_protocol(protocol.ok_or("MissingParameter")?).ok_or("InvalidParameterValue")?;
    let ports = model_ports(&protocol, from, to).ok_or("InvalidParameterValue")?;
    let peer_key = if let Some(cidr) = &peer.cidr {
        format!("cidr:{}", model_cidr(cidr, false).ok_or("InvalidParameterValue")?)
    } else if let Some(cidr) = &peer.cidr6 {
        format!("cidr6:{}", model_cidr(cidr, true).ok_or("InvalidParameterValue")?)
    } else if let Some(id) = &peer.prefix_list {
        if !hex_id(id, "pl-") {
            return Err("InvalidPrefixListId.Malformed");
        }
        format!("pl:{id}")
    } else {
        let id = match (&peer.group_id, &peer.group_name) {
            (Some(id), _) if hex_id(id, "sg-") => id.clone(),
            (Some(_), _) => return Err("InvalidGroupId.Malformed"),
            (None, Some(name)) => {
                neighbours.iter().find(|(n, _)| n == name).map(|(_, id)| id.clone()).ok_or("InvalidGroup.NotFound")?
            }
            (None, None) => return Err("MissingParameter"),
        };
        let user = peer.user_id.clone().unwrap_or_else(|| OWNER.to_string());
        if user.len() != 12 || !user.bytes().all(|b| b.is_ascii_digit()) {
            return Err("InvalidUserID.Malformed");
        }
        match &peer.peering {
            Some(pcx) if !hex_id(pcx, "pcx-") => return Err("InvalidVpcPeeringConnectionID.Malformed"),
            Some(pcx) => format!("sg:{id}/{user}/{pcx}"),
            None => format!("sg:{id}/{user}"),
        }
    };
    let description = peer.description.clone().filter(|d| !d.is_empty());
    if description.as_deref().is_some_and(|d| !model_description_ok(d)) {
        return Err("InvalidParameterValue");
    }
    Ok((ModelRule { protocol, ports, peer: peer_key }, description))
}

/// The rules of an `ec2_sg` permission as EC2 would store them (for tests that build desired
/// rules as `IpPermission`s).
pub fn model_rules_of(
    permission: &ec2_sg::types::IpPermission,
    neighbours: &[(String, String)],
) -> Result<Vec<(ModelRule, Option<String>)>, &'static str> {
    let mut peers = Vec::new();
    for r in permission.ip_ranges() {
        peers.push(ModelPeer { cidr: r.cidr_ip.clone(), description: r.description.clone(), ..Default::default() });
    }
    for r in permission.ipv6_ranges() {
        peers.push(ModelPeer { cidr6: r.cidr_ipv6.clone(), description: r.description.clone(), ..Default::default() });
    }
    for p in permission.prefix_list_ids() {
        peers.push(ModelPeer {
            prefix_list: p.prefix_list_id.clone(),
            description: p.description.clone(),
            ..Default::default()
        });
    }
    for g in permission.user_id_group_pairs() {
        peers.push(ModelPeer {
            group_id: g.group_id.clone(),
            group_name: g.group_name.clone(),
            user_id: g.user_id.clone(),
            peering: g.vpc_peering_connection_id.clone(),
            description: g.description.clone(),
            ..Default::default()
        });
    }
    peers
        .iter()
        .map(|peer| {
            model_rule(permission.ip_protocol.as_deref(), permission.from_port, permission.to_port, peer, neighbours)
        })
        .collect()
}

/// The rules of the permissions in a request's form, `IpPermissions.N.…`.
fn rules_in_form(
    form: &BTreeMap<String, String>,
    neighbours: &[(String, String)],
) -> Result<Vec<(ModelRule, Option<String>)>, &'static str> {
    let mut rules = Vec::new();
    for n in 1.. {
        let key = |rest: &str| format!("IpPermissions.{n}.{rest}");
        let Some(protocol) = form.get(&key("IpProtocol")) else { break };
        let port = |name: &str| form.get(&key(name)).and_then(|v| v.parse::<i32>().ok());
        let (from, to) = (port("FromPort"), port("ToPort"));
        let mut peers = Vec::new();
        for (list, field) in [
            ("IpRanges", "CidrIp"),
            ("Ipv6Ranges", "CidrIpv6"),
            ("PrefixListIds", "PrefixListId"),
            ("Groups", "GroupId"),
        ] {
            for m in 1.. {
                let item = |name: &str| form.get(&key(&format!("{list}.{m}.{name}"))).cloned();
                let present = item(field).is_some() || (list == "Groups" && item("GroupName").is_some());
                if !present {
                    break;
                }
                let mut peer = ModelPeer { description: item("Description"), ..Default::default() };
                match list {
                    "IpRanges" => peer.cidr = item(field),
                    "Ipv6Ranges" => peer.cidr6 = item(field),
                    "PrefixListIds" => peer.prefix_list = item(field),
                    _ => {
                        peer.group_id = item("GroupId");
                        peer.group_name = item("GroupName");
                        peer.user_id = item("UserId");
                        peer.peering = item("VpcPeeringConnectionId");
                    }
                }
                peers.push(peer);
            }
        }
        for peer in &peers {
            rules.push(model_rule(Some(protocol), from, to, peer, neighbours)?);
        }
    }
    Ok(rules)
}

fn error(code: &str) -> HttpResponse {
    let body = format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>the fake says {code}</Message></Error></Errors>\
         <RequestID>fake</RequestID></Response>"
    );
    response(400, body)
}

fn response(status: u16, body: String) -> HttpResponse {
    let mut chunks = Body::new();
    chunks.push(body.into_bytes());
    HttpResponse { status, headers: vec![("Content-Type".into(), "text/xml".into())], body: chunks }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn permissions_xml(store: &Store) -> String {
    let mut out = String::new();
    for (rule, description) in store {
        let _ = write!(out, "<item><ipProtocol>{}</ipProtocol>", rule.protocol);
        if let Some((from, to)) = rule.ports {
            let _ = write!(out, "<fromPort>{from}</fromPort><toPort>{to}</toPort>");
        }
        let description =
            description.as_deref().map(|d| format!("<description>{}</description>", escape(d))).unwrap_or_default();
        let (kind, value) = rule.peer.split_once(':').unwrap_or(("", ""));
        match kind {
            "cidr" => {
                let _ = write!(out, "<ipRanges><item><cidrIp>{value}</cidrIp>{description}</item></ipRanges>");
            }
            "cidr6" => {
                let _ = write!(out, "<ipv6Ranges><item><cidrIpv6>{value}</cidrIpv6>{description}</item></ipv6Ranges>");
            }
            "pl" => {
                let _ = write!(
                    out,
                    "<prefixListIds><item><prefixListId>{value}</prefixListId>{description}</item></prefixListIds>"
                );
            }
            _ => {
                let mut parts = value.split('/');
                let (id, user, pcx) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next());
                let pcx =
                    pcx.map(|p| format!("<vpcPeeringConnectionId>{p}</vpcPeeringConnectionId>")).unwrap_or_default();
                let _ = write!(
                    out,
                    "<groups><item><groupId>{id}</groupId><userId>{user}</userId>{pcx}{description}</item></groups>"
                );
            }
        }
        out.push_str("</item>");
    }
    out
}

impl State {
    fn describe(&self, form: &BTreeMap<String, String>) -> HttpResponse {
        let mut groups = String::new();
        if form.contains_key("Filter.1.Name") {
            // Name lookup: every neighbour whose name is among the filter's values.
            let wanted: Vec<&String> =
                form.iter().filter(|(k, _)| k.starts_with("Filter.1.Value.")).map(|(_, v)| v).collect();
            for (name, id) in &self.neighbours {
                if wanted.contains(&name) {
                    let _ = write!(
                        groups,
                        "<item><ownerId>{OWNER}</ownerId><groupId>{id}</groupId><groupName>{name}</groupName>\
                         <vpcId>{VPC_ID}</vpcId></item>"
                    );
                }
            }
        } else {
            let _ = write!(
                groups,
                "<item><ownerId>{OWNER}</ownerId><groupId>{GROUP_ID}</groupId><groupName>synced</groupName>\
                 <vpcId>{VPC_ID}</vpcId><ipPermissions>{}</ipPermissions>\
                 <ipPermissionsEgress>{}</ipPermissionsEgress></item>",
                permissions_xml(&self.ingress),
                permissions_xml(&self.egress)
            );
        }
        response(
            200,
            format!(
                "<DescribeSecurityGroupsResponse><requestId>fake</requestId><securityGroupInfo>{groups}\
                 </securityGroupInfo></DescribeSecurityGroupsResponse>"
            ),
        )
    }

    /// Applies a mutating call to a store, all or nothing, as EC2 does.
    fn mutate(&mut self, action: &str, form: &BTreeMap<String, String>) -> Result<(), &'static str> {
        let rules = rules_in_form(form, &self.neighbours)?;
        let mut seen = std::collections::BTreeSet::new();
        if rules.iter().any(|(rule, _)| !seen.insert(rule.clone())) {
            return Err("InvalidParameterValue");
        }
        let store = if action.ends_with("Egress") { &mut self.egress } else { &mut self.ingress };
        if action.starts_with("Authorize") {
            if rules.iter().any(|(rule, _)| store.contains_key(rule)) {
                return Err("InvalidPermission.Duplicate");
            }
            store.extend(rules);
        } else if action.starts_with("Revoke") {
            if rules.iter().any(|(rule, _)| !store.contains_key(rule)) {
                return Err("InvalidPermission.NotFound");
            }
            for (rule, _) in rules {
                store.remove(&rule);
            }
        } else {
            if rules.iter().any(|(rule, _)| !store.contains_key(rule)) {
                return Err("InvalidPermission.NotFound");
            }
            store.extend(rules);
        }
        Ok(())
    }

    /// Someone else makes the first change of a mutating call.
    fn interfere(&mut self, action: &str, form: &BTreeMap<String, String>) {
        let Ok(rules) = rules_in_form(form, &self.neighbours) else { return };
        let Some((rule, description)) = rules.into_iter().next() else { return };
        let store = if action.ends_with("Egress") { &mut self.egress } else { &mut self.ingress };
        if action.starts_with("Revoke") {
            store.remove(&rule);
        } else {
            store.insert(rule, description);
        }
    }
}

impl BlockingHttpClient for FakeEc2 {
    fn send(&self, request: HttpRequest, _timeout: Option<Duration>) -> Result<HttpResponse, TransportError> {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let form: BTreeMap<String, String> =
            ec2_sg::runtime::parse_form(&body).map_err(|e| TransportError::io(e.to_string()))?.into_iter().collect();
        let mut state = self.lock();
        let action = form.get("Action").cloned().unwrap_or_default();
        state.actions.push(action.clone());
        if action == "DescribeSecurityGroups" {
            return Ok(state.describe(&form));
        }
        let nth = state.mutating_seen;
        state.mutating_seen += 1;
        if state.fault == Fault::Concurrent(nth) {
            state.interfere(&action, &form);
        }
        match state.mutate(&action, &form) {
            Ok(()) if state.fault == Fault::LoseAnswer(nth) => Err(TransportError::io("the fake lost the answer")),
            Ok(()) => Ok(response(
                200,
                format!("<{action}Response><requestId>fake</requestId><return>true</return></{action}Response>"),
            )),
            Err(code) => Ok(error(code)),
        }
    }
}
