//! DEL004 dynamodb-deletion-protection: a production DynamoDB table without deletion
//! protection goes with one `dynamodb:DeleteTable` call.

use serde_json::json;

use crate::checks::scope::{DYNAMODB_TABLES, Flag, add_evidence};
use crate::checks::{Check, Ctx, Finding, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "DEL004",
    name: "dynamodb-deletion-protection",
    catalogue: include_str!("../../../checks/del/DEL004-dynamodb-deletion-protection.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        let Some(tables) = &scope.region.dynamodb_tables else {
            out.extend(scope.not_collected(ctx, DYNAMODB_TABLES));
            continue;
        };
        for table in tables {
            let mut finding = scope.judge_flag(
                ctx,
                Flag {
                    what: format!("dynamodb table {}", table.name),
                    arn: &table.arn,
                    tags: &table.tags,
                    attribute: "deletion_protection",
                    value: table.deletion_protection,
                    safe_when: true,
                    pass: "has deletion protection",
                    fail: "can be deleted by one DeleteTable call: deletion protection is off",
                    remediation: format!(
                        "aws dynamodb update-table --table-name {} --deletion-protection-enabled --region {}",
                        table.name, scope.name
                    ),
                },
            );
            if !table.replica_regions.is_empty() {
                add_evidence(
                    &mut finding,
                    "replica_regions",
                    json!(table.replica_regions),
                );
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
    use crate::inventory::DynamoDbTable;

    fn table(name: &str, protection: Option<bool>) -> DynamoDbTable {
        DynamoDbTable {
            name: name.into(),
            arn: format!("arn:aws:dynamodb:eu-west-1:{PROD}:table/{name}"),
            status: "ACTIVE".into(),
            deletion_protection: protection,
            ..Default::default()
        }
    }

    fn run_in(account: &str, tables: Vec<DynamoDbTable>) -> Vec<crate::checks::Finding> {
        run_check(
            &super::CHECK,
            &estate_in(account, |r| r.dynamodb_tables = Some(tables)),
        )
    }

    #[test]
    fn pass_fail_unknown_and_not_applicable() {
        only(
            &run_in(PROD, vec![table("orders", Some(true))]),
            Status::Pass,
        );
        let fail = only(
            &run_in(PROD, vec![table("orders", Some(false))]),
            Status::Fail,
        )
        .clone();
        assert!(
            fail.remediation
                .unwrap()
                .contains("--deletion-protection-enabled")
        );
        assert_eq!(fail.evidence["deletion_protection"], false);
        only(&run_in(PROD, vec![table("orders", None)]), Status::Unknown);
        only(
            &run_in(NONPROD, vec![table("scratch", Some(false))]),
            Status::NotApplicable,
        );
        only(
            &run_in(UNCLASSIFIED, vec![table("x", Some(true))]),
            Status::Unknown,
        );
    }

    #[test]
    fn uncollected_tables_are_unknown() {
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("dynamodb", "ListTables"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }
}
