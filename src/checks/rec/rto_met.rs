//! REC003 rto-met: a production database can be back within its recovery time objective —
//! either a warm standby takes over, or a restore from backup is estimated to finish in time.
//! The estimate (size ÷ assumed throughput + overhead) and its assumptions are evidence.

use jiff::SignedDuration;
use serde_json::json;

use super::{Store, friendly, prod_stores};
use crate::checks::scope::{Database, add_evidence};
use crate::checks::{Check, Ctx, Finding, Status, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "REC003",
    name: "rto-met",
    catalogue: include_str!("../../../checks/rec/REC003-rto-met.toml"),
    run,
};

/// A warm standby that takes over without a restore, if the store has one; `None` when it
/// has none as far as collected (`multi_az` unknown counts as no standby seen).
fn standby(store: Store) -> Option<String> {
    match store {
        Store::Rds(Database::Instance(i)) => {
            if i.multi_az == Some(true) {
                Some("Multi-AZ standby instance".to_owned())
            } else {
                i.read_replicas
                    .first()
                    .map(|r| format!("read replica {r}, which can be promoted"))
            }
        }
        Store::Rds(Database::Cluster(c)) => {
            if let Some(global) = &c.global_cluster_id {
                Some(format!("member of global cluster {global}"))
            } else if c.members.len() > 1 {
                Some(format!(
                    "{} instances in the cluster: a reader is promoted on failure",
                    c.members.len()
                ))
            } else if c.multi_az == Some(true) {
                Some("Multi-AZ DB cluster".to_owned())
            } else {
                c.read_replicas
                    .first()
                    .map(|r| format!("replica cluster {r}, which can be promoted"))
            }
        }
        Store::Table(t) => (!t.replica_regions.is_empty())
            .then(|| format!("global table replicas in {}", t.replica_regions.join(", "))),
    }
}

/// The data a restore has to bring back, in MiB, when known.
fn size_mib(store: Store) -> Option<u64> {
    match store {
        Store::Rds(Database::Instance(i)) => i.allocated_storage_gib.map(|g| g * 1024),
        Store::Rds(Database::Cluster(c)) => c.allocated_storage_gib.map(|g| g * 1024),
        Store::Table(t) => t.size_bytes.map(|b| b.div_ceil(1024 * 1024)),
    }
}

/// Whether the absence of a standby is certain: an instance whose Multi-AZ flag was not read
/// may have one.
fn standby_known(store: Store) -> bool {
    match store {
        Store::Rds(Database::Instance(i)) => i.multi_az.is_some(),
        _ => true,
    }
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let recovery = &ctx.config.recovery;
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        for (store, verdict) in prod_stores(&scope, ctx, &mut out) {
            let objectives = recovery.objectives(store.arn(), store.id(), store.tags());
            let rto = objectives.rto;
            let what = store.what();
            let at = scope.where_();
            let assumption = format!(
                "restore time = size / {} MiB/s + {} overhead (recovery.restore_throughput_mib_per_sec, recovery.restore_overhead)",
                recovery.restore_throughput_mib_per_sec,
                friendly(recovery.restore_overhead)
            );
            let standby = standby(store);
            let size = size_mib(store);
            let estimate = size.map(|mib| {
                let secs = mib.div_ceil(u64::from(recovery.restore_throughput_mib_per_sec));
                SignedDuration::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
                    .saturating_add(recovery.restore_overhead)
            });
            let (status, message) = match (&standby, estimate) {
                (Some(standby), _) => (
                    Status::Pass,
                    format!(
                        "{what} in {at} (prod) has a warm standby ({standby}) for its {} RTO",
                        friendly(rto)
                    ),
                ),
                (None, Some(estimate)) if estimate <= rto => (
                    Status::Pass,
                    format!(
                        "{what} in {at} (prod) is estimated to restore in {}, within its {} RTO",
                        friendly(estimate),
                        friendly(rto)
                    ),
                ),
                (None, Some(estimate)) if standby_known(store) => (
                    Status::Fail,
                    format!(
                        "{what} in {at} (prod) is estimated to restore in {}, beyond its {} RTO, and has no warm standby",
                        friendly(estimate),
                        friendly(rto)
                    ),
                ),
                (None, Some(_)) => (
                    Status::Unknown,
                    format!(
                        "{what} in {at} (prod) would miss its RTO without a standby, and whether it is Multi-AZ was not collected"
                    ),
                ),
                (None, None) => (
                    Status::Unknown,
                    format!(
                        "{what} in {at} (prod) has no warm standby and its size is not reported ({}), so its restore time cannot be estimated",
                        match store {
                            Store::Rds(Database::Cluster(_)) =>
                                "Aurora does not report cluster storage",
                            _ => "size not collected",
                        }
                    ),
                ),
            };
            let mut finding = scope.finding(status, &verdict, store.arn());
            finding.message = message;
            add_evidence(&mut finding, "rto", json!(friendly(rto)));
            add_evidence(&mut finding, "objectives_from", json!(objectives.source));
            add_evidence(&mut finding, "warm_standby", json!(standby));
            add_evidence(&mut finding, "size_mib", json!(size));
            add_evidence(
                &mut finding,
                "estimated_restore",
                json!(estimate.map(friendly)),
            );
            add_evidence(&mut finding, "assumption", json!(assumption));
            if status == Status::Fail {
                finding.remediation = Some(match store {
                    Store::Rds(db) => format!(
                        "add a warm standby: {} --multi-az --apply-immediately --region {} (or a read replica, or an Aurora reader); or, if a measured restore is faster, set recovery.restore_throughput_mib_per_sec to what you measured",
                        db.modify_command(),
                        scope.name
                    ),
                    Store::Table(t) => format!(
                        "add a replica in another region: aws dynamodb update-table --table-name {} --replica-updates 'Create={{RegionName=REGION}}' --region {}; or set a realistic RTO for the table in [[recovery.targets]]",
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
    use crate::config::{Config, RecoveryTarget};
    use crate::inventory::{RdsCluster, RdsClusterMember, RdsInstance, Region};
    use jiff::SignedDuration;

    fn db(id: &str, gib: Option<u64>, multi_az: Option<bool>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            allocated_storage_gib: gib,
            multi_az,
            ..Default::default()
        }
    }

    fn collected(r: &mut Region) {
        r.rds_instances = Some(vec![]);
        r.rds_clusters = Some(vec![]);
        r.dynamodb_tables = Some(vec![]);
    }

    fn run_db(instance: RdsInstance, config: &Config) -> Vec<crate::checks::Finding> {
        let snapshot = estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![instance]);
        });
        run_check_with(&super::CHECK, &snapshot, config)
    }

    #[test]
    fn a_small_database_restores_in_time() {
        // 100 GiB at 100 MiB/s = 1024 s ≈ 17m + 20m overhead.
        let findings = run_db(db("orders", Some(100), Some(false)), &Config::default());
        let pass = only(&findings, Status::Pass);
        assert_eq!(pass.evidence["estimated_restore"], "37m 4s");
    }

    #[test]
    fn a_4_tib_database_with_a_30_minute_rto_fails_and_shows_the_estimate() {
        let mut config = Config::default();
        config.recovery.targets.push(RecoveryTarget {
            resource: None,
            tag: Some("tier=critical".into()),
            rpo: None,
            rto: Some(SignedDuration::from_mins(30)),
        });
        let mut big = db("ledger", Some(4096), Some(false));
        big.tags.insert("tier".into(), "critical".into());
        let findings = run_db(big, &config);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message
                .contains("estimated to restore in 11h 59m 4s, beyond its 30m RTO"),
            "{}",
            fail.message
        );
        assert!(
            fail.evidence["assumption"]
                .as_str()
                .unwrap()
                .contains("100 MiB/s")
        );
    }

    #[test]
    fn a_warm_standby_passes_whatever_the_size() {
        only(
            &run_db(db("ledger", Some(4096), Some(true)), &Config::default()),
            Status::Pass,
        );
        let mut with_replica = db("ledger", Some(4096), Some(false));
        with_replica.read_replicas = vec!["ledger-ro".into()];
        only(&run_db(with_replica, &Config::default()), Status::Pass);
        let snapshot = estate(|r| {
            collected(r);
            r.rds_clusters = Some(vec![RdsCluster {
                id: "orders".into(),
                arn: format!("arn:aws:rds:eu-west-1:{PROD}:cluster:orders"),
                engine: "aurora-mysql".into(),
                members: vec![
                    RdsClusterMember {
                        instance_id: "orders-1".into(),
                        writer: true,
                    },
                    RdsClusterMember {
                        instance_id: "orders-2".into(),
                        writer: false,
                    },
                ],
                ..Default::default()
            }]);
        });
        only(&run_check(&super::CHECK, &snapshot), Status::Pass);
    }

    #[test]
    fn unknown_size_or_unknown_standby_is_unknown() {
        let snapshot = estate(|r| {
            collected(r);
            r.rds_clusters = Some(vec![RdsCluster {
                id: "solo".into(),
                arn: format!("arn:aws:rds:eu-west-1:{PROD}:cluster:solo"),
                engine: "aurora-postgresql".into(),
                members: vec![RdsClusterMember {
                    instance_id: "solo-1".into(),
                    writer: true,
                }],
                ..Default::default()
            }]);
        });
        let unknown = only(&run_check(&super::CHECK, &snapshot), Status::Unknown).clone();
        assert!(
            unknown
                .message
                .contains("Aurora does not report cluster storage"),
            "{}",
            unknown.message
        );
        only(
            &run_db(db("ledger", Some(4096), None), &Config::default()),
            Status::Unknown,
        );
    }

    #[test]
    fn nonprod_is_not_applicable() {
        let snapshot = estate_in(NONPROD, |r| {
            collected(r);
            r.rds_instances = Some(vec![db("dev", Some(4096), Some(false))]);
        });
        only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable);
    }
}
