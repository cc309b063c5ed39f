//! REC004 cross-region-recovery: a production database has a copy outside its region, so a
//! regional outage — or a region-wide mistake, such as a deleted KMS key or a scripted cleanup
//! that ran everywhere in one region — does not take the only copy with it.

use serde_json::json;

use super::{Store, arn_region, prod_stores};
use crate::checks::scope::{Database, add_evidence};
use crate::checks::{Check, Ctx, Finding, RegionScope, Status, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "REC004",
    name: "cross-region-recovery",
    catalogue: include_str!("../../../checks/rec/REC004-cross-region-recovery.toml"),
    run,
};

/// Where the copies of a store outside its region are, as far as collected.
enum Copies {
    /// At least one copy, each described.
    Found(Vec<String>),
    None,
    /// Whether a copy exists could not be told; the reason.
    Unknown(String),
}

fn copies(scope: &RegionScope, store: Store) -> Copies {
    let here = scope.name;
    let elsewhere = |arn: &&String| arn_region(arn).is_some_and(|r| r != here);
    let mut found = Vec::new();
    match store {
        Store::Rds(Database::Instance(i)) => {
            found.extend(
                i.read_replicas
                    .iter()
                    .filter(elsewhere)
                    .map(|r| format!("cross-region read replica {r}")),
            );
            match &i.cross_region_backup_replications {
                Some(replications) => found.extend(
                    replications
                        .iter()
                        .map(|r| format!("automated backups replicated to {r}")),
                ),
                None if found.is_empty() => {
                    return Copies::Unknown(
                        "its cross-region automated backup replications were not collected".into(),
                    );
                }
                None => {}
            }
        }
        Store::Rds(Database::Cluster(c)) => {
            found.extend(
                c.read_replicas
                    .iter()
                    .filter(elsewhere)
                    .map(|r| format!("cross-region replica cluster {r}")),
            );
            // Aurora has no cross-region automated backup replication; the field is kept for
            // Multi-AZ DB clusters should the API report it.
            found.extend(
                c.cross_region_backup_replications
                    .iter()
                    .flatten()
                    .map(|r| format!("automated backups replicated to {r}")),
            );
            if let Some(global) = &c.global_cluster_id {
                match &scope.account.rds_global_clusters {
                    None => {
                        if found.is_empty() {
                            return Copies::Unknown(format!(
                                "it belongs to global cluster {global}, whose members were not collected"
                            ));
                        }
                    }
                    Some(globals) => found.extend(
                        globals
                            .iter()
                            .filter(|g| &g.id == global)
                            .flat_map(|g| &g.members)
                            .filter(|m| arn_region(&m.cluster_arn).is_some_and(|r| r != here))
                            .map(|m| format!("global cluster {global} member {}", m.cluster_arn)),
                    ),
                }
            }
        }
        Store::Table(t) => found.extend(
            t.replica_regions
                .iter()
                .filter(|r| r.as_str() != here)
                .map(|r| format!("global table replica in {r}")),
        ),
    }
    if found.is_empty() {
        Copies::None
    } else {
        Copies::Found(found)
    }
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        for (store, verdict) in prod_stores(&scope, ctx, &mut out) {
            let what = store.what();
            let at = scope.where_();
            let copies = copies(&scope, store);
            let status = match &copies {
                Copies::Found(_) => Status::Pass,
                Copies::None => Status::Fail,
                Copies::Unknown(_) => Status::Unknown,
            };
            let mut finding = scope.finding(status, &verdict, store.arn());
            finding.message = match &copies {
                Copies::Found(found) => format!(
                    "{what} in {at} (prod) has a copy outside {}: {}",
                    scope.name,
                    found.join(", ")
                ),
                Copies::None => format!(
                    "{what} in {at} (prod) has no copy outside {}: a regional outage or mistake loses every copy",
                    scope.name
                ),
                Copies::Unknown(why) => format!(
                    "whether {what} in {at} (prod) has a copy outside its region is unknown: {why}"
                ),
            };
            if let Copies::Found(found) = &copies {
                add_evidence(&mut finding, "copies", json!(found));
            }
            add_evidence(
                &mut finding,
                "not_seen",
                json!("AWS Backup cross-region copies are not collected"),
            );
            if status == Status::Fail {
                finding.remediation = Some(match store {
                    Store::Rds(Database::Instance(i)) => format!(
                        "aws rds start-db-instance-automated-backups-replication --source-db-instance-arn {} --backup-retention-period 7 --region OTHER_REGION (or create a cross-region read replica)",
                        i.arn
                    ),
                    Store::Rds(Database::Cluster(c)) => format!(
                        "aws rds create-global-cluster --global-cluster-identifier {id}-global --source-db-cluster-identifier {} --region {}; then add a secondary cluster in another region (aws rds create-db-cluster --global-cluster-identifier {id}-global --region OTHER_REGION …)",
                        c.arn,
                        scope.name,
                        id = c.id
                    ),
                    Store::Table(t) => format!(
                        "aws dynamodb update-table --table-name {} --replica-updates 'Create={{RegionName=OTHER_REGION}}' --region {}",
                        t.name, scope.name
                    ),
                });
            }
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{
        DynamoDbTable, RdsCluster, RdsGlobalCluster, RdsGlobalClusterMember, RdsInstance, Region,
        Snapshot,
    };

    fn db(id: &str, replications: Option<Vec<String>>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            cross_region_backup_replications: replications,
            ..Default::default()
        }
    }

    fn collected(r: &mut Region) {
        r.rds_instances = Some(vec![]);
        r.rds_clusters = Some(vec![]);
        r.dynamodb_tables = Some(vec![]);
    }

    fn with_db(instance: RdsInstance) -> Snapshot {
        estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![instance]);
        })
    }

    #[test]
    fn replicated_backups_or_a_remote_replica_pass() {
        let arn = "arn:aws:rds:eu-central-1:222222222222:auto-backup:ab-1".to_string();
        let pass = only(
            &run_check(&super::CHECK, &with_db(db("orders", Some(vec![arn])))),
            Status::Pass,
        )
        .clone();
        assert!(
            pass.evidence["copies"][0]
                .as_str()
                .unwrap()
                .contains("eu-central-1")
        );
        let mut replicated = db("orders", Some(vec![]));
        replicated.read_replicas =
            vec!["arn:aws:rds:eu-central-1:222222222222:db:orders-dr".into()];
        only(
            &run_check(&super::CHECK, &with_db(replicated)),
            Status::Pass,
        );
    }

    #[test]
    fn a_same_region_replica_is_not_a_copy_elsewhere() {
        let mut local = db("orders", Some(vec![]));
        local.read_replicas = vec!["orders-ro".into()];
        let fail = only(&run_check(&super::CHECK, &with_db(local)), Status::Fail).clone();
        assert!(
            fail.remediation
                .unwrap()
                .contains("start-db-instance-automated-backups-replication")
        );
    }

    #[test]
    fn uncollected_replications_are_unknown() {
        only(
            &run_check(&super::CHECK, &with_db(db("orders", None))),
            Status::Unknown,
        );
    }

    #[test]
    fn global_clusters_count_when_a_member_is_elsewhere() {
        let cluster = RdsCluster {
            id: "orders".into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:cluster:orders"),
            engine: "aurora-postgresql".into(),
            global_cluster_id: Some("orders-global".into()),
            ..Default::default()
        };
        let global = |other: &str| RdsGlobalCluster {
            id: "orders-global".into(),
            arn: "arn:aws:rds::222222222222:global-cluster:orders-global".into(),
            members: vec![
                RdsGlobalClusterMember {
                    cluster_arn: cluster.arn.clone(),
                    writer: true,
                },
                RdsGlobalClusterMember {
                    cluster_arn: format!("arn:aws:rds:{other}:{PROD}:cluster:orders-dr"),
                    writer: false,
                },
            ],
            ..Default::default()
        };
        for (other, globals, status) in [
            ("us-east-1", Some(vec![global("us-east-1")]), Status::Pass),
            ("eu-west-1", Some(vec![global("eu-west-1")]), Status::Fail),
            ("us-east-1", None, Status::Unknown),
        ] {
            let mut snapshot = estate(|r| {
                collected(r);
                r.rds_clusters = Some(vec![cluster.clone()]);
            });
            snapshot.accounts[0].rds_global_clusters = globals;
            let findings = run_check(&super::CHECK, &snapshot);
            assert_eq!(findings[0].status, status, "{other}: {findings:#?}");
        }
    }

    #[test]
    fn dynamodb_replicas_and_nonprod() {
        let table = |regions: Vec<String>| DynamoDbTable {
            name: "carts".into(),
            arn: format!("arn:aws:dynamodb:eu-west-1:{PROD}:table/carts"),
            status: "ACTIVE".into(),
            replica_regions: regions,
            ..Default::default()
        };
        for (regions, status) in [
            (
                vec!["eu-west-1".to_string(), "us-east-1".to_string()],
                Status::Pass,
            ),
            (vec![], Status::Fail),
        ] {
            let snapshot = estate(|r| {
                collected(r);
                r.dynamodb_tables = Some(vec![table(regions)]);
            });
            only(&run_check(&super::CHECK, &snapshot), status);
        }
        let snapshot = estate_in(NONPROD, |r| {
            collected(r);
            r.rds_instances = Some(vec![db("dev", Some(vec![]))]);
        });
        only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable);
    }
}
