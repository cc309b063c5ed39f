//! REC002 rpo-met: a production database can be restored to a point within its recovery point
//! objective — its latest restorable time is recent enough — and its backups are kept at least
//! the configured number of days.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::{Store, friendly, prod_stores};
use crate::checks::scope::{Database, add_evidence};
use crate::checks::{Check, Ctx, Finding, Status, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "REC002",
    name: "rpo-met",
    catalogue: include_str!("../../../checks/rec/REC002-rpo-met.toml"),
    run,
};

/// DynamoDB's recovery period when the API does not state one (the service default).
const DYNAMODB_DEFAULT_RECOVERY_DAYS: u32 = 35;

/// What the backups of a store allow, as collected.
struct Backups {
    /// Retention in days; `Some(0)` means no continuous backups at all.
    retention_days: Option<u32>,
    latest_restorable: Option<Timestamp>,
    /// `backup_retention_days` or `point_in_time_recovery`, for evidence.
    kind: &'static str,
}

fn backups(store: Store) -> Backups {
    match store {
        Store::Rds(Database::Instance(i)) => Backups {
            retention_days: i.backup_retention_days,
            latest_restorable: i.latest_restorable_time,
            kind: "automated backups",
        },
        Store::Rds(Database::Cluster(c)) => Backups {
            retention_days: c.backup_retention_days,
            latest_restorable: c.latest_restorable_time,
            kind: "automated backups",
        },
        Store::Table(t) => Backups {
            retention_days: t.point_in_time_recovery.as_ref().map(|p| {
                if p.enabled {
                    p.recovery_period_days
                        .unwrap_or(DYNAMODB_DEFAULT_RECOVERY_DAYS)
                } else {
                    0
                }
            }),
            latest_restorable: t
                .point_in_time_recovery
                .as_ref()
                .and_then(|p| p.latest_restorable_time),
            kind: "point-in-time recovery",
        },
    }
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        for (store, verdict) in prod_stores(&scope, ctx, &mut out) {
            let objectives = ctx
                .config
                .recovery
                .objectives(store.arn(), store.id(), store.tags());
            let min_days = ctx.config.recovery.min_retention_days;
            let b = backups(store);
            let lag = b
                .latest_restorable
                .map(|t| ctx.collected_at.duration_since(t).max(SignedDuration::ZERO));
            let mut problems = Vec::new();
            let mut status = Status::Pass;
            match b.retention_days {
                None => status = Status::Unknown,
                Some(0) => problems.push(format!("no {}: nothing to restore from", b.kind)),
                Some(days) if days < min_days => problems.push(format!(
                    "backups are kept {days} days, less than the required {min_days}"
                )),
                Some(_) => {}
            }
            match lag {
                Some(lag) if lag > objectives.rpo => problems.push(format!(
                    "the latest restorable time is {} old, beyond the {} RPO",
                    friendly(lag.round(jiff::Unit::Minute).unwrap_or(lag)),
                    friendly(objectives.rpo)
                )),
                Some(_) => {}
                None if b.retention_days.is_some_and(|d| d > 0) => status = Status::Unknown,
                None => {}
            }
            if !problems.is_empty() {
                status = Status::Fail;
            }
            let what = store.what();
            let at = scope.where_();
            let mut finding = scope.finding(status, &verdict, store.arn());
            finding.message = match status {
                Status::Pass => format!(
                    "{what} in {at} (prod) can be restored to within {} (RPO {}) and keeps backups {} days",
                    friendly(
                        lag.unwrap_or_default()
                            .round(jiff::Unit::Minute)
                            .unwrap_or_default()
                    ),
                    friendly(objectives.rpo),
                    b.retention_days.unwrap_or_default()
                ),
                Status::Fail => format!(
                    "{what} in {at} (prod) misses its RPO: {}",
                    problems.join("; ")
                ),
                _ => format!(
                    "{what} in {at} (prod): {} not collected",
                    if b.retention_days.is_none() {
                        "backup retention was"
                    } else {
                        "the latest restorable time was"
                    }
                ),
            };
            add_evidence(
                &mut finding,
                "latest_restorable_time",
                json!(b.latest_restorable),
            );
            add_evidence(&mut finding, "lag_seconds", json!(lag.map(|l| l.as_secs())));
            add_evidence(&mut finding, "rpo", json!(friendly(objectives.rpo)));
            add_evidence(&mut finding, "objectives_from", json!(objectives.source));
            add_evidence(&mut finding, "retention_days", json!(b.retention_days));
            add_evidence(&mut finding, "min_retention_days", json!(min_days));
            if status == Status::Fail {
                finding.remediation = Some(match store {
                    Store::Rds(db) => format!(
                        "{} --backup-retention-period {} --apply-immediately --region {}; if the latest restorable time lags, check the database's backup status and events (aws rds describe-events --source-identifier {})",
                        db.modify_command(),
                        min_days.max(1),
                        scope.name,
                        db.id()
                    ),
                    Store::Table(t) => format!(
                        "aws dynamodb update-continuous-backups --table-name {} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays={} --region {}",
                        t.name,
                        min_days.clamp(1, 35),
                        scope.name
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
    use crate::inventory::{DynamoDbTable, PointInTimeRecovery, RdsInstance, Region};
    use jiff::SignedDuration;

    /// The testing estate is collected at 2026-11-20T09:00:00Z.
    fn db(id: &str, retention: Option<u32>, restorable: Option<&str>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            backup_retention_days: retention,
            latest_restorable_time: restorable.map(|t| t.parse().unwrap()),
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
    fn recent_restore_point_and_long_retention_pass() {
        let findings = run_db(
            db("orders", Some(7), Some("2026-11-20T08:55:00Z")),
            &Config::default(),
        );
        let pass = only(&findings, Status::Pass);
        assert_eq!(pass.evidence["lag_seconds"], 300);
        assert_eq!(pass.evidence["rpo"], "1h");
    }

    #[test]
    fn a_stale_restore_point_fails_against_a_per_resource_target() {
        let mut config = Config::default();
        config.recovery.targets.push(RecoveryTarget {
            resource: Some("*:db:orders".into()),
            tag: None,
            rpo: Some(SignedDuration::from_mins(5)),
            rto: None,
        });
        let findings = run_db(db("orders", Some(7), Some("2026-11-20T08:40:00Z")), &config);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message
                .contains("the latest restorable time is 20m old, beyond the 5m RPO"),
            "{}",
            fail.message
        );
        assert_eq!(
            fail.evidence["objectives_from"],
            "recovery.targets[0] (resource *:db:orders)"
        );
    }

    #[test]
    fn short_retention_and_no_backups_fail() {
        let fail = only(
            &run_db(
                db("orders", Some(1), Some("2026-11-20T08:59:00Z")),
                &Config::default(),
            ),
            Status::Fail,
        )
        .clone();
        assert!(
            fail.message
                .contains("kept 1 days, less than the required 7"),
            "{}",
            fail.message
        );
        let fail = only(
            &run_db(db("orders", Some(0), None), &Config::default()),
            Status::Fail,
        )
        .clone();
        assert!(
            fail.message.contains("no automated backups"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn missing_retention_or_restore_time_is_unknown() {
        only(
            &run_db(db("orders", None, None), &Config::default()),
            Status::Unknown,
        );
        only(
            &run_db(db("orders", Some(7), None), &Config::default()),
            Status::Unknown,
        );
    }

    #[test]
    fn dynamodb_tables_are_judged_by_their_recovery_period() {
        let table = |days: Option<u32>| DynamoDbTable {
            name: "carts".into(),
            arn: format!("arn:aws:dynamodb:eu-west-1:{PROD}:table/carts"),
            status: "ACTIVE".into(),
            point_in_time_recovery: Some(PointInTimeRecovery {
                enabled: true,
                recovery_period_days: days,
                latest_restorable_time: Some("2026-11-20T08:55:00Z".parse().unwrap()),
            }),
            ..Default::default()
        };
        for (days, status) in [(None, Status::Pass), (Some(3), Status::Fail)] {
            let snapshot = estate(|r| {
                collected(r);
                r.dynamodb_tables = Some(vec![table(days)]);
            });
            only(&run_check(&super::CHECK, &snapshot), status);
        }
    }

    #[test]
    fn replicas_and_nonprod_are_not_applicable() {
        let mut replica = db("orders-ro", Some(0), None);
        replica.read_replica_source = Some("orders".into());
        only(&run_db(replica, &Config::default()), Status::NotApplicable);
        let snapshot = estate_in(NONPROD, |r| {
            collected(r);
            r.rds_instances = Some(vec![db("dev", Some(0), None)]);
        });
        only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable);
    }
}
