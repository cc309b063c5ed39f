//! REC001 pitr-enabled: production databases keep the continuous backups that point-in-time
//! restore needs — RDS automated backups (retention ≥ 1 day) and DynamoDB point-in-time recovery.

use serde_json::json;

use crate::checks::scope::{DYNAMODB_TABLES, RDS_CLUSTERS, RDS_INSTANCES, add_evidence};
use crate::checks::{Check, Ctx, Finding, RegionScope, Scoped, Status, regions};
use crate::inventory::{RdsInstance, Snapshot, Tags};

pub const CHECK: Check = Check {
    id: "REC001",
    name: "pitr-enabled",
    catalogue: include_str!("../../../checks/rec/REC001-pitr-enabled.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        out.extend(scope.orphaned_members(ctx));
        match &scope.region.rds_clusters {
            None => out.extend(scope.not_collected(ctx, RDS_CLUSTERS)),
            Some(clusters) => out.extend(clusters.iter().map(|cluster| {
                let db = Db {
                    kind: "cluster",
                    id: &cluster.id,
                    arn: &cluster.arn,
                    tags: &cluster.tags,
                    retention: cluster.backup_retention_days,
                };
                judge_rds(&scope, ctx, db)
            })),
        }
        match &scope.region.rds_instances {
            None => out.extend(scope.not_collected(ctx, RDS_INSTANCES)),
            Some(instances) => {
                for instance in instances.iter().filter(|i| i.cluster_id.is_none()) {
                    if let Some(source) = &instance.read_replica_source {
                        out.push(replica(&scope, ctx, instance, source));
                        continue;
                    }
                    let db = Db {
                        kind: "instance",
                        id: &instance.id,
                        arn: &instance.arn,
                        tags: &instance.tags,
                        retention: instance.backup_retention_days,
                    };
                    out.push(judge_rds(&scope, ctx, db));
                }
            }
        }
        match &scope.region.dynamodb_tables {
            None => out.extend(scope.not_collected(ctx, DYNAMODB_TABLES)),
            Some(tables) => {
                for table in tables {
                    let what = format!("dynamodb table {}", table.name);
                    let verdict = match scope.classify(ctx, &table.tags, &table.arn, &what) {
                        Scoped::Prod(verdict) => verdict,
                        Scoped::Skip(finding) => {
                            out.push(*finding);
                            continue;
                        }
                    };
                    let pitr = table.point_in_time_recovery.as_ref();
                    let status = match pitr.map(|p| p.enabled) {
                        Some(true) => Status::Pass,
                        Some(false) => Status::Fail,
                        None => Status::Unknown,
                    };
                    let mut finding = scope.finding(status, &verdict, &table.arn);
                    let at = scope.where_();
                    finding.message = match status {
                        Status::Pass => format!("{what} in {at} (prod) has point-in-time recovery"),
                        Status::Fail => format!(
                            "{what} in {at} (prod) has no point-in-time recovery: a bad write or delete cannot be undone"
                        ),
                        _ => format!(
                            "point-in-time recovery of {what} in {at} (prod) was not collected"
                        ),
                    };
                    add_evidence(
                        &mut finding,
                        "point_in_time_recovery",
                        json!(pitr.map(|p| p.enabled)),
                    );
                    if let Some(days) = pitr.and_then(|p| p.recovery_period_days) {
                        add_evidence(&mut finding, "recovery_period_days", json!(days));
                    }
                    if status == Status::Fail {
                        finding.remediation = Some(format!(
                            "aws dynamodb update-continuous-backups --table-name {} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true --region {}",
                            table.name, scope.name
                        ));
                    }
                    out.push(finding);
                }
            }
        }
    }
    out
}

/// An RDS DB instance or cluster, as far as backups go.
struct Db<'a> {
    /// `instance` or `cluster`, as in the CLI's `modify-db-…` commands.
    kind: &'static str,
    id: &'a str,
    arn: &'a str,
    tags: &'a Tags,
    retention: Option<u32>,
}

/// Judges the automated backup retention of a production database.
fn judge_rds(scope: &RegionScope, ctx: &Ctx, db: Db) -> Finding {
    let what = format!("db {} {}", db.kind, db.id);
    let verdict = match scope.classify(ctx, db.tags, db.arn, &what) {
        Scoped::Prod(verdict) => verdict,
        Scoped::Skip(finding) => return *finding,
    };
    let status = match db.retention {
        Some(0) => Status::Fail,
        Some(_) => Status::Pass,
        None => Status::Unknown,
    };
    let mut finding = scope.finding(status, &verdict, db.arn);
    let at = scope.where_();
    finding.message = match db.retention {
        Some(0) => format!(
            "{what} in {at} (prod) has automated backups disabled (retention 0 days): no point-in-time restore"
        ),
        Some(days) => format!("{what} in {at} (prod) keeps automated backups for {days} days"),
        None => format!("backup retention of {what} in {at} (prod) was not collected"),
    };
    add_evidence(&mut finding, "backup_retention_days", json!(db.retention));
    if status == Status::Fail {
        finding.remediation = Some(format!(
            "aws rds modify-db-{kind} --db-{kind}-identifier {} --backup-retention-period 7 --apply-immediately --region {}",
            db.id,
            scope.name,
            kind = db.kind
        ));
    }
    finding
}

/// A read replica is rebuilt from its source; the source's backups are what count.
fn replica(scope: &RegionScope, ctx: &Ctx, instance: &RdsInstance, source: &str) -> Finding {
    let what = format!("db instance {}", instance.id);
    let verdict = match scope.classify(ctx, &instance.tags, &instance.arn, &what) {
        Scoped::Prod(verdict) => verdict,
        Scoped::Skip(finding) => return *finding,
    };
    let mut finding = scope.finding(Status::NotApplicable, &verdict, &instance.arn);
    finding.message = format!(
        "out of scope: {what} in {} is a read replica of {source}; its source's backups are judged",
        scope.where_()
    );
    add_evidence(&mut finding, "read_replica_source", json!(source));
    finding
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{DynamoDbTable, PointInTimeRecovery, RdsInstance, Region};

    fn db(id: &str, retention: Option<u32>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "mysql".into(),
            status: "available".into(),
            backup_retention_days: retention,
            ..Default::default()
        }
    }

    fn table(name: &str, pitr: Option<bool>) -> DynamoDbTable {
        DynamoDbTable {
            name: name.into(),
            arn: format!("arn:aws:dynamodb:eu-west-1:{PROD}:table/{name}"),
            status: "ACTIVE".into(),
            point_in_time_recovery: pitr.map(|enabled| PointInTimeRecovery {
                enabled,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// A region where RDS and DynamoDB were collected.
    fn collected(r: &mut Region) {
        r.rds_instances = Some(vec![]);
        r.rds_clusters = Some(vec![]);
        r.dynamodb_tables = Some(vec![]);
    }

    fn run_on(snapshot: crate::inventory::Snapshot) -> Vec<crate::checks::Finding> {
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn retained_backups_and_pitr_pass() {
        let findings = run_on(estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![db("billing", Some(7))]);
            r.dynamodb_tables = Some(vec![table("sessions", Some(true))]);
        }));
        assert!(
            findings.iter().all(|f| f.status == Status::Pass),
            "{findings:#?}"
        );
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn zero_retention_fails() {
        let findings = run_on(estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![db("billing", Some(0))]);
        }));
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("--backup-retention-period 7")
        );
        assert_eq!(fail.evidence["backup_retention_days"], 0);
    }

    #[test]
    fn table_without_pitr_fails() {
        let findings = run_on(estate(|r| {
            collected(r);
            r.dynamodb_tables = Some(vec![table("carts", Some(false))]);
        }));
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("PointInTimeRecoveryEnabled=true")
        );
    }

    #[test]
    fn unread_pitr_status_is_unknown() {
        let findings = run_on(estate(|r| {
            collected(r);
            r.dynamodb_tables = Some(vec![table("carts", None)]);
        }));
        only(&findings, Status::Unknown);
    }

    #[test]
    fn uncollected_dynamodb_is_unknown() {
        let mut snapshot = estate(|r| {
            collected(r);
            r.dynamodb_tables = None;
        });
        snapshot
            .errors
            .push(access_denied("dynamodb", "ListTables"));
        let unknown = only(&run_on(snapshot), Status::Unknown).clone();
        assert!(
            unknown.message.contains("DynamoDB tables"),
            "{}",
            unknown.message
        );
        assert_eq!(unknown.evidence["missing"], "dynamodb:ListTables");
    }

    #[test]
    fn read_replicas_and_nonprod_are_not_applicable() {
        let mut replica = db("billing-ro", Some(0));
        replica.read_replica_source = Some("billing".into());
        let findings = run_on(estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![replica]);
        }));
        only(&findings, Status::NotApplicable);
        let findings = run_on(estate_in(NONPROD, |r| {
            collected(r);
            r.rds_instances = Some(vec![db("scratch", Some(0))]);
        }));
        only(&findings, Status::NotApplicable);
    }

    #[test]
    fn nothing_in_scope_gives_no_findings() {
        assert!(run_on(estate(collected)).is_empty());
    }

    #[test]
    fn a_member_whose_cluster_is_missing_is_unknown_not_skipped() {
        let mut member = db("orders-1", None);
        member.cluster_id = Some("orders".into());
        let findings = run_on(estate(|r| {
            collected(r);
            r.rds_instances = Some(vec![member]);
        }));
        only(&findings, Status::Unknown);
    }
}
