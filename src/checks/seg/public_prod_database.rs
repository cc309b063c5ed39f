//! SEG004 public-prod-database: a production database instance marked publicly accessible has
//! a public DNS address; one security-group edit puts it on the internet. This version judges
//! the flag alone; the network analysis will add the route and the security group.

use serde_json::json;

use crate::checks::scope::{Flag, RDS_INSTANCES, add_evidence};
use crate::checks::{Check, Ctx, Finding, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "SEG004",
    name: "public-prod-database",
    catalogue: include_str!("../../../checks/seg/SEG004-public-prod-database.toml"),
    run,
};

/// Every instance is judged, cluster members included: public accessibility is an instance
/// setting (each Aurora instance has its own endpoint).
fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        let Some(instances) = &scope.region.rds_instances else {
            out.extend(scope.not_collected(ctx, RDS_INSTANCES));
            continue;
        };
        for instance in instances {
            let mut finding = scope.judge_flag(
                ctx,
                Flag {
                    what: format!("db instance {}", instance.id),
                    arn: &instance.arn,
                    tags: &instance.tags,
                    attribute: "publicly_accessible",
                    value: instance.publicly_accessible,
                    safe_when: false,
                    pass: "is not publicly accessible",
                    fail: "is publicly accessible: it has a public address, one security-group rule away from the internet",
                    remediation: format!(
                        "aws rds modify-db-instance --db-instance-identifier {} --no-publicly-accessible --apply-immediately --region {}",
                        instance.id, scope.name
                    ),
                },
            );
            if let Some(cluster) = &instance.cluster_id {
                add_evidence(&mut finding, "cluster_id", json!(cluster));
            }
            if let Some(endpoint) = &instance.endpoint {
                add_evidence(&mut finding, "endpoint", json!(endpoint.address));
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
    use crate::inventory::RdsInstance;

    fn db(id: &str, public: Option<bool>) -> RdsInstance {
        RdsInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:{id}"),
            engine: "mysql".into(),
            status: "available".into(),
            publicly_accessible: public,
            ..Default::default()
        }
    }

    fn run_in(account: &str, instances: Vec<RdsInstance>) -> Vec<crate::checks::Finding> {
        run_check(
            &super::CHECK,
            &estate_in(account, |r| r.rds_instances = Some(instances)),
        )
    }

    #[test]
    fn private_passes_public_fails_unread_is_unknown() {
        only(&run_in(PROD, vec![db("orders", Some(false))]), Status::Pass);
        let fail = only(&run_in(PROD, vec![db("orders", Some(true))]), Status::Fail).clone();
        assert!(
            fail.remediation
                .unwrap()
                .contains("--no-publicly-accessible")
        );
        only(&run_in(PROD, vec![db("orders", None)]), Status::Unknown);
    }

    #[test]
    fn cluster_members_are_judged_one_by_one() {
        let mut member = db("orders-2", Some(true));
        member.cluster_id = Some("orders".into());
        let fail = only(&run_in(PROD, vec![member]), Status::Fail).clone();
        assert_eq!(fail.evidence["cluster_id"], "orders");
    }

    #[test]
    fn nonprod_is_not_applicable_and_uncollected_is_unknown() {
        only(
            &run_in(NONPROD, vec![db("scratch", Some(true))]),
            Status::NotApplicable,
        );
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("rds", "DescribeDBInstances"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }
}
