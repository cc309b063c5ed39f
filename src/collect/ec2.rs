//! EC2: enabled regions, the network (VPCs, subnets, route tables, security groups, peering
//! connections, transit gateways with their attachments and route tables, VPN connections),
//! whether snapshots and AMIs are owned, and instances, with termination protection read only for instances in scope
//! (production and not owned by an Auto Scaling group): that attribute has no bulk form.

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, Instance, InstanceAttributeName, IpPermission,
    Route as SdkRoute, RouteState as SdkRouteState, Tag,
};
use futures::StreamExt;

use super::clients::{self, Clients, failure, timestamp};
use crate::inventory::{
    CollectionError, Ec2Instance, PeeringSide, Region, Route, RouteState, RouteTable, RouteTarget,
    SecurityGroup, SecurityGroupRule, Subnet, Tags, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRoute, TransitGatewayRouteTable, Vpc, VpcPeeringConnection, VpnConnection,
};

const SERVICE: &str = "ec2";
/// Termination-protection reads in flight per account and region.
const ATTRIBUTE_CONCURRENCY: usize = 10;

/// The regions enabled for the account.
pub async fn enabled_regions(clients: &Clients) -> Result<Vec<String>, CollectionError> {
    let out = clients
        .ec2
        .describe_regions()
        .all_regions(false)
        .send()
        .await
        .map_err(|err| failure(SERVICE, "DescribeRegions", &err))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    Ok(regions)
}

#[derive(Default)]
pub struct Ec2Data {
    transit_gateways: Option<Vec<TransitGateway>>,
    attachments: Option<Vec<TransitGatewayAttachment>>,
    tgw_route_tables: Option<Vec<TransitGatewayRouteTable>>,
    vpn_connections: Option<Vec<VpnConnection>>,
    owns_snapshots: Option<bool>,
    owns_images: Option<bool>,
    vpcs: Option<Vec<Vpc>>,
    subnets: Option<Vec<Subnet>>,
    route_tables: Option<Vec<RouteTable>>,
    security_groups: Option<Vec<SecurityGroup>>,
    peerings: Option<Vec<VpcPeeringConnection>>,
    instances: Option<Vec<Ec2Instance>>,
}

impl Ec2Data {
    pub fn apply(self, region: &mut Region) {
        region.vpcs = self.vpcs;
        region.subnets = self.subnets;
        region.route_tables = self.route_tables;
        region.security_groups = self.security_groups;
        region.vpc_peering_connections = self.peerings;
        region.ec2_instances = self.instances;
        region.transit_gateways = self.transit_gateways;
        region.transit_gateway_attachments = self.attachments;
        region.transit_gateway_route_tables = self.tgw_route_tables;
        region.vpn_connections = self.vpn_connections;
        region.owns_ebs_snapshots = self.owns_snapshots;
        region.owns_images = self.owns_images;
    }
}

/// A paginated list call: its items converted, or `None` with the failure pushed to
/// `$errors`.
macro_rules! list {
    ($errors:ident, $call:expr, $operation:literal, $convert:expr) => {
        match $call
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
        {
            Ok(items) => Some(items.iter().map($convert).collect()),
            Err(err) => {
                $errors.push(failure(SERVICE, $operation, &err));
                None
            }
        }
    };
}

/// Collects the region's EC2 inventory. `in_scope(tags)` says whether an instance with these
/// tags is production (its termination protection is then read).
///
/// Four groups of calls that depend on nothing of each other run side by side, each holding
/// one of the `--concurrency` permits: the network, transit gateways, VPN connections with
/// owned snapshots and images, and instances with their termination protection.
pub async fn collect(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
    in_scope: impl Fn(&Tags) -> bool,
) -> Ec2Data {
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut parts: [Ec2Data; 4] = Default::default();
    let [network_part, transit_part, owned_part, instances_part] = &mut parts;
    futures::join!(
        clients.group(SERVICE, "network", network(clients, &mut a, network_part)),
        clients.group(
            SERVICE,
            "transit gateways",
            transit(clients, &mut b, transit_part)
        ),
        clients.group(
            SERVICE,
            "VPN, snapshots, images",
            owned(clients, &mut c, owned_part)
        ),
        clients.group(
            SERVICE,
            "instances",
            instances(clients, &mut d, in_scope, instances_part)
        ),
    );
    errors.extend(a.into_iter().chain(b).chain(c).chain(d));
    let [network, transit, owned, instances] = parts;
    Ec2Data {
        vpcs: network.vpcs,
        subnets: network.subnets,
        route_tables: network.route_tables,
        security_groups: network.security_groups,
        peerings: network.peerings,
        transit_gateways: transit.transit_gateways,
        attachments: transit.attachments,
        tgw_route_tables: transit.tgw_route_tables,
        vpn_connections: owned.vpn_connections,
        owns_snapshots: owned.owns_snapshots,
        owns_images: owned.owns_images,
        instances: instances.instances,
    }
}

/// VPCs, subnets, route tables, security groups and peering connections.
async fn network(clients: &Clients, errors: &mut Vec<CollectionError>, data: &mut Ec2Data) {
    let ec2 = &clients.ec2;
    data.vpcs = list!(
        errors,
        ec2.describe_vpcs().max_results(1000),
        "DescribeVpcs",
        |v: &aws_sdk_ec2::types::Vpc| Vpc {
            id: v.vpc_id().unwrap_or_default().to_owned(),
            owner_id: v.owner_id().unwrap_or_default().to_owned(),
            cidr_blocks: {
                let mut blocks: Vec<String> =
                    v.cidr_block().map(str::to_owned).into_iter().collect();
                for assoc in v.cidr_block_association_set() {
                    if let Some(block) = assoc.cidr_block()
                        && !blocks.iter().any(|b| b == block)
                    {
                        blocks.push(block.to_owned());
                    }
                }
                blocks
            },
            ipv6_cidr_blocks: v
                .ipv6_cidr_block_association_set()
                .iter()
                .filter_map(|a| a.ipv6_cidr_block().map(str::to_owned))
                .collect(),
            is_default: v.is_default().unwrap_or(false),
            tags: tags(v.tags()),
        }
    );
    data.subnets = list!(
        errors,
        ec2.describe_subnets().max_results(1000),
        "DescribeSubnets",
        |s: &aws_sdk_ec2::types::Subnet| Subnet {
            id: s.subnet_id().unwrap_or_default().to_owned(),
            vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
            owner_id: s.owner_id().unwrap_or_default().to_owned(),
            cidr_block: s.cidr_block().unwrap_or_default().to_owned(),
            availability_zone: s.availability_zone().map(str::to_owned),
            tags: tags(s.tags()),
        }
    );
    data.route_tables = list!(
        errors,
        ec2.describe_route_tables().max_results(100),
        "DescribeRouteTables",
        |t: &aws_sdk_ec2::types::RouteTable| RouteTable {
            id: t.route_table_id().unwrap_or_default().to_owned(),
            vpc_id: t.vpc_id().unwrap_or_default().to_owned(),
            main: t.associations().iter().any(|a| a.main() == Some(true)),
            subnet_ids: t
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id().map(str::to_owned))
                .collect(),
            routes: t.routes().iter().map(route).collect(),
        }
    );
    data.security_groups = list!(
        errors,
        ec2.describe_security_groups().max_results(1000),
        "DescribeSecurityGroups",
        |g: &aws_sdk_ec2::types::SecurityGroup| SecurityGroup {
            id: g.group_id().unwrap_or_default().to_owned(),
            vpc_id: g.vpc_id().unwrap_or_default().to_owned(),
            name: g.group_name().unwrap_or_default().to_owned(),
            ingress: g.ip_permissions().iter().map(rule).collect(),
        }
    );
    data.peerings = list!(
        errors,
        ec2.describe_vpc_peering_connections().max_results(1000),
        "DescribeVpcPeeringConnections",
        |p: &aws_sdk_ec2::types::VpcPeeringConnection| {
            let side =
                |info: Option<&aws_sdk_ec2::types::VpcPeeringConnectionVpcInfo>| PeeringSide {
                    owner_id: info
                        .and_then(|i| i.owner_id())
                        .unwrap_or_default()
                        .to_owned(),
                    vpc_id: info.and_then(|i| i.vpc_id()).unwrap_or_default().to_owned(),
                    region: info
                        .and_then(|i| i.region())
                        .unwrap_or(&clients.region)
                        .to_owned(),
                    cidr_blocks: info
                        .map(|i| {
                            let mut blocks: Vec<String> = i
                                .cidr_block_set()
                                .iter()
                                .filter_map(|c| c.cidr_block().map(str::to_owned))
                                .collect();
                            if blocks.is_empty() {
                                blocks.extend(i.cidr_block().map(str::to_owned));
                            }
                            blocks
                        })
                        .unwrap_or_default(),
                };
            VpcPeeringConnection {
                id: p.vpc_peering_connection_id().unwrap_or_default().to_owned(),
                requester: side(p.requester_vpc_info()),
                accepter: side(p.accepter_vpc_info()),
                status: p
                    .status()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            }
        }
    );
}

/// Transit gateways, their attachments and route tables (with each table's associations,
/// propagations and routes).
async fn transit(clients: &Clients, errors: &mut Vec<CollectionError>, data: &mut Ec2Data) {
    let ec2 = &clients.ec2;
    data.transit_gateways = list!(
        errors,
        ec2.describe_transit_gateways().max_results(1000),
        "DescribeTransitGateways",
        |t: &aws_sdk_ec2::types::TransitGateway| TransitGateway {
            id: t.transit_gateway_id().unwrap_or_default().to_owned(),
            owner_id: t.owner_id().unwrap_or_default().to_owned(),
            state: t.state().map(|x| x.as_str().to_owned()).unwrap_or_default(),
            default_association_route_table_id: t
                .options()
                .and_then(|o| o.association_default_route_table_id())
                .map(str::to_owned),
            default_propagation_route_table_id: t
                .options()
                .and_then(|o| o.propagation_default_route_table_id())
                .map(str::to_owned),
            tags: tags(t.tags()),
        }
    );
    data.attachments = list!(
        errors,
        ec2.describe_transit_gateway_attachments().max_results(1000),
        "DescribeTransitGatewayAttachments",
        |a: &aws_sdk_ec2::types::TransitGatewayAttachment| TransitGatewayAttachment {
            id: a
                .transit_gateway_attachment_id()
                .unwrap_or_default()
                .to_owned(),
            transit_gateway_id: a.transit_gateway_id().unwrap_or_default().to_owned(),
            transit_gateway_owner_id: a.transit_gateway_owner_id().unwrap_or_default().to_owned(),
            resource_type: a
                .resource_type()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            resource_id: a.resource_id().map(str::to_owned),
            resource_owner_id: a.resource_owner_id().map(str::to_owned),
            peer_region: None,
            state: a.state().map(|x| x.as_str().to_owned()).unwrap_or_default(),
            association_route_table_id: a
                .association()
                .and_then(|x| x.transit_gateway_route_table_id())
                .map(str::to_owned),
            tags: tags(a.tags()),
        }
    );
    let tables: Option<Vec<TransitGatewayRouteTable>> = list!(
        errors,
        ec2.describe_transit_gateway_route_tables()
            .max_results(1000),
        "DescribeTransitGatewayRouteTables",
        |t: &aws_sdk_ec2::types::TransitGatewayRouteTable| TransitGatewayRouteTable {
            id: t
                .transit_gateway_route_table_id()
                .unwrap_or_default()
                .to_owned(),
            transit_gateway_id: t.transit_gateway_id().unwrap_or_default().to_owned(),
            default_association: t.default_association_route_table().unwrap_or(false),
            default_propagation: t.default_propagation_route_table().unwrap_or(false),
            associations: None,
            propagations: None,
            routes: None,
        }
    );
    if let Some(mut tables) = tables {
        // One call of each kind per route table: there is no bulk form.
        for table in &mut tables {
            table.associations = list!(
                errors,
                ec2.get_transit_gateway_route_table_associations()
                    .transit_gateway_route_table_id(&table.id)
                    .max_results(1000),
                "GetTransitGatewayRouteTableAssociations",
                |a: &aws_sdk_ec2::types::TransitGatewayRouteTableAssociation| a
                    .transit_gateway_attachment_id()
                    .unwrap_or_default()
                    .to_owned()
            );
            table.propagations = list!(
                errors,
                ec2.get_transit_gateway_route_table_propagations()
                    .transit_gateway_route_table_id(&table.id)
                    .max_results(1000),
                "GetTransitGatewayRouteTablePropagations",
                |p: &aws_sdk_ec2::types::TransitGatewayRouteTablePropagation| p
                    .transit_gateway_attachment_id()
                    .unwrap_or_default()
                    .to_owned()
            );
            table.routes = match ec2
                .search_transit_gateway_routes()
                .transit_gateway_route_table_id(&table.id)
                .filters(
                    Filter::builder()
                        .name("type")
                        .values("static")
                        .values("propagated")
                        .build(),
                )
                .max_results(1000)
                .send()
                .await
            {
                Ok(out) if out.additional_routes_available() == Some(true) => {
                    errors.push(CollectionError {
                        service: SERVICE.into(),
                        operation: "SearchTransitGatewayRoutes".into(),
                        message: format!("route table {} has more than 1000 routes; its routes were not collected", table.id),
                        ..Default::default()
                    });
                    None
                }
                Ok(out) => Some(
                    out.routes()
                        .iter()
                        .map(|r| TransitGatewayRoute {
                            destination: r
                                .destination_cidr_block()
                                .or(r.prefix_list_id())
                                .unwrap_or_default()
                                .to_owned(),
                            route_type: r
                                .r#type()
                                .map(|t| t.as_str().to_owned())
                                .unwrap_or_default(),
                            state: if r.state().map(|s| s.as_str()) == Some("blackhole") {
                                RouteState::Blackhole
                            } else {
                                RouteState::Active
                            },
                            attachment_ids: r
                                .transit_gateway_attachments()
                                .iter()
                                .filter_map(|a| {
                                    a.transit_gateway_attachment_id().map(str::to_owned)
                                })
                                .collect(),
                        })
                        .collect(),
                ),
                Err(err) => {
                    errors.push(failure(SERVICE, "SearchTransitGatewayRoutes", &err));
                    None
                }
            };
        }
        data.tgw_route_tables = Some(tables);
    }
}

/// VPN connections, and whether the account owns snapshots or AMIs here.
async fn owned(clients: &Clients, errors: &mut Vec<CollectionError>, data: &mut Ec2Data) {
    let ec2 = &clients.ec2;
    data.vpn_connections = match ec2.describe_vpn_connections().send().await {
        Ok(out) => Some(
            out.vpn_connections()
                .iter()
                .map(|v| VpnConnection {
                    id: v.vpn_connection_id().unwrap_or_default().to_owned(),
                    state: v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    customer_gateway_id: v.customer_gateway_id().map(str::to_owned),
                    vpn_gateway_id: v.vpn_gateway_id().map(str::to_owned),
                    transit_gateway_id: v.transit_gateway_id().map(str::to_owned),
                    static_routes: v
                        .routes()
                        .iter()
                        .filter_map(|r| r.destination_cidr_block().map(str::to_owned))
                        .collect(),
                })
                .collect(),
        ),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeVpnConnections", &err));
            None
        }
    };
    // Whether the account owns any snapshot or AMI here: one small page each is enough.
    data.owns_snapshots = match ec2
        .describe_snapshots()
        .owner_ids("self")
        .max_results(5)
        .send()
        .await
    {
        Ok(out) => Some(!out.snapshots().is_empty()),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeSnapshots", &err));
            None
        }
    };
    data.owns_images = match ec2
        .describe_images()
        .owners("self")
        .max_results(5)
        .send()
        .await
    {
        Ok(out) => Some(!out.images().is_empty()),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeImages", &err));
            None
        }
    };
}

/// Instances, with termination protection read for those in scope.
async fn instances(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
    in_scope: impl Fn(&Tags) -> bool,
    data: &mut Ec2Data,
) {
    let ec2 = &clients.ec2;
    // Instances: terminated ones are gone and are left out.
    let reservations = ec2
        .describe_instances()
        .max_results(1000)
        .filters(
            Filter::builder()
                .name("instance-state-name")
                .values("pending")
                .values("running")
                .values("stopping")
                .values("stopped")
                .build(),
        )
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    let mut instances: Vec<Ec2Instance> = match reservations {
        Ok(reservations) => reservations
            .iter()
            .flat_map(|r| r.instances())
            .map(instance)
            .collect(),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeInstances", &err));
            return;
        }
    };
    let wanted: Vec<usize> = instances
        .iter()
        .enumerate()
        .filter(|(_, i)| i.autoscaling_group.is_none() && in_scope(&i.tags))
        .map(|(index, _)| index)
        .collect();
    let reads = futures::stream::iter(wanted.into_iter().map(|index| {
        let id = instances[index].id.clone();
        async move {
            let result = ec2
                .describe_instance_attribute()
                .instance_id(&id)
                .attribute(InstanceAttributeName::DisableApiTermination)
                .send()
                .await;
            (index, result)
        }
    }))
    .buffer_unordered(ATTRIBUTE_CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    let mut failed = 0usize;
    for (index, result) in reads {
        match result {
            Ok(out) => {
                instances[index].termination_protection = out
                    .disable_api_termination()
                    .and_then(AttributeBooleanValue::value);
            }
            Err(err) => {
                // One record per kind of failure, not one per instance.
                failed += 1;
                if failed == 1 {
                    errors.push(failure(SERVICE, "DescribeInstanceAttribute", &err));
                }
            }
        }
    }
    if failed > 1
        && let Some(first) = errors
            .iter_mut()
            .rev()
            .find(|e| e.operation == "DescribeInstanceAttribute")
    {
        first.message = format!("{} ({failed} instances)", first.message);
    }
    data.instances = Some(instances);
}

fn tags(list: &[Tag]) -> Tags {
    clients::tags(list.iter().map(|t| (t.key(), t.value())))
}

fn instance(i: &Instance) -> Ec2Instance {
    let tags = tags(i.tags());
    Ec2Instance {
        id: i.instance_id().unwrap_or_default().to_owned(),
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default(),
        instance_type: i.instance_type().map(|t| t.as_str().to_owned()),
        vpc_id: i.vpc_id().map(str::to_owned),
        subnet_id: i.subnet_id().map(str::to_owned),
        security_group_ids: i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
        iam_instance_profile: i
            .iam_instance_profile()
            .and_then(|p| p.arn())
            .map(str::to_owned),
        autoscaling_group: tags.get("aws:autoscaling:groupName").cloned(),
        termination_protection: None,
        launch_time: i.launch_time().and_then(timestamp),
        tags,
    }
}

fn route(r: &SdkRoute) -> Route {
    let destination = r
        .destination_cidr_block()
        .or(r.destination_ipv6_cidr_block())
        .or(r.destination_prefix_list_id())
        .unwrap_or_default()
        .to_owned();
    let owned = |s: &str| s.to_owned();
    let target = if let Some(id) = r.vpc_peering_connection_id() {
        RouteTarget::VpcPeeringConnection(owned(id))
    } else if let Some(id) = r.transit_gateway_id() {
        RouteTarget::TransitGateway(owned(id))
    } else if let Some(id) = r.nat_gateway_id() {
        RouteTarget::NatGateway(owned(id))
    } else if let Some(id) = r.egress_only_internet_gateway_id() {
        RouteTarget::EgressOnlyInternetGateway(owned(id))
    } else if let Some(id) = r.network_interface_id() {
        RouteTarget::NetworkInterface(owned(id))
    } else if let Some(id) = r.instance_id() {
        RouteTarget::Instance(owned(id))
    } else if let Some(id) = r.carrier_gateway_id() {
        RouteTarget::CarrierGateway(owned(id))
    } else if let Some(id) = r.local_gateway_id() {
        RouteTarget::LocalGateway(owned(id))
    } else if let Some(arn) = r.core_network_arn() {
        RouteTarget::CoreNetwork(owned(arn))
    } else {
        match r.gateway_id() {
            Some("local") => RouteTarget::Local,
            Some(id) if id.starts_with("igw-") => RouteTarget::InternetGateway(owned(id)),
            Some(id) if id.starts_with("vgw-") => RouteTarget::VpnGateway(owned(id)),
            Some(id) if id.starts_with("vpce-") => RouteTarget::GatewayEndpoint(owned(id)),
            Some(id) => RouteTarget::Other(owned(id)),
            None => RouteTarget::Other(String::new()),
        }
    };
    Route {
        destination,
        target,
        state: if r.state() == Some(&SdkRouteState::Blackhole) {
            RouteState::Blackhole
        } else {
            RouteState::Active
        },
    }
}

fn rule(p: &IpPermission) -> SecurityGroupRule {
    let port = |p: Option<i32>| p.and_then(|p| u16::try_from(p).ok());
    SecurityGroupRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: port(p.from_port()),
        to_port: port(p.to_port()),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_owned))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_owned))
            .collect(),
        prefix_list_ids: p
            .prefix_list_ids()
            .iter()
            .filter_map(|r| r.prefix_list_id().map(str::to_owned))
            .collect(),
        source_group_ids: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|r| r.group_id().map(str::to_owned))
            .collect(),
    }
}
