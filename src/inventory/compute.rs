use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tags, is_default};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2Instance {
    pub id: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// ARN of the instance profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<String>,
    /// The Auto Scaling group that owns the instance (from `aws:autoscaling:groupName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling_group: Option<String>,
    /// `DisableApiTermination`: only read for instances in scope, so `None` is common.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudFormationStack {
    pub name: String,
    /// The stack id, an ARN.
    pub id: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection: Option<bool>,
    /// For nested stacks: the id of the direct parent stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// For nested stacks: the id of the top-level stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tags: Tags,
    /// The service role CloudFormation uses for the stack's operations, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_role: Option<String>,
    /// Whether `service_role` was read (older snapshots did not): `false` means unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service_role_read: bool,
}

/// A Recycle Bin retention rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecycleBinRule {
    pub id: String,
    /// `EBS_SNAPSHOT` or `EC2_IMAGE`.
    pub resource_type: String,
    pub retention_days: u32,
    /// `available` or `pending`.
    pub status: String,
    /// `locked`, `pending_unlock` or `unlocked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_state: Option<String>,
    /// Tag-level rules only retain resources with these tags; empty means a region-level rule.
    #[serde(default, skip_serializing_if = "is_default")]
    pub resource_tags: Tags,
    /// Region-level rules may exclude resources with these tags.
    #[serde(default, skip_serializing_if = "is_default")]
    pub exclude_resource_tags: Tags,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
