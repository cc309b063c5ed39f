//! DEL — termination protection and soft deletes.

pub mod rds_deletion_protection;
