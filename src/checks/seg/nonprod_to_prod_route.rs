//! SEG002 nonprod-to-prod-route: a token issued in a separate account cannot reach what it
//! cannot route to. No route may lead from a non-production VPC to a production VPC —
//! through peering, transit gateways (across regions and accounts), VPN or Direct Connect —
//! and no production subnet may be shared into a non-production account.
//!
//! The analysis is [`crate::network`]'s; this check sorts its paths by environment.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::checks::scope::{account_finding, add_evidence};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::classify::{EnvClass, EnvVerdict};
use crate::inventory::{Account, Snapshot};
use crate::network::{Gap, Network, Path, VpcNode};

pub const CHECK: Check = Check {
    id: "SEG002",
    name: "nonprod-to-prod-route",
    catalogue: include_str!("../../../checks/seg/SEG002-nonprod-to-prod-route.toml"),
    run,
};

/// How many gaps a finding lists.
const LISTED: usize = 20;

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let net = Network::new(snapshot);
    let envs: Vec<Cow<EnvVerdict>> = net
        .vpcs
        .iter()
        .map(|v| ctx.classes.resource(v.account, v.tags))
        .collect();
    let class = |v: usize| envs[v].class;
    // Production VPCs and the management account's: a route into either is judged.
    let prod = |v: usize| matches!(class(v), EnvClass::Prod | EnvClass::Management);
    let outside = |v: usize| !prod(v);
    let kind_of = |v: usize| {
        if class(v) == EnvClass::Management {
            "management-account VPC"
        } else {
            "production VPC"
        }
    };
    let there = net.reach(outside, prod);
    let back = net.reach(prod, outside);
    let blank = |id: &str| Account {
        id: id.to_owned(),
        ..Account::default()
    };
    let account_of = |id: &str| -> Cow<Account> {
        snapshot
            .accounts
            .iter()
            .find(|a| a.id == id)
            .map(Cow::Borrowed)
            .unwrap_or_else(|| Cow::Owned(blank(id)))
    };
    let name_of = |id: &str| -> String {
        match snapshot.accounts.iter().find(|a| a.id == id) {
            Some(a) => a.display_name().to_owned(),
            None => id.to_owned(),
        }
    };
    let describe = |v: usize| -> Value {
        let vpc = &net.vpcs[v];
        json!({
            "vpc": vpc.id,
            "account": vpc.account,
            "account_name": name_of(vpc.account),
            "region": vpc.region,
            "cidr_blocks": vpc.cidr_blocks,
            "environment": { "class": envs[v].class, "reason": envs[v].reason },
        })
    };
    let place = |v: usize| {
        let vpc = &net.vpcs[v];
        format!("{} ({} {})", vpc.id, name_of(vpc.account), vpc.region)
    };

    // Gaps: anything a walk from outside production could not follow, and network lists
    // not collected in accounts that may hold either end.
    let mut gaps: Vec<Value> = there
        .gaps
        .iter()
        .flat_map(|(s, list)| {
            let from = net.vpcs[*s].id;
            list.iter()
                .map(move |Gap { at, why }| json!({ "from_vpc": from, "at": at, "why": why }))
        })
        .collect();
    for (account, region, what) in &net.uncollected {
        gaps.push(json!({
            "account": account,
            "region": region,
            "why": format!("{what} not collected: routes from or into it are not judged"),
        }));
    }

    let mut out = Vec::new();
    let mut failed: BTreeMap<usize, usize> = BTreeMap::new();
    for (&(s, d), path) in &there.paths {
        let returns = back.paths.get(&(d, s));
        let status = if class(s) == EnvClass::Nonprod {
            Status::Fail
        } else {
            Status::Unknown
        };
        *failed.entry(d).or_default() += 1;
        let dest = &net.vpcs[d];
        let mut finding = account_finding(
            &account_of(dest.account),
            Some(dest.region),
            status,
            &envs[d],
            &dest.arn(),
        );
        let via: Vec<&str> = path
            .hops
            .iter()
            .filter(|h| h.kind != "route-table" && h.kind != "vpc")
            .map(|h| h.id.as_str())
            .collect();
        let way = if returns.is_some() {
            "and back"
        } else {
            "one way (no return route found)"
        };
        let source_kind = if status == Status::Fail {
            "non-production VPC"
        } else {
            "VPC (environment unclassified)"
        };
        finding.message = format!(
            "{source_kind} {} routes to {} {} via {} {way}{}",
            place(s),
            kind_of(d),
            place(d),
            via.join(" → "),
            assumption(path)
                .map(|a| format!(", assuming {a}"))
                .unwrap_or_default()
        );
        add_evidence(&mut finding, "source", describe(s));
        add_evidence(&mut finding, "destination", describe(d));
        add_path(&mut finding, path);
        add_evidence(&mut finding, "return_path", json!(returns.is_some()));
        if let Some(r) = returns {
            add_evidence(&mut finding, "return_hops", json!(r.hops));
        }
        if status == Status::Fail {
            finding.remediation = Some(remediation(path, &net.vpcs[s]));
        }
        out.push(finding);
    }

    // Production subnets shared into other accounts.
    for shared in &net.shared_subnets {
        if !prod(shared.vpc) {
            continue;
        }
        let participant = ctx.classes.account(shared.participant);
        let status = match participant.class {
            EnvClass::Prod | EnvClass::Management => continue,
            EnvClass::Nonprod => Status::Fail,
            EnvClass::Unclassified => Status::Unknown,
        };
        *failed.entry(shared.vpc).or_default() += 1;
        let vpc = &net.vpcs[shared.vpc];
        let mut finding = account_finding(
            &account_of(vpc.account),
            Some(vpc.region),
            status,
            &envs[shared.vpc],
            &format!(
                "arn:aws:ec2:{}:{}:subnet/{}",
                vpc.region, vpc.account, shared.subnet
            ),
        );
        finding.message = format!(
            "{} subnet {} of VPC {} is shared into {} account {} ({}): whoever works there launches straight into production's network",
            if class(shared.vpc) == EnvClass::Management {
                "management-account"
            } else {
                "production"
            },
            shared.subnet,
            place(shared.vpc),
            participant.class.as_str(),
            name_of(shared.participant),
            shared.participant
        );
        add_evidence(&mut finding, "destination", describe(shared.vpc));
        add_evidence(
            &mut finding,
            "shared_with",
            json!({
                "account": shared.participant,
                "environment": { "class": participant.class, "reason": participant.reason },
                "via": shared.via,
            }),
        );
        if status == Status::Fail {
            finding.remediation = Some(format!(
                "stop sharing the subnet: aws ram disassociate-resource-share --resource-share-arn SHARE --principals {} (the share is named in the evidence); give the non-production account its own VPC",
                shared.participant
            ));
        }
        out.push(finding);
    }

    // Production VPCs nothing reaches: pass, unless something could not be followed.
    let outside_count = (0..net.vpcs.len()).filter(|&v| outside(v)).count();
    for d in (0..net.vpcs.len()).filter(|&d| prod(d)) {
        if failed.contains_key(&d) {
            continue;
        }
        let dest = &net.vpcs[d];
        let status = if gaps.is_empty() {
            Status::Pass
        } else {
            Status::Unknown
        };
        let mut finding = account_finding(
            &account_of(dest.account),
            Some(dest.region),
            status,
            &envs[d],
            &dest.arn(),
        );
        finding.message = match status {
            Status::Pass => format!(
                "no route leads to {} {} from any of the {outside_count} VPCs outside production",
                kind_of(d),
                place(d)
            ),
            _ => format!(
                "no route to {} {} was found, but {} part(s) of the network could not be followed (see the evidence)",
                kind_of(d),
                place(d),
                gaps.len()
            ),
        };
        add_evidence(&mut finding, "destination", describe(d));
        add_evidence(
            &mut finding,
            "vpcs_outside_production",
            json!(outside_count),
        );
        if let Some(misses) = there.near_misses.get(&d) {
            add_evidence(&mut finding, "near_misses", json!(misses));
        }
        if status == Status::Unknown {
            add_evidence(&mut finding, "gap_count", json!(gaps.len()));
            add_evidence(
                &mut finding,
                "not_followed",
                json!(gaps.iter().take(LISTED).collect::<Vec<_>>()),
            );
        }
        out.push(finding);
    }
    out
}

fn add_path(finding: &mut Finding, path: &Path) {
    add_evidence(finding, "source_subnets", json!(path.subnets));
    add_evidence(finding, "hops", json!(path.hops));
    add_evidence(finding, "reaches", json!(path.reaches.to_cidrs()));
    if let Some(a) = assumption(path) {
        add_evidence(finding, "assumption", json!(a));
    }
}

/// What a path assumes about forwarding that the route tables do not show.
fn assumption(path: &Path) -> Option<String> {
    if !path.assumed {
        return None;
    }
    let mut parts = Vec::new();
    if path
        .hops
        .iter()
        .any(|h| h.kind == "on-premises" || h.kind == "vpn-gateway")
    {
        parts.push("the on-premises network behind VPN / Direct Connect routes between its connections (its routing is not collected)");
    }
    if path.hops.iter().any(|h| h.kind == "transit-vpc") {
        parts.push("the appliances of the inspection VPC forward what its route tables send on");
    }
    Some(parts.join(", and "))
}

fn remediation(path: &Path, source: &VpcNode) -> String {
    let first = &path.hops[0];
    let destination = first.detail.split(" -> ").next().unwrap_or_default();
    let mut fix = format!(
        "remove the route: aws ec2 delete-route --route-table-id {} --destination-cidr-block {destination} --region {}",
        first.id, source.region
    );
    if let Some(tgw) = path.hops.iter().find(|h| h.kind == "tgw-route-table") {
        fix.push_str(&format!(
            "; or segment the transit gateway: associate {}'s attachment with a route table that has no route to production (now {})",
            source.id, tgw.id
        ));
    }
    if let Some(p) = path.hops.iter().find(|h| h.kind == "vpc-peering") {
        fix.push_str(&format!(
            "; or delete the peering: aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id {}",
            p.id
        ));
    }
    fix
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{
        Account, PeeringSide, Region, Route, RouteState, RouteTable, RouteTarget, Snapshot, Subnet,
        Vpc, VpcPeeringConnection,
    };

    fn vpc_region(owner: &str, id: &str, cidr: &str, routes: Vec<Route>) -> Region {
        let mut all = vec![Route {
            destination: cidr.into(),
            target: RouteTarget::Local,
            state: RouteState::Active,
        }];
        all.extend(routes);
        Region {
            vpcs: Some(vec![Vpc {
                id: id.into(),
                owner_id: owner.into(),
                cidr_blocks: vec![cidr.into()],
                ..Vpc::default()
            }]),
            subnets: Some(vec![Subnet {
                id: format!("subnet-{id}"),
                vpc_id: id.into(),
                owner_id: owner.into(),
                cidr_block: cidr.into(),
                ..Subnet::default()
            }]),
            route_tables: Some(vec![RouteTable {
                id: format!("rtb-{id}"),
                vpc_id: id.into(),
                main: true,
                subnet_ids: vec![],
                routes: all,
            }]),
            vpc_peering_connections: Some(vec![]),
            transit_gateways: Some(vec![]),
            transit_gateway_attachments: Some(vec![]),
            transit_gateway_route_tables: Some(vec![]),
            ..Region::default()
        }
    }

    fn to_pcx(destination: &str) -> Route {
        Route {
            destination: destination.into(),
            target: RouteTarget::VpcPeeringConnection("pcx-1".into()),
            state: RouteState::Active,
        }
    }

    /// A staging VPC and a production VPC, peered (`status`), with the given routes.
    fn peered(status: &str, dev_routes: Vec<Route>, prod_routes: Vec<Route>) -> Snapshot {
        let mut dev = vpc_region(NONPROD, "vpc-dev", "10.0.0.0/16", dev_routes);
        let mut prod = vpc_region(PROD, "vpc-prod", "10.1.0.0/16", prod_routes);
        let peering = VpcPeeringConnection {
            id: "pcx-1".into(),
            requester: PeeringSide {
                owner_id: NONPROD.into(),
                vpc_id: "vpc-dev".into(),
                region: REGION.into(),
                cidr_blocks: vec!["10.0.0.0/16".into()],
            },
            accepter: PeeringSide {
                owner_id: PROD.into(),
                vpc_id: "vpc-prod".into(),
                region: REGION.into(),
                cidr_blocks: vec!["10.1.0.0/16".into()],
            },
            status: status.into(),
        };
        dev.vpc_peering_connections = Some(vec![peering.clone()]);
        prod.vpc_peering_connections = Some(vec![peering]);
        two_accounts(dev, prod)
    }

    fn two_accounts(dev: Region, prod: Region) -> Snapshot {
        let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
        for (id, name, region) in [(NONPROD, "acme-staging", dev), (PROD, "acme-prod", prod)] {
            snapshot.accounts.push(Account {
                id: id.into(),
                name: Some(name.into()),
                regions: Some(BTreeMap::from([(REGION.to_owned(), region)])),
                ..Account::default()
            });
        }
        snapshot
    }

    #[test]
    fn a_routed_peering_fails_with_the_hop_path_and_the_return_route() {
        let findings = run_check(
            &super::CHECK,
            &peered(
                "active",
                vec![to_pcx("10.1.0.0/16")],
                vec![to_pcx("10.0.0.0/16")],
            ),
        );
        let fail = only(&findings, Status::Fail);
        assert_eq!(
            fail.resource,
            "arn:aws:ec2:eu-west-1:222222222222:vpc/vpc-prod"
        );
        assert!(fail.message.contains("vpc-dev"), "{}", fail.message);
        assert!(
            fail.message.contains("via pcx-1 and back"),
            "{}",
            fail.message
        );
        assert_eq!(fail.evidence["return_path"], true);
        assert_eq!(fail.evidence["hops"][0]["id"], "rtb-vpc-dev");
        assert_eq!(fail.evidence["hops"][1]["kind"], "vpc-peering");
        assert_eq!(fail.evidence["reaches"][0], "10.1.0.0/16");
        assert_eq!(fail.evidence["source"]["environment"]["class"], "nonprod");
        assert!(fail.remediation.as_deref().unwrap().contains(
            "delete-route --route-table-id rtb-vpc-dev --destination-cidr-block 10.1.0.0/16"
        ));
    }

    #[test]
    fn a_one_way_route_still_fails_and_says_so() {
        let findings = run_check(
            &super::CHECK,
            &peered("active", vec![to_pcx("10.1.0.0/16")], vec![]),
        );
        let fail = only(&findings, Status::Fail);
        assert!(fail.message.contains("one way"), "{}", fail.message);
        assert_eq!(fail.evidence["return_path"], false);
    }

    #[test]
    fn an_unrouted_or_inactive_peering_passes_with_the_near_miss() {
        let findings = run_check(&super::CHECK, &peered("active", vec![], vec![]));
        only(&findings, Status::Pass);
        let findings = run_check(
            &super::CHECK,
            &peered("pending-acceptance", vec![to_pcx("10.1.0.0/16")], vec![]),
        );
        let pass = only(&findings, Status::Pass);
        assert!(
            pass.evidence["near_misses"][0]["why"]
                .as_str()
                .unwrap()
                .contains("pending-acceptance")
        );
    }

    #[test]
    fn uncollected_route_tables_make_it_unknown_never_pass() {
        let mut snapshot = peered("active", vec![], vec![]);
        let dev = &mut snapshot.accounts[0];
        for region in dev.regions.iter_mut().flat_map(|r| r.values_mut()) {
            region.route_tables = None;
        }
        let findings = run_check(&super::CHECK, &snapshot);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.evidence["not_followed"][0]["why"]
                .as_str()
                .unwrap()
                .contains("route tables")
        );
    }

    #[test]
    fn a_production_subnet_shared_into_staging_fails() {
        let mut snapshot = peered("active", vec![], vec![]);
        let dev = &mut snapshot.accounts[0];
        for region in dev.regions.iter_mut().flat_map(|r| r.values_mut()) {
            region.subnets.get_or_insert_default().push(Subnet {
                id: "subnet-shared".into(),
                vpc_id: "vpc-prod".into(),
                owner_id: PROD.into(),
                cidr_block: "10.1.9.0/24".into(),
                ..Subnet::default()
            });
        }
        let findings = run_check(&super::CHECK, &snapshot);
        let fail = only(&findings, Status::Fail);
        assert!(fail.resource.ends_with(":subnet/subnet-shared"));
        assert!(
            fail.message
                .contains("shared into nonprod account acme-staging")
        );
    }

    #[test]
    fn no_production_vpc_means_nothing_to_judge() {
        let mut snapshot = peered("active", vec![to_pcx("10.1.0.0/16")], vec![]);
        snapshot.accounts.retain(|a| a.id == NONPROD);
        assert!(run_check(&super::CHECK, &snapshot).is_empty());
    }

    #[test]
    fn a_route_from_an_unclassified_vpc_is_unknown() {
        let mut snapshot = peered("active", vec![to_pcx("10.1.0.0/16")], vec![]);
        let account = &mut snapshot.accounts[0];
        account.id = UNCLASSIFIED.into();
        account.name = Some("acme-shared".into());
        for region in account.regions.iter_mut().flat_map(|r| r.values_mut()) {
            for v in region.vpcs.iter_mut().flatten() {
                v.owner_id = UNCLASSIFIED.into();
            }
        }
        let findings = run_check(&super::CHECK, &snapshot);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("environment unclassified"),
            "{}",
            unknown.message
        );
    }
}
