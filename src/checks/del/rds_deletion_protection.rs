//! DEL002 rds-deletion-protection: production RDS instances and clusters can be deleted by a
//! single API call unless deletion protection is on.

use serde_json::json;

use crate::checks::scope::{RDS_CLUSTERS, RDS_INSTANCES, add_evidence};
use crate::checks::{Check, Ctx, Finding, RegionScope, Scoped, Status, regions};
use crate::inventory::{Snapshot, Tags};

pub const CHECK: Check = Check {
    id: "DEL002",
    name: "rds-deletion-protection",
    catalogue: include_str!("../../../checks/del/DEL002-rds-deletion-protection.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        out.extend(scope.orphaned_members(ctx));
        match &scope.region.rds_clusters {
            None => out.extend(scope.not_collected(ctx, RDS_CLUSTERS)),
            Some(clusters) => {
                for cluster in clusters {
                    let db = Db {
                        kind: "db cluster",
                        id: &cluster.id,
                        arn: &cluster.arn,
                        tags: &cluster.tags,
                        engine: &cluster.engine,
                        protection: cluster.deletion_protection,
                        members: cluster
                            .members
                            .iter()
                            .map(|m| m.instance_id.as_str())
                            .collect(),
                        remediation_cmd: "modify-db-cluster --db-cluster-identifier",
                    };
                    out.push(judge(&scope, ctx, db));
                }
            }
        }
        match &scope.region.rds_instances {
            None => out.extend(scope.not_collected(ctx, RDS_INSTANCES)),
            Some(instances) => {
                // Cluster members are protected (or not) by their cluster.
                for instance in instances.iter().filter(|i| i.cluster_id.is_none()) {
                    let db = Db {
                        kind: "db instance",
                        id: &instance.id,
                        arn: &instance.arn,
                        tags: &instance.tags,
                        engine: &instance.engine,
                        protection: instance.deletion_protection,
                        members: Vec::new(),
                        remediation_cmd: "modify-db-instance --db-instance-identifier",
                    };
                    out.push(judge(&scope, ctx, db));
                }
            }
        }
    }
    out
}

struct Db<'a> {
    kind: &'static str,
    id: &'a str,
    arn: &'a str,
    tags: &'a Tags,
    engine: &'a str,
    protection: Option<bool>,
    members: Vec<&'a str>,
    remediation_cmd: &'static str,
}

fn judge(scope: &RegionScope, ctx: &Ctx, db: Db) -> Finding {
    let what = format!("{} {}", db.kind, db.id);
    let verdict = match scope.classify(ctx, db.tags, db.arn, &what) {
        Scoped::Prod(verdict) => verdict,
        Scoped::Skip(finding) => return *finding,
    };
    let status = match db.protection {
        Some(true) => Status::Pass,
        Some(false) => Status::Fail,
        None => Status::Unknown,
    };
    let mut finding = scope.finding(status, &verdict, db.arn);
    finding.message = match db.protection {
        Some(true) => format!(
            "{what} in {} (prod) has deletion protection",
            scope.where_()
        ),
        Some(false) => format!(
            "{what} in {} (prod) can be deleted: deletion protection is off",
            scope.where_()
        ),
        None => format!(
            "deletion protection of {what} in {} (prod) was not collected",
            scope.where_()
        ),
    };
    add_evidence(&mut finding, "deletion_protection", json!(db.protection));
    add_evidence(&mut finding, "engine", json!(db.engine));
    if !db.members.is_empty() {
        add_evidence(&mut finding, "members", json!(db.members));
    }
    if status == Status::Fail {
        finding.remediation = Some(format!(
            "aws rds {} {} --deletion-protection --apply-immediately --region {}",
            db.remediation_cmd, db.id, scope.name
        ));
    }
    finding
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{RdsCluster, RdsClusterMember, RdsInstance};

    fn instance(id: &str, protection: Option<bool>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "postgres".into(),
            status: "available".into(),
            deletion_protection: protection,
            ..Default::default()
        }
    }

    fn run_on(snapshot: crate::inventory::Snapshot) -> Vec<crate::checks::Finding> {
        run_check(&super::CHECK, &snapshot)
    }

    /// An estate in `account` where RDS was collected and holds `instances`.
    fn dbs_in(account: &str, instances: Vec<RdsInstance>) -> crate::inventory::Snapshot {
        estate_in(account, |r| {
            r.rds_instances = Some(instances);
            r.rds_clusters = Some(vec![]);
        })
    }

    #[test]
    fn protected_prod_instance_passes() {
        let findings = run_on(dbs_in(PROD, vec![instance("orders", Some(true))]));
        assert_eq!(
            statuses(&findings),
            [(
                Status::Pass,
                "arn:aws:rds:eu-west-1:222222222222:db:orders".into()
            )]
        );
    }

    #[test]
    fn unprotected_prod_instance_fails_with_a_fix() {
        let findings = run_on(dbs_in(PROD, vec![instance("orders", Some(false))]));
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message.contains("db instance orders"),
            "{}",
            fail.message
        );
        assert_eq!(fail.evidence["deletion_protection"], false);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("--db-instance-identifier orders --deletion-protection")
        );
    }

    #[test]
    fn a_database_in_the_management_account_is_out_of_scope() {
        // Resource checks leave the management account to the identity, logging and
        // segregation checks (SEG001 fails it for running a workload at all).
        let mut snapshot = dbs_in(UNCLASSIFIED, vec![instance("orders", Some(false))]);
        in_organization(&mut snapshot, UNCLASSIFIED);
        let na = only(&run_on(snapshot), Status::NotApplicable).clone();
        assert!(
            na.message.contains(
                "in the organization's management account, which this check does not judge"
            ),
            "{}",
            na.message
        );
        assert_eq!(na.environment, Some(crate::classify::EnvClass::Management));
    }

    #[test]
    fn missing_attribute_is_unknown_not_pass() {
        let findings = run_on(dbs_in(PROD, vec![instance("orders", None)]));
        only(&findings, Status::Unknown);
    }

    #[test]
    fn uncollected_list_is_unknown_with_the_collection_error() {
        let mut snapshot = estate(|r| r.rds_clusters = Some(vec![]));
        snapshot
            .errors
            .push(access_denied("rds", "DescribeDBInstances"));
        let findings = run_on(snapshot);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown
                .message
                .contains("AccessDenied on rds:DescribeDBInstances"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn nonprod_and_empty_estates_are_not_applicable() {
        let findings = run_on(dbs_in(NONPROD, vec![instance("scratch", Some(false))]));
        only(&findings, Status::NotApplicable);
        assert!(run_on(dbs_in(PROD, vec![])).is_empty());
    }

    #[test]
    fn a_prod_tag_in_a_nonprod_account_puts_the_database_in_scope() {
        let mut db = instance("reporting", Some(false));
        db.tags.insert("Environment".into(), "production".into());
        let findings = run_on(dbs_in(NONPROD, vec![db]));
        only(&findings, Status::Fail);
    }

    #[test]
    fn unclassified_account_is_unknown() {
        let findings = run_on(dbs_in(UNCLASSIFIED, vec![instance("x", Some(true))]));
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("unclassified"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn cluster_members_are_judged_through_their_cluster() {
        let findings = run_on(estate(|r| {
            let mut member = instance("orders-1", Some(false));
            member.cluster_id = Some("orders".into());
            r.rds_instances = Some(vec![member]);
            r.rds_clusters = Some(vec![RdsCluster {
                id: "orders".into(),
                arn: format!("arn:aws:rds:eu-west-1:{PROD}:cluster:orders"),
                engine: "aurora-postgresql".into(),
                status: "available".into(),
                deletion_protection: Some(true),
                members: vec![RdsClusterMember {
                    instance_id: "orders-1".into(),
                    writer: true,
                }],
                ..Default::default()
            }]);
        }));
        assert_eq!(
            statuses(&findings),
            [(
                Status::Pass,
                "arn:aws:rds:eu-west-1:222222222222:cluster:orders".into()
            )]
        );
        assert_eq!(findings[0].evidence["members"][0], "orders-1");
    }

    #[test]
    fn uncollected_account_is_unknown() {
        let mut snapshot = estate(|_| {});
        snapshot.accounts[0].regions = None;
        snapshot.errors.push(crate::inventory::CollectionError {
            account_id: Some(PROD.into()),
            service: "sts".into(),
            operation: "AssumeRole".into(),
            code: Some("AccessDenied".into()),
            message: "not authorized".into(),
            ..Default::default()
        });
        let findings = run_on(snapshot);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown
                .message
                .contains("could not be collected: AccessDenied on sts:AssumeRole"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn a_member_whose_cluster_is_missing_is_unknown_not_skipped() {
        let mut member = instance("orders-1", Some(true));
        member.cluster_id = Some("orders".into());
        let findings = run_on(dbs_in(PROD, vec![member]));
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown
                .message
                .contains("belongs to db cluster orders, which is not in the snapshot"),
            "{}",
            unknown.message
        );
    }
}
