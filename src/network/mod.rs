//! Route-level reachability between VPCs across every collected account and region: can a
//! packet leaving a subnet of one VPC be routed to an address of another?
//!
//! The walk follows AWS's routing, hop by hop:
//!
//! - a subnet uses the route table it is explicitly associated with, else its VPC's main
//!   table; every table a subnet of the VPC uses is a starting point;
//! - within a table the longest prefix wins: each route carries only the addresses no more
//!   specific route of the same table takes ([`ranges`]). A blackhole route still wins its
//!   addresses and drops them; the local route keeps them inside the VPC (so an overlapping
//!   CIDR is never reached through another route);
//! - a route to an **active** VPC peering connection reaches the peer VPC only, and only its
//!   CIDRs: peering is not transitive;
//! - a route to a transit gateway enters through the source VPC's available attachment, is
//!   looked up in the TGW route table that attachment is associated with (longest prefix
//!   again, static or propagated, blackholes drop), and leaves through the route's
//!   attachment: a VPC (reached), a transit gateway peering (the walk continues in the peer
//!   gateway's route table associated with that peering, in its own region), or a VPN or
//!   Direct Connect attachment;
//! - VPN and Direct Connect lead to an on-premises network. Its routing is not collected, so
//!   it is assumed to route between all its connections (every VPN and Direct Connect
//!   attachment, and every VPC that routes to a virtual private gateway): a path through it
//!   is marked `assumed`, and is never left out;
//! - addresses outside a VPC that a transit gateway delivers into it (an inspection or egress
//!   VPC) are assumed to be forwarded by its appliances: its route tables are followed on,
//!   and the path is marked `assumed`;
//! - a route whose destination is a prefix list, a transit gateway whose route tables were
//!   not collected, or an attachment not in the snapshot cannot be followed: each is a
//!   [`Gap`], so a check can say `unknown` rather than pass.
//!
//! IPv6 routes are not followed (the checks say so).

pub mod exposure;
pub mod ranges;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::inventory::{
    Route, RouteState, RouteTarget, Snapshot, Tags, TransitGatewayAttachment, TransitGatewayRoute,
    VpcPeeringConnection,
};
use ranges::{Ranges, prefix_len};

/// A VPC as the analysis sees it.
#[derive(Debug)]
pub struct VpcNode<'s> {
    pub id: &'s str,
    /// The owner account.
    pub account: &'s str,
    pub region: &'s str,
    /// The IPv4 CIDR blocks, as written.
    pub cidr_blocks: &'s [String],
    pub cidrs: Ranges,
    pub tags: &'s Tags,
    /// The route tables its subnets use, each with those subnets (empty: the main table of
    /// a VPC without collected subnets).
    pub tables: Vec<(usize, Vec<&'s str>)>,
}

impl VpcNode<'_> {
    /// `arn:aws:ec2:REGION:ACCOUNT:vpc/ID`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:vpc/{}",
            self.region, self.account, self.id
        )
    }
}

/// A route with the addresses it actually carries (its destination minus every more
/// specific route of the same table).
#[derive(Debug)]
struct Carried<'s> {
    destination: &'s str,
    ranges: Ranges,
    active: bool,
    target: Target<'s>,
}

#[derive(Debug, Clone, Copy)]
enum Target<'s> {
    /// Stays in the VPC.
    Local,
    Peering(&'s str),
    Tgw(&'s str),
    Vgw(&'s str),
    /// Transit gateway route: to these attachments.
    Attachments(&'s [String]),
    /// Leaves toward something that is not another VPC (internet, NAT, endpoint …).
    Elsewhere,
}

#[derive(Debug)]
struct Table<'s> {
    id: &'s str,
    routes: Vec<Carried<'s>>,
    /// Routes whose destination could not be placed (prefix lists, IPv6 is ignored).
    unplaced: Vec<&'s str>,
}

/// Routes by longest prefix: each keeps what no more specific route took.
fn carried<'s, R>(
    routes: &'s [R],
    destination: impl Fn(&'s R) -> &'s str,
    convert: impl Fn(&'s R) -> (bool, Target<'s>),
) -> (Vec<Carried<'s>>, Vec<&'s str>) {
    let mut placed: Vec<(u32, &'s R)> = Vec::new();
    let mut unplaced = Vec::new();
    for r in routes {
        let d = destination(r);
        match prefix_len(d) {
            Some(len) => placed.push((len, r)),
            None if d.contains(':') => {}
            None => unplaced.push(d),
        }
    }
    placed.sort_by_key(|p| std::cmp::Reverse(p.0));
    let mut taken = Ranges::new();
    let mut out = Vec::with_capacity(placed.len());
    for (_, r) in placed {
        let own = Ranges::cidr(destination(r));
        let ranges = own.subtract(&taken);
        taken = taken.union(&own);
        if ranges.is_empty() {
            continue;
        }
        let (active, target) = convert(r);
        out.push(Carried {
            destination: destination(r),
            ranges,
            active,
            target,
        });
    }
    (out, unplaced)
}

fn vpc_target(route: &Route) -> (bool, Target<'_>) {
    let target = match &route.target {
        RouteTarget::Local => Target::Local,
        RouteTarget::VpcPeeringConnection(id) => Target::Peering(id),
        RouteTarget::TransitGateway(id) => Target::Tgw(id),
        RouteTarget::VpnGateway(id) => Target::Vgw(id),
        _ => Target::Elsewhere,
    };
    (route.state == RouteState::Active, target)
}

fn tgw_target(route: &TransitGatewayRoute) -> (bool, Target<'_>) {
    (
        route.state == RouteState::Active && !route.attachment_ids.is_empty(),
        Target::Attachments(&route.attachment_ids),
    )
}

/// One step of a path, for evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// `route-table`, `vpc-peering`, `tgw-attachment`, `tgw-route-table`, `tgw-peering`,
    /// `on-premises`, `vpn-gateway`, `transit-vpc`, `vpc`.
    pub kind: &'static str,
    /// The resource crossed.
    pub id: String,
    /// The route taken there (`10.1.0.0/16 -> pcx-1`), or what the step is.
    pub detail: String,
}

fn hop(kind: &'static str, id: &str, detail: String) -> Hop {
    Hop {
        kind,
        id: id.to_owned(),
        detail,
    }
}

/// Something the walk could not follow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Gap {
    /// Where (a route table, transit gateway, attachment).
    pub at: String,
    pub why: String,
}

/// Something that nearly routes to a destination but does not (an inactive peering, a
/// blackhole route): shown so a reader sees why a pass is a pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NearMiss {
    pub from_vpc: String,
    pub at: String,
    pub why: String,
}

/// A route from one VPC to another.
#[derive(Debug, Clone)]
pub struct Path {
    /// Index of the source VPC in [`Network::vpcs`].
    pub from: usize,
    /// Index of the destination VPC.
    pub to: usize,
    /// Subnets of the source whose route table starts the path (empty: the main table of a
    /// VPC whose subnets were not collected).
    pub subnets: Vec<String>,
    pub hops: Vec<Hop>,
    /// The destination addresses the path delivers.
    pub reaches: Ranges,
    /// Whether it crosses an on-premises network or an inspection VPC whose forwarding is
    /// assumed.
    pub assumed: bool,
}

/// Everything reachable from a set of sources toward a set of destinations.
#[derive(Debug, Default)]
pub struct Reach {
    /// The shortest path found for each (source, destination) pair.
    pub paths: BTreeMap<(usize, usize), Path>,
    /// What could not be followed, per source VPC.
    pub gaps: BTreeMap<usize, Vec<Gap>>,
    /// Near misses, per destination VPC.
    pub near_misses: BTreeMap<usize, Vec<NearMiss>>,
}

/// A production subnet shared into another account through RAM: whoever works in that
/// account launches straight into the owner's network.
#[derive(Debug, Clone)]
pub struct SharedSubnet<'s> {
    pub subnet: &'s str,
    /// Index of the subnet's VPC.
    pub vpc: usize,
    /// The account the subnet is shared with.
    pub participant: &'s str,
    /// How it is known: the participant's subnet listing, or a RAM share (its ARN).
    pub via: String,
}

/// The network of a snapshot, indexed for walks.
#[derive(Debug, Default)]
pub struct Network<'s> {
    pub vpcs: Vec<VpcNode<'s>>,
    vpc_index: HashMap<&'s str, usize>,
    tables: Vec<Table<'s>>,
    peerings: HashMap<&'s str, &'s VpcPeeringConnection>,
    /// (transit gateway, attachment id) → the attachment as that gateway's side sees it.
    attachments: HashMap<(&'s str, &'s str), &'s TransitGatewayAttachment>,
    /// (transit gateway, attachment id) → associated TGW route table.
    associations: HashMap<(&'s str, &'s str), &'s str>,
    /// (VPC, transit gateway) → the VPC's available attachment.
    vpc_attachments: HashMap<(&'s str, &'s str), &'s str>,
    tgw_tables: HashMap<&'s str, Option<Table<'s>>>,
    /// Transit gateways whose route tables were collected (their owner's listing).
    known_tgws: HashSet<&'s str>,
    /// Transit gateways with a route table whose associations were not collected: an
    /// attachment with no known association may still be associated there.
    associations_unknown: HashSet<&'s str>,
    /// VPN and Direct Connect attachments: (transit gateway, attachment).
    onprem: Vec<(&'s str, &'s str)>,
    /// VPCs that route to a virtual private gateway (attached to one).
    vgw_vpcs: Vec<(usize, &'s str)>,
    /// Account-regions whose VPCs, subnets or route tables were not collected.
    pub uncollected: Vec<(&'s str, &'s str, &'static str)>,
    pub shared_subnets: Vec<SharedSubnet<'s>>,
}

impl<'s> Network<'s> {
    /// Indexes every VPC, subnet, route table, peering, transit gateway and share of the
    /// snapshot. A resource listed by several accounts (a shared VPC, both sides of a
    /// peering) is kept once, preferring its owner's listing.
    pub fn new(snapshot: &'s Snapshot) -> Network<'s> {
        let mut net = Network::default();
        let mut vpcs: Vec<(&'s str, &'s str, &'s crate::inventory::Vpc)> = Vec::new();
        let mut seen: HashMap<&'s str, usize> = HashMap::new();
        let mut subnets: HashMap<&'s str, &'s crate::inventory::Subnet> = HashMap::new();
        let mut route_tables: HashMap<&'s str, &'s crate::inventory::RouteTable> = HashMap::new();
        for account in &snapshot.accounts {
            let Some(regions) = &account.regions else {
                net.uncollected.push((
                    &account.id,
                    "every region",
                    "the network (the account could not be collected)",
                ));
                continue;
            };
            for (name, region) in regions {
                let (account_id, name) = (account.id.as_str(), name.as_str());
                for (missing, what) in [
                    (region.vpcs.is_none(), "VPCs (ec2:DescribeVpcs)"),
                    (region.subnets.is_none(), "subnets (ec2:DescribeSubnets)"),
                    (
                        region.route_tables.is_none(),
                        "route tables (ec2:DescribeRouteTables)",
                    ),
                    (
                        region.transit_gateway_attachments.is_none(),
                        "transit gateway attachments (ec2:DescribeTransitGatewayAttachments)",
                    ),
                ] {
                    if missing {
                        net.uncollected.push((account_id, name, what));
                    }
                }
                for vpc in region.vpcs.iter().flatten() {
                    match seen.get(vpc.id.as_str()) {
                        Some(&i) if vpc.owner_id == account_id => vpcs[i] = (account_id, name, vpc),
                        Some(_) => {}
                        None => {
                            seen.insert(&vpc.id, vpcs.len());
                            vpcs.push((account_id, name, vpc));
                        }
                    }
                }
                for subnet in region.subnets.iter().flatten() {
                    subnets.entry(&subnet.id).or_insert(subnet);
                    if subnet.owner_id != account_id {
                        net.shared_subnets.push(SharedSubnet {
                            subnet: &subnet.id,
                            vpc: usize::MAX,
                            participant: account_id,
                            via: format!(
                                "listed in account {account_id} {name}, owned by {}",
                                subnet.owner_id
                            ),
                        });
                    }
                }
                for table in region.route_tables.iter().flatten() {
                    route_tables.entry(&table.id).or_insert(table);
                }
                for p in region.vpc_peering_connections.iter().flatten() {
                    net.peerings
                        .entry(&p.id)
                        .and_modify(|e| {
                            // Both sides list it; a side that still sees it pending while
                            // the other sees it active is a moment apart: keep `active`.
                            if p.status == "active" {
                                *e = p;
                            }
                        })
                        .or_insert(p);
                }
                for tgw in region.transit_gateways.iter().flatten() {
                    if tgw.owner_id == account_id && region.transit_gateway_route_tables.is_some() {
                        net.known_tgws.insert(&tgw.id);
                    }
                }
                for att in region.transit_gateway_attachments.iter().flatten() {
                    let key = (att.transit_gateway_id.as_str(), att.id.as_str());
                    // The gateway owner's view carries the association.
                    let owners = att.transit_gateway_owner_id == account_id;
                    match net.attachments.get(&key) {
                        Some(_) if !owners => {}
                        _ => {
                            net.attachments.insert(key, att);
                        }
                    }
                    if let Some(rt) = &att.association_route_table_id {
                        net.associations.insert(key, rt);
                    }
                }
                for rt in region.transit_gateway_route_tables.iter().flatten() {
                    if rt.associations.is_none() {
                        net.associations_unknown.insert(&rt.transit_gateway_id);
                    }
                    for att in rt.associations.iter().flatten() {
                        net.associations
                            .insert((rt.transit_gateway_id.as_str(), att.as_str()), &rt.id);
                    }
                    let table = rt.routes.as_ref().map(|routes| {
                        let (routes, unplaced) =
                            carried(routes, |r| r.destination.as_str(), tgw_target);
                        Table {
                            id: &rt.id,
                            routes,
                            unplaced,
                        }
                    });
                    match net.tgw_tables.get(rt.id.as_str()) {
                        Some(Some(_)) => {}
                        _ => {
                            net.tgw_tables.insert(&rt.id, table);
                        }
                    }
                }
            }
        }
        vpcs.sort_by(|a, b| {
            (a.2.owner_id.as_str(), a.1, a.2.id.as_str()).cmp(&(
                b.2.owner_id.as_str(),
                b.1,
                b.2.id.as_str(),
            ))
        });
        for (_, region, vpc) in &vpcs {
            net.vpc_index.insert(&vpc.id, net.vpcs.len());
            net.vpcs.push(VpcNode {
                id: &vpc.id,
                account: &vpc.owner_id,
                region,
                cidr_blocks: &vpc.cidr_blocks,
                cidrs: Ranges::cidrs(vpc.cidr_blocks.iter().map(String::as_str)),
                tags: &vpc.tags,
                tables: Vec::new(),
            });
        }
        // Route tables of each VPC, and which subnets use each.
        let mut by_vpc: HashMap<&str, Vec<&crate::inventory::RouteTable>> = HashMap::new();
        let mut sorted_tables: Vec<_> = route_tables.values().copied().collect();
        sorted_tables.sort_by(|a, b| a.id.cmp(&b.id));
        for table in sorted_tables {
            by_vpc.entry(&table.vpc_id).or_default().push(table);
        }
        let mut subnets_by_vpc: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut sorted_subnets: Vec<_> = subnets.values().copied().collect();
        sorted_subnets.sort_by(|a, b| a.id.cmp(&b.id));
        for s in sorted_subnets {
            subnets_by_vpc.entry(&s.vpc_id).or_default().push(&s.id);
        }
        for v in 0..net.vpcs.len() {
            let id = net.vpcs[v].id;
            let tables = by_vpc.get(id).cloned().unwrap_or_default();
            let mut used: Vec<(usize, Vec<&'s str>)> = Vec::new();
            let mut local: HashMap<&str, usize> = HashMap::new();
            let mut index_of = |net: &mut Network<'s>, table: &'s crate::inventory::RouteTable| {
                *local.entry(&table.id).or_insert_with(|| {
                    let (routes, unplaced) =
                        carried(&table.routes, |r| r.destination.as_str(), vpc_target);
                    if routes
                        .iter()
                        .any(|r| matches!(r.target, Target::Vgw(_)) && r.active)
                    {
                        let vgw = routes
                            .iter()
                            .find_map(|r| match r.target {
                                Target::Vgw(g) => Some(g),
                                _ => None,
                            })
                            .unwrap_or_default();
                        net.vgw_vpcs.push((v, vgw));
                    }
                    net.tables.push(Table {
                        id: &table.id,
                        routes,
                        unplaced,
                    });
                    net.tables.len() - 1
                })
            };
            let main = tables.iter().find(|t| t.main).copied();
            let vpc_subnets = subnets_by_vpc.get(id).cloned().unwrap_or_default();
            for subnet in &vpc_subnets {
                let table = tables
                    .iter()
                    .find(|t| t.subnet_ids.iter().any(|s| s == subnet))
                    .copied()
                    .or(main);
                if let Some(table) = table {
                    let t = index_of(&mut net, table);
                    match used.iter_mut().find(|(u, _)| *u == t) {
                        Some((_, list)) => list.push(subnet),
                        None => used.push((t, vec![subnet])),
                    }
                }
            }
            if vpc_subnets.is_empty()
                && let Some(main) = main
            {
                let t = index_of(&mut net, main);
                used.push((t, Vec::new()));
            }
            net.vpcs[v].tables = used;
        }
        net.vgw_vpcs.sort_unstable();
        net.vgw_vpcs.dedup_by_key(|(v, _)| *v);
        let mut keys: Vec<_> = net.attachments.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let att = net.attachments[&key];
            if att.state != "available" {
                continue;
            }
            match att.resource_type.as_str() {
                "vpc" => {
                    if let Some(vpc) = &att.resource_id {
                        net.vpc_attachments.insert((vpc.as_str(), key.0), key.1);
                    }
                }
                "vpn" | "direct-connect-gateway" => net.onprem.push(key),
                _ => {}
            }
        }
        // Shared subnets: the participant's listing, and RAM shares of subnets.
        let subnet_vpc = |id: &str| {
            subnets
                .get(id)
                .and_then(|s| net.vpc_index.get(s.vpc_id.as_str()).copied())
        };
        let mut shared: Vec<SharedSubnet<'s>> = std::mem::take(&mut net.shared_subnets)
            .into_iter()
            .filter_map(|mut s| {
                s.vpc = subnet_vpc(s.subnet)?;
                Some(s)
            })
            .collect();
        let accounts: Vec<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
        for account in &snapshot.accounts {
            for region in account.regions.iter().flat_map(|r| r.values()) {
                for share in region.ram_resource_shares.iter().flatten() {
                    if share.owner_account_id != account.id
                        || share.status != "ACTIVE" && share.status != "active"
                    {
                        continue;
                    }
                    for arn in &share.resource_arns {
                        let Some(subnet) = arn.split_once(":subnet/").map(|(_, id)| id) else {
                            continue;
                        };
                        let Some(vpc) = subnet_vpc(subnet) else {
                            continue;
                        };
                        for principal in &share.principals {
                            // An account id, or an organization / OU ARN (every account of
                            // the snapshot may be in it).
                            let participants: Vec<&str> = if principal.len() == 12
                                && principal.bytes().all(|b| b.is_ascii_digit())
                            {
                                vec![principal.as_str()]
                            } else {
                                accounts
                                    .iter()
                                    .copied()
                                    .filter(|a| *a != account.id)
                                    .collect()
                            };
                            for participant in participants {
                                if participant == account.id {
                                    continue;
                                }
                                shared.push(SharedSubnet {
                                    subnet: subnets
                                        .get(subnet)
                                        .map(|s| s.id.as_str())
                                        .unwrap_or(subnet),
                                    vpc,
                                    participant,
                                    via: format!("RAM share {} with {principal}", share.arn),
                                });
                            }
                        }
                    }
                }
            }
        }
        shared.sort_by(|a, b| {
            (a.vpc, a.participant, a.subnet).cmp(&(b.vpc, b.participant, b.subnet))
        });
        shared.dedup_by(|a, b| {
            a.vpc == b.vpc && a.participant == b.participant && a.subnet == b.subnet
        });
        net.shared_subnets = shared;
        net
    }

    /// The index of a VPC by id.
    pub fn vpc(&self, id: &str) -> Option<usize> {
        self.vpc_index.get(id).copied()
    }

    /// Every path from a VPC for which `from` holds to one for which `to` holds.
    pub fn reach(&self, from: impl Fn(usize) -> bool, to: impl Fn(usize) -> bool) -> Reach {
        let mut reach = Reach::default();
        for s in (0..self.vpcs.len()).filter(|&s| from(s)) {
            let mut walk = Walk {
                net: self,
                source: s,
                to: &to,
                reach: &mut reach,
                subnets: &[],
            };
            walk.walk_source();
        }
        for gaps in reach.gaps.values_mut() {
            gaps.sort();
            gaps.dedup();
        }
        for misses in reach.near_misses.values_mut() {
            misses.sort();
            misses.dedup();
        }
        reach
    }
}

/// One source's walk.
struct Walk<'n, 's, F> {
    net: &'n Network<'s>,
    source: usize,
    to: &'n F,
    reach: &'n mut Reach,
    subnets: &'n [&'s str],
}

/// How deep a walk goes through transit gateway peerings and on-premises networks.
const MAX_DEPTH: usize = 6;

impl<'n, 's, F: Fn(usize) -> bool> Walk<'n, 's, F> {
    fn gap(&mut self, at: &str, why: String) {
        self.reach.gaps.entry(self.source).or_default().push(Gap {
            at: at.to_owned(),
            why,
        });
    }

    fn near_miss(&mut self, dest: usize, at: &str, why: String) {
        let from_vpc = self.net.vpcs[self.source].id.to_owned();
        self.reach
            .near_misses
            .entry(dest)
            .or_default()
            .push(NearMiss {
                from_vpc,
                at: at.to_owned(),
                why,
            });
    }

    fn record(&mut self, dest: usize, hops: &[Hop], reaches: Ranges, assumed: bool) {
        if dest == self.source {
            return;
        }
        let key = (self.source, dest);
        let better = match self.reach.paths.get(&key) {
            Some(p) => (p.assumed, p.hops.len()) > (assumed, hops.len()),
            None => true,
        };
        if better {
            self.reach.paths.insert(
                key,
                Path {
                    from: self.source,
                    to: dest,
                    subnets: self.subnets.iter().map(|s| (*s).to_owned()).collect(),
                    hops: hops.to_vec(),
                    reaches,
                    assumed,
                },
            );
        }
    }

    fn walk_source(&mut self) {
        let net = self.net;
        let vpc = &net.vpcs[self.source];
        for (t, subnets) in &vpc.tables {
            self.subnets = subnets;
            let table = &net.tables[*t];
            for p in &table.unplaced {
                self.gap(
                    table.id,
                    format!("route to {p} (a prefix list) cannot be placed: its addresses are not collected"),
                );
            }
            for route in &table.routes {
                let first = hop(
                    "route-table",
                    table.id,
                    format!("{} -> {}", route.destination, describe(route.target)),
                );
                if !route.active {
                    // A blackhole wins its addresses and drops them.
                    for (d, dest) in net.vpcs.iter().enumerate() {
                        if (self.to)(d) && dest.cidrs.meets(&route.ranges) {
                            self.near_miss(
                                d,
                                table.id,
                                format!(
                                    "route {} is a blackhole (its target is gone)",
                                    route.destination
                                ),
                            );
                        }
                    }
                    continue;
                }
                match route.target {
                    Target::Peering(pcx) => self.peering(pcx, route, first),
                    Target::Tgw(tgw) => {
                        let Some(&att) = net.vpc_attachments.get(&(vpc.id, tgw)) else {
                            if net.attachments.keys().any(|(g, _)| *g == tgw)
                                || net.known_tgws.contains(tgw)
                            {
                                // The gateway is known and this VPC has no available
                                // attachment: the route leads nowhere.
                                continue;
                            }
                            self.gap(table.id, format!("route {} to transit gateway {tgw}, whose attachments were not collected", route.destination));
                            continue;
                        };
                        let hops = vec![
                            first,
                            hop("tgw-attachment", att, format!("{} enters {tgw}", vpc.id)),
                        ];
                        self.tgw(tgw, att, &route.ranges, hops, 0, false);
                    }
                    Target::Vgw(vgw) => {
                        let hops = vec![
                            first,
                            hop("vpn-gateway", vgw, "to the on-premises network".into()),
                        ];
                        self.onprem(&route.ranges, hops, 0);
                    }
                    Target::Local | Target::Elsewhere | Target::Attachments(_) => {}
                }
            }
        }
    }

    fn peering(&mut self, pcx: &str, route: &Carried, first: Hop) {
        let net = self.net;
        let vpc = &net.vpcs[self.source];
        let Some(p) = net.peerings.get(pcx) else {
            self.gap(
                pcx,
                format!(
                    "route {} to peering {pcx}, which was not collected",
                    route.destination
                ),
            );
            return;
        };
        let peer = if p.requester.vpc_id == vpc.id {
            &p.accepter
        } else {
            &p.requester
        };
        let Some(dest) = net.vpc(&peer.vpc_id) else {
            return; // a VPC outside the snapshot
        };
        if !(self.to)(dest) {
            return;
        }
        let reaches = route.ranges.intersect(&net.vpcs[dest].cidrs);
        if reaches.is_empty() {
            return;
        }
        if p.status != "active" {
            self.near_miss(
                dest,
                pcx,
                format!("peering {pcx} is {}, not active", p.status),
            );
            return;
        }
        let hops = vec![
            first,
            hop(
                "vpc-peering",
                pcx,
                format!(
                    "{} <-> {} (not transitive)",
                    p.requester.vpc_id, p.accepter.vpc_id
                ),
            ),
            hop("vpc", &peer.vpc_id, format!("delivers {reaches}")),
        ];
        self.record(dest, &hops, reaches, false);
    }

    /// Inside transit gateway `tgw`, entered through attachment `att`.
    fn tgw(
        &mut self,
        tgw: &str,
        att: &str,
        ranges: &Ranges,
        hops: Vec<Hop>,
        depth: usize,
        assumed: bool,
    ) {
        let net = self.net;
        if depth > MAX_DEPTH {
            return;
        }
        let Some(&rt) = net.associations.get(&(tgw, att)) else {
            if !net.known_tgws.contains(tgw) {
                self.gap(tgw, format!("transit gateway {tgw}: its route tables were not collected (its owner account is not in the snapshot, or the listing failed)"));
            } else if net.associations_unknown.contains(tgw) {
                self.gap(att, format!("attachment {att} of {tgw}: which route table it is associated with was not collected"));
            }
            return; // an attachment associated with no route table: dropped
        };
        let Some(table) = net.tgw_tables.get(rt) else {
            self.gap(
                rt,
                format!("transit gateway route table {rt} was not collected"),
            );
            return;
        };
        let Some(table) = table else {
            self.gap(
                rt,
                format!("routes of transit gateway route table {rt} were not collected"),
            );
            return;
        };
        for p in &table.unplaced {
            self.gap(rt, format!("route to {p} (a prefix list) cannot be placed"));
        }
        for route in &table.routes {
            let inter = ranges.intersect(&route.ranges);
            if inter.is_empty() {
                continue;
            }
            let Target::Attachments(targets) = route.target else {
                continue;
            };
            if !route.active {
                for (d, dest) in net.vpcs.iter().enumerate() {
                    if (self.to)(d) && dest.cidrs.meets(&inter) {
                        self.near_miss(
                            d,
                            rt,
                            format!("transit gateway route {} is a blackhole", route.destination),
                        );
                    }
                }
                continue;
            }
            for target in targets {
                let mut next = hops.clone();
                next.push(hop(
                    "tgw-route-table",
                    rt,
                    format!("{} -> {target}", route.destination),
                ));
                let Some(a) = net.attachments.get(&(tgw, target.as_str())) else {
                    self.gap(
                        target,
                        format!("attachment {target} of {tgw} was not collected"),
                    );
                    continue;
                };
                if a.state != "available" {
                    continue;
                }
                match a.resource_type.as_str() {
                    "vpc" => {
                        let Some(dest) = a.resource_id.as_deref().and_then(|v| net.vpc(v)) else {
                            continue;
                        };
                        // Addresses outside this VPC delivered into it: an inspection or
                        // egress VPC whose appliances may send them on.
                        let passing = inter.subtract(&net.vpcs[dest].cidrs);
                        if !passing.is_empty() && dest != self.source {
                            self.through_vpc(dest, &passing, &next, depth);
                        }
                        if !(self.to)(dest) {
                            continue;
                        }
                        let reaches = inter.intersect(&net.vpcs[dest].cidrs);
                        if reaches.is_empty() {
                            continue;
                        }
                        next.push(hop(
                            "vpc",
                            net.vpcs[dest].id,
                            format!("via {target}, delivers {reaches}"),
                        ));
                        self.record(dest, &next, reaches, assumed);
                    }
                    "peering" | "tgw-peering" => {
                        let Some(peer) = a.resource_id.as_deref() else {
                            continue;
                        };
                        next.push(hop(
                            "tgw-peering",
                            target,
                            format!(
                                "{tgw} -> {peer}{}",
                                a.peer_region
                                    .as_deref()
                                    .map(|r| format!(" ({r})"))
                                    .unwrap_or_default()
                            ),
                        ));
                        self.tgw(peer, target, &inter, next, depth + 1, assumed);
                    }
                    "vpn" | "direct-connect-gateway" => {
                        next.push(hop(
                            "on-premises",
                            target,
                            format!("{} attachment to the on-premises network", a.resource_type),
                        ));
                        self.onprem(&inter, next, depth + 1);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Traffic for other addresses delivered into VPC `v` by a transit gateway (an
    /// inspection or egress VPC): its appliances are assumed to forward it, so the VPC's
    /// route tables are followed on, once per path.
    fn through_vpc(&mut self, v: usize, ranges: &Ranges, hops: &[Hop], depth: usize) {
        let net = self.net;
        let vpc = &net.vpcs[v];
        if depth >= MAX_DEPTH
            || hops
                .iter()
                .any(|h| h.kind == "transit-vpc" && h.id == vpc.id)
        {
            return;
        }
        for (t, _) in &vpc.tables {
            let table = &net.tables[*t];
            for route in &table.routes {
                let inter = ranges.intersect(&route.ranges);
                if inter.is_empty() || !route.active {
                    continue;
                }
                let mut next = hops.to_vec();
                next.push(hop(
                    "transit-vpc",
                    vpc.id,
                    format!("assumed: its appliances forward {inter} on"),
                ));
                next.push(hop(
                    "route-table",
                    table.id,
                    format!("{} -> {}", route.destination, describe(route.target)),
                ));
                match route.target {
                    Target::Tgw(tgw) => {
                        let Some(&att) = net.vpc_attachments.get(&(vpc.id, tgw)) else {
                            continue;
                        };
                        next.push(hop(
                            "tgw-attachment",
                            att,
                            format!("{} enters {tgw}", vpc.id),
                        ));
                        self.tgw(tgw, att, &inter, next, depth + 1, true);
                    }
                    Target::Peering(pcx) => {
                        let Some(p) = net.peerings.get(pcx).filter(|p| p.status == "active") else {
                            continue;
                        };
                        let peer = if p.requester.vpc_id == vpc.id {
                            &p.accepter
                        } else {
                            &p.requester
                        };
                        let Some(dest) = net.vpc(&peer.vpc_id) else {
                            continue;
                        };
                        let reaches = inter.intersect(&net.vpcs[dest].cidrs);
                        if !(self.to)(dest) || reaches.is_empty() {
                            continue;
                        }
                        next.push(hop(
                            "vpc-peering",
                            pcx,
                            format!("{} <-> {}", p.requester.vpc_id, p.accepter.vpc_id),
                        ));
                        next.push(hop("vpc", &peer.vpc_id, format!("delivers {reaches}")));
                        self.record(dest, &next, reaches, true);
                    }
                    Target::Vgw(vgw) => {
                        next.push(hop("vpn-gateway", vgw, "to the on-premises network".into()));
                        self.onprem(&inter, next, depth + 1);
                    }
                    Target::Local | Target::Elsewhere | Target::Attachments(_) => {}
                }
            }
        }
    }

    /// In the on-premises network, assumed to route between all its connections.
    fn onprem(&mut self, ranges: &Ranges, hops: Vec<Hop>, depth: usize) {
        let net = self.net;
        if depth > MAX_DEPTH
            || hops
                .iter()
                .filter(|h| h.kind == "on-premises" || h.kind == "vpn-gateway")
                .count()
                > 1
        {
            return;
        }
        for &(tgw, att) in &net.onprem {
            if hops.iter().any(|h| h.id == att) {
                continue;
            }
            let mut next = hops.clone();
            next.push(hop(
                "on-premises",
                att,
                format!("assumed: the on-premises network routes back in through {att} on {tgw}"),
            ));
            self.tgw(tgw, att, ranges, next, depth + 1, true);
        }
        for &(v, vgw) in &net.vgw_vpcs {
            if v == self.source || !(self.to)(v) {
                continue;
            }
            let reaches = ranges.intersect(&net.vpcs[v].cidrs);
            if reaches.is_empty() {
                continue;
            }
            let mut next = hops.clone();
            next.push(hop("vpn-gateway", vgw, format!("assumed: the on-premises network routes to {} through its virtual private gateway", net.vpcs[v].id)));
            next.push(hop("vpc", net.vpcs[v].id, format!("delivers {reaches}")));
            self.record(v, &next, reaches, true);
        }
    }
}

fn describe(target: Target) -> String {
    match target {
        Target::Local => "local".into(),
        Target::Peering(id) | Target::Tgw(id) | Target::Vgw(id) => id.to_owned(),
        Target::Attachments(ids) => ids.join(", "),
        Target::Elsewhere => "outside the VPC network".into(),
    }
}

#[cfg(test)]
mod tests;
