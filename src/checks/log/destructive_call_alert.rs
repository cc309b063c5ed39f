//! LOG003 destructive-call-alert: in every production account and region, the first
//! destructive call — an instance terminated, a database, table, bucket or stack deleted —
//! raises an alert. Judged by matching sample CloudTrail events against the actual EventBridge
//! patterns and metric filters, not by looking for keywords.

use serde_json::json;

use crate::checks::log::{alerts, coverage, prod_account};
use crate::checks::scope::{account_finding, add_evidence};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::events::samples;
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "LOG003",
    name: "destructive-call-alert",
    catalogue: include_str!("../../../checks/log/LOG003-destructive-call-alert.toml"),
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
        for (name, region) in account.regions.iter().flatten() {
            let delivering: Vec<_> = trails
                .iter()
                .flatten()
                .filter(|t| t.delivers(name))
                .map(|t| t.trail)
                .collect();
            let samples = samples::destructive(&account.id, name);
            let mut judged = alerts(snapshot, Some((name, region)), &delivering, &samples);
            if trails.is_none() {
                judged
                    .gaps
                    .push("CloudTrail trails were not collected: metric filters on their log groups could not be judged".to_owned());
            }
            let status = judged.status();
            let uncaught = judged.uncaught();
            let at = format!("{} {name}", account.display_name());
            let env = verdict.class.as_str();
            let resource = format!("arn:aws:events:{name}:{}:event-bus/default", account.id);
            let mut finding = account_finding(account, Some(name), status, &verdict, &resource);
            finding.message = match status {
                Status::Pass => format!(
                    "{at} ({env}) alerts on every sampled destructive call ({} events)",
                    samples.len()
                ),
                Status::Fail => format!(
                    "{at} ({env}) raises no alert on {} of {} sampled destructive calls: {}",
                    uncaught.len(),
                    samples.len(),
                    uncaught.join(", ")
                ),
                _ => format!(
                    "{at} ({env}): no collected alert catches {}, and some alerts could not be judged",
                    uncaught.join(", ")
                ),
            };
            judged.add_to(&mut finding);
            add_evidence(
                &mut finding,
                "sample_principal",
                json!(format!(
                    "arn:aws:sts::{}:assumed-role/{}/{}",
                    account.id,
                    samples::AGENT_ROLE,
                    samples::AGENT_SESSION
                )),
            );
            if status == Status::Fail {
                finding.remediation = Some(format!(
                    "aws events put-rule --name destructive-calls --region {name} --event-pattern '{{\"detail-type\":[\"AWS API Call via CloudTrail\"],\"detail\":{{\"eventName\":[{{\"prefix\":\"Delete\"}},{{\"prefix\":\"Terminate\"}},{{\"prefix\":\"Deregister\"}}]}}}}' and aws events put-targets --rule destructive-calls --region {name} --targets Id=alert,Arn=SNS_TOPIC_ARN"
                ));
            }
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::checks::Status;
    use crate::inventory::{CloudWatchAlarm, EventBridgeRule, LogMetricFilter, MetricRef};

    fn rule(pattern: &str, targets: Option<Vec<String>>) -> EventBridgeRule {
        EventBridgeRule {
            name: "destructive".into(),
            arn: format!("arn:aws:events:{REGION}:{PROD}:rule/destructive"),
            event_bus: "default".into(),
            state: "ENABLED".into(),
            event_pattern: Some(pattern.into()),
            targets,
            ..Default::default()
        }
    }

    const ALL_DELETES: &str = r#"{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":[{"prefix":"Delete"},{"prefix":"Terminate"},{"prefix":"Deregister"}],"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":[{"anything-but":{"prefix":"ci-"}}]}}}}}"#;

    fn with_rule(rule: EventBridgeRule) -> crate::inventory::Snapshot {
        prod_only(|r| r.eventbridge_rules = Some(vec![rule]))
    }

    #[test]
    fn a_rule_catching_every_destructive_call_passes() {
        let snapshot = with_rule(rule(
            ALL_DELETES,
            Some(vec!["arn:aws:sns:eu-west-1:222222222222:alerts".into()]),
        ));
        let findings = run(&super::CHECK, &snapshot);
        let pass = prod_finding(&findings);
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert_eq!(pass.evidence["uncaught_events"], serde_json::json!([]));
    }

    #[test]
    fn a_narrow_rule_fails_naming_the_uncaught_events() {
        let narrow = r#"{"source":["aws.ec2"],"detail":{"eventName":["TerminateInstances"]}}"#;
        let snapshot = with_rule(rule(narrow, Some(vec!["arn:aws:sns:x".into()])));
        let findings = run(&super::CHECK, &snapshot);
        let fail = prod_finding(&findings);
        assert_eq!(fail.status, Status::Fail);
        let uncaught = fail.evidence["uncaught_events"].as_array().unwrap();
        assert!(uncaught.contains(&"rds:DeleteDBInstance".into()));
        assert!(!uncaught.contains(&"ec2:TerminateInstances".into()));
    }

    #[test]
    fn a_rule_without_targets_or_disabled_does_not_count() {
        let findings = run(&super::CHECK, &with_rule(rule(ALL_DELETES, Some(vec![]))));
        assert_eq!(prod_finding(&findings).status, Status::Fail);
        let mut disabled = rule(ALL_DELETES, Some(vec!["arn:aws:sns:x".into()]));
        disabled.state = "DISABLED".into();
        assert_eq!(
            prod_finding(&run(&super::CHECK, &with_rule(disabled))).status,
            Status::Fail
        );
    }

    #[test]
    fn a_rule_excluding_the_agent_does_not_catch_it() {
        let ci_only = ALL_DELETES.replace(
            r#"{"anything-but":{"prefix":"ci-"}}"#,
            r#"{"prefix":"ci-"}"#,
        );
        let findings = run(
            &super::CHECK,
            &with_rule(rule(&ci_only, Some(vec!["arn:aws:sns:x".into()]))),
        );
        assert_eq!(prod_finding(&findings).status, Status::Fail);
    }

    #[test]
    fn unread_targets_uncollected_rules_and_unparsable_patterns_are_unknown() {
        let findings = run(&super::CHECK, &with_rule(rule(ALL_DELETES, None)));
        assert_eq!(prod_finding(&findings).status, Status::Unknown);
        let findings = run(&super::CHECK, &prod_only(|r| r.eventbridge_rules = None));
        assert_eq!(prod_finding(&findings).status, Status::Unknown);
        let findings = run(
            &super::CHECK,
            &with_rule(rule("{\"detail\": \"x\"}", Some(vec!["a".into()]))),
        );
        let unknown = prod_finding(&findings);
        assert_eq!(unknown.status, Status::Unknown);
        assert!(unknown.evidence["unparsed_patterns"][0]["error"].is_string());
    }

    #[test]
    fn a_metric_filter_on_the_org_trail_with_an_alarm_catches_member_calls() {
        let mut snapshot = org_estate(org_trail(true, true, "All"));
        let home = snapshot.accounts[0]
            .regions
            .as_mut()
            .unwrap()
            .get_mut("us-east-1")
            .unwrap();
        let metric = MetricRef {
            namespace: "CISBenchmark".into(),
            name: "Deletes".into(),
        };
        home.log_metric_filters = Some(vec![LogMetricFilter {
            name: "deletes".into(),
            log_group: "org-audit".into(),
            pattern: r#"{ ($.eventName = Delete*) || ($.eventName = Terminate*) || ($.eventName = DeregisterImage) }"#.into(),
            metrics: vec![metric.clone()],
        }]);
        let alarm = CloudWatchAlarm {
            name: "deletes".into(),
            arn: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:deletes".into(),
            metric: Some(metric),
            state: "OK".into(),
            actions_enabled: true,
            alarm_actions: vec!["arn:aws:sns:us-east-1:111111111111:security".into()],
        };
        home.cloudwatch_alarms = Some(vec![alarm.clone()]);
        let findings = run(&super::CHECK, &snapshot);
        let pass = prod_finding(&findings);
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert!(
            pass.evidence["caught_by"]["rds:DeleteDBCluster"][0]
                .as_str()
                .unwrap()
                .contains("metric filter org-audit/deletes with alarm deletes")
        );
        // Without an action on the alarm nothing is alerted.
        let home = snapshot.accounts[0]
            .regions
            .as_mut()
            .unwrap()
            .get_mut("us-east-1")
            .unwrap();
        home.cloudwatch_alarms = Some(vec![CloudWatchAlarm {
            alarm_actions: vec![],
            ..alarm
        }]);
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Fail
        );
    }

    #[test]
    fn nonprod_accounts_are_not_applicable() {
        let findings = run(&super::CHECK, &org_estate(org_trail(true, true, "All")));
        assert!(
            findings
                .iter()
                .any(|f| f.account.as_deref() == Some(NONPROD) && f.status == Status::NotApplicable)
        );
    }
}
