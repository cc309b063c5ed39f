//! LOG004 iam-change-alert: an IAM policy change in a production account — a policy put,
//! attached, detached or deleted, a new policy version, a trust-policy edit — raises an alert.
//! IAM is global: its CloudTrail events reach EventBridge in us-east-1 only.

use serde_json::json;

use crate::checks::log::{alerts, coverage, prod_account};
use crate::checks::scope::{account_finding, add_evidence};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::events::samples::{self, GLOBAL_REGION};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "LOG004",
    name: "iam-change-alert",
    catalogue: include_str!("../../../checks/log/LOG004-iam-change-alert.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let verdict = match prod_account(snapshot, ctx, account) {
            Ok(verdict) => verdict,
            Err(finding) => {
                out.extend(finding.map(|f| *f));
                continue;
            }
        };
        let trails = coverage(snapshot, account);
        let delivering: Vec<_> = trails
            .iter()
            .flatten()
            .filter(|t| t.delivers(GLOBAL_REGION))
            .map(|t| t.trail)
            .collect();
        let samples = samples::iam_changes(&account.id);
        let home = account
            .regions
            .iter()
            .flatten()
            .find(|(name, _)| name.as_str() == GLOBAL_REGION)
            .map(|(name, region)| (name.as_str(), region));
        let mut judged = alerts(snapshot, home, &delivering, &samples);
        if home.is_none() {
            judged.gaps.push(format!(
                "{GLOBAL_REGION}, where EventBridge receives IAM events, was not collected"
            ));
        }
        if trails.is_none() {
            judged.gaps.push(
                "CloudTrail trails were not collected: metric filters on their log groups could not be judged"
                    .to_owned(),
            );
        }
        let status = judged.status();
        let uncaught = judged.uncaught();
        let name = account.display_name();
        let env = verdict.class.as_str();
        let resource = format!(
            "arn:aws:events:{GLOBAL_REGION}:{}:event-bus/default",
            account.id
        );
        let mut finding = account_finding(account, None, status, &verdict, &resource);
        finding.message = match status {
            Status::Pass => format!(
                "account {name} ({env}) alerts on every sampled IAM policy change ({} events)",
                samples.len()
            ),
            Status::Fail => format!(
                "account {name} ({env}) raises no alert on {} of {} sampled IAM policy changes: {}",
                uncaught.len(),
                samples.len(),
                uncaught.join(", ")
            ),
            _ => format!(
                "account {name} ({env}): no collected alert catches {}, and some alerts could not be judged",
                uncaught.join(", ")
            ),
        };
        judged.add_to(&mut finding);
        add_evidence(&mut finding, "rules_region", json!(GLOBAL_REGION));
        if status == Status::Fail {
            finding.remediation = Some(
                "aws events put-rule --name iam-policy-changes --region us-east-1 --event-pattern '{\"source\":[\"aws.iam\"],\"detail-type\":[\"AWS API Call via CloudTrail\"],\"detail\":{\"eventName\":[{\"wildcard\":\"*Policy*\"}]}}' and aws events put-targets --rule iam-policy-changes --region us-east-1 --targets Id=alert,Arn=SNS_TOPIC_ARN"
                    .to_owned(),
            );
        }
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::checks::Status;
    use crate::inventory::{CloudWatchAlarm, EventBridgeRule, LogMetricFilter, MetricRef, Region};

    fn us_east_rule(pattern: &str) -> EventBridgeRule {
        EventBridgeRule {
            name: "iam".into(),
            arn: format!("arn:aws:events:us-east-1:{PROD}:rule/iam"),
            event_bus: "default".into(),
            state: "ENABLED".into(),
            event_pattern: Some(pattern.into()),
            targets: Some(vec!["arn:aws:sns:us-east-1:222222222222:security".into()]),
            ..Default::default()
        }
    }

    fn with_us_east(shape: impl FnOnce(&mut Region)) -> crate::inventory::Snapshot {
        let mut snapshot = org_estate(org_trail(true, true, "All"));
        let account = snapshot.accounts.iter_mut().find(|a| a.id == PROD).unwrap();
        shape(
            account
                .regions
                .as_mut()
                .unwrap()
                .get_mut("us-east-1")
                .unwrap(),
        );
        snapshot
    }

    #[test]
    fn a_rule_in_us_east_1_on_every_policy_change_passes() {
        let snapshot = with_us_east(|r| {
            r.eventbridge_rules = Some(vec![us_east_rule(
                r#"{"source":["aws.iam"],"detail":{"eventName":[{"wildcard":"*Policy*"}]}}"#,
            )])
        });
        let findings = run(&super::CHECK, &snapshot);
        assert_eq!(
            prod_finding(&findings).status,
            Status::Pass,
            "{findings:#?}"
        );
    }

    #[test]
    fn the_cis_metric_filter_misses_trust_policy_edits() {
        let cis = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
        let mut snapshot = org_estate(org_trail(true, true, "All"));
        let home = snapshot.accounts[0]
            .regions
            .as_mut()
            .unwrap()
            .get_mut("us-east-1")
            .unwrap();
        let metric = MetricRef {
            namespace: "CIS".into(),
            name: "IAMPolicyChanges".into(),
        };
        home.log_metric_filters = Some(vec![LogMetricFilter {
            name: "iam-changes".into(),
            log_group: "org-audit".into(),
            pattern: cis.into(),
            metrics: vec![metric.clone()],
        }]);
        home.cloudwatch_alarms = Some(vec![CloudWatchAlarm {
            name: "iam-changes".into(),
            arn: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:iam-changes".into(),
            metric: Some(metric),
            state: "OK".into(),
            actions_enabled: true,
            alarm_actions: vec!["arn:aws:sns:us-east-1:111111111111:security".into()],
        }]);
        let findings = run(&super::CHECK, &snapshot);
        let fail = prod_finding(&findings);
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert_eq!(
            fail.evidence["uncaught_events"],
            serde_json::json!(["iam:UpdateAssumeRolePolicy"])
        );
    }

    #[test]
    fn a_rule_outside_us_east_1_does_not_see_iam_events() {
        let mut snapshot = org_estate(org_trail(true, true, "All"));
        let account = snapshot.accounts.iter_mut().find(|a| a.id == PROD).unwrap();
        let eu = account.regions.as_mut().unwrap().get_mut(REGION).unwrap();
        eu.eventbridge_rules = Some(vec![us_east_rule(r#"{"source":["aws.iam"]}"#)]);
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Fail
        );
    }

    #[test]
    fn an_uncollected_us_east_1_is_unknown() {
        // prod_only has eu-west-1 only.
        let findings = run(&super::CHECK, &prod_only(|_| {}));
        let unknown = prod_finding(&findings);
        assert_eq!(unknown.status, Status::Unknown);
        assert!(
            unknown.evidence["not_judged"][0]
                .as_str()
                .unwrap()
                .contains("us-east-1")
        );
    }

    #[test]
    fn nonprod_accounts_are_not_applicable() {
        let findings = run(&super::CHECK, &org_estate(org_trail(true, true, "All")));
        assert!(findings.iter().any(|f| f.status == Status::NotApplicable));
    }
}
