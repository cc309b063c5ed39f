//! DEL — termination protection and soft deletes.

pub mod cfn_termination_protection;
pub mod dynamodb_deletion_protection;
pub mod ec2_termination_protection;
pub mod rds_deletion_protection;
pub mod recycle_bin;
pub mod s3_versioning;
