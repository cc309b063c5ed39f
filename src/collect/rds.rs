//! RDS: DB instances and clusters. `DescribeDBInstances` and `DescribeDBClusters` already carry
//! deletion protection, backup retention, Multi-AZ and the latest restorable time: no
//! per-database calls.

use aws_sdk_rds::types::{DbCluster, DbInstance, Tag};

use super::clients::{self, Clients, failure, timestamp};
use crate::inventory::{
    CollectionError, Endpoint, RdsCluster, RdsClusterMember, RdsGlobalCluster,
    RdsGlobalClusterMember, RdsInstance, Region, Tags,
};

const SERVICE: &str = "rds";

#[derive(Default)]
pub struct RdsData {
    instances: Option<Vec<RdsInstance>>,
    clusters: Option<Vec<RdsCluster>>,
}

impl RdsData {
    pub fn apply(self, region: &mut Region) {
        region.rds_instances = self.instances;
        region.rds_clusters = self.clusters;
    }
}

pub async fn collect(clients: &Clients, errors: &mut Vec<CollectionError>) -> RdsData {
    let client = &clients.rds;
    let instances = match client
        .describe_db_instances()
        .max_records(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(list) => Some(list.iter().map(instance).collect()),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeDBInstances", &err));
            None
        }
    };
    let clusters = match client
        .describe_db_clusters()
        .max_records(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(list) => Some(list.iter().map(cluster).collect()),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeDBClusters", &err));
            None
        }
    };
    RdsData {
        instances,
        clusters,
    }
}

fn tags(list: &[Tag]) -> Tags {
    clients::tags(list.iter().map(|t| (t.key(), t.value())))
}

fn port(port: Option<i32>) -> Option<u16> {
    port.and_then(|p| u16::try_from(p).ok())
}

fn days(days: Option<i32>) -> Option<u32> {
    days.and_then(|d| u32::try_from(d).ok())
}

fn instance(db: &DbInstance) -> RdsInstance {
    RdsInstance {
        id: db.db_instance_identifier().unwrap_or_default().to_owned(),
        arn: db.db_instance_arn().unwrap_or_default().to_owned(),
        engine: db.engine().unwrap_or_default().to_owned(),
        engine_version: db.engine_version().map(str::to_owned),
        instance_class: db.db_instance_class().map(str::to_owned),
        status: db.db_instance_status().unwrap_or_default().to_owned(),
        allocated_storage_gib: db.allocated_storage().and_then(|s| u64::try_from(s).ok()),
        multi_az: db.multi_az(),
        cluster_id: db.db_cluster_identifier().map(str::to_owned),
        read_replica_source: db
            .read_replica_source_db_instance_identifier()
            .map(str::to_owned),
        read_replicas: db.read_replica_db_instance_identifiers().to_vec(),
        deletion_protection: db.deletion_protection(),
        backup_retention_days: days(db.backup_retention_period()),
        latest_restorable_time: db.latest_restorable_time().and_then(timestamp),
        publicly_accessible: db.publicly_accessible(),
        master_user_secret_arn: db
            .master_user_secret()
            .and_then(|s| s.secret_arn())
            .map(str::to_owned),
        endpoint: db.endpoint().and_then(|e| {
            Some(Endpoint {
                address: e.address()?.to_owned(),
                port: port(e.port()),
            })
        }),
        vpc_id: db
            .db_subnet_group()
            .and_then(|g| g.vpc_id())
            .map(str::to_owned),
        subnet_ids: db
            .db_subnet_group()
            .map(|g| {
                g.subnets()
                    .iter()
                    .filter_map(|s| s.subnet_identifier().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        security_group_ids: db
            .vpc_security_groups()
            .iter()
            .filter_map(|g| g.vpc_security_group_id().map(str::to_owned))
            .collect(),
        cross_region_backup_replications: Some(
            db.db_instance_automated_backups_replications()
                .iter()
                .filter_map(|r| r.db_instance_automated_backups_arn().map(str::to_owned))
                .collect(),
        ),
        tags: tags(db.tag_list()),
    }
}

fn cluster(db: &DbCluster) -> RdsCluster {
    let port = port(db.port());
    RdsCluster {
        id: db.db_cluster_identifier().unwrap_or_default().to_owned(),
        arn: db.db_cluster_arn().unwrap_or_default().to_owned(),
        engine: db.engine().unwrap_or_default().to_owned(),
        engine_version: db.engine_version().map(str::to_owned),
        status: db.status().unwrap_or_default().to_owned(),
        members: db
            .db_cluster_members()
            .iter()
            .map(|m| RdsClusterMember {
                instance_id: m.db_instance_identifier().unwrap_or_default().to_owned(),
                writer: m.is_cluster_writer().unwrap_or(false),
            })
            .collect(),
        // Aurora reports `AllocatedStorage` as 1 whatever the volume holds: not a size.
        allocated_storage_gib: db
            .allocated_storage()
            .and_then(|s| u64::try_from(s).ok())
            .filter(|_| !db.engine().unwrap_or_default().starts_with("aurora")),
        multi_az: db.multi_az(),
        deletion_protection: db.deletion_protection(),
        backup_retention_days: days(db.backup_retention_period()),
        latest_restorable_time: db.latest_restorable_time().and_then(timestamp),
        publicly_accessible: db.publicly_accessible(),
        master_user_secret_arn: db
            .master_user_secret()
            .and_then(|s| s.secret_arn())
            .map(str::to_owned),
        endpoint: db.endpoint().map(|address| Endpoint {
            address: address.to_owned(),
            port,
        }),
        reader_endpoint: db.reader_endpoint().map(|address| Endpoint {
            address: address.to_owned(),
            port,
        }),
        global_cluster_id: db.global_cluster_identifier().map(str::to_owned),
        replication_source: db.replication_source_identifier().map(str::to_owned),
        read_replicas: db.read_replica_identifiers().to_vec(),
        // Cross-region backup replication of clusters is read from the destination region
        // (DescribeDBClusterAutomatedBackups), which this collector does not call yet.
        cross_region_backup_replications: None,
        tags: tags(db.tag_list()),
    }
}

/// Aurora global databases: one account-wide listing.
pub async fn global_clusters(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<RdsGlobalCluster>> {
    match clients
        .rds
        .describe_global_clusters()
        .max_records(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(list) => Some(
            list.iter()
                .map(|g| RdsGlobalCluster {
                    id: g.global_cluster_identifier().unwrap_or_default().to_owned(),
                    arn: g.global_cluster_arn().unwrap_or_default().to_owned(),
                    deletion_protection: g.deletion_protection(),
                    members: g
                        .global_cluster_members()
                        .iter()
                        .map(|m| RdsGlobalClusterMember {
                            cluster_arn: m.db_cluster_arn().unwrap_or_default().to_owned(),
                            writer: m.is_writer().unwrap_or(false),
                        })
                        .collect(),
                })
                .collect(),
        ),
        Err(err) => {
            errors.push(failure(SERVICE, "DescribeGlobalClusters", &err));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_rds::types::DbCluster;

    #[test]
    fn aurora_clusters_report_no_size_multi_az_clusters_do() {
        let aurora = DbCluster::builder()
            .db_cluster_identifier("orders")
            .engine("aurora-postgresql")
            .allocated_storage(1)
            .build();
        assert_eq!(super::cluster(&aurora).allocated_storage_gib, None);
        let multi_az = DbCluster::builder()
            .db_cluster_identifier("ledger")
            .engine("postgres")
            .allocated_storage(400)
            .build();
        assert_eq!(super::cluster(&multi_az).allocated_storage_gib, Some(400));
    }
}
