//! DEL003 cfn-termination-protection: a production CloudFormation stack without termination
//! protection is deleted, with every resource it manages, by one `DeleteStack` call. Nested
//! stacks take their protection from their root stack, so only root stacks are judged.

use serde_json::json;

use crate::checks::scope::{CFN_STACKS, Flag, add_evidence};
use crate::checks::{Check, Ctx, Finding, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "DEL003",
    name: "cfn-termination-protection",
    catalogue: include_str!("../../../checks/del/DEL003-cfn-termination-protection.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        let Some(stacks) = &scope.region.cloudformation_stacks else {
            out.extend(scope.not_collected(ctx, CFN_STACKS));
            continue;
        };
        let live = || stacks.iter().filter(|s| s.status != "DELETE_COMPLETE");
        for stack in live().filter(|s| s.parent_id.is_none()) {
            let nested: Vec<&str> = live()
                .filter(|s| s.root_id.as_deref() == Some(stack.id.as_str()))
                .map(|s| s.name.as_str())
                .collect();
            let mut finding = scope.judge_flag(
                ctx,
                Flag {
                    what: format!("cloudformation stack {}", stack.name),
                    arn: &stack.id,
                    tags: &stack.tags,
                    attribute: "termination_protection",
                    value: stack.termination_protection,
                    safe_when: true,
                    pass: "has termination protection",
                    fail: "can be deleted with everything it manages by one DeleteStack call: termination protection is off",
                    remediation: format!(
                        "aws cloudformation update-termination-protection --enable-termination-protection --stack-name {} --region {}",
                        stack.name, scope.name
                    ),
                },
            );
            add_evidence(&mut finding, "stack_status", json!(stack.status));
            if !nested.is_empty() {
                add_evidence(&mut finding, "nested_stacks", json!(nested));
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
    use crate::inventory::CloudFormationStack;

    fn stack(name: &str, protection: Option<bool>) -> CloudFormationStack {
        CloudFormationStack {
            name: name.into(),
            id: format!("arn:aws:cloudformation:eu-west-1:{PROD}:stack/{name}/1"),
            status: "CREATE_COMPLETE".into(),
            termination_protection: protection,
            ..Default::default()
        }
    }

    fn run_on(stacks: Vec<CloudFormationStack>) -> Vec<crate::checks::Finding> {
        run_check(
            &super::CHECK,
            &estate(|r| r.cloudformation_stacks = Some(stacks)),
        )
    }

    #[test]
    fn protected_root_passes_and_lists_its_nested_stacks() {
        let root = stack("platform", Some(true));
        let mut nested = stack("platform-db", Some(false));
        nested.parent_id = Some(root.id.clone());
        nested.root_id = Some(root.id.clone());
        let findings = run_on(vec![root, nested]);
        let pass = only(&findings, Status::Pass);
        assert_eq!(pass.evidence["nested_stacks"][0], "platform-db");
    }

    #[test]
    fn unprotected_root_fails() {
        let fail = only(&run_on(vec![stack("platform", Some(false))]), Status::Fail).clone();
        assert!(
            fail.remediation
                .unwrap()
                .contains("--enable-termination-protection --stack-name platform")
        );
    }

    #[test]
    fn unread_protection_and_uncollected_stacks_are_unknown() {
        only(&run_on(vec![stack("platform", None)]), Status::Unknown);
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("cloudformation", "DescribeStacks"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }

    #[test]
    fn deleted_and_nonprod_stacks() {
        let mut gone = stack("old", Some(false));
        gone.status = "DELETE_COMPLETE".into();
        assert!(run_on(vec![gone]).is_empty());
        let findings = run_check(
            &super::CHECK,
            &estate_in(NONPROD, |r| {
                r.cloudformation_stacks = Some(vec![stack("dev", Some(false))])
            }),
        );
        only(&findings, Status::NotApplicable);
    }
}
