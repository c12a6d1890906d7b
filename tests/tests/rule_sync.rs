//! The desired-state planner (`ec2_sg::sync`): normalization as EC2 compares rules, and the
//! property that applying a plan reaches the desired rules and that planning again is empty.

use ec2_sg::sync::{normalize, normalize_in, plan, plan_rules, Peer, Protocol, Rule, RuleSet};
use ec2_sg::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

fn cidr(cidr: &str, description: Option<&str>) -> IpRange {
    IpRange::builder().cidr_ip(cidr).set_description(description.map(Into::into)).build()
}

fn permission(protocol: &str, ports: Option<(i32, i32)>, ranges: Vec<IpRange>) -> IpPermission {
    IpPermission::builder()
        .ip_protocol(protocol)
        .set_from_port(ports.map(|p| p.0))
        .set_to_port(ports.map(|p| p.1))
        .set_ip_ranges(Some(ranges))
        .build()
}

#[test]
fn protocols_by_name_and_number_are_the_same() {
    for (a, b) in [("tcp", "6"), ("UDP", "17"), ("icmp", "1"), ("icmpv6", "58"), ("-1", "all")] {
        assert_eq!(Protocol::parse(a).unwrap(), Protocol::parse(b).unwrap(), "{a} {b}");
    }
    assert_eq!(Protocol::parse("50").unwrap(), Protocol::Number(50));
    assert_eq!(Protocol::parse("6").unwrap().as_wire(), "tcp");
    assert!(Protocol::parse("tcpx").unwrap_err().to_string().contains("not an IP protocol"));
    assert!(Protocol::parse("256").is_err());
}

#[test]
fn permissions_split_into_one_rule_per_peer() {
    let mut merged =
        permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("office")), cidr("192.168.0.0/16", None)]);
    merged.ipv6_ranges = Some(vec![Ipv6Range::builder().cidr_ipv6("::/0").build()]);
    merged.prefix_list_ids = Some(vec![PrefixListId::builder().prefix_list_id("pl-1").build()]);
    merged.user_id_group_pairs = Some(vec![UserIdGroupPair::builder().group_id("sg-2").build()]);
    let rules = normalize(&[merged]).unwrap();
    assert_eq!(rules.len(), 5);
    let split = [
        permission("6", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("office"))]),
        permission("tcp", Some((22, 22)), vec![cidr("192.168.0.0/16", Some(""))]),
    ];
    let split_rules = normalize(&split).unwrap();
    assert!(split_rules.iter().all(|(rule, description)| rules.get(rule) == Some(description)));
}

#[test]
fn ports_as_ec2_treats_them() {
    // All traffic and port-less protocols ignore ports; ICMP without type or code is -1.
    let all = normalize(&[permission("-1", Some((0, 65535)), vec![cidr("0.0.0.0/0", None)])]).unwrap();
    let all_bare = normalize(&[permission("all", None, vec![cidr("0.0.0.0/0", None)])]).unwrap();
    assert_eq!(all, all_bare);
    let esp = normalize(&[permission("50", Some((1, 2)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_eq!(esp.keys().next().unwrap().from_port, None);
    let icmp = normalize(&[permission("icmp", None, vec![cidr("10.0.0.0/8", None)])]).unwrap();
    let icmp_any = normalize(&[permission("1", Some((-1, -1)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_eq!(icmp, icmp_any);
    let echo = normalize(&[permission("icmp", Some((8, 0)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_ne!(icmp, echo);
    assert_eq!(echo.keys().next().unwrap().to_string(), "icmp type 8 code 0 10.0.0.0/8");
    let range = normalize(&[permission("tcp", Some((1000, 2000)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_eq!(range.keys().next().unwrap().to_string(), "tcp 1000-2000 10.0.0.0/8");
}

#[test]
fn group_peers_drop_the_owner_account_and_names_beside_ids() {
    let answered = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id("sg-2")
                .group_name("web")
                .user_id("123456789012")
                .vpc_id("vpc-1")
                .build(),
        )
        .build();
    let mut wanted = answered.clone();
    wanted.user_id_group_pairs = Some(vec![UserIdGroupPair::builder().group_id("sg-2").build()]);
    assert_eq!(
        normalize_in(std::slice::from_ref(&answered), Some("123456789012")).unwrap(),
        normalize(std::slice::from_ref(&wanted)).unwrap()
    );
    // Another account's group stays another account's.
    assert_ne!(normalize_in(&[answered], Some("999999999999")).unwrap(), normalize(&[wanted]).unwrap());
}

#[test]
fn bad_permissions_are_refused_with_the_reason() {
    let no_protocol = IpPermission::builder().build();
    assert!(normalize(&[no_protocol]).unwrap_err().to_string().contains("without a protocol"));
    let twice = permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("a")), cidr("10.0.0.0/8", Some("b"))]);
    assert!(normalize(&[twice]).unwrap_err().to_string().contains("given twice"));
    let same_twice =
        permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("a")), cidr("10.0.0.0/8", Some("a"))]);
    assert_eq!(normalize(&[same_twice]).unwrap().len(), 1);
    let no_cidr = permission("tcp", Some((22, 22)), vec![IpRange::default()]);
    assert!(normalize(&[no_cidr]).is_err());
}

#[test]
fn a_description_change_is_an_update_not_a_revoke() {
    let current = [permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("old"))])];
    let desired = [permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("new"))])];
    let plan = plan(&current, &desired).unwrap();
    assert_eq!(plan.counts(), (0, 0, 1));
    assert!(plan.authorize.is_empty() && plan.revoke.is_empty());
    assert_eq!(plan.update_descriptions[0].ip_ranges.as_ref().unwrap()[0].description.as_deref(), Some("new"));
    assert_eq!(plan.to_string(), "~ tcp 22 10.0.0.0/8 \"new\"");
    // Dropping a description clears it with an empty one.
    let bare = [permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", None)])];
    let clear = ec2_sg::sync::plan(&current, &bare).unwrap();
    assert_eq!(clear.update_descriptions[0].ip_ranges.as_ref().unwrap()[0].description.as_deref(), Some(""));
}

#[test]
fn plans_batch_rules_by_protocol_and_ports_and_print_as_a_dry_run() {
    let current = [permission("tcp", Some((22, 22)), vec![cidr("0.0.0.0/0", None)])];
    let desired = [
        permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("vpn"))]),
        permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None), cidr("10.1.0.0/16", None)]),
        permission("tcp", Some((22, 22)), vec![cidr("10.2.0.0/16", None)]),
    ];
    let plan = plan(&current, &desired).unwrap();
    assert_eq!(plan.counts(), (4, 1, 0));
    // Four rules in two permissions (port 22 and port 443): one call can carry them all.
    assert_eq!(plan.authorize.len(), 2);
    assert_eq!(plan.revoke.len(), 1);
    assert_eq!(
        plan.to_string(),
        "+ tcp 22 10.0.0.0/8 \"vpn\"\n+ tcp 22 10.2.0.0/16\n+ tcp 443 10.0.0.0/8\n+ tcp 443 10.1.0.0/16\n- tcp 22 0.0.0.0/0"
    );
    assert_eq!(ec2_sg::sync::plan(&desired, &desired).unwrap().to_string(), "no change");
}

/// A small deterministic generator (xorshift64*): the cases are the same on every run.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Permissions over a small universe of rules, so that current and desired overlap, in
    /// random groupings and spellings of the same rules.
    fn permissions(&mut self) -> Vec<IpPermission> {
        let protocols = ["tcp", "6", "udp", "icmp", "-1", "all", "50"];
        let peers = ["10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "0.0.0.0/0"];
        let descriptions = [None, Some("a"), Some("b")];
        let mut out = Vec::new();
        // One description per peer within a set (a rule given twice must say the same thing),
        // different across sets so that descriptions change between current and desired.
        let salt = self.below(3) as usize;
        for _ in 0..self.below(6) {
            let protocol = protocols[self.below(protocols.len() as u64) as usize];
            let port = [22, 80, 443][self.below(3) as usize];
            let mut permission = permission(protocol, Some((port, port)), Vec::new());
            for _ in 0..=self.below(3) {
                let which = self.below(6);
                let description = descriptions[(salt + which as usize) % 3].map(str::to_string);
                match which {
                    0..=3 => permission
                        .ip_ranges
                        .get_or_insert_with(Vec::new)
                        .push(IpRange::builder().cidr_ip(peers[which as usize]).set_description(description).build()),
                    4 => permission
                        .ipv6_ranges
                        .get_or_insert_with(Vec::new)
                        .push(Ipv6Range::builder().cidr_ipv6("::/0").set_description(description).build()),
                    _ => permission.user_id_group_pairs.get_or_insert_with(Vec::new).push(
                        UserIdGroupPair::builder()
                            .group_id(format!("sg-{}", self.below(2)))
                            .set_description(description)
                            .build(),
                    ),
                }
            }
            out.push(permission);
        }
        out
    }
}

#[test]
fn applying_a_plan_reaches_the_desired_rules_and_planning_again_is_empty() {
    let mut cases = Cases(0x5eed_cafe_f00d_0001);
    let mut checked = 0;
    let mut seen = [0usize; 3];
    for _ in 0..2_000 {
        let (current, desired) = (cases.permissions(), cases.permissions());
        let current_rules = normalize(&current).expect("generated sets give each rule one description");
        let desired_rules = normalize(&desired).expect("generated sets give each rule one description");
        let plan = plan_rules(&current_rules, &desired_rules);
        let mut after: RuleSet = current_rules.clone();
        plan.apply_to(&mut after);
        assert_eq!(after, desired_rules, "plan:\n{plan}");
        assert!(plan_rules(&after, &desired_rules).is_empty());
        // The permissions sent describe exactly the rules planned.
        let (authorize, revoke, describe) = plan.counts();
        seen[0] += authorize;
        seen[1] += revoke;
        seen[2] += describe;
        assert_eq!(normalize(&plan.authorize).unwrap().len(), authorize);
        assert_eq!(normalize(&plan.revoke).unwrap().len(), revoke);
        assert_eq!(normalize(&plan.update_descriptions).unwrap().len(), describe);
        checked += 1;
    }
    assert_eq!(checked, 2_000);
    // The cases exercise every kind of change, many times.
    assert!(seen.iter().all(|&n| n > 200), "authorized, revoked, re-described: {seen:?}");
}

#[test]
fn rules_print_their_peer() {
    let rule = Rule {
        protocol: Protocol::Tcp,
        from_port: Some(5432),
        to_port: Some(5432),
        peer: Peer::Group {
            group_id: Some("sg-9".into()),
            group_name: None,
            user_id: Some("111122223333".into()),
            vpc_peering_connection_id: Some("pcx-1".into()),
        },
    };
    assert_eq!(rule.to_string(), "tcp 5432 sg-9 (account 111122223333) via pcx-1");
}
