//! SEG004 public-prod-database: a production database instance is reachable from the internet
//! when three things hold at once: it is marked publicly accessible (its DNS name resolves to
//! a public address), a subnet of its DB subnet group routes to an internet gateway, and one of
//! its security groups admits the internet on its port. A flagged instance that the network
//! still shields passes with a warning: the network is then its only barrier.
//!
//! The route tables and security groups are read by [`crate::network::exposure`].

use std::collections::BTreeSet;

use serde_json::json;

use crate::checks::scope::{RDS_INSTANCES, add_evidence};
use crate::checks::{Check, Ctx, Finding, RegionScope, Scoped, Status, regions};
use crate::classify::EnvVerdict;
use crate::inventory::{RdsInstance, Snapshot};
use crate::network::exposure::{DbPort, GroupVerdict, RegionView, Routes, SubnetRoute};

pub const CHECK: Check = Check {
    id: "SEG004",
    name: "public-prod-database",
    catalogue: include_str!("../../../checks/seg/SEG004-public-prod-database.toml"),
    run,
};

/// Every instance is judged, cluster members included: public accessibility is an instance
/// setting (each Aurora instance has its own endpoint).
fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        let Some(instances) = &scope.region.rds_instances else {
            out.extend(scope.not_collected(ctx, RDS_INSTANCES));
            continue;
        };
        let network = RegionView::of(snapshot, scope.account, scope.name, scope.region);
        for instance in instances {
            out.push(judge(&scope, ctx, &network, instance));
        }
    }
    out
}

fn judge(scope: &RegionScope, ctx: &Ctx, network: &RegionView, instance: &RdsInstance) -> Finding {
    let what = format!("db instance {}", instance.id);
    let verdict = match scope.classify(ctx, &instance.tags, &instance.arn, &what) {
        Scoped::Prod(verdict) => verdict,
        Scoped::Skip(finding) => return *finding,
    };
    let at = scope.where_();
    let mut finding = match instance.publicly_accessible {
        Some(true) => exposure(scope, &verdict, network, instance, &what),
        Some(false) => {
            let mut finding = scope.finding(Status::Pass, &verdict, &instance.arn);
            finding.message = format!("{what} in {at} (prod) is not publicly accessible");
            finding
        }
        None => {
            let mut finding = scope.finding(Status::Unknown, &verdict, &instance.arn);
            finding.message =
                format!("publicly accessible of {what} in {at} (prod) was not collected");
            finding
        }
    };
    add_evidence(
        &mut finding,
        "publicly_accessible",
        json!(instance.publicly_accessible),
    );
    if let Some(cluster) = &instance.cluster_id {
        add_evidence(&mut finding, "cluster_id", json!(cluster));
    }
    if let Some(endpoint) = &instance.endpoint {
        add_evidence(&mut finding, "endpoint", json!(endpoint.address));
    }
    finding
}

/// Judges a flagged instance by its route tables and security groups.
fn exposure(
    scope: &RegionScope,
    verdict: &EnvVerdict,
    network: &RegionView,
    instance: &RdsInstance,
    what: &str,
) -> Finding {
    let port = DbPort::of(instance);
    let routes = network.routes(instance);
    let groups = network.groups(instance, &port);
    let (route_held, groups_held) = (routes.held, groups.held);
    let unknown = [routes.unknown.as_slice(), groups.unknown.as_slice()].concat();

    let status = match (route_held, groups_held) {
        (Some(true), Some(true)) => Status::Fail,
        (Some(false), _) | (_, Some(false)) => Status::Pass,
        _ => Status::Unknown,
    };
    let mut finding = scope.finding(status, verdict, &instance.arn);
    let at = scope.where_();
    let routed = routes
        .subnets
        .iter()
        .find_map(|s| Some((s.subnet, s.internet?)));
    let admitting = groups.groups.iter().find(|g| g.admits == Some(true));
    let reach = routed.zip(admitting);
    finding.message = match (status, reach) {
        (Status::Fail, Some(((subnet, (route, gateway)), group))) => {
            // An admitting group has at least one rule, each with at least one public range.
            let rule = &group.rules[0];
            format!(
                "{what} in {at} (prod) is reachable from the internet: publicly accessible, subnet {subnet} routes {} to {gateway}, security group {} admits {} on {}",
                route.destination,
                group.id,
                rule.public[0],
                port.or_rule(rule.rule)
            )
        }
        (Status::Pass, _) => {
            let mut barriers = Vec::new();
            if route_held == Some(false) {
                barriers.push("no internet gateway route from its subnets".to_owned());
            }
            if groups_held == Some(false) {
                barriers.push(format!(
                    "no security group admits the internet on {}",
                    port.phrase()
                ));
            }
            format!(
                "{what} in {at} (prod) is publicly accessible, but the internet is kept out: {}",
                barriers.join(" and ")
            )
        }
        _ => format!(
            "{what} in {at} (prod) is publicly accessible; whether the internet reaches it is unknown: {}",
            unknown.join("; ")
        ),
    };

    add_evidence(&mut finding, "port", json!(port.number));
    add_evidence(&mut finding, "port_source", json!(port.source));
    add_evidence(
        &mut finding,
        "subnets",
        json!(
            routes
                .subnets
                .iter()
                .map(SubnetRoute::evidence)
                .collect::<Vec<_>>()
        ),
    );
    add_evidence(
        &mut finding,
        "security_groups",
        json!(
            groups
                .groups
                .iter()
                .map(GroupVerdict::evidence)
                .collect::<Vec<_>>()
        ),
    );
    if !unknown.is_empty() {
        add_evidence(&mut finding, "unknown", json!(unknown));
    }

    let clear_flag = format!(
        "aws rds modify-db-instance --db-instance-identifier {} --no-publicly-accessible --apply-immediately --region {}",
        instance.id, scope.name
    );
    match status {
        Status::Fail => {
            let mut commands = vec![clear_flag];
            for group in groups.groups.iter().filter(|g| g.admits == Some(true)) {
                commands.extend(
                    group
                        .rules
                        .iter()
                        .map(|rule| group.revoke(rule, scope.name)),
                );
            }
            finding.remediation = Some(commands.join("; then "));
        }
        Status::Pass => {
            let warning = warning(&routes, &port, groups_held);
            add_evidence(
                &mut finding,
                "warning",
                json!(format!("{warning}; clear the flag ({clear_flag})")),
            );
        }
        _ => {}
    }
    finding
}

/// Why a flagged instance that the network shields is still at risk: the changes that would
/// put it on the internet.
fn warning(routes: &Routes, port: &DbPort, groups_held: Option<bool>) -> String {
    let mut changes = Vec::new();
    if routes.held == Some(false) {
        let tables: BTreeSet<&str> = routes
            .subnets
            .iter()
            .filter_map(|s| s.table.map(|t| t.id.as_str()))
            .collect();
        changes.push(format!(
            "a route to an internet gateway in route table {}",
            Vec::from_iter(tables).join(" or ")
        ));
    }
    if groups_held == Some(false) {
        changes.push(format!(
            "a security-group rule admitting 0.0.0.0/0 on {}",
            port.phrase()
        ));
    }
    let other_holds = routes.held == Some(true) || groups_held == Some(true);
    if let [change] = changes.as_slice()
        && other_holds
    {
        format!("one change removes the only barrier: {change} would put it on the internet")
    } else {
        format!(
            "only the network keeps the internet out: {} could put it on the internet",
            changes.join(" and ")
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::checks::testing::*;
    use crate::checks::{Finding, Status};
    use crate::inventory::{
        Account, Endpoint, RdsInstance, Region, Route, RouteState, RouteTable, RouteTarget,
        SecurityGroup, SecurityGroupRule, Snapshot, Subnet,
    };

    /// A flagged Postgres instance in subnets subnet-1 and subnet-2 of vpc-1, behind sg-1.
    fn db(id: &str, public: Option<bool>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            publicly_accessible: public,
            endpoint: Some(Endpoint {
                address: format!("{id}.c9akciq32.eu-west-1.rds.amazonaws.com"),
                port: Some(5432),
            }),
            vpc_id: Some("vpc-1".into()),
            subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
            security_group_ids: vec!["sg-1".into()],
            ..Default::default()
        }
    }

    fn route(destination: &str, target: RouteTarget, state: RouteState) -> Route {
        Route {
            destination: destination.into(),
            target,
            state,
        }
    }

    fn local() -> Route {
        route("10.0.0.0/16", RouteTarget::Local, RouteState::Active)
    }

    fn to_igw() -> Route {
        route(
            "0.0.0.0/0",
            RouteTarget::InternetGateway("igw-1".into()),
            RouteState::Active,
        )
    }

    fn table(id: &str, main: bool, subnets: &[&str], routes: Vec<Route>) -> RouteTable {
        RouteTable {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            main,
            subnet_ids: subnets.iter().map(|s| (*s).into()).collect(),
            routes,
        }
    }

    fn tcp(from: u16, to: u16, ipv4: &[&str]) -> SecurityGroupRule {
        SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: Some(from),
            to_port: Some(to),
            ipv4_ranges: ipv4.iter().map(|c| (*c).into()).collect(),
            ..Default::default()
        }
    }

    fn group(rules: Vec<SecurityGroupRule>) -> SecurityGroup {
        SecurityGroup {
            id: "sg-1".into(),
            vpc_id: "vpc-1".into(),
            name: "orders-db".into(),
            ingress: rules,
        }
    }

    /// A region where the main table routes to igw-1 and sg-1 opens 5432 to the internet;
    /// `shape` then changes what the test is about.
    fn open(instances: Vec<RdsInstance>, shape: impl FnOnce(&mut Region)) -> Snapshot {
        estate_in(PROD, |r| {
            r.rds_instances = Some(instances);
            r.route_tables = Some(vec![table("rtb-main", true, &[], vec![local(), to_igw()])]);
            r.security_groups = Some(vec![group(vec![tcp(5432, 5432, &["0.0.0.0/0"])])]);
            shape(r);
        })
    }

    fn judge(shape: impl FnOnce(&mut Region)) -> Finding {
        let findings = run_check(&super::CHECK, &open(vec![db("orders", Some(true))], shape));
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].clone()
    }

    fn run_in(account: &str, instances: Vec<RdsInstance>) -> Vec<Finding> {
        run_check(
            &super::CHECK,
            &estate_in(account, |r| r.rds_instances = Some(instances)),
        )
    }

    #[test]
    fn reachable_database_fails_with_the_three_conditions_in_evidence() {
        let fail = judge(|_| {});
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert_eq!(
            fail.message,
            "db instance orders in acme-prod eu-west-1 (prod) is reachable from the internet: publicly accessible, subnet subnet-1 routes 0.0.0.0/0 to igw-1, security group sg-1 admits 0.0.0.0/0 on 5432"
        );
        let e = &fail.evidence;
        assert_eq!(e["publicly_accessible"], true);
        assert_eq!(e["port"], 5432);
        assert_eq!(e["port_source"], "endpoint");
        assert_eq!(e["subnets"][0]["subnet"], "subnet-1");
        assert_eq!(e["subnets"][0]["route_table"], "rtb-main");
        assert_eq!(
            e["subnets"][0]["internet_route"],
            serde_json::json!({ "destination": "0.0.0.0/0", "gateway": "igw-1" })
        );
        assert_eq!(e["subnets"][1]["route_table"], "rtb-main");
        assert_eq!(e["security_groups"][0]["group"], "sg-1");
        assert_eq!(e["security_groups"][0]["admits_internet"], true);
        let rule = &e["security_groups"][0]["rules"][0];
        assert_eq!(rule["ranges"][0], "0.0.0.0/0");
        assert_eq!(
            (&rule["from_port"], &rule["to_port"]),
            (&5432.into(), &5432.into())
        );
        assert_eq!(
            e["endpoint"],
            "orders.c9akciq32.eu-west-1.rds.amazonaws.com"
        );
        assert!(e.get("warning").is_none());
        let fix = fail.remediation.unwrap();
        assert!(fix.starts_with(
            "aws rds modify-db-instance --db-instance-identifier orders --no-publicly-accessible --apply-immediately --region eu-west-1"
        ));
        assert!(fix.contains(
            "aws ec2 revoke-security-group-ingress --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=0.0.0.0/0}]' --region eu-west-1"
        ));
    }

    #[test]
    fn database_that_is_not_publicly_accessible_passes() {
        let pass = only(
            &run_check(
                &super::CHECK,
                &open(vec![db("orders", Some(false))], |_| {}),
            ),
            Status::Pass,
        )
        .clone();
        assert_eq!(pass.evidence["publicly_accessible"], false);
        assert!(pass.evidence.get("warning").is_none());
    }

    #[test]
    fn no_internet_gateway_route_passes_with_a_warning() {
        let pass = judge(|r| {
            let nat = route(
                "0.0.0.0/0",
                RouteTarget::NatGateway("nat-1".into()),
                RouteState::Active,
            );
            r.route_tables = Some(vec![table("rtb-main", true, &[], vec![local(), nat])]);
        });
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert_eq!(
            pass.message,
            "db instance orders in acme-prod eu-west-1 (prod) is publicly accessible, but the internet is kept out: no internet gateway route from its subnets"
        );
        assert_eq!(pass.evidence["subnets"][0]["route_table"], "rtb-main");
        assert!(pass.evidence["subnets"][0]["internet_route"].is_null());
        let warning = pass.evidence["warning"].as_str().unwrap();
        assert!(warning.contains("one change"), "{warning}");
        assert!(warning.contains("route table rtb-main"), "{warning}");
        assert!(warning.contains("--no-publicly-accessible"), "{warning}");
        assert!(pass.remediation.is_none());
    }

    #[test]
    fn blackholed_internet_gateway_route_does_not_count() {
        let pass = judge(|r| {
            let dead = route(
                "0.0.0.0/0",
                RouteTarget::InternetGateway("igw-gone".into()),
                RouteState::Blackhole,
            );
            r.route_tables = Some(vec![table("rtb-main", true, &[], vec![local(), dead])]);
        });
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert!(pass.evidence["subnets"][0]["internet_route"].is_null());
    }

    #[test]
    fn group_admitting_only_private_ranges_passes() {
        let pass = judge(|r| {
            r.security_groups = Some(vec![group(vec![tcp(
                5432,
                5432,
                &["10.0.0.0/8", "172.20.0.0/16", "100.64.0.0/10"],
            )])]);
        });
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert_eq!(
            pass.message,
            "db instance orders in acme-prod eu-west-1 (prod) is publicly accessible, but the internet is kept out: no security group admits the internet on port 5432"
        );
        assert_eq!(
            pass.evidence["security_groups"][0]["admits_internet"],
            false
        );
        assert!(
            pass.evidence["warning"]
                .as_str()
                .unwrap()
                .contains("0.0.0.0/0 on port 5432")
        );
    }

    #[test]
    fn group_open_to_the_internet_on_another_port_passes() {
        let pass = judge(|r| {
            r.security_groups = Some(vec![group(vec![tcp(22, 22, &["0.0.0.0/0"])])]);
        });
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
    }

    #[test]
    fn all_traffic_rule_fails() {
        let fail = judge(|r| {
            r.security_groups = Some(vec![group(vec![SecurityGroupRule {
                protocol: "-1".into(),
                ipv4_ranges: vec!["0.0.0.0/0".into()],
                ..Default::default()
            }])]);
        });
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(
            fail.remediation
                .unwrap()
                .contains("--ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'")
        );
    }

    #[test]
    fn ipv6_any_fails() {
        let fail = judge(|r| {
            r.security_groups = Some(vec![group(vec![SecurityGroupRule {
                protocol: "tcp".into(),
                from_port: Some(5432),
                to_port: Some(5432),
                ipv6_ranges: vec!["::/0".into()],
                ..Default::default()
            }])]);
        });
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(
            fail.message
                .ends_with("security group sg-1 admits ::/0 on 5432")
        );
        assert!(
            fail.remediation
                .unwrap()
                .contains("Ipv6Ranges=[{CidrIpv6=::/0}]")
        );
    }

    #[test]
    fn prefix_list_only_rule_is_unknown_unless_another_rule_admits_the_internet() {
        let prefix_list = SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: Some(5432),
            to_port: Some(5432),
            prefix_list_ids: vec!["pl-0123".into()],
            ..Default::default()
        };
        let unknown = judge(|r| r.security_groups = Some(vec![group(vec![prefix_list.clone()])]));
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(unknown.message.contains("pl-0123"), "{}", unknown.message);
        assert!(unknown.evidence["security_groups"][0]["admits_internet"].is_null());
        assert_eq!(
            unknown.evidence["security_groups"][0]["rules"][0]["unjudged_sources"][0],
            "pl-0123"
        );

        let fail = judge(|r| {
            r.security_groups = Some(vec![group(vec![
                prefix_list,
                tcp(5432, 5432, &["203.0.113.0/24"]),
            ])]);
        });
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(fail.message.ends_with("admits 203.0.113.0/24 on 5432"));
    }

    #[test]
    fn route_tables_or_subnets_not_collected_is_unknown() {
        let unknown = judge(|r| r.route_tables = None);
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(
            unknown
                .message
                .contains("route tables of acme-prod in eu-west-1 were not collected"),
            "{}",
            unknown.message
        );

        let mut no_subnets = db("orders", Some(true));
        no_subnets.subnet_ids.clear();
        let findings = run_check(&super::CHECK, &open(vec![no_subnets], |_| {}));
        let unknown = only(&findings, Status::Unknown);
        assert!(unknown.message.contains("subnets of its DB subnet group"));
    }

    #[test]
    fn security_groups_not_collected_or_missing_is_unknown() {
        let unknown = judge(|r| r.security_groups = None);
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(unknown.evidence["security_groups"][0]["admits_internet"].is_null());

        let unknown = judge(|r| r.security_groups = Some(vec![]));
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(
            unknown
                .message
                .contains("security group sg-1 is not in the snapshot")
        );
    }

    #[test]
    fn explicit_subnet_association_overrides_the_main_table() {
        let pass = judge(|r| {
            r.route_tables = Some(vec![
                table("rtb-main", true, &[], vec![local(), to_igw()]),
                table("rtb-db", false, &["subnet-1", "subnet-2"], vec![local()]),
            ]);
        });
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert_eq!(pass.evidence["subnets"][0]["route_table"], "rtb-db");

        // One subnet left on the main table is enough.
        let fail = judge(|r| {
            r.route_tables = Some(vec![
                table("rtb-main", true, &[], vec![local(), to_igw()]),
                table("rtb-db", false, &["subnet-1"], vec![local()]),
            ]);
        });
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(
            fail.message
                .contains("subnet subnet-2 routes 0.0.0.0/0 to igw-1")
        );
    }

    /// The instance's account sees the shared subnets but not their route tables: those are
    /// collected in the network account that owns the VPC.
    fn shared(routes: Vec<Route>) -> Snapshot {
        let mut snapshot = open(vec![db("orders", Some(true))], |r| {
            r.route_tables = Some(vec![]);
            r.subnets = Some(
                ["subnet-1", "subnet-2"]
                    .map(|id| Subnet {
                        id: id.into(),
                        vpc_id: "vpc-shared".into(),
                        owner_id: "555555555555".into(),
                        cidr_block: "10.1.0.0/24".into(),
                        ..Default::default()
                    })
                    .into(),
            );
        });
        let mut owner = Region {
            route_tables: Some(vec![table("rtb-shared", true, &[], routes)]),
            rds_instances: Some(vec![]),
            ..Default::default()
        };
        owner.route_tables.as_mut().unwrap()[0].vpc_id = "vpc-shared".into();
        snapshot.accounts.push(Account {
            id: "555555555555".into(),
            name: Some("acme-network".into()),
            regions: Some(BTreeMap::from([(REGION.to_owned(), owner)])),
            ..Default::default()
        });
        snapshot
    }

    #[test]
    fn shared_subnet_is_judged_by_its_owners_route_tables() {
        let findings = run_check(&super::CHECK, &shared(vec![local(), to_igw()]));
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.evidence["subnets"][0]["route_table"], "rtb-shared");
        assert_eq!(
            fail.evidence["subnets"][0]["route_table_account"],
            "555555555555"
        );

        let findings = run_check(&super::CHECK, &shared(vec![local()]));
        only(&findings, Status::Pass);
    }

    #[test]
    fn engine_default_port_is_used_without_an_endpoint_port() {
        let mut mysql = db("orders", Some(true));
        mysql.engine = "mysql".into();
        mysql.endpoint = None;
        let snapshot = open(vec![mysql.clone()], |r| {
            r.security_groups = Some(vec![group(vec![tcp(3306, 3306, &["0.0.0.0/0"])])]);
        });
        let fail = only(&run_check(&super::CHECK, &snapshot), Status::Fail).clone();
        assert_eq!(fail.evidence["port"], 3306);
        assert_eq!(fail.evidence["port_source"], "engine default");

        // An unknown engine without a port: a rule on any port counts.
        mysql.engine = "neptune".into();
        let snapshot = open(vec![mysql], |r| {
            r.security_groups = Some(vec![group(vec![tcp(1, 1024, &["0.0.0.0/0"])])]);
        });
        let fail = only(&run_check(&super::CHECK, &snapshot), Status::Fail).clone();
        assert!(fail.evidence["port"].is_null());
        assert!(fail.message.ends_with("admits 0.0.0.0/0 on ports 1-1024"));
    }

    #[test]
    fn unread_flag_is_unknown() {
        let unknown = only(
            &run_check(&super::CHECK, &open(vec![db("orders", None)], |_| {})),
            Status::Unknown,
        )
        .clone();
        assert_eq!(
            unknown.message,
            "publicly accessible of db instance orders in acme-prod eu-west-1 (prod) was not collected"
        );
    }

    #[test]
    fn cluster_members_are_judged_one_by_one() {
        let mut member = db("orders-2", Some(true));
        member.cluster_id = Some("orders".into());
        let findings = run_check(&super::CHECK, &open(vec![member], |_| {}));
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.evidence["cluster_id"], "orders");
    }

    #[test]
    fn nonprod_is_not_applicable_and_uncollected_is_unknown() {
        only(
            &run_in(NONPROD, vec![db("scratch", Some(true))]),
            Status::NotApplicable,
        );
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("rds", "DescribeDBInstances"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }
}
