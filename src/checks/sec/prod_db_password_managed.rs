//! SEC003 prod-db-password-managed: a production database whose master password RDS does not
//! manage in Secrets Manager has that password somewhere people and agents can read it —
//! Terraform state, CI variables, a `.env` file.

use serde_json::json;

use crate::checks::scope::{Database, Flag, add_evidence};
use crate::checks::{Check, Ctx, Finding, RegionScope, Scoped, Status, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "SEC003",
    name: "prod-db-password-managed",
    catalogue: include_str!("../../../checks/sec/SEC003-prod-db-password-managed.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        for db in scope.databases(ctx, &mut out) {
            if let Database::Instance(replica) = db
                && let Some(source) = &replica.read_replica_source
            {
                out.push(replica_out_of_scope(&scope, ctx, db, source));
                continue;
            }
            let secret = match db {
                Database::Instance(i) => &i.master_user_secret_arn,
                Database::Cluster(c) => &c.master_user_secret_arn,
            };
            let mut finding = scope.judge_flag(
                ctx,
                Flag {
                    what: db.what(),
                    arn: db.arn(),
                    tags: db.tags(),
                    attribute: "password_managed_by_secrets_manager",
                    // DescribeDB* returns MasterUserSecret whenever RDS manages the password:
                    // its absence on a collected database is a fact, not missing data.
                    value: Some(secret.is_some()),
                    safe_when: true,
                    pass: "has its master password managed in Secrets Manager",
                    fail: "has a master password that RDS does not manage: it lives wherever it was set (Terraform state, CI variables, .env files)",
                    remediation: format!(
                        "{} --manage-master-user-password --apply-immediately --region {}",
                        db.modify_command(),
                        scope.name
                    ),
                },
            );
            if let Some(secret) = secret {
                add_evidence(&mut finding, "master_user_secret_arn", json!(secret));
            }
            add_evidence(&mut finding, "engine", json!(db.engine()));
            out.push(finding);
        }
    }
    out
}

/// A read replica shares its source's master user: the source is judged.
fn replica_out_of_scope(scope: &RegionScope, ctx: &Ctx, db: Database, source: &str) -> Finding {
    let what = db.what();
    match scope.classify(ctx, db.tags(), db.arn(), &what) {
        Scoped::Skip(finding) => *finding,
        Scoped::Prod(verdict) => {
            let mut finding = scope.finding(Status::NotApplicable, &verdict, db.arn());
            finding.message = format!(
                "out of scope: {what} in {} is a read replica of {source}, whose master password it shares",
                scope.where_()
            );
            add_evidence(&mut finding, "read_replica_source", json!(source));
            finding
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{RdsCluster, RdsInstance};

    fn db(id: &str, secret: Option<&str>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            master_user_secret_arn: secret.map(Into::into),
            ..Default::default()
        }
    }

    fn run_in(account: &str, instances: Vec<RdsInstance>) -> Vec<crate::checks::Finding> {
        run_check(
            &super::CHECK,
            &estate_in(account, |r| {
                r.rds_instances = Some(instances);
                r.rds_clusters = Some(vec![]);
            }),
        )
    }

    #[test]
    fn managed_password_passes_and_unmanaged_fails() {
        let secret = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds!db-1";
        let pass = only(
            &run_in(PROD, vec![db("orders", Some(secret))]),
            Status::Pass,
        )
        .clone();
        assert_eq!(pass.evidence["master_user_secret_arn"], secret);
        let fail = only(&run_in(PROD, vec![db("orders", None)]), Status::Fail).clone();
        assert!(fail.remediation.unwrap().contains(
            "modify-db-instance --db-instance-identifier orders --manage-master-user-password"
        ));
    }

    #[test]
    fn read_replicas_are_judged_through_their_source() {
        let mut replica = db("orders-ro", None);
        replica.read_replica_source = Some("orders".into());
        let na = only(&run_in(PROD, vec![replica]), Status::NotApplicable).clone();
        assert_eq!(na.evidence["read_replica_source"], "orders");
    }

    #[test]
    fn clusters_are_judged_for_their_members() {
        let mut member = db("orders-1", None);
        member.cluster_id = Some("orders".into());
        let findings = run_check(
            &super::CHECK,
            &estate(|r| {
                r.rds_instances = Some(vec![member]);
                r.rds_clusters = Some(vec![RdsCluster {
                    id: "orders".into(),
                    arn: format!("arn:aws:rds:eu-west-1:{PROD}:cluster:orders"),
                    engine: "aurora-postgresql".into(),
                    master_user_secret_arn: None,
                    ..Default::default()
                }]);
            }),
        );
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("modify-db-cluster")
        );
    }

    #[test]
    fn uncollected_databases_are_unknown_and_nonprod_not_applicable() {
        let mut snapshot = estate(|r| r.rds_clusters = Some(vec![]));
        snapshot
            .errors
            .push(access_denied("rds", "DescribeDBInstances"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
        only(
            &run_in(NONPROD, vec![db("scratch", None)]),
            Status::NotApplicable,
        );
    }
}
