//! DEL001 ec2-termination-protection: a production instance without termination protection
//! goes with one `ec2:TerminateInstances` call. Instances of an Auto Scaling group are
//! replaceable by design and out of scope.

use serde_json::json;

use crate::checks::scope::{EC2_INSTANCES, Flag, add_evidence};
use crate::checks::{Check, Ctx, Finding, Scoped, Status, regions};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "DEL001",
    name: "ec2-termination-protection",
    catalogue: include_str!("../../../checks/del/DEL001-ec2-termination-protection.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        let Some(instances) = &scope.region.ec2_instances else {
            out.extend(scope.not_collected(ctx, EC2_INSTANCES));
            continue;
        };
        for instance in instances {
            if matches!(instance.state.as_str(), "terminated" | "shutting-down") {
                continue;
            }
            let arn = format!(
                "arn:aws:ec2:{}:{}:instance/{}",
                scope.name, scope.account.id, instance.id
            );
            let what = format!("ec2 instance {}", instance.id);
            if let Some(group) = &instance.autoscaling_group {
                match scope.classify(ctx, &instance.tags, &arn, &what) {
                    Scoped::Skip(finding) => out.push(*finding),
                    Scoped::Prod(verdict) => {
                        let mut finding = scope.finding(Status::NotApplicable, &verdict, &arn);
                        finding.message = format!(
                            "out of scope: {what} in {} belongs to auto scaling group {group}, which replaces its instances by design",
                            scope.where_()
                        );
                        add_evidence(&mut finding, "autoscaling_group", json!(group));
                        out.push(finding);
                    }
                }
                continue;
            }
            let mut finding = scope.judge_flag(
                ctx,
                Flag {
                    what,
                    arn: &arn,
                    tags: &instance.tags,
                    attribute: "termination_protection",
                    value: instance.termination_protection,
                    safe_when: true,
                    pass: "has termination protection",
                    fail: "can be terminated by one API call: termination protection is off",
                    remediation: format!(
                        "aws ec2 modify-instance-attribute --instance-id {} --disable-api-termination --region {}",
                        instance.id, scope.name
                    ),
                },
            );
            add_evidence(&mut finding, "state", json!(instance.state));
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::Ec2Instance;

    fn instance(id: &str, protection: Option<bool>) -> Ec2Instance {
        Ec2Instance {
            id: id.into(),
            state: "running".into(),
            termination_protection: protection,
            ..Default::default()
        }
    }

    fn run_on(instances: Vec<Ec2Instance>) -> Vec<crate::checks::Finding> {
        run_check(
            &super::CHECK,
            &estate(|r| r.ec2_instances = Some(instances)),
        )
    }

    #[test]
    fn protected_instance_passes() {
        let findings = run_on(vec![instance("i-0a", Some(true))]);
        assert_eq!(
            statuses(&findings),
            [(
                Status::Pass,
                "arn:aws:ec2:eu-west-1:222222222222:instance/i-0a".into()
            )]
        );
    }

    #[test]
    fn unprotected_instance_fails_with_the_fix() {
        let findings = run_on(vec![instance("i-0a", Some(false))]);
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.evidence["termination_protection"], false);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("--instance-id i-0a --disable-api-termination")
        );
    }

    #[test]
    fn unread_attribute_is_unknown() {
        only(&run_on(vec![instance("i-0a", None)]), Status::Unknown);
    }

    #[test]
    fn uncollected_instances_are_unknown() {
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("ec2", "DescribeInstances"));
        let unknown = only(&run_check(&super::CHECK, &snapshot), Status::Unknown).clone();
        assert_eq!(unknown.evidence["missing"], "ec2:DescribeInstances");
    }

    #[test]
    fn autoscaling_members_are_out_of_scope_with_the_reason() {
        let mut member = instance("i-0b", Some(false));
        member.autoscaling_group = Some("web".into());
        let findings = run_on(vec![member]);
        let na = only(&findings, Status::NotApplicable);
        assert!(
            na.message.contains("auto scaling group web"),
            "{}",
            na.message
        );
    }

    #[test]
    fn terminated_and_nonprod_instances() {
        let mut gone = instance("i-0c", Some(false));
        gone.state = "terminated".into();
        assert!(run_on(vec![gone]).is_empty());
        let findings = run_check(
            &super::CHECK,
            &estate_in(NONPROD, |r| {
                r.ec2_instances = Some(vec![instance("i-0d", Some(false))])
            }),
        );
        only(&findings, Status::NotApplicable);
    }
}
