use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tags, is_default};

/// A network endpoint (host and port).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// An RDS DB instance (including the instances of Aurora clusters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsInstance {
    /// The DB instance identifier.
    pub id: String,
    pub arn: String,
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_class: Option<String>,
    pub status: String,
    /// Allocated storage in GiB (not meaningful for Aurora members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage_gib: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
    /// The Aurora cluster this instance belongs to: it is judged through the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// When this instance is a read replica: its source instance identifier or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_replica_source: Option<String>,
    /// Identifiers or ARNs of this instance's read replicas (ARNs when cross-region).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_replicas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Automated backup retention in days; 0 disables automated backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_retention_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_restorable_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    /// ARN of the Secrets Manager secret managing the master password, when RDS manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_user_secret_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// Subnets of the DB subnet group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// ARNs of automated backups replicated to other regions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_region_backup_replications: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

/// An Aurora (or Multi-AZ DB) cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsCluster {
    /// The DB cluster identifier.
    pub id: String,
    pub arn: String,
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    pub status: String,
    /// Member instances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<RdsClusterMember>,
    /// Allocated storage in GiB where the engine reports it (Multi-AZ DB clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage_gib: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_retention_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_restorable_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_user_secret_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_endpoint: Option<Endpoint>,
    /// Identifier of the global cluster this cluster belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_cluster_id: Option<String>,
    /// When this cluster is a cross-region replica: its source cluster ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_source: Option<String>,
    /// ARNs of cross-region read replica clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_replicas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_region_backup_replications: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsClusterMember {
    pub instance_id: String,
    pub writer: bool,
}

/// An Aurora global database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsGlobalCluster {
    pub id: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Member cluster ARNs (each carries its region).
    #[serde(default)]
    pub members: Vec<RdsGlobalClusterMember>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RdsGlobalClusterMember {
    pub cluster_arn: String,
    pub writer: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DynamoDbTable {
    pub name: String,
    pub arn: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Point-in-time recovery; `None` when `DescribeContinuousBackups` was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_in_time_recovery: Option<PointInTimeRecovery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// Regions of global-table replicas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replica_regions: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointInTimeRecovery {
    pub enabled: bool,
    /// Recovery period in days (1–35) when enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_period_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_restorable_time: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// `None` when `GetBucketVersioning` was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<BucketVersioning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_lock: Option<bool>,
    /// `None` when the bucket's tags were not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BucketVersioning {
    /// Versioning was never enabled.
    Unversioned,
    Enabled,
    Suspended,
}
