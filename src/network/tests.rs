//! Topology cases: each a small inventory and what must (not) be reachable.

use std::collections::BTreeMap;

use super::*;
use crate::inventory::{
    Account, PeeringSide, RamResourceShare, Region, Route, RouteTable, Subnet, TransitGateway,
    TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayRouteTable, Vpc,
    VpcPeeringConnection,
};

const DEV: &str = "111111111111";
const PRD: &str = "222222222222";
const NET: &str = "555555555555";
const EU: &str = "eu-west-1";
const US: &str = "us-east-1";

/// A small inventory under construction: accounts × regions.
#[derive(Default)]
struct Topo {
    regions: BTreeMap<(String, String), Region>,
}

fn region_of<'t>(topo: &'t mut Topo, account: &str, region: &str) -> &'t mut Region {
    topo.regions
        .entry((account.to_owned(), region.to_owned()))
        .or_insert_with(|| Region {
            vpcs: Some(Vec::new()),
            subnets: Some(Vec::new()),
            route_tables: Some(Vec::new()),
            vpc_peering_connections: Some(Vec::new()),
            transit_gateways: Some(Vec::new()),
            transit_gateway_attachments: Some(Vec::new()),
            transit_gateway_route_tables: Some(Vec::new()),
            ram_resource_shares: Some(Vec::new()),
            ..Region::default()
        })
}

impl Topo {
    /// A VPC with one subnet `subnet-ID` using the main table `rtb-ID` (local route only).
    fn vpc(mut self, account: &str, region: &str, id: &str, cidr: &str) -> Topo {
        let r = region_of(&mut self, account, region);
        r.vpcs.get_or_insert_default().push(Vpc {
            id: id.into(),
            owner_id: account.into(),
            cidr_blocks: vec![cidr.into()],
            ..Vpc::default()
        });
        r.subnets.get_or_insert_default().push(Subnet {
            id: format!("subnet-{id}"),
            vpc_id: id.into(),
            owner_id: account.into(),
            cidr_block: cidr.into(),
            ..Subnet::default()
        });
        r.route_tables.get_or_insert_default().push(RouteTable {
            id: format!("rtb-{id}"),
            vpc_id: id.into(),
            main: true,
            subnet_ids: Vec::new(),
            routes: vec![Route {
                destination: cidr.into(),
                target: RouteTarget::Local,
                state: RouteState::Active,
            }],
        });
        self
    }

    fn table_mut(&mut self, table: &str) -> &mut RouteTable {
        self.regions
            .values_mut()
            .flat_map(|r| r.route_tables.iter_mut().flatten())
            .find(|t| t.id == table)
            .unwrap_or_else(|| panic!("no table {table}"))
    }

    /// A route in a VPC route table (`rtb-VPC` for the main one).
    fn route(mut self, table: &str, destination: &str, target: RouteTarget) -> Topo {
        self.table_mut(table).routes.push(Route {
            destination: destination.into(),
            target,
            state: RouteState::Active,
        });
        self
    }

    fn blackhole(mut self, table: &str, destination: &str, target: RouteTarget) -> Topo {
        self.table_mut(table).routes.push(Route {
            destination: destination.into(),
            target,
            state: RouteState::Blackhole,
        });
        self
    }

    fn vpc_account(&self, vpc: &str) -> (String, String, String) {
        self.regions
            .iter()
            .find_map(|((a, r), region)| {
                region
                    .vpcs
                    .iter()
                    .flatten()
                    .find(|v| v.id == vpc)
                    .map(|v| (a.clone(), r.clone(), v.cidr_blocks[0].clone()))
            })
            .unwrap_or_else(|| panic!("no vpc {vpc}"))
    }

    /// A peering between two VPCs, listed by both owners.
    fn peering(mut self, id: &str, requester: &str, accepter: &str, status: &str) -> Topo {
        let side = |t: &Topo, vpc: &str| {
            let (owner, region, cidr) = t.vpc_account(vpc);
            PeeringSide {
                owner_id: owner,
                vpc_id: vpc.into(),
                region,
                cidr_blocks: vec![cidr],
            }
        };
        let p = VpcPeeringConnection {
            id: id.into(),
            requester: side(&self, requester),
            accepter: side(&self, accepter),
            status: status.into(),
        };
        for vpc in [requester, accepter] {
            let (a, r, _) = self.vpc_account(vpc);
            region_of(&mut self, &a, &r)
                .vpc_peering_connections
                .get_or_insert_default()
                .push(p.clone());
        }
        self
    }

    /// A transit gateway with one route table `tgw-rtb-ID`.
    fn tgw(mut self, account: &str, region: &str, id: &str) -> Topo {
        let r = region_of(&mut self, account, region);
        r.transit_gateways
            .get_or_insert_default()
            .push(TransitGateway {
                id: id.into(),
                owner_id: account.into(),
                state: "available".into(),
                ..TransitGateway::default()
            });
        self.tgw_table(id, &format!("tgw-rtb-{id}"))
    }

    fn tgw_region(&self, tgw: &str) -> (String, String) {
        self.regions
            .iter()
            .find_map(|((a, r), region)| {
                region
                    .transit_gateways
                    .iter()
                    .flatten()
                    .any(|t| t.id == tgw)
                    .then(|| (a.clone(), r.clone()))
            })
            .unwrap_or_else(|| panic!("no tgw {tgw}"))
    }

    fn tgw_table(mut self, tgw: &str, id: &str) -> Topo {
        let (a, r) = self.tgw_region(tgw);
        region_of(&mut self, &a, &r)
            .transit_gateway_route_tables
            .get_or_insert_default()
            .push(TransitGatewayRouteTable {
                id: id.into(),
                transit_gateway_id: tgw.into(),
                associations: Some(Vec::new()),
                propagations: Some(Vec::new()),
                routes: Some(Vec::new()),
                ..TransitGatewayRouteTable::default()
            });
        self
    }

    /// An attachment of `kind` (`vpc`, `vpn`, `peering` …) to `resource`, associated with
    /// `table`, listed by the gateway's owner.
    fn attach(
        mut self,
        tgw: &str,
        id: &str,
        kind: &str,
        resource: &str,
        table: Option<&str>,
    ) -> Topo {
        let (a, r) = self.tgw_region(tgw);
        let region = region_of(&mut self, &a, &r);
        region
            .transit_gateway_attachments
            .get_or_insert_default()
            .push(TransitGatewayAttachment {
                id: id.into(),
                transit_gateway_id: tgw.into(),
                transit_gateway_owner_id: a.clone(),
                resource_type: kind.into(),
                resource_id: Some(resource.into()),
                state: "available".into(),
                association_route_table_id: table.map(Into::into),
                ..TransitGatewayAttachment::default()
            });
        self
    }

    /// A TGW route to attachments (none: a blackhole).
    fn tgw_route(mut self, table: &str, destination: &str, attachments: &[&str]) -> Topo {
        let t = self
            .regions
            .values_mut()
            .flat_map(|r| r.transit_gateway_route_tables.iter_mut().flatten())
            .find(|t| t.id == table)
            .unwrap_or_else(|| panic!("no tgw table {table}"));
        t.routes.get_or_insert_default().push(TransitGatewayRoute {
            destination: destination.into(),
            route_type: "propagated".into(),
            state: if attachments.is_empty() {
                RouteState::Blackhole
            } else {
                RouteState::Active
            },
            attachment_ids: attachments.iter().map(|a| (*a).to_owned()).collect(),
        });
        self
    }

    fn snapshot(self) -> Snapshot {
        let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
        let mut accounts: BTreeMap<String, BTreeMap<String, Region>> = BTreeMap::new();
        for ((a, r), region) in self.regions {
            accounts.entry(a).or_default().insert(r, region);
        }
        for (id, regions) in accounts {
            snapshot.accounts.push(Account {
                id,
                regions: Some(regions),
                ..Account::default()
            });
        }
        snapshot
    }
}

fn pcx(id: &str) -> RouteTarget {
    RouteTarget::VpcPeeringConnection(id.into())
}

fn tgw(id: &str) -> RouteTarget {
    RouteTarget::TransitGateway(id.into())
}

/// Everything reachable from `dev*` VPCs to `prd*` VPCs, and back.
fn analyse(snapshot: &Snapshot) -> (Reach, Reach, Vec<String>) {
    let net = Network::new(snapshot);
    let dev = |v: usize| net.vpcs[v].id.starts_with("dev");
    let prd = |v: usize| net.vpcs[v].id.starts_with("prd");
    let there = net.reach(dev, prd);
    let back = net.reach(prd, dev);
    let ids = net.vpcs.iter().map(|v| v.id.to_owned()).collect();
    (there, back, ids)
}

/// The (source, destination) VPC id pairs of a reach.
fn pairs(reach: &Reach, ids: &[String]) -> Vec<(String, String)> {
    reach
        .paths
        .keys()
        .map(|&(a, b)| (ids[a].clone(), ids[b].clone()))
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

fn peered(status: &str) -> Topo {
    Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .peering("pcx-1", "dev-a", "prd-a", status)
}

#[test]
fn peered_and_routed_both_ways_is_reachable_with_the_hop_path() {
    let snapshot = peered("active")
        .route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
        .route("rtb-prd-a", "10.0.0.0/16", pcx("pcx-1"))
        .snapshot();
    let (there, back, ids) = analyse(&snapshot);
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    assert_eq!(pairs(&back, &ids), [pair("prd-a", "dev-a")]);
    let path = there.paths.values().next().unwrap();
    let kinds: Vec<&str> = path.hops.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, ["route-table", "vpc-peering", "vpc"]);
    assert_eq!(path.hops[0].id, "rtb-dev-a");
    assert_eq!(path.hops[0].detail, "10.1.0.0/16 -> pcx-1");
    assert_eq!(path.subnets, ["subnet-dev-a"]);
    assert_eq!(path.reaches.to_cidrs(), ["10.1.0.0/16"]);
    assert!(!path.assumed);
}

#[test]
fn a_route_one_way_only_has_no_return_path() {
    let snapshot = peered("active")
        .route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
        .snapshot();
    let (there, back, ids) = analyse(&snapshot);
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    assert!(back.paths.is_empty());
}

#[test]
fn peered_without_routes_is_not_reachable() {
    let (there, back, _) = analyse(&peered("active").snapshot());
    assert!(there.paths.is_empty() && back.paths.is_empty());
}

#[test]
fn inactive_or_deleted_peering_is_not_reachable_and_is_a_near_miss() {
    for status in ["pending-acceptance", "deleted", "rejected", "expired"] {
        let snapshot = peered(status)
            .route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
            .snapshot();
        let (there, _, ids) = analyse(&snapshot);
        assert!(there.paths.is_empty(), "{status}");
        let prd = ids.iter().position(|i| i == "prd-a").unwrap();
        assert!(
            there.near_misses[&prd][0].why.contains(status),
            "{status}: {:?}",
            there.near_misses
        );
    }
}

#[test]
fn peering_is_not_transitive() {
    // dev-a — shared-b — prd-c: dev-a routes prd-c's CIDR to its peering with shared-b.
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(NET, EU, "shared-b", "10.5.0.0/16")
        .vpc(PRD, EU, "prd-c", "10.1.0.0/16")
        .peering("pcx-ab", "dev-a", "shared-b", "active")
        .peering("pcx-bc", "shared-b", "prd-c", "active")
        .route("rtb-dev-a", "10.0.0.0/8", pcx("pcx-ab"))
        .route("rtb-shared-b", "10.1.0.0/16", pcx("pcx-bc"))
        .route("rtb-shared-b", "10.0.0.0/16", pcx("pcx-ab"))
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty(), "{:?}", there.paths);
}

#[test]
fn a_peering_to_a_vpc_outside_the_snapshot_reaches_nothing_collected() {
    let mut topo = peered("active").route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"));
    // The production VPC's account was not collected at all.
    topo.regions.retain(|(a, _), _| a != PRD);
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty());
}

/// dev-a and prd-a attached to one transit gateway owned by the network account.
fn hub(shared_table: bool) -> Topo {
    let topo = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .tgw(NET, EU, "tgw-1")
        .route("rtb-dev-a", "10.0.0.0/8", tgw("tgw-1"))
        .route("rtb-prd-a", "10.0.0.0/8", tgw("tgw-1"));
    if shared_table {
        topo.attach("tgw-1", "att-dev", "vpc", "dev-a", Some("tgw-rtb-tgw-1"))
            .attach("tgw-1", "att-prd", "vpc", "prd-a", Some("tgw-rtb-tgw-1"))
            .tgw_route("tgw-rtb-tgw-1", "10.0.0.0/16", &["att-dev"])
            .tgw_route("tgw-rtb-tgw-1", "10.1.0.0/16", &["att-prd"])
    } else {
        topo.tgw_table("tgw-1", "rtb-nonprod")
            .tgw_table("tgw-1", "rtb-prod")
            .attach("tgw-1", "att-dev", "vpc", "dev-a", Some("rtb-nonprod"))
            .attach("tgw-1", "att-prd", "vpc", "prd-a", Some("rtb-prod"))
            .tgw_route("rtb-nonprod", "10.0.0.0/16", &["att-dev"])
            .tgw_route("rtb-prod", "10.1.0.0/16", &["att-prd"])
    }
}

#[test]
fn a_transit_gateway_with_a_shared_route_table_and_propagation_is_reachable() {
    let (there, back, ids) = analyse(&hub(true).snapshot());
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    assert_eq!(pairs(&back, &ids), [pair("prd-a", "dev-a")]);
    let path = there.paths.values().next().unwrap();
    let kinds: Vec<&str> = path.hops.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        ["route-table", "tgw-attachment", "tgw-route-table", "vpc"]
    );
    assert_eq!(path.hops[2].detail, "10.1.0.0/16 -> att-prd");
}

#[test]
fn segmented_transit_gateway_route_tables_keep_environments_apart() {
    let (there, back, _) = analyse(&hub(false).snapshot());
    assert!(there.paths.is_empty() && back.paths.is_empty());
}

#[test]
fn a_transit_gateway_blackhole_route_stops_the_packet() {
    let snapshot = hub(false)
        .tgw_route("rtb-nonprod", "10.1.0.0/16", &[])
        .snapshot();
    let (there, _, ids) = analyse(&snapshot);
    assert!(there.paths.is_empty());
    let prd = ids.iter().position(|i| i == "prd-a").unwrap();
    assert!(there.near_misses[&prd][0].why.contains("blackhole"));
}

#[test]
fn a_more_specific_transit_gateway_blackhole_wins_over_a_broader_route() {
    let snapshot = hub(false)
        .tgw_route("rtb-nonprod", "10.0.0.0/8", &["att-prd"])
        .tgw_route("rtb-nonprod", "10.1.0.0/16", &[])
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty(), "{:?}", there.paths);
    // Without the blackhole, the broad route delivers.
    let snapshot = hub(false)
        .tgw_route("rtb-nonprod", "10.0.0.0/8", &["att-prd"])
        .snapshot();
    let (there, _, ids) = analyse(&snapshot);
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
}

#[test]
fn a_vpc_blackhole_route_is_not_a_path() {
    let snapshot = peered("active")
        .blackhole("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
        .snapshot();
    let (there, _, ids) = analyse(&snapshot);
    assert!(there.paths.is_empty());
    let prd = ids.iter().position(|i| i == "prd-a").unwrap();
    assert!(there.near_misses[&prd][0].why.contains("blackhole"));
}

#[test]
fn more_specific_routes_divert_traffic_elsewhere() {
    // The /16 goes to production, but two /17s send all of it to a NAT gateway.
    let nat = || RouteTarget::NatGateway("nat-1".into());
    let snapshot = peered("active")
        .route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
        .route("rtb-dev-a", "10.1.0.0/17", nat())
        .route("rtb-dev-a", "10.1.128.0/17", nat())
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty(), "{:?}", there.paths);
    // One /17 diverted: the other half still reaches production.
    let snapshot = peered("active")
        .route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"))
        .route("rtb-dev-a", "10.1.0.0/17", nat())
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    let path = there.paths.values().next().unwrap();
    assert_eq!(path.reaches.to_cidrs(), ["10.1.128.0/17"]);
}

#[test]
fn a_broad_route_reaches_only_what_the_peer_holds() {
    let snapshot = peered("active")
        .route("rtb-dev-a", "0.0.0.0/0", pcx("pcx-1"))
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    let path = there.paths.values().next().unwrap();
    assert_eq!(path.reaches.to_cidrs(), ["10.1.0.0/16"]);
}

#[test]
fn overlapping_cidrs_stay_local() {
    // Same CIDR on both sides: the local route wins every address.
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.1.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .peering("pcx-1", "dev-a", "prd-a", "active")
        .route("rtb-dev-a", "0.0.0.0/0", pcx("pcx-1"))
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty(), "{:?}", there.paths);
    // Partial overlap: what is not local is routed.
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.1.0.0/17")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .peering("pcx-1", "dev-a", "prd-a", "active")
        .route("rtb-dev-a", "0.0.0.0/0", pcx("pcx-1"))
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert_eq!(
        there.paths.values().next().unwrap().reaches.to_cidrs(),
        ["10.1.128.0/17"]
    );
}

#[test]
fn a_subnet_uses_its_explicit_table_not_the_main_one() {
    let mut topo = peered("active").route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"));
    // subnet-dev-a is explicitly associated with a table without the route.
    let r = region_of(&mut topo, DEV, EU);
    r.route_tables.get_or_insert_default().push(RouteTable {
        id: "rtb-private".into(),
        vpc_id: "dev-a".into(),
        main: false,
        subnet_ids: vec!["subnet-dev-a".into()],
        routes: vec![],
    });
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty(), "{:?}", there.paths);
    // A second subnet on the main table does route.
    let mut topo = peered("active").route("rtb-dev-a", "10.1.0.0/16", pcx("pcx-1"));
    let r = region_of(&mut topo, DEV, EU);
    r.route_tables.get_or_insert_default().push(RouteTable {
        id: "rtb-private".into(),
        vpc_id: "dev-a".into(),
        main: false,
        subnet_ids: vec!["subnet-dev-a".into()],
        routes: vec![],
    });
    r.subnets.get_or_insert_default().push(Subnet {
        id: "subnet-dev-b".into(),
        vpc_id: "dev-a".into(),
        owner_id: DEV.into(),
        cidr_block: "10.0.1.0/24".into(),
        ..Subnet::default()
    });
    let (there, _, _) = analyse(&topo.snapshot());
    assert_eq!(
        there.paths.values().next().unwrap().subnets,
        ["subnet-dev-b"]
    );
}

#[test]
fn a_production_subnet_shared_into_a_nonproduction_account_is_found_both_ways() {
    // The participant's own listing shows a subnet owned by production.
    let mut topo =
        Topo::default()
            .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
            .vpc(PRD, EU, "prd-a", "10.1.0.0/16");
    region_of(&mut topo, DEV, EU)
        .subnets
        .get_or_insert_default()
        .push(Subnet {
            id: "subnet-prd-a".into(),
            vpc_id: "prd-a".into(),
            owner_id: PRD.into(),
            cidr_block: "10.1.0.0/16".into(),
            ..Subnet::default()
        });
    let snapshot = topo.snapshot();
    let net = Network::new(&snapshot);
    assert_eq!(net.shared_subnets.len(), 1);
    let shared = &net.shared_subnets[0];
    assert_eq!(
        (shared.subnet, shared.participant, net.vpcs[shared.vpc].id),
        ("subnet-prd-a", DEV, "prd-a")
    );
    // The owner's RAM share names the participant account.
    let mut topo =
        Topo::default()
            .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
            .vpc(PRD, EU, "prd-a", "10.1.0.0/16");
    region_of(&mut topo, PRD, EU)
        .ram_resource_shares
        .get_or_insert_default()
        .push(RamResourceShare {
            arn: "arn:aws:ram:eu-west-1:222222222222:resource-share/s-1".into(),
            name: "prod-subnets".into(),
            owner_account_id: PRD.into(),
            status: "ACTIVE".into(),
            principals: vec![DEV.into()],
            resource_arns: vec!["arn:aws:ec2:eu-west-1:222222222222:subnet/subnet-prd-a".into()],
            ..RamResourceShare::default()
        });
    let snapshot = topo.snapshot();
    let net = Network::new(&snapshot);
    assert_eq!(net.shared_subnets.len(), 1);
    assert!(net.shared_subnets[0].via.contains("resource-share/s-1"));
    assert_eq!(net.shared_subnets[0].participant, DEV);
}

#[test]
fn cross_region_transit_gateway_peering_is_followed() {
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, US, "prd-a", "10.1.0.0/16")
        .tgw(NET, EU, "tgw-eu")
        .tgw(NET, US, "tgw-us")
        .route("rtb-dev-a", "10.1.0.0/16", tgw("tgw-eu"))
        .attach("tgw-eu", "att-dev", "vpc", "dev-a", Some("tgw-rtb-tgw-eu"))
        .attach(
            "tgw-eu",
            "tgw-attach-peer",
            "peering",
            "tgw-us",
            Some("tgw-rtb-tgw-eu"),
        )
        .attach(
            "tgw-us",
            "tgw-attach-peer",
            "peering",
            "tgw-eu",
            Some("tgw-rtb-tgw-us"),
        )
        .attach("tgw-us", "att-prd", "vpc", "prd-a", Some("tgw-rtb-tgw-us"))
        .tgw_route("tgw-rtb-tgw-eu", "10.1.0.0/16", &["tgw-attach-peer"])
        .tgw_route("tgw-rtb-tgw-us", "10.1.0.0/16", &["att-prd"])
        .snapshot();
    let (there, _, ids) = analyse(&snapshot);
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    let path = there.paths.values().next().unwrap();
    assert!(
        path.hops.iter().any(|h| h.kind == "tgw-peering"),
        "{path:?}"
    );
    assert!(path.hops.iter().any(|h| h.id == "tgw-rtb-tgw-us"));
}

#[test]
fn a_vpn_on_the_production_transit_gateway_is_a_path_through_the_on_premises_network() {
    // Non-production sends production's CIDR to its VPN; the on-premises network comes back
    // in through the production gateway's VPN, whose table routes to production.
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .tgw(DEV, EU, "tgw-dev")
        .tgw(PRD, EU, "tgw-prd")
        .route("rtb-dev-a", "10.1.0.0/16", tgw("tgw-dev"))
        .attach(
            "tgw-dev",
            "att-dev",
            "vpc",
            "dev-a",
            Some("tgw-rtb-tgw-dev"),
        )
        .attach(
            "tgw-dev",
            "att-vpn-dev",
            "vpn",
            "vpn-1",
            Some("tgw-rtb-tgw-dev"),
        )
        .tgw_route("tgw-rtb-tgw-dev", "10.1.0.0/16", &["att-vpn-dev"])
        .attach(
            "tgw-prd",
            "att-vpn-prd",
            "vpn",
            "vpn-2",
            Some("tgw-rtb-tgw-prd"),
        )
        .attach(
            "tgw-prd",
            "att-prd",
            "vpc",
            "prd-a",
            Some("tgw-rtb-tgw-prd"),
        )
        .tgw_route("tgw-rtb-tgw-prd", "10.1.0.0/16", &["att-prd"])
        .snapshot();
    let (there, _, ids) = analyse(&snapshot);
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    let path = there.paths.values().next().unwrap();
    assert!(path.assumed);
    assert!(path.hops.iter().any(|h| h.id == "att-vpn-prd"), "{path:?}");
}

#[test]
fn a_vpn_whose_table_does_not_route_to_production_is_no_path() {
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .tgw(PRD, EU, "tgw-prd")
        .tgw_table("tgw-prd", "rtb-vpn")
        .route(
            "rtb-dev-a",
            "10.1.0.0/16",
            RouteTarget::VpnGateway("vgw-1".into()),
        )
        .attach("tgw-prd", "att-vpn", "vpn", "vpn-2", Some("rtb-vpn"))
        .attach(
            "tgw-prd",
            "att-prd",
            "vpc",
            "prd-a",
            Some("tgw-rtb-tgw-prd"),
        )
        .tgw_route("tgw-rtb-tgw-prd", "10.1.0.0/16", &["att-prd"])
        .tgw_route("rtb-vpn", "10.9.0.0/16", &["att-prd"])
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty(), "{:?}", there.paths);
}

#[test]
fn attachments_that_are_not_available_carry_nothing() {
    let mut topo = hub(true);
    for region in topo.regions.values_mut() {
        for att in region.transit_gateway_attachments.iter_mut().flatten() {
            if att.id == "att-prd" {
                att.state = "pendingAcceptance".into();
            }
        }
    }
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty());
}

#[test]
fn an_attachment_associated_with_no_table_is_dropped() {
    let snapshot = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .tgw(NET, EU, "tgw-1")
        .route("rtb-dev-a", "10.0.0.0/8", tgw("tgw-1"))
        .attach("tgw-1", "att-dev", "vpc", "dev-a", None)
        .attach("tgw-1", "att-prd", "vpc", "prd-a", Some("tgw-rtb-tgw-1"))
        .tgw_route("tgw-rtb-tgw-1", "10.1.0.0/16", &["att-prd"])
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(there.paths.is_empty());
    assert!(there.gaps.is_empty(), "{:?}", there.gaps);
}

#[test]
fn an_attachment_whose_association_was_not_collected_is_a_gap() {
    let mut topo = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .tgw(NET, EU, "tgw-1")
        .route("rtb-dev-a", "10.0.0.0/8", tgw("tgw-1"))
        .attach("tgw-1", "att-dev", "vpc", "dev-a", None)
        .attach("tgw-1", "att-prd", "vpc", "prd-a", Some("tgw-rtb-tgw-1"))
        .tgw_route("tgw-rtb-tgw-1", "10.1.0.0/16", &["att-prd"]);
    for region in topo.regions.values_mut() {
        for t in region.transit_gateway_route_tables.iter_mut().flatten() {
            t.associations = None;
        }
    }
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty());
    assert!(
        there.gaps.values().flatten().any(|g| g.at == "att-dev"),
        "{:?}",
        there.gaps
    );
}

#[test]
fn uncollected_transit_gateway_routes_and_prefix_lists_are_gaps_not_passes() {
    let mut topo = hub(true);
    for region in topo.regions.values_mut() {
        for t in region.transit_gateway_route_tables.iter_mut().flatten() {
            t.routes = None;
        }
    }
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty());
    assert!(
        there
            .gaps
            .values()
            .flatten()
            .any(|g| g.why.contains("not collected")),
        "{:?}",
        there.gaps
    );
    // A transit gateway owned outside the snapshot.
    let mut topo = hub(true);
    topo.regions.retain(|(a, _), _| a != NET);
    let (there, _, _) = analyse(&topo.snapshot());
    assert!(there.paths.is_empty());
    assert!(!there.gaps.is_empty());
    // A prefix-list route cannot be placed.
    let snapshot = peered("active")
        .route("rtb-dev-a", "pl-0123", pcx("pcx-1"))
        .snapshot();
    let (there, _, _) = analyse(&snapshot);
    assert!(
        there
            .gaps
            .values()
            .flatten()
            .any(|g| g.why.contains("pl-0123"))
    );
}

#[test]
fn uncollected_network_lists_are_reported() {
    let mut topo = hub(true);
    region_of(&mut topo, DEV, EU).route_tables = None;
    let mut snapshot = topo.snapshot();
    snapshot.accounts.push(Account {
        id: "777777777777".into(),
        regions: None,
        ..Account::default()
    });
    let net = Network::new(&snapshot);
    assert!(
        net.uncollected
            .iter()
            .any(|(a, r, what)| *a == DEV && *r == EU && what.contains("route tables"))
    );
    assert!(
        net.uncollected
            .iter()
            .any(|(a, _, what)| *a == "777777777777" && what.contains("could not be collected"))
    );
}

#[test]
fn a_shared_route_table_reaches_many_production_vpcs_through_one_gateway() {
    let mut topo = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .tgw(NET, EU, "tgw-1")
        .route("rtb-dev-a", "10.0.0.0/8", tgw("tgw-1"))
        .attach("tgw-1", "att-dev", "vpc", "dev-a", Some("tgw-rtb-tgw-1"));
    for i in 1..=3 {
        let id = format!("prd-{i}");
        let att = format!("att-{i}");
        topo = topo
            .vpc(PRD, EU, &id, &format!("10.{i}.0.0/16"))
            .attach("tgw-1", &att, "vpc", &id, Some("tgw-rtb-tgw-1"))
            .tgw_route("tgw-rtb-tgw-1", &format!("10.{i}.0.0/16"), &[&att]);
    }
    let (there, _, ids) = analyse(&topo.snapshot());
    assert_eq!(
        pairs(&there, &ids),
        [
            pair("dev-a", "prd-1"),
            pair("dev-a", "prd-2"),
            pair("dev-a", "prd-3")
        ]
    );
}

/// dev-a's traffic for everything goes to an inspection VPC; `back` routes production's
/// CIDR from the inspection VPC back to the gateway (after inspection).
fn inspected(back: bool) -> Topo {
    let topo = Topo::default()
        .vpc(DEV, EU, "dev-a", "10.0.0.0/16")
        .vpc(PRD, EU, "prd-a", "10.1.0.0/16")
        .vpc(NET, EU, "insp", "10.9.0.0/16")
        .tgw(NET, EU, "tgw-1")
        .tgw_table("tgw-1", "rtb-spoke")
        .tgw_table("tgw-1", "rtb-inspected")
        .route("rtb-dev-a", "0.0.0.0/0", tgw("tgw-1"))
        .attach("tgw-1", "att-dev", "vpc", "dev-a", Some("rtb-spoke"))
        .attach("tgw-1", "att-insp", "vpc", "insp", Some("rtb-inspected"))
        .attach("tgw-1", "att-prd", "vpc", "prd-a", Some("rtb-spoke"))
        .tgw_route("rtb-spoke", "0.0.0.0/0", &["att-insp"])
        .tgw_route("rtb-inspected", "10.1.0.0/16", &["att-prd"])
        .tgw_route("rtb-inspected", "10.0.0.0/16", &["att-dev"])
        .route(
            "rtb-insp",
            "0.0.0.0/0",
            RouteTarget::NatGateway("nat-1".into()),
        );
    if back {
        topo.route("rtb-insp", "10.0.0.0/8", tgw("tgw-1"))
    } else {
        topo
    }
}

#[test]
fn traffic_through_an_inspection_vpc_that_routes_it_back_is_an_assumed_path() {
    let (there, _, ids) = analyse(&inspected(true).snapshot());
    assert_eq!(pairs(&there, &ids), [pair("dev-a", "prd-a")]);
    let path = there.paths.values().next().unwrap();
    assert!(path.assumed);
    let kinds: Vec<&str> = path.hops.iter().map(|h| h.kind).collect();
    assert!(kinds.contains(&"transit-vpc"), "{kinds:?}");
    assert!(path.hops.iter().any(|h| h.id == "rtb-inspected"));
    // An inspection VPC that sends nothing back to the gateway ends the path.
    let (there, _, _) = analyse(&inspected(false).snapshot());
    assert!(there.paths.is_empty(), "{:?}", there.paths);
}
