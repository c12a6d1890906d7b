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
    let upper = normalize(&[IpPermission::builder()
        .ip_protocol("-1")
        .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:DB8::/32").build())
        .build()])
    .unwrap();
    assert_eq!(upper.keys().next().unwrap().to_string(), "all traffic 2001:db8::/32");
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
pub(crate) struct Cases(pub(crate) u64);

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
    pub(crate) fn permissions(&mut self) -> Vec<IpPermission> {
        self.permissions_of(&["tcp", "6", "udp", "icmp", "-1", "all", "50"], 6)
    }

    pub(crate) fn permissions_of(&mut self, protocols: &[&str], peer_kinds: u64) -> Vec<IpPermission> {
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
                let which = self.below(peer_kinds);
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

// ---- applying plans: end to end against moto, and a scripted race ----

mod apply {
    use super::{cidr, normalize, permission};
    use ec2_sg::resources::SecurityGroup;
    use ec2_sg::sync::{normalize_in, RuleSet};
    use ec2_sg::types::{IpPermission, UserIdGroupPair};
    use ec2_sg::ErrorKind;
    use ec2_sg_tests::moto::{moto, unique};
    use ec2_sg_tests::stub::{error_body, Reply, Stub};

    async fn new_group(client: &ec2_sg::Client, what: &str) -> SecurityGroup {
        client.resource().create_security_group().group_name(unique(what)).description(what).send().await.unwrap()
    }

    /// The group's inbound (or outbound) rules as EC2 now holds them.
    async fn rules_of(group: &mut SecurityGroup, egress: bool) -> RuleSet {
        group.load().await.unwrap();
        let owner = group.owner_id().map(str::to_string);
        let permissions = if egress { group.ip_permissions_egress() } else { group.ip_permissions() };
        normalize_in(permissions, owner.as_deref()).unwrap()
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
        // Arbitrary starting rules: one to keep with another description, others to remove.
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
        assert!(outcome.applied);
        assert_eq!(outcome.plan.counts(), (3, 3, 1), "{}", outcome.plan);
        // describe, authorize, revoke, update descriptions.
        assert_eq!(outcome.calls, 4);
        assert_eq!(outcome.to_string(), "3 rule(s) authorized, 3 revoked, 1 re-described, in 4 call(s)");
        let revoked: Vec<String> = outcome
            .plan
            .changes()
            .filter(|(change, ..)| *change == ec2_sg::sync::Change::Revoke)
            .map(|(_, rule, _)| rule.to_string())
            .collect();
        assert_eq!(revoked.len(), 3);
        assert!(revoked.contains(&"tcp 22 0.0.0.0/0".to_string()), "{revoked:?}");
        assert_eq!(rules_of(&mut group, false).await, normalize(&desired()).unwrap());

        // The same input again: only the describe.
        let again = client.sync_ingress(group.id()).set_rules(Some(desired())).send().await.unwrap();
        assert!(again.plan.is_empty() && !again.applied, "{}", again.plan);
        assert_eq!(again.calls, 1);

        // A description-only change is one update, never a revoke.
        let mut renamed = desired();
        renamed[0] = permission("tcp", Some((22, 22)), vec![cidr("10.0.0.0/8", Some("vpn, renamed"))]);
        let outcome = group.sync_ingress().set_rules(Some(renamed.clone())).send().await.unwrap();
        assert_eq!(outcome.plan.counts(), (0, 0, 1));
        assert_eq!(outcome.calls, 2);
        assert_eq!(rules_of(&mut group, false).await, normalize(&renamed).unwrap());
    }

    #[tokio::test]
    async fn dry_runs_quotas_and_missing_rules_change_nothing() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-dry").await;
        group
            .authorize_ingress()
            .ip_permissions(permission("tcp", Some((80, 80)), vec![cidr("0.0.0.0/0", None)]))
            .send()
            .await
            .unwrap();
        let before = rules_of(&mut group, false).await;

        let dry = group.sync_ingress().set_rules(Some(desired())).dry_run(true).send().await.unwrap();
        assert!(!dry.applied && dry.calls == 1);
        assert_eq!(dry.to_string(), "4 rule(s) to be authorized, 1 to be revoked, 0 to be re-described, in 1 call(s)");
        assert_eq!(dry.plan.counts(), (4, 1, 0));
        assert!(dry.plan.to_string().contains("- tcp 80 0.0.0.0/0"), "{}", dry.plan);

        let many: Vec<_> = (0..61).map(|i| cidr(&format!("10.{i}.0.0/16"), None)).collect();
        let error =
            group.sync_ingress().rules(permission("tcp", Some((443, 443)), many.clone())).send().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation);
        assert!(error.to_string().contains("do not fit the quota of 60 rules"), "{error}");
        assert!(error.to_string().contains("nothing was sent"), "{error}");
        // A raised quota lets it through.
        let raised =
            group.sync_ingress().rules(permission("tcp", Some((443, 443)), many)).rule_quota(100).dry_run(true);
        assert_eq!(raised.send().await.unwrap().plan.counts(), (61, 1, 0));

        let error = group.sync_ingress().send().await.unwrap_err();
        assert!(error.to_string().contains("no desired rules were given"), "{error}");
        let by_name = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .user_id_group_pairs(UserIdGroupPair::builder().group_name("bastion").build())
            .build();
        let error = group.sync_ingress().rules(by_name).send().await.unwrap_err();
        assert!(error.to_string().contains("give group_id"), "{error}");
        assert_eq!(rules_of(&mut group, false).await, before);

        // Removing everything must be asked for explicitly.
        let emptied = group.sync_ingress().set_rules(Some(vec![])).send().await.unwrap();
        assert_eq!(emptied.plan.counts(), (0, 1, 0));
        assert!(rules_of(&mut group, false).await.is_empty());
    }

    #[tokio::test]
    async fn egress_converges_too() {
        let client = moto().client();
        let mut group = new_group(&client, "sync-egress").await;
        // A new VPC group allows all outbound traffic; keep only HTTPS out.
        let wanted = vec![permission("tcp", Some((443, 443)), vec![cidr("0.0.0.0/0", Some("https out"))])];
        let outcome = group.sync_egress().set_rules(Some(wanted.clone())).send().await.unwrap();
        assert!(outcome.applied, "{}", outcome.plan);
        assert_eq!(rules_of(&mut group, true).await, normalize(&wanted).unwrap());
        assert!(group.sync_egress().set_rules(Some(wanted)).send().await.unwrap().plan.is_empty());
    }

    #[test]
    fn the_blocking_client_syncs() {
        let client = ec2_sg::blocking::Client::from_conf(moto().config().build().unwrap()).unwrap();
        let created =
            client.create_security_group().group_name(unique("sync-blocking")).description("b").send().unwrap();
        let id = created.group_id().unwrap().to_string();
        let outcome = client.sync_ingress(&id).set_rules(Some(desired())).send().unwrap();
        assert!(outcome.applied);
        let again = client.sync_ingress(&id).set_rules(Some(desired())).send().unwrap();
        assert_eq!((again.calls, again.plan.is_empty()), (1, true));
    }

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

    #[tokio::test]
    async fn a_concurrent_change_plans_again_once() {
        let revoked = "<RevokeSecurityGroupIngressResponse><requestId>r</requestId><return>true</return></RevokeSecurityGroupIngressResponse>";
        let stub = Stub::start(vec![
            Reply::xml(200, &described(&rule(22, "0.0.0.0/0"))),
            // Someone else authorized the same rule in between.
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "the specified rule already exists")),
            Reply::xml(200, &described(&(rule(22, "0.0.0.0/0") + &rule(443, "10.0.0.0/8")))),
            Reply::xml(200, revoked),
        ]);
        let client = stub.client();
        let wanted = permission("tcp", Some((443, 443)), vec![cidr("10.0.0.0/8", None)]);
        let outcome = client.sync_ingress("sg-1").rules(wanted.clone()).send().await.unwrap();
        assert!(outcome.applied && outcome.replanned);
        assert_eq!(outcome.plan.counts(), (0, 1, 0));
        assert_eq!(outcome.calls, 4);
        let actions: Vec<String> =
            stub.received().iter().map(|r| r.body.split('&').next().unwrap_or_default().to_string()).collect();
        assert_eq!(
            actions,
            [
                "Action=DescribeSecurityGroups",
                "Action=AuthorizeSecurityGroupIngress",
                "Action=DescribeSecurityGroups",
                "Action=RevokeSecurityGroupIngress"
            ]
        );

        // A second race in a row is an error, not a loop.
        let stub = Stub::start(vec![
            Reply::xml(200, &described("")),
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "exists")),
            Reply::xml(200, &described("")),
            Reply::xml(400, &error_body("InvalidPermission.Duplicate", "exists")),
        ]);
        let client = stub.client();
        let error = client.sync_ingress("sg-1").rules(wanted).send().await.unwrap_err();
        assert_eq!(error.code(), Some("InvalidPermission.Duplicate"));
        assert_eq!(stub.received().len(), 4);
    }

    #[tokio::test]
    async fn converges_from_random_starting_rules_to_random_desired_ones() {
        let client = moto().client();
        let mut cases = super::Cases(0x00c0_ffee_0000_0013);
        // CIDR peers only (v4 and v6) and the protocols moto models.
        let protocols = ["tcp", "6", "udp", "icmp", "-1"];
        for round in 0..8 {
            let mut group = new_group(&client, "sync-random").await;
            // The starting rules, each once (EC2 refuses a request that names a rule twice).
            let start = ec2_sg::sync::plan(&[], &cases.permissions_of(&protocols, 5)).unwrap().authorize;
            if !start.is_empty() {
                group.authorize_ingress().set_ip_permissions(Some(start)).send().await.unwrap();
            }
            let wanted = cases.permissions_of(&protocols, 5);
            let outcome = group.sync_ingress().set_rules(Some(wanted.clone())).send().await.unwrap();
            assert_eq!(
                rules_of(&mut group, false).await,
                normalize(&wanted).unwrap(),
                "round {round}: {}",
                outcome.plan
            );
            let again = group.sync_ingress().set_rules(Some(wanted)).send().await.unwrap();
            assert_eq!((again.calls, again.plan.is_empty()), (1, true), "round {round}: {}", again.plan);
        }
    }

    #[tokio::test]
    async fn a_missing_group_is_not_found() {
        let client = moto().client();
        let error = client.sync_ingress("sg-00000000000000000").set_rules(Some(vec![])).send().await.unwrap_err();
        // moto answers InvalidGroup.NotFound; an empty answer would be ErrorKind::NotFound.
        assert!(matches!(error.kind(), ErrorKind::Service | ErrorKind::NotFound), "{error}");
    }
}
