use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Bucket, CloudFormationStack, CloudTrailTrail, CloudWatchAlarm, DynamoDbTable, Ec2Instance,
    EventBridgeRule, Iam, LogMetricFilter, RamResourceShare, RdsCluster, RdsGlobalCluster,
    RdsInstance, RecycleBinRule, RouteTable, SecurityGroup, Subnet, Tags, TransitGateway,
    TransitGatewayAttachment, TransitGatewayRouteTable, Vpc, VpcPeeringConnection, VpnConnection,
    is_default,
};

/// The environment class an account or resource belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Prod,
    Nonprod,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Prod => "prod",
            Environment::Nonprod => "nonprod",
        }
    }
}

/// The AWS Organization the accounts belong to, when it could be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    /// Organizational units, with the root among them (`parent_id` absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<OrgUnit>,
    /// Service control policies with their targets; `None` when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_control_policies: Option<Vec<ServiceControlPolicy>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUnit {
    /// `r-…` for the root, `ou-…` for an organizational unit.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceControlPolicy {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The policy document as returned by AWS.
    pub document: String,
    /// Roots, OUs and account ids the policy is attached to.
    #[serde(default)]
    pub targets: Vec<String>,
}

/// A reference to an organizational unit on an account's path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUnitRef {
    pub id: String,
    pub name: String,
}

/// One AWS account and everything collected in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Organizations path from the root to the account's parent, root first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ou_path: Vec<OrgUnitRef>,
    /// An environment declared by whoever produced the snapshot (e.g. from an account tag).
    /// Configuration takes precedence over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Account tags from Organizations.
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
    /// IAM, a global service; `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<Iam>,
    /// S3 buckets (global listing, each with its region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_buckets: Option<Vec<Bucket>>,
    /// Aurora global clusters (an account-wide listing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_global_clusters: Option<Vec<RdsGlobalCluster>>,
    /// Regional inventories by region name. `None` when no region of the account could be
    /// collected at all (for example the audit role could not be assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<BTreeMap<String, Region>>,
}

impl Account {
    /// The account's display name, or its id when it has none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// What was collected in one region of one account. Each `None` list was not collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    // --- network ---
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpcs: Option<Vec<Vpc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnets: Option<Vec<Subnet>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_tables: Option<Vec<RouteTable>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<SecurityGroup>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connections: Option<Vec<VpcPeeringConnection>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateways: Option<Vec<TransitGateway>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_attachments: Option<Vec<TransitGatewayAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_tables: Option<Vec<TransitGatewayRouteTable>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn_connections: Option<Vec<VpnConnection>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ram_resource_shares: Option<Vec<RamResourceShare>>,
    // --- compute ---
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_instances: Option<Vec<Ec2Instance>>,
    /// Whether the account owns any EBS snapshot in this region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owns_ebs_snapshots: Option<bool>,
    /// Whether the account owns any AMI in this region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owns_images: Option<bool>,
    // --- data ---
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_instances: Option<Vec<RdsInstance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_clusters: Option<Vec<RdsCluster>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamodb_tables: Option<Vec<DynamoDbTable>>,
    // --- operations ---
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudformation_stacks: Option<Vec<CloudFormationStack>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycle_bin_rules: Option<Vec<RecycleBinRule>>,
    // --- logging and alerting ---
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudtrail_trails: Option<Vec<CloudTrailTrail>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventbridge_rules: Option<Vec<EventBridgeRule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_metric_filters: Option<Vec<LogMetricFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudwatch_alarms: Option<Vec<CloudWatchAlarm>>,
}

/// A call that failed during collection. Checks that needed its data report `unknown`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The AWS service, as in its endpoint prefix (`rds`, `ec2`, `iam` …).
    pub service: String,
    /// The API operation, e.g. `DescribeDBInstances`.
    pub operation: String,
    /// The AWS error code when there was one (`AccessDenied`, `Throttling` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
}

impl CollectionError {
    /// One line for reports: `AccessDenied on rds:DescribeDBInstances: message`.
    pub fn summary(&self) -> String {
        match &self.code {
            Some(code) => format!(
                "{code} on {}:{}: {}",
                self.service, self.operation, self.message
            ),
            None => format!(
                "{}:{} failed: {}",
                self.service, self.operation, self.message
            ),
        }
    }
}
