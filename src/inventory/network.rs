use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tags, is_default};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    /// The account that owns the VPC.
    pub owner_id: String,
    /// Every IPv4 CIDR block associated with the VPC, primary first.
    pub cidr_blocks: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_cidr_blocks: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub is_default: bool,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    /// The account that owns the subnet: differs from the collecting account when the subnet
    /// is shared into it through RAM.
    pub owner_id: String,
    pub cidr_block: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    /// The VPC's main route table: used by every subnet without an explicit association.
    #[serde(default, skip_serializing_if = "is_default")]
    pub main: bool,
    /// Subnets explicitly associated with this table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Destination IPv4 or IPv6 CIDR, or a prefix list id (`pl-…`).
    pub destination: String,
    pub target: RouteTarget,
    pub state: RouteState,
}

/// Where a VPC route sends traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum RouteTarget {
    /// Within the VPC.
    #[default]
    Local,
    InternetGateway(String),
    EgressOnlyInternetGateway(String),
    NatGateway(String),
    VpcPeeringConnection(String),
    TransitGateway(String),
    VpnGateway(String),
    NetworkInterface(String),
    Instance(String),
    GatewayEndpoint(String),
    CarrierGateway(String),
    LocalGateway(String),
    CoreNetwork(String),
    /// A target this version does not model; the raw target id is kept.
    Other(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteState {
    #[default]
    Active,
    /// The target is gone: traffic is dropped.
    Blackhole,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    #[serde(default)]
    pub ingress: Vec<SecurityGroupRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// `tcp`, `udp`, `icmp` … or `-1` for all.
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv4_ranges: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_ranges: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_group_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcPeeringConnection {
    pub id: String,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
    /// `active`, `pending-acceptance`, `deleted`, `rejected`, `expired` …
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeeringSide {
    pub owner_id: String,
    pub vpc_id: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cidr_blocks: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGateway {
    pub id: String,
    pub owner_id: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_association_route_table_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_propagation_route_table_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayAttachment {
    pub id: String,
    pub transit_gateway_id: String,
    pub transit_gateway_owner_id: String,
    /// `vpc`, `vpn`, `direct-connect-gateway`, `peering`, `connect`, `tgw-peering` …
    pub resource_type: String,
    /// The VPC, VPN connection, Direct Connect gateway or peer transit gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_owner_id: Option<String>,
    /// For peering attachments: the region of the peer transit gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_region: Option<String>,
    pub state: String,
    /// The TGW route table this attachment is associated with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_route_table_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayRouteTable {
    pub id: String,
    pub transit_gateway_id: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub default_association: bool,
    #[serde(default, skip_serializing_if = "is_default")]
    pub default_propagation: bool,
    /// Attachments associated with this table; `None` when not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associations: Option<Vec<String>>,
    /// Attachments propagating routes into this table; `None` when not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagations: Option<Vec<String>>,
    /// Routes (static and propagated); `None` when not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<TransitGatewayRoute>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitGatewayRoute {
    /// Destination CIDR or prefix list id.
    pub destination: String,
    /// `static` or `propagated`.
    pub route_type: String,
    pub state: RouteState,
    /// Attachments the route sends traffic to (empty for blackhole routes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    pub id: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
    /// Static routes to the remote network.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_routes: Vec<String>,
}

/// A RAM resource share owned by, or shared with, the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RamResourceShare {
    pub arn: String,
    pub name: String,
    pub owner_account_id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub allow_external_principals: bool,
    /// Account ids, OU or organization ARNs the share is associated with.
    #[serde(default)]
    pub principals: Vec<String>,
    /// ARNs of the shared resources (subnets, transit gateways …).
    #[serde(default)]
    pub resource_arns: Vec<String>,
}
