//! The desired-state planner (`ec2_sg::sync`): normalization as EC2 compares rules, and the
//! property that applying a plan reaches the desired rules and that planning again is empty.

use ec2_sg::sync::{normalize, normalize_in, plan, plan_rules_with, validate, Peer, Protocol, Rule};
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
    let upper = normalize(&[IpPermission::builder()
        .ip_protocol("-1")
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:DB8::/32").build())
        .build()])
    .unwrap();
    assert_eq!(upper.keys().next().unwrap().to_string(), "-1 2001:db8::/32");
    let esp = normalize(&[permission("50", Some((1, 2)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_eq!(esp.keys().next().unwrap().from_port, None);
    let icmp = normalize(&[permission("icmp", None, vec![cidr("10.0.0.0/8", None)])]).unwrap();
    let icmp_any = normalize(&[permission("1", Some((-1, -1)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_eq!(icmp, icmp_any);
    let echo = normalize(&[permission("icmp", Some((8, 0)), vec![cidr("10.0.0.0/8", None)])]).unwrap();
    assert_ne!(icmp, echo);
    assert_eq!(echo.keys().next().unwrap().to_string(), "icmp 8:0 10.0.0.0/8");
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
    assert!(normalize(&[no_protocol]).unwrap_err().to_string().contains("no protocol"));
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
    assert_eq!(rule.to_string(), "tcp 5432 111122223333/sg-9@pcx-1");
    assert_eq!(rule.peer.to_string(), "111122223333/sg-9@pcx-1");
    let by_name =
        Peer::Group { group_id: None, group_name: Some("web".into()), user_id: None, vpc_peering_connection_id: None };
    assert_eq!(by_name.to_string(), "name:\"web\"");
}

// ---- validation: everything EC2 would refuse, refused before any call ----

/// One invalid permission of each class EC2 refuses, with what the error must say.
fn invalid_permissions() -> Vec<(IpPermission, &'static str)> {
    let group = |pair: UserIdGroupPair| {
        IpPermission::builder().ip_protocol("tcp").from_port(5432).to_port(5432).user_id_group_pairs(pair).build()
    };
    vec![
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/33", None)]), "IPv4 allows 0 to 32"),
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0/8", None)]), "not an IPv4 CIDR"),
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0", None)]), "no prefix length"),
        (permission("tcp", Some((22, 22)), vec![cidr("2001:db8::/32", None)]), "give it as an IPv6 range"),
        (
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:db8::/129").build())
                .build(),
            "IPv6 allows 0 to 128",
        ),
        (permission("tcp", Some((100, 90)), vec![cidr("10.0.0.0/8", None)]), "ends before it starts"),
        (permission("udp", Some((0, 65536)), vec![cidr("10.0.0.0/8", None)]), "outside 0-65535"),
        (permission("tcp", None, vec![cidr("10.0.0.0/8", None)]), "need both ports"),
        (permission("icmp", Some((-1, 0)), vec![cidr("10.0.0.0/8", None)]), "needs code -1"),
        (permission("icmpv6", Some((256, 0)), vec![cidr("10.0.0.0/8", None)]), "outside -1 (any) to 255"),
        (permission("tcpx", Some((22, 22)), vec![cidr("10.0.0.0/8", None)]), "not an IP protocol"),
        (
            IpPermission::builder()
                .ip_protocol("-1")
                .prefix_list_ids(PrefixListId::builder().prefix_list_id("pl-xyz").build())
                .build(),
            "not a prefix list id",
        ),
        (group(UserIdGroupPair::builder().group_id("sg-12").build()), "not a security group id"),
        (group(UserIdGroupPair::builder().group_id("sg-0123abcd").user_id("12345").build()), "not an account id"),
        (
            group(UserIdGroupPair::builder().group_id("sg-0123abcd").vpc_peering_connection_id("pcx-").build()),
            "peering connection",
        ),
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some(&"x".repeat(256)))]), "at most 255"),
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("café"))]), "which EC2 refuses"),
        (permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("say \"hi\""))]), "which EC2 refuses"),
        (permission("tcp", Some((22, 22)), vec![]), "names no peer"),
    ]
}

#[test]
fn every_invalid_rule_is_refused_naming_its_position_and_text() {
    let good = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", Some("ok"))]);
    for (bad, reason) in invalid_permissions() {
        let error = validate(&[good.clone(), bad.clone()]).unwrap_err();
        assert_eq!(error.position(), Some(2), "{error}");
        assert_eq!(error.rule(), Some(bad.to_string().as_str()), "{error}");
        assert!(error.to_string().contains(reason), "expected {reason:?} in: {error}");
        assert!(error.to_string().contains(&format!("desired permission 2 (`{bad}`)")), "{error}");
    }
    // A rule given twice with two descriptions names where.
    let twice = [good.clone(), permission("6", Some((443, 443)), vec![cidr("10.0.0.0/8", Some("other"))])];
    let error = validate(&twice).unwrap_err();
    assert_eq!(error.position(), Some(2));
    assert!(error.to_string().contains("also in permission 1"), "{error}");
}

#[test]
fn cidrs_are_canonicalized_as_ec2_does() {
    // EC2 stores 10.0.0.1/8 as 10.0.0.0/8 and IPv6 compressed in lower case (API Reference, IpRange/Ipv6Range).
    let host_bits = validate(&[permission("tcp", Some((22, 22)), vec![cidr("10.1.2.3/8", None)])]).unwrap();
    assert_eq!(host_bits.keys().next().unwrap().to_string(), "tcp 22 10.0.0.0/8");
    let v6 = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:DB8:0:0::1/48").build())
        .build();
    assert_eq!(validate(&[v6]).unwrap().keys().next().unwrap().to_string(), "tcp 22 2001:db8::/48");
    // So a described group with the canonical form has nothing to do.
    let described = [permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", None)])];
    assert!(plan(&described, &[permission("tcp", Some((22, 22)), vec![cidr("10.1.2.3/8", None)])]).unwrap().is_empty());
}

#[test]
fn purge_false_never_revokes() {
    let current =
        normalize(&[permission("tcp", Some((22, 22)), vec![cidr("0.0.0.0/0", None), cidr("10.0.0.0/8", Some("old"))])])
            .unwrap();
    let desired = validate(&[permission(
        "tcp",
        Some((22, 22)),
        vec![cidr("10.0.0.0/8", Some("new")), cidr("10.1.0.0/16", None)],
    )])
    .unwrap();
    let add_only = plan_rules_with(&current, &desired, false);
    assert_eq!(add_only.counts(), (1, 0, 1), "{add_only}");
    assert!(add_only.revoke.is_empty());
    assert_eq!(plan_rules_with(&current, &desired, true).counts(), (1, 1, 1));
}

// ---- the one-line form ----

#[test]
fn a_printed_plan_feeds_back_as_permissions() {
    let current = [permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None)])];
    let desired = [
        permission("tcp", Some((1000, 2000)), vec![cidr("10.0.0.0/8", Some("app (blue)"))]),
        permission("icmp", Some((8, 0)), vec![cidr("10.0.0.0/8", None)]),
    ];
    let plan = plan(&current, &desired).unwrap();
    assert_eq!(
        plan.to_string(),
        "+ tcp 1000-2000 10.0.0.0/8 \"app (blue)\"\n+ icmp 8:0 10.0.0.0/8\n- tcp 80 0.0.0.0/0"
    );
    let added: Vec<IpPermission> =
        plan.to_string().lines().filter_map(|line| line.strip_prefix("+ ")).map(|line| line.parse().unwrap()).collect();
    assert_eq!(validate(&added).unwrap(), validate(&desired).unwrap());
    let parsed: IpPermission = "tcp 443 10.0.0.0/8 \"office\"".parse().unwrap();
    assert_eq!(parsed, permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", Some("office"))]));
}

// ---- a model check of what is sent, against an in-process model of EC2's rule store ----

mod model {
    use ec2_sg::sync::{Change, Direction, RuleChange};
    use ec2_sg::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};
    use ec2_sg::ErrorKind;
    use ec2_sg_tests::fake_ec2::{model_cidr, model_rules_of, FakeEc2, Fault, ModelRule, Store, GROUP_ID};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn protocol() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["tcp", "TCP", "6", "udp", "17", "icmp", "1", "icmpv6", "58", "-1", "all", "50"])
    }

    /// Ports EC2 takes for the protocol: TCP/UDP single ports and ranges, ICMP types and codes
    /// (missing ones included), anything for the protocols whose ports EC2 ignores.
    fn ports(protocol: &'static str) -> BoxedStrategy<(Option<i32>, Option<i32>)> {
        // Few ports, so that current and desired rules often meet.
        match protocol.to_ascii_lowercase().as_str() {
            "tcp" | "6" | "udp" | "17" => prop_oneof![
                3 => prop::sample::select(vec![22, 443]).prop_map(|p| (Some(p), Some(p))),
                1 => prop::sample::select(vec![(0, 65535), (1000, 2000)]).prop_map(|(a, b)| (Some(a), Some(b))),
            ]
            .boxed(),
            "icmp" | "1" | "icmpv6" | "58" => {
                prop::sample::select(vec![(Some(8), Some(0)), (Some(-1), Some(-1)), (None, None), (Some(3), Some(-1))])
                    .boxed()
            }
            _ => prop::sample::select(vec![
                (None, None),
                (Some(0), Some(65535)),
                (Some(-1), Some(-1)),
                (Some(100), Some(90)),
            ])
            .boxed(),
        }
    }

    fn description() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            4 => Just(None),
            1 => Just(Some(String::new())),
            3 => prop::sample::select(vec!["a", "b", "web (prod) #1", "x: y/z [1]"]).prop_map(|d| Some(d.to_string())),
        ]
    }

    #[derive(Debug, Clone)]
    enum PeerSpec {
        V4(&'static str),
        V6(&'static str),
        PrefixList(&'static str),
        Group { id: &'static str, user: Option<&'static str>, peering: Option<&'static str> },
        Name(&'static str),
    }

    fn peer() -> impl Strategy<Value = PeerSpec> {
        prop_oneof![
            // 10.0.0.1/8 and 10.0.0.0/8 are one rule to EC2; so are the IPv6 spellings.
            5 => prop::sample::select(vec!["10.0.0.0/8", "10.0.0.1/8", "192.168.1.0/24", "0.0.0.0/0"]).prop_map(PeerSpec::V4),
            3 => prop::sample::select(vec!["2001:db8::/32", "2001:DB8::/32", "2001:db8:0:0::/32", "::/0"]).prop_map(PeerSpec::V6),
            1 => prop::sample::select(vec!["pl-0123abcd", "pl-0123abce"]).prop_map(PeerSpec::PrefixList),
            2 => (
                prop::sample::select(vec!["sg-0123abcd", "sg-0000000000000000b"]),
                prop::sample::select(vec![None, Some("123456789012"), Some("111122223333")]),
                prop::sample::select(vec![None, None, Some("pcx-0123abcd")]),
            )
                .prop_map(|(id, user, peering)| PeerSpec::Group { id, user, peering }),
            1 => prop::sample::select(vec!["web", "db"]).prop_map(PeerSpec::Name),
        ]
    }

    /// A permission EC2 takes, in any spelling.
    fn permission() -> impl Strategy<Value = IpPermission> {
        protocol()
            .prop_flat_map(|protocol| {
                (Just(protocol), ports(protocol), prop::collection::vec((peer(), description()), 1..4))
            })
            .prop_map(|(protocol, (from, to), peers)| {
                let mut permission =
                    IpPermission::builder().ip_protocol(protocol).set_from_port(from).set_to_port(to).build();
                for (peer, description) in peers {
                    match peer {
                        PeerSpec::V4(cidr) => permission
                            .ip_ranges
                            .get_or_insert_with(Vec::new)
                            .push(IpRange::builder().cidr_ip(cidr).set_description(description).build()),
                        PeerSpec::V6(cidr) => permission
                            .ipv6_ranges
                            .get_or_insert_with(Vec::new)
                            .push(Ipv6Range::builder().cidr_ipv6(cidr).set_description(description).build()),
                        PeerSpec::PrefixList(id) => permission
                            .prefix_list_ids
                            .get_or_insert_with(Vec::new)
                            .push(PrefixListId::builder().prefix_list_id(id).set_description(description).build()),
                        PeerSpec::Group { id, user, peering } => {
                            permission.user_id_group_pairs.get_or_insert_with(Vec::new).push(
                                UserIdGroupPair::builder()
                                    .group_id(id)
                                    .set_user_id(user.map(Into::into))
                                    .set_vpc_peering_connection_id(peering.map(Into::into))
                                    .set_description(description)
                                    .build(),
                            )
                        }
                        PeerSpec::Name(name) => permission
                            .user_id_group_pairs
                            .get_or_insert_with(Vec::new)
                            .push(UserIdGroupPair::builder().group_name(name).set_description(description).build()),
                    }
                }
                permission
            })
    }

    /// One description per peer (and `salt`), so that a rule given twice says the same thing
    /// both times; a different salt for the current and the desired rules changes descriptions.
    fn descriptions_by_peer(mut permissions: Vec<IpPermission>, salt: usize) -> Vec<IpPermission> {
        const DESCRIPTIONS: [Option<&str>; 5] = [None, Some("a"), Some("b"), Some("web (prod) #1"), Some("")];
        let pick = |key: &str| {
            let canonical = model_cidr(key, key.contains(':')).unwrap_or_else(|| key.to_string());
            let hash = canonical.bytes().fold(salt, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
            DESCRIPTIONS[hash % DESCRIPTIONS.len()].map(str::to_string)
        };
        for permission in &mut permissions {
            for r in permission.ip_ranges.iter_mut().flatten() {
                r.description = pick(r.cidr_ip.as_deref().unwrap_or_default());
            }
            for r in permission.ipv6_ranges.iter_mut().flatten() {
                r.description = pick(r.cidr_ipv6.as_deref().unwrap_or_default());
            }
            for p in permission.prefix_list_ids.iter_mut().flatten() {
                p.description = pick(p.prefix_list_id.as_deref().unwrap_or_default());
            }
            for g in permission.user_id_group_pairs.iter_mut().flatten() {
                g.description = pick(g.group_id.as_deref().or(g.group_name.as_deref()).unwrap_or_default());
            }
        }
        permissions
    }

    /// Permissions EC2 takes; in a tenth of the sets, descriptions drawn freely (so that one
    /// rule may be given twice with two descriptions).
    fn permissions() -> impl Strategy<Value = Vec<IpPermission>> {
        (prop::collection::vec(permission(), 0..5), prop::option::weighted(0.9, 0usize..5)).prop_map(
            |(permissions, salt)| match salt {
                Some(salt) => descriptions_by_peer(permissions, salt),
                None => permissions,
            },
        )
    }

    /// Desired permissions: valid ones, and in a fifth of the cases one of each invalid class
    /// (or a group name that matches no group) put among them.
    fn desired() -> impl Strategy<Value = Vec<IpPermission>> {
        let invalid: Vec<IpPermission> = super::invalid_permissions()
            .into_iter()
            .map(|(permission, _)| permission)
            .chain(["tcp 22 name:\"nobody\"".parse().expect("a permission")])
            .collect();
        (permissions(), prop::option::weighted(0.2, (prop::sample::select(invalid), any::<prop::sample::Index>())))
            .prop_map(|(mut permissions, bad)| {
                if let Some((bad, at)) = bad {
                    let at = at.index(permissions.len() + 1);
                    permissions.insert(at, bad);
                }
                permissions
            })
    }

    /// What EC2 would store for desired permissions: `Err` with the model's reason when it
    /// would refuse one of them (or when two give one rule two descriptions).
    fn expected(desired: &[IpPermission], neighbours: &[(String, String)]) -> Result<Store, String> {
        let mut store = Store::new();
        for permission in desired {
            let rules = model_rules_of(permission, neighbours).map_err(str::to_string)?;
            if rules.is_empty() {
                return Err("no peer".into());
            }
            for (rule, description) in rules {
                match store.get(&rule) {
                    Some(existing) if *existing != description => return Err("given twice".into()),
                    _ => {
                        store.insert(rule, description);
                    }
                }
            }
        }
        Ok(store)
    }

    /// Valid starting rules built from generated permissions (the refused ones dropped).
    fn starting(permissions: &[IpPermission], neighbours: &[(String, String)]) -> Store {
        let mut store = Store::new();
        for permission in permissions {
            for (rule, description) in model_rules_of(permission, neighbours).unwrap_or_default() {
                store.entry(rule).or_insert(description);
            }
        }
        store
    }

    fn target(current: &Store, desired: &Store, purge: bool) -> Store {
        let mut after = if purge { Store::new() } else { current.clone() };
        after.extend(desired.iter().map(|(r, d)| (r.clone(), d.clone())));
        after
    }

    type Diff = BTreeMap<(Direction, Change, ModelRule), Option<String>>;

    /// The difference between two states of the group, as the outcome should report it.
    fn difference(before: [&Store; 2], after: [&Store; 2]) -> Diff {
        let mut diff = Diff::new();
        for (direction, (before, after)) in
            [Direction::Ingress, Direction::Egress].into_iter().zip(before.into_iter().zip(after))
        {
            for (rule, description) in after {
                match before.get(rule) {
                    None => {
                        diff.insert((direction, Change::Authorize, rule.clone()), description.clone());
                    }
                    Some(old) if old != description => {
                        diff.insert((direction, Change::UpdateDescription, rule.clone()), description.clone());
                    }
                    Some(_) => {}
                }
            }
            for (rule, description) in before {
                if !after.contains_key(rule) {
                    diff.insert((direction, Change::Revoke, rule.clone()), description.clone());
                }
            }
        }
        diff
    }

    /// The outcome's lists, read back through the model (via each rule's one-line form).
    fn reported(outcome: &ec2_sg::sync::SyncOutcome, neighbours: &[(String, String)]) -> Diff {
        let mut diff = Diff::new();
        let lists: [(Change, &Vec<RuleChange>); 3] = [
            (Change::Authorize, &outcome.authorized),
            (Change::Revoke, &outcome.revoked),
            (Change::UpdateDescription, &outcome.redescribed),
        ];
        for (change, list) in lists {
            for entry in list {
                let line = entry.rule.to_permission(entry.description.as_deref()).to_string();
                let permission: IpPermission = line.parse().expect("a rule's one-line form parses");
                for (rule, description) in model_rules_of(&permission, neighbours).expect("a reported rule is valid") {
                    let previous = diff.insert((entry.direction, change, rule), description);
                    assert!(previous.is_none(), "{line} reported twice");
                }
            }
        }
        diff
    }

    #[derive(Debug, Clone)]
    struct Case {
        current: [Vec<IpPermission>; 2],
        desired_ingress: Vec<IpPermission>,
        desired_egress: Option<Vec<IpPermission>>,
        purge: bool,
        whole_group: bool,
        dry_run: bool,
        fault: Fault,
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            (permissions(), permissions(), prop::option::weighted(0.3, 0usize..5)),
            desired(),
            prop::option::of(desired()),
            (any::<bool>(), any::<bool>(), prop::bool::weighted(0.1)),
            prop_oneof![2 => Just(Fault::None), 1 => (0usize..4).prop_map(Fault::LoseAnswer), 1 => (0usize..4).prop_map(Fault::Concurrent)],
        )
            .prop_map(|((ingress, egress, redescribe), desired_ingress, desired_egress, (purge, whole_group, dry_run), fault)| {
                // Sometimes the group already has the desired rules, with other descriptions.
                let ingress = match redescribe {
                    Some(salt) => descriptions_by_peer(desired_ingress.clone(), salt),
                    None => ingress,
                };
                Case {
                    current: [ingress, egress],
                    desired_ingress,
                    desired_egress: if whole_group { desired_egress } else { None },
                    purge,
                    whole_group,
                    dry_run,
                    fault,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

        /// The permissions the sync sends, applied by the model of EC2's store, give the desired
        /// rules (or, with purge(false), the union); invalid rules are refused with no call; and
        /// after any replan the outcome lists exactly the difference between the first describe
        /// and the group afterwards.
        #[test]
        fn what_is_sent_brings_the_group_to_the_desired_rules(case in case()) {
            let fake = FakeEc2::new(Store::new(), Store::new(), case.fault);
            let neighbours = fake.lock().neighbours.clone();
            let before = [starting(&case.current[0], &neighbours), starting(&case.current[1], &neighbours)];
            {
                let mut state = fake.lock();
                state.ingress = before[0].clone();
                state.egress = before[1].clone();
            }
            let client = fake.client();
            let result = if case.whole_group {
                client
                    .sync_group(GROUP_ID)
                    .set_ingress(Some(case.desired_ingress.clone()))
                    .set_egress(case.desired_egress.clone())
                    .purge(case.purge)
                    .dry_run(case.dry_run)
                    .send()
            } else {
                client.sync_ingress(GROUP_ID).set_rules(Some(case.desired_ingress.clone())).purge(case.purge).dry_run(case.dry_run).send()
            };
            let state = fake.lock();
            let mutating = state.actions.iter().filter(|a| *a != "DescribeSecurityGroups").count();
            let wanted_ingress = expected(&case.desired_ingress, &neighbours);
            let wanted_egress = case.desired_egress.as_deref().map(|d| expected(d, &neighbours)).transpose();
            let (wanted_ingress, wanted_egress) = match (wanted_ingress, wanted_egress) {
                (Ok(i), Ok(e)) => (i, e),
                (Err(reason), _) | (_, Err(reason)) => {
                    let error = result.expect_err(&format!("EC2 would refuse ({reason}); the sync must too"));
                    prop_assert_eq!(error.kind(), ErrorKind::Validation, "{}", error);
                    prop_assert_eq!(mutating, 0, "{:?}", state.actions);
                    // Only looking up group names may call (describes) before refusing.
                    if reason != "InvalidGroup.NotFound" && reason != "given twice" {
                        prop_assert!(state.actions.is_empty(), "{reason}: {:?}", state.actions);
                    }
                    prop_assert_eq!(&state.ingress, &before[0]);
                    prop_assert_eq!(&state.egress, &before[1]);
                    return Ok(());
                }
            };
            let outcome = result.map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(outcome.http_attempts, state.actions.len());
            let lost = usize::from(matches!(case.fault, Fault::LoseAnswer(n) if n < mutating));
            prop_assert_eq!(outcome.operations + lost, state.actions.len(), "{:?}", state.actions);
            if case.dry_run {
                prop_assert_eq!(mutating, 0);
                prop_assert_eq!(outcome.counts(), (0, 0, 0));
                prop_assert_eq!(&state.ingress, &before[0]);
                let planned = outcome.last_plan().map(|p| p.counts()).unwrap_or_default();
                let mut after_egress = before[1].clone();
                if let Some(egress) = &wanted_egress { after_egress = target(&before[1], egress, case.purge); }
                let diff = difference([&before[0], &before[1]], [&target(&before[0], &wanted_ingress, case.purge), &after_egress]);
                let count = |kind| diff.keys().filter(|(_, change, _)| *change == kind).count();
                prop_assert_eq!(planned, (count(Change::Authorize), count(Change::Revoke), count(Change::UpdateDescription)));
                return Ok(());
            }
            prop_assert_eq!(&state.ingress, &target(&before[0], &wanted_ingress, case.purge));
            match &wanted_egress {
                Some(egress) => prop_assert_eq!(&state.egress, &target(&before[1], egress, case.purge)),
                None => prop_assert_eq!(&state.egress, &before[1]),
            }
            let diff = difference([&before[0], &before[1]], [&state.ingress, &state.egress]);
            prop_assert_eq!(reported(&outcome, &neighbours), diff);
            prop_assert!(outcome.plans.len() <= 2);
        }

        /// Display and FromStr are inverse on every permission the generator makes.
        #[test]
        fn the_one_line_form_round_trips(permission in permission()) {
            let line = permission.to_string();
            let parsed: IpPermission = line.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(parsed, permission);
        }
    }
}

// ---- the order of calls, against a scripted endpoint ----

mod order {
    use super::{cidr, permission};
    use ec2_sg_tests::stub::{error_body, Reply, Stub};

    const OWNER: &str = "123456789012";

    fn described(rules: &str) -> String {
        format!(
            r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>d</requestId>
<securityGroupInfo><item><ownerId>{OWNER}</ownerId><groupId>sg-1</groupId><groupName>web</groupName>
<ipPermissions>{rules}</ipPermissions></item></securityGroupInfo></DescribeSecurityGroupsResponse>"#
        )
    }

    fn rule(port: u16, cidr: &str) -> String {
        format!(
            "<item><ipProtocol>tcp</ipProtocol><fromPort>{port}</fromPort><toPort>{port}</toPort>\
             <ipRanges><item><cidrIp>{cidr}</cidrIp></item></ipRanges></item>"
        )
    }

    fn ok(action: &str) -> Reply {
        Reply::xml(200, &format!("<{action}Response><requestId>r</requestId><return>true</return></{action}Response>"))
    }

    fn actions(stub: &Stub) -> Vec<String> {
        stub.received().iter().map(|r| r.body.split('&').next().unwrap_or_default().to_string()).collect()
    }

    #[tokio::test]
    async fn revokes_go_first_when_only_that_fits_the_quota() {
        // Two rules, a quota of two, two others wanted: authorizing first would hold four.
        let stub = Stub::start(vec![
            Reply::xml(200, &described(&(rule(22, "10.0.0.0/8") + &rule(80, "10.0.0.0/8")))),
            ok("RevokeSecurityGroupIngress"),
            ok("AuthorizeSecurityGroupIngress"),
        ]);
        let wanted = permission("tcp", Some((443, 443)), vec![cidr("10.1.0.0/16", None), cidr("10.2.0.0/16", None)]);
        let outcome = stub.client().sync_ingress("sg-1").rules(wanted.clone()).rule_quota(2).send().await.unwrap();
        assert_eq!(outcome.counts(), (2, 2, 0));
        assert_eq!(
            actions(&stub),
            [
                "Action=DescribeSecurityGroups",
                "Action=RevokeSecurityGroupIngress",
                "Action=AuthorizeSecurityGroupIngress"
            ]
        );

        // With room for both, authorizing goes first.
        let stub = Stub::start(vec![
            Reply::xml(200, &described(&(rule(22, "10.0.0.0/8") + &rule(80, "10.0.0.0/8")))),
            ok("AuthorizeSecurityGroupIngress"),
            ok("RevokeSecurityGroupIngress"),
        ]);
        stub.client().sync_ingress("sg-1").rules(wanted).rule_quota(4).send().await.unwrap();
        assert_eq!(
            actions(&stub),
            [
                "Action=DescribeSecurityGroups",
                "Action=AuthorizeSecurityGroupIngress",
                "Action=RevokeSecurityGroupIngress"
            ]
        );
    }

    #[tokio::test]
    async fn a_concurrent_change_plans_again_once_and_the_outcome_keeps_both_plans() {
        let stub = Stub::start(vec![
            Reply::xml(200, &described(&rule(22, "0.0.0.0/0"))),
            // Someone else authorized the same rule in between.
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "the specified rule already exists")),
            Reply::xml(200, &described(&(rule(22, "0.0.0.0/0") + &rule(443, "10.0.0.0/8")))),
            ok("RevokeSecurityGroupIngress"),
        ]);
        let wanted = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None)]);
        let outcome = stub.client().sync_ingress("sg-1").rules(wanted.clone()).send().await.unwrap();
        assert!(outcome.replanned());
        // The rule the first plan authorized is there after it: it is in the record.
        assert_eq!(outcome.counts(), (1, 1, 0), "{outcome}");
        assert_eq!(outcome.authorized[0].rule.to_string(), "tcp 443 10.0.0.0/8");
        assert_eq!(outcome.revoked[0].rule.to_string(), "tcp 22 0.0.0.0/0");
        assert_eq!((outcome.operations, outcome.http_attempts), (4, 4));
        assert_eq!(
            outcome.to_string(),
            "1 rule(s) authorized, 1 revoked, 0 re-described; 2 plans, 4 operations, 4 HTTP attempts"
        );

        // A second race in a row is an error, not a loop.
        let stub = Stub::start(vec![
            Reply::xml(200, &described("")),
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "exists")),
            Reply::xml(200, &described("")),
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "exists")),
        ]);
        let error = stub.client().sync_ingress("sg-1").rules(wanted).send().await.unwrap_err();
        assert_eq!(error.code(), Some("InvalidPermission.Duplicate"));
        assert_eq!(stub.received().len(), 4);
    }
}

// ---- end to end against moto (with signature checks), through a proxy that counts calls ----

mod moto_e2e {
    use super::{cidr, invalid_permissions, permission};
    use ec2_sg::resources::SecurityGroup;
    use ec2_sg::sync::{normalize, normalize_in, RuleSet};
    use ec2_sg::types::{IpPermission, UserIdGroupPair};
    use ec2_sg::ErrorKind;
    use ec2_sg_tests::moto::{moto, unique};
    use ec2_sg_tests::proxy::LosingProxy;

    async fn new_group(client: &ec2_sg::Client, what: &str) -> SecurityGroup {
        client.resource().create_security_group().group_name(unique(what)).description(what).send().await.unwrap()
    }

    /// A new group with one rule: tcp 80 from anywhere.
    async fn new_group_open_on_80(client: &ec2_sg::Client, what: &str) -> SecurityGroup {
        let group = new_group(client, what).await;
        group
            .authorize_ingress()
            .ip_permissions(permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None)]))
            .send()
            .await
            .unwrap();
        group
    }

    /// The group's inbound (or outbound) rules as EC2 now holds them.
    async fn rules_of(group: &mut SecurityGroup, egress: bool) -> RuleSet {
        group.load().await.unwrap();
        let owner = group.owner_id().map(str::to_string);
        let permissions = if egress { group.ip_permissions_egress() } else { group.ip_permissions() };
        normalize_in(permissions, owner.as_deref()).unwrap()
    }

    /// A client that goes through a proxy losing the answer to the first `action` call.
    fn through_proxy(action: &str) -> (ec2_sg::Client, LosingProxy) {
        let proxy = LosingProxy::start(&moto().endpoint, action);
        let config = moto().config().endpoint_url(&proxy.endpoint).build().unwrap();
        (ec2_sg::Client::from_conf(config), proxy)
    }

    fn desired() -> Vec<IpPermission> {
        vec![
            permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("vpn"))]),
            permission("6", Some((443, 443)), vec![cidr("10.0.0.0/8", None), cidr("10.1.0.0/16", Some("lb"))]),
            permission("icmp", None, vec![cidr("10.2.0.0/16", None)]),
        ]
    }

    #[tokio::test]
    async fn converges_then_makes_no_change() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-converge").await;
        let peer = new_group(&client, "sync-peer").await;
        let start = [
            permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("old")), cidr("0.0.0.0/0", None)]),
            permission("udp", Some((53, 53)), vec![cidr("10.9.0.0/16", None)]),
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(peer.id()).build())
                .build(),
        ];
        group.authorize_ingress().set_ip_permissions(Some(start.to_vec())).send().await.unwrap();

        let outcome = group.sync_ingress().set_rules(Some(desired())).send().await.unwrap();
        assert_eq!(outcome.counts(), (3, 3, 1), "{outcome}");
        assert_eq!((outcome.operations, outcome.http_attempts), (4, 4));
        assert_eq!(
            outcome.to_string(),
            "3 rule(s) authorized, 3 revoked, 1 re-described; 1 plan, 4 operations, 4 HTTP attempts"
        );
        let revoked: Vec<String> = outcome.revoked.iter().map(|change| change.rule.to_string()).collect();
        assert!(revoked.contains(&"tcp 22 0.0.0.0/0".to_string()), "{revoked:?}");
        assert_eq!(rules_of(&mut group, false).await, normalize(&desired()).unwrap());

        let again = client.sync_ingress(group.id()).set_rules(Some(desired())).send().await.unwrap();
        assert!(!again.changed() && again.last_plan().unwrap().is_empty(), "{again}");
        assert_eq!(again.operations, 1);
    }

    #[tokio::test]
    async fn an_invalid_rule_of_any_class_makes_no_call_and_changes_nothing() {
        let client = moto().client();
        let mut group = new_group_open_on_80(&client, "sync-invalid").await;
        let before = rules_of(&mut group, false).await;
        let (counted, proxy) = through_proxy("none");
        for (bad, reason) in invalid_permissions() {
            let good = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None)]);
            let error = counted.sync_ingress(group.id()).rules(good).rules(bad.clone()).send().await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Validation, "{error}");
            assert!(error.to_string().contains(reason) && error.to_string().contains(&bad.to_string()), "{error}");
        }
        // Not even the describe: nothing reached the server.
        assert_eq!(proxy.actions(), Vec::<String>::new());
        assert_eq!(rules_of(&mut group, false).await, before);
    }

    #[tokio::test]
    async fn a_lost_authorize_answer_is_in_the_outcome_once() {
        let client = moto().client();
        let mut group = new_group_open_on_80(&client, "sync-lost-authorize").await;
        let before = rules_of(&mut group, false).await;
        let (lossy, proxy) = through_proxy("AuthorizeSecurityGroupIngress");
        let wanted = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", Some("web"))]);
        let outcome = lossy.sync_ingress(group.id()).rules(wanted.clone()).send().await.unwrap();
        // The authorization was made, its answer lost; the retry met a duplicate; the sync
        // described again, saw the rule, and revoked the old one.
        assert_eq!(
            proxy.actions(),
            [
                "DescribeSecurityGroups",
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupIngress",
                "DescribeSecurityGroups",
                "RevokeSecurityGroupIngress"
            ]
        );
        assert!(outcome.replanned());
        assert_eq!(outcome.counts(), (1, 1, 0), "{outcome}");
        assert_eq!((outcome.operations, outcome.http_attempts), (4, 5));
        let after = rules_of(&mut group, false).await;
        assert_eq!(after, normalize(&[wanted]).unwrap());
        // The outcome's totals are the difference moto shows.
        assert_eq!(outcome.authorized.len(), after.keys().filter(|rule| !before.contains_key(rule)).count());
        assert_eq!(outcome.revoked.len(), before.keys().filter(|rule| !after.contains_key(rule)).count());
    }

    #[tokio::test]
    async fn a_lost_revoke_answer_is_in_the_outcome_once() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-lost-revoke").await;
        let keep = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None)]);
        let start = [keep.clone(), permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None)])];
        group.authorize_ingress().set_ip_permissions(Some(start.to_vec())).send().await.unwrap();
        let (lossy, proxy) = through_proxy("RevokeSecurityGroupIngress");
        let outcome = lossy.sync_ingress(group.id()).rules(keep.clone()).send().await.unwrap();
        assert_eq!(
            proxy.actions(),
            [
                "DescribeSecurityGroups",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupIngress",
                "DescribeSecurityGroups"
            ]
        );
        assert!(outcome.replanned() && outcome.last_plan().unwrap().is_empty());
        assert_eq!(outcome.counts(), (0, 1, 0), "{outcome}");
        assert_eq!(outcome.revoked[0].rule.to_string(), "tcp 80 0.0.0.0/0");
        assert_eq!(rules_of(&mut group, false).await, normalize(&[keep]).unwrap());
    }

    #[tokio::test]
    async fn purge_false_only_adds_and_redescribes() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-add-only").await;
        let start = [permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None), cidr("10.0.0.0/8", Some("old"))])];
        group.authorize_ingress().set_ip_permissions(Some(start.to_vec())).send().await.unwrap();
        let wanted = [
            permission("tcp", Some((80, 80)), vec![cidr("10.0.0.0/8", Some("new"))]),
            permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None)]),
        ];
        let outcome = group.sync_ingress().set_rules(Some(wanted.to_vec())).purge(false).send().await.unwrap();
        assert_eq!(outcome.counts(), (1, 0, 1), "{outcome}");
        let mut expected = normalize(&wanted).unwrap();
        expected.extend(normalize(&[permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None)])]).unwrap());
        assert_eq!(rules_of(&mut group, false).await, expected);
    }

    #[tokio::test]
    async fn a_whole_group_in_one_sync_authorizes_everything_before_revoking() {
        let client = moto().client();
        let mut group = new_group_open_on_80(&client, "sync-whole").await;
        let (counted, proxy) = through_proxy("none");
        let inbound = permission("tcp", Some((443, 443)), vec![cidr("0.0.0.0/0", Some("https in"))]);
        let outbound = permission("tcp", Some((443, 443)), vec![cidr("0.0.0.0/0", Some("https out"))]);
        let outcome = ec2_sg::resources::SecurityGroup::new(counted.clone(), group.id())
            .sync()
            .ingress(inbound.clone())
            .egress(outbound.clone())
            .send()
            .await
            .unwrap();
        // A new VPC group allows all outbound traffic: that rule and port 80 in go.
        assert_eq!(outcome.counts(), (2, 2, 0), "{outcome}");
        assert_eq!(
            proxy.actions(),
            [
                "DescribeSecurityGroups",
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress"
            ]
        );
        assert_eq!(rules_of(&mut group, false).await, normalize(std::slice::from_ref(&inbound)).unwrap());
        assert_eq!(rules_of(&mut group, true).await, normalize(std::slice::from_ref(&outbound)).unwrap());
        let again =
            group.sync().set_ingress(Some(vec![inbound])).set_egress(Some(vec![outbound])).send().await.unwrap();
        assert_eq!((again.changed(), again.operations), (false, 1));
    }

    #[tokio::test]
    async fn a_group_peer_given_by_name_is_resolved_in_the_vpc() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-by-name").await;
        let name = unique("sync-named-peer");
        let peer =
            client.resource().create_security_group().group_name(&name).description("peer").send().await.unwrap();
        let by_name = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(5432)
            .to_port(5432)
            .user_id_group_pairs(UserIdGroupPair::builder().group_name(&name).description("db clients").build())
            .build();
        let (counted, proxy) = through_proxy("none");
        let outcome = counted.sync_ingress(group.id()).rules(by_name.clone()).send().await.unwrap();
        assert_eq!(outcome.counts(), (1, 0, 0), "{outcome}");
        assert_eq!(outcome.authorized[0].rule.to_string(), format!("tcp 5432 {}", peer.id()));
        // One describe of the group, one for all the names.
        assert_eq!(
            proxy.actions(),
            ["DescribeSecurityGroups", "DescribeSecurityGroups", "AuthorizeSecurityGroupIngress"]
        );
        let by_id = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(5432)
            .to_port(5432)
            .user_id_group_pairs(UserIdGroupPair::builder().group_id(peer.id()).description("db clients").build())
            .build();
        assert_eq!(rules_of(&mut group, false).await, normalize(&[by_id]).unwrap());
        assert!(!counted.sync_ingress(group.id()).rules(by_name).send().await.unwrap().changed());

        let nobody = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .user_id_group_pairs(UserIdGroupPair::builder().group_name(unique("no-such-group")).build())
            .build();
        let calls = proxy.actions().len();
        let error = counted.sync_ingress(group.id()).set_rules(Some(vec![nobody])).send().await.unwrap_err();
        assert!(error.to_string().contains("matches no group"), "{error}");
        assert_eq!(proxy.actions()[calls..], ["DescribeSecurityGroups", "DescribeSecurityGroups"]);
    }

    #[test]
    fn the_blocking_client_syncs_in_every_mode() {
        let client = ec2_sg::blocking::Client::from_conf(moto().config().build().unwrap()).unwrap();
        let created =
            client.create_security_group().group_name(unique("sync-blocking")).description("b").send().unwrap();
        let id = created.group_id().unwrap().to_string();
        let outcome = client.sync_ingress(&id).set_rules(Some(desired())).send().unwrap();
        assert_eq!(outcome.counts(), (4, 0, 0), "{outcome}");
        let add_only =
            client.sync_ingress(&id).rules("udp 53 10.0.0.0/8".parse().unwrap()).purge(false).send().unwrap();
        assert_eq!(add_only.counts(), (1, 0, 0));
        let whole = client
            .sync_group(&id)
            .set_ingress(Some(desired()))
            .egress("tcp 443 0.0.0.0/0".parse().unwrap())
            .send()
            .unwrap();
        // udp 53 goes; all traffic out is replaced by HTTPS out.
        assert_eq!(whole.counts(), (1, 2, 0), "{whole}");
        let again = client
            .sync_group(&id)
            .set_ingress(Some(desired()))
            .egress("tcp 443 0.0.0.0/0".parse().unwrap())
            .send()
            .unwrap();
        assert_eq!((again.changed(), again.operations), (false, 1));
    }

    #[tokio::test]
    async fn a_missing_group_is_not_found() {
        let client = moto().client();
        let error = client.sync_ingress("sg-00000000000000000").set_rules(Some(vec![])).send().await.unwrap_err();
        // moto answers InvalidGroup.NotFound; an empty answer would be ErrorKind::NotFound.
        assert!(matches!(error.kind(), ErrorKind::Service | ErrorKind::NotFound), "{error}");
    }
}

// ---- desired rules as data (the `serde` feature) ----

#[test]
fn desired_rules_round_trip_through_json() {
    let rules: Vec<IpPermission> = [
        "tcp 443 10.0.0.0/8 \"office\" 2001:db8::/32",
        "icmp 8:0 pl-0123abcd",
        "-1 111122223333/sg-0123abcd@pcx-0123abcd \"peer\"",
    ]
    .iter()
    .map(|line| line.parse().unwrap())
    .collect();
    let json = serde_json::to_string(&rules).unwrap();
    let back: Vec<IpPermission> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, rules);
    // Members left out are absent, not required; a misspelt member is an error, not ignored.
    let written =
        r#"[{"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "ip_ranges": [{"cidr_ip": "10.0.0.0/8"}]}]"#;
    let read: Vec<IpPermission> = serde_json::from_str(written).unwrap();
    assert_eq!(read, vec![permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", None)])]);
    let misspelt = r#"[{"ip_protocol": "tcp", "ip_range": []}]"#;
    assert!(serde_json::from_str::<Vec<IpPermission>>(misspelt).unwrap_err().to_string().contains("unknown field"));
}
