//! Network reachability at scale: N VPCs (half production, half not) in 40 accounts and two
//! regions, 10 route tables per VPC (each with its own subnet), and N/40 transit gateways
//! in a network account — at 2,000 VPCs: 20,000 route tables and 50 transit gateways.
//!
//! Every VPC routes `10.0.0.0/8` to its region's transit gateways in turn; 90% of the
//! gateways segment production from non-production with two route tables, 10% have one
//! flat table (the paths SEG002 reports); neighbouring gateways peer (half across regions)
//! and 5% of non-production VPCs are peered with a production VPC and routed to it.
//!
//! Measured: the full pairwise analysis as SEG002 runs it — indexing the network, every
//! path from outside production into it, and every path back (for the return routes).
//!
//! `cargo bench --bench network`; figures are reported, not asserted.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ringfence::inventory::{
    Account, PeeringSide, Region, Route, RouteState, RouteTable, RouteTarget, Snapshot, Subnet,
    TransitGateway, TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayRouteTable, Vpc,
    VpcPeeringConnection,
};
use ringfence::network::Network;

const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];
const TABLES_PER_VPC: usize = 10;
const ACCOUNTS: usize = 40;
const NETWORK_ACCOUNT: &str = "999999999999";

fn account_id(a: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + a as u64)
}

/// A /20 per VPC inside 10.0.0.0/8.
fn cidr(v: usize) -> String {
    let base = (10u32 << 24) + (v as u32) * 4096;
    format!("{}/20", std::net::Ipv4Addr::from(base))
}

fn is_prod(v: usize) -> bool {
    v.is_multiple_of(2)
}

fn region_of(v: usize) -> &'static str {
    REGIONS[v % 4 / 2]
}

type Regions = BTreeMap<(String, &'static str), Region>;

/// The region `name` of `account`, created with every network list collected.
fn region<'a>(regions: &'a mut Regions, account: &str, name: &'static str) -> &'a mut Region {
    regions
        .entry((account.to_owned(), name))
        .or_insert_with(|| Region {
            vpcs: Some(Vec::new()),
            subnets: Some(Vec::new()),
            route_tables: Some(Vec::new()),
            vpc_peering_connections: Some(Vec::new()),
            transit_gateways: Some(Vec::new()),
            transit_gateway_attachments: Some(Vec::new()),
            transit_gateway_route_tables: Some(Vec::new()),
            ..Region::default()
        })
}

fn estate(vpcs: usize) -> Snapshot {
    let tgws = (vpcs / 40).max(2);
    let mut regions = Regions::new();
    // Transit gateways: tgw k in REGIONS[k % 2]; flat when k % 10 == 0.
    let tgw_id = |k: usize| format!("tgw-{k:05}");
    let mut tgw_tables: Vec<Vec<TransitGatewayRouteTable>> = Vec::new();
    let mut tgw_atts: Vec<Vec<TransitGatewayAttachment>> = Vec::new();
    for k in 0..tgws {
        let flat = k.is_multiple_of(10);
        let names: Vec<String> = if flat {
            vec![format!("tgw-rtb-{k:05}-all")]
        } else {
            vec![
                format!("tgw-rtb-{k:05}-prod"),
                format!("tgw-rtb-{k:05}-nonprod"),
            ]
        };
        tgw_tables.push(
            names
                .into_iter()
                .map(|id| TransitGatewayRouteTable {
                    id,
                    transit_gateway_id: tgw_id(k),
                    associations: Some(Vec::new()),
                    propagations: Some(Vec::new()),
                    routes: Some(Vec::new()),
                    ..TransitGatewayRouteTable::default()
                })
                .collect(),
        );
        tgw_atts.push(Vec::new());
    }
    let table_for = |k: usize, prod: bool| if k.is_multiple_of(10) || prod { 0 } else { 1 };
    let mut peerings = Vec::new();
    for v in 0..vpcs {
        let prod = is_prod(v);
        let account = account_id(v % ACCOUNTS / 2 * 2 + usize::from(!prod));
        let name = region_of(v);
        let r = region(&mut regions, &account, name);
        let id = format!("vpc-{v:06}");
        r.vpcs.as_mut().unwrap().push(Vpc {
            id: id.clone(),
            owner_id: account.clone(),
            cidr_blocks: vec![cidr(v)],
            ..Vpc::default()
        });
        // The region's gateways in turn.
        let k = (v / 4 * 2 + v % 4 / 2) % tgws;
        let k = if REGIONS[k % 2] == name {
            k
        } else {
            (k + 1) % tgws
        };
        let att = format!("tgw-attach-{v:06}");
        let t = table_for(k, prod);
        tgw_atts[k].push(TransitGatewayAttachment {
            id: att.clone(),
            transit_gateway_id: tgw_id(k),
            transit_gateway_owner_id: NETWORK_ACCOUNT.into(),
            resource_type: "vpc".into(),
            resource_id: Some(id.clone()),
            resource_owner_id: Some(account.clone()),
            state: "available".into(),
            association_route_table_id: Some(tgw_tables[k][t].id.clone()),
            ..TransitGatewayAttachment::default()
        });
        tgw_tables[k][t]
            .routes
            .as_mut()
            .unwrap()
            .push(TransitGatewayRoute {
                destination: cidr(v),
                route_type: "propagated".into(),
                state: RouteState::Active,
                attachment_ids: vec![att.clone()],
            });
        let peer = (!prod && v % 40 == 1).then(|| v - 1);
        if let Some(p) = peer {
            peerings.push((v, p));
        }
        for t in 0..TABLES_PER_VPC {
            let subnet = format!("subnet-{v:06}-{t}");
            r.subnets.as_mut().unwrap().push(Subnet {
                id: subnet.clone(),
                vpc_id: id.clone(),
                owner_id: account.clone(),
                cidr_block: cidr(v),
                ..Subnet::default()
            });
            let mut routes = vec![
                Route {
                    destination: cidr(v),
                    target: RouteTarget::Local,
                    state: RouteState::Active,
                },
                Route {
                    destination: "0.0.0.0/0".into(),
                    target: RouteTarget::NatGateway(format!("nat-{v:06}")),
                    state: RouteState::Active,
                },
                Route {
                    destination: "10.0.0.0/8".into(),
                    target: RouteTarget::TransitGateway(tgw_id(k)),
                    state: RouteState::Active,
                },
                Route {
                    destination: "172.16.0.0/12".into(),
                    target: RouteTarget::GatewayEndpoint(format!("vpce-{v:06}")),
                    state: RouteState::Active,
                },
            ];
            if let Some(p) = peer {
                routes.push(Route {
                    destination: cidr(p),
                    target: RouteTarget::VpcPeeringConnection(format!("pcx-{v:06}")),
                    state: RouteState::Active,
                });
            }
            r.route_tables.as_mut().unwrap().push(RouteTable {
                id: format!("rtb-{v:06}-{t}"),
                vpc_id: id.clone(),
                main: t == 0,
                subnet_ids: if t == 0 { vec![] } else { vec![subnet] },
                routes,
            });
        }
    }
    for (v, p) in peerings {
        let side = |x: usize| PeeringSide {
            owner_id: account_id(x % ACCOUNTS / 2 * 2 + usize::from(!is_prod(x))),
            vpc_id: format!("vpc-{x:06}"),
            region: region_of(x).into(),
            cidr_blocks: vec![cidr(x)],
        };
        let peering = VpcPeeringConnection {
            id: format!("pcx-{v:06}"),
            requester: side(v),
            accepter: side(p),
            status: "active".into(),
        };
        let r = region(&mut regions, &side(v).owner_id, region_of(v));
        r.vpc_peering_connections.as_mut().unwrap().push(peering);
    }
    // Neighbouring gateways peer; the peering routes the neighbour's non-production CIDRs.
    for k in 0..tgws {
        let n = (k + 1) % tgws;
        let att = format!("tgw-attach-peer-{k:05}");
        for (from, to) in [(k, n), (n, k)] {
            tgw_atts[from].push(TransitGatewayAttachment {
                id: att.clone(),
                transit_gateway_id: tgw_id(from),
                transit_gateway_owner_id: NETWORK_ACCOUNT.into(),
                resource_type: "peering".into(),
                resource_id: Some(tgw_id(to)),
                peer_region: Some(REGIONS[to % 2].into()),
                state: "available".into(),
                association_route_table_id: Some(tgw_tables[from][0].id.clone()),
                ..TransitGatewayAttachment::default()
            });
        }
        let last = tgw_tables[k].len() - 1;
        tgw_tables[k][last]
            .routes
            .as_mut()
            .unwrap()
            .push(TransitGatewayRoute {
                destination: format!("10.{}.0.0/16", 200 + k % 50),
                route_type: "static".into(),
                state: RouteState::Active,
                attachment_ids: vec![att],
            });
    }
    for k in 0..tgws {
        let r = region(&mut regions, NETWORK_ACCOUNT, REGIONS[k % 2]);
        r.transit_gateways.as_mut().unwrap().push(TransitGateway {
            id: tgw_id(k),
            owner_id: NETWORK_ACCOUNT.into(),
            state: "available".into(),
            ..TransitGateway::default()
        });
        r.transit_gateway_attachments
            .as_mut()
            .unwrap()
            .append(&mut tgw_atts[k]);
        r.transit_gateway_route_tables
            .as_mut()
            .unwrap()
            .append(&mut tgw_tables[k]);
    }
    let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
    let mut accounts: BTreeMap<String, BTreeMap<String, Region>> = BTreeMap::new();
    for ((account, name), r) in regions {
        accounts
            .entry(account)
            .or_default()
            .insert(name.to_owned(), r);
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

/// What SEG002 computes: the index, the paths into production, the paths back.
fn analyse(snapshot: &Snapshot) -> (usize, usize) {
    let net = Network::new(snapshot);
    let prod: Vec<bool> = net
        .vpcs
        .iter()
        .map(|v| is_prod(v.id[4..].parse().unwrap_or(1)))
        .collect();
    let there = net.reach(|v| !prod[v], |v| prod[v]);
    let back = net.reach(|v| prod[v], |v| !prod[v]);
    (there.paths.len(), back.paths.len())
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("network");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for vpcs in [500, 1000, 2000] {
        let snapshot = estate(vpcs);
        let tables: usize = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.regions.iter().flat_map(|r| r.values()))
            .map(|r| r.route_tables.as_ref().map_or(0, Vec::len))
            .sum();
        let started = Instant::now();
        let (there, back) = analyse(&snapshot);
        eprintln!(
            "{vpcs} VPCs, {tables} route tables, {} transit gateways: {there} paths into production, {back} back, first run {:?}",
            (vpcs / 40).max(2),
            started.elapsed()
        );
        group.bench_with_input(
            BenchmarkId::new("pairwise analysis", vpcs),
            &snapshot,
            |b, s| b.iter(|| analyse(s)),
        );
    }
    group.finish();
}

criterion_group!(network, benches);
criterion_main!(network);
