//! DEL005 recycle-bin: in production regions that hold EBS snapshots or AMIs, a Recycle Bin
//! retention rule keeps deleted ones recoverable for a while. Without it, `DeleteSnapshot` and
//! `DeregisterImage` are final.

use serde_json::{Value, json};

use crate::checks::scope::{RECYCLE_BIN_RULES, account_finding, add_evidence, out_of_scope};
use crate::checks::{Check, Ctx, Finding, Judged, RegionScope, Status, regions};
use crate::inventory::{RecycleBinRule, Snapshot};

pub const CHECK: Check = Check {
    id: "DEL005",
    name: "recycle-bin",
    catalogue: include_str!("../../../checks/del/DEL005-recycle-bin.toml"),
    run,
};

/// The resource types a region may hold, as Recycle Bin names them.
const TYPES: [(&str, &str); 2] = [("EBS_SNAPSHOT", "EBS snapshots"), ("EC2_IMAGE", "AMIs")];

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for scope in regions(snapshot, ctx, &mut out) {
        out.extend(judge_region(&scope, ctx));
    }
    out
}

fn judge_region(scope: &RegionScope, ctx: &Ctx) -> Option<Finding> {
    let owned = [scope.region.owns_ebs_snapshots, scope.region.owns_images];
    let verdict = ctx.classes.account(&scope.account.id);
    let resource = format!("arn:aws:rbin:{}:{}:rule/*", scope.name, scope.account.id);
    let at = scope.where_();
    let finding =
        |status| account_finding(scope.account, Some(scope.name), status, verdict, &resource);
    // Only regions that hold (or may hold) snapshots or images need a rule.
    if owned.iter().all(|o| *o == Some(false)) {
        if ctx.judges(verdict.class) != Judged::Yes {
            return None;
        }
        let mut f = finding(Status::NotApplicable);
        f.message = format!("out of scope: {at} holds no EBS snapshot and no AMI");
        return Some(f);
    }
    match ctx.judges(verdict.class) {
        Judged::Yes => {}
        Judged::OutOfScope => {
            let mut f = finding(Status::NotApplicable);
            f.message = out_of_scope("", &at, verdict.class);
            return Some(f);
        }
        Judged::Unclassified => {
            let mut f = finding(Status::Unknown);
            f.message = format!(
                "environment of {at} is unclassified; declare it in ringfence.toml [environments]"
            );
            return Some(f);
        }
    }
    let Some(rules) = &scope.region.recycle_bin_rules else {
        return scope.not_collected(ctx, RECYCLE_BIN_RULES);
    };
    let minimum = ctx.config.deletion.recycle_bin_min_retention_days;
    let mut gaps = Vec::new();
    let mut unknown = Vec::new();
    let mut warnings = Vec::new();
    let mut coverage = serde_json::Map::new();
    for ((kind, plural), held) in TYPES.into_iter().zip(owned) {
        if held == Some(false) {
            continue;
        }
        let cover = coverage_of(rules, kind, minimum);
        if let Some(rule) = cover.full {
            if rule.lock_state.as_deref() != Some("locked") {
                warnings.push(format!(
                    "rule {} for {plural} is {}: whoever can delete {plural} can usually delete the rule; lock it",
                    rule.id,
                    rule.lock_state.as_deref().unwrap_or("unlocked")
                ));
            }
        } else if held == Some(true) {
            gaps.push(format!("{plural}: {}", cover.why));
        } else {
            unknown.push(format!(
                "whether {at} holds {plural} was not collected, and no rule covers them"
            ));
        }
        coverage.insert(kind.to_owned(), cover.evidence);
    }
    let status = if !gaps.is_empty() {
        Status::Fail
    } else if !unknown.is_empty() {
        Status::Unknown
    } else {
        Status::Pass
    };
    let mut f = scope.finding(status, verdict, &resource);
    f.message = match status {
        Status::Pass => format!(
            "{at} (prod) keeps deleted EBS snapshots and AMIs in the Recycle Bin for at least {minimum} days"
        ),
        Status::Fail => format!(
            "{at} (prod) can lose EBS snapshots or AMIs for good: {}",
            gaps.join("; ")
        ),
        _ => unknown.join("; "),
    };
    add_evidence(&mut f, "owns_ebs_snapshots", json!(owned[0]));
    add_evidence(&mut f, "owns_images", json!(owned[1]));
    add_evidence(&mut f, "min_retention_days", json!(minimum));
    add_evidence(&mut f, "coverage", Value::Object(coverage));
    if !warnings.is_empty() {
        add_evidence(&mut f, "warnings", json!(warnings));
    }
    if status == Status::Fail {
        f.remediation = Some(format!(
            "aws rbin create-rule --resource-type EBS_SNAPSHOT --retention-period RetentionPeriodValue={minimum},RetentionPeriodUnit=DAYS --region {r} (and the same with --resource-type EC2_IMAGE); then aws rbin lock-rule --identifier RULE_ID --lock-configuration 'UnlockDelay={{UnlockDelayValue=7,UnlockDelayUnit=DAYS}}' --region {r}",
            r = scope.name
        ));
    }
    Some(f)
}

/// How the rules of a region cover one resource type.
struct Coverage<'r> {
    /// A rule that retains every resource of the type long enough.
    full: Option<&'r RecycleBinRule>,
    /// Why nothing covers it fully, for the message.
    why: String,
    evidence: Value,
}

fn coverage_of<'r>(rules: &'r [RecycleBinRule], kind: &str, minimum: u32) -> Coverage<'r> {
    let of_kind: Vec<&RecycleBinRule> = rules
        .iter()
        .filter(|r| r.resource_type == kind && r.status == "available")
        .collect();
    let rules_evidence = json!(
        of_kind
            .iter()
            .map(|r| json!({
                "id": r.id,
                "retention_days": r.retention_days,
                "lock_state": r.lock_state,
                "resource_tags": r.resource_tags,
                "exclude_resource_tags": r.exclude_resource_tags,
            }))
            .collect::<Vec<_>>()
    );
    let full = of_kind
        .iter()
        .filter(|r| r.resource_tags.is_empty())
        .filter(|r| r.exclude_resource_tags.is_empty() && r.retention_days >= minimum)
        .max_by_key(|r| (r.lock_state.as_deref() == Some("locked"), r.retention_days))
        .copied();
    let why = if of_kind.is_empty() {
        "no retention rule".to_owned()
    } else if let Some(short) = of_kind
        .iter()
        .filter(|r| r.resource_tags.is_empty())
        .filter(|r| r.exclude_resource_tags.is_empty())
        .map(|r| r.retention_days)
        .max()
    {
        format!("the region-level rule keeps them {short} days, less than {minimum}")
    } else if of_kind.iter().any(|r| r.resource_tags.is_empty()) {
        "the region-level rule excludes resources by tag".to_owned()
    } else {
        "only tag-level rules, which retain only resources carrying their tags".to_owned()
    };
    Coverage {
        full,
        why,
        evidence: json!({ "covered": full.is_some(), "rules": rules_evidence }),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::config::Config;
    use crate::inventory::{RecycleBinRule, Region, Tags};

    fn rule(kind: &str, days: u32, lock: &str) -> RecycleBinRule {
        RecycleBinRule {
            id: format!("rule-{kind}"),
            resource_type: kind.into(),
            retention_days: days,
            status: "available".into(),
            lock_state: Some(lock.into()),
            ..Default::default()
        }
    }

    fn region(
        snapshots: Option<bool>,
        images: Option<bool>,
        rules: Vec<RecycleBinRule>,
    ) -> impl FnOnce(&mut Region) {
        move |r| {
            r.owns_ebs_snapshots = snapshots;
            r.owns_images = images;
            r.recycle_bin_rules = Some(rules);
        }
    }

    fn run_on(shape: impl FnOnce(&mut Region)) -> Vec<crate::checks::Finding> {
        run_check(&super::CHECK, &estate(shape))
    }

    #[test]
    fn locked_rules_for_both_types_pass() {
        let findings = run_on(region(
            Some(true),
            Some(true),
            vec![
                rule("EBS_SNAPSHOT", 14, "locked"),
                rule("EC2_IMAGE", 7, "locked"),
            ],
        ));
        let pass = only(&findings, Status::Pass);
        assert!(pass.evidence.get("warnings").is_none());
        assert_eq!(pass.evidence["coverage"]["EBS_SNAPSHOT"]["covered"], true);
    }

    #[test]
    fn an_unlocked_rule_passes_with_a_warning() {
        let findings = run_on(region(
            Some(true),
            Some(false),
            vec![rule("EBS_SNAPSHOT", 7, "unlocked")],
        ));
        let pass = only(&findings, Status::Pass);
        assert!(
            pass.evidence["warnings"][0]
                .as_str()
                .unwrap()
                .contains("lock it")
        );
    }

    #[test]
    fn missing_short_excluding_or_tag_level_rules_fail() {
        let mut excluding = rule("EBS_SNAPSHOT", 30, "locked");
        excluding.exclude_resource_tags = Tags::from([("keep".into(), "no".into())]);
        let mut tagged = rule("EBS_SNAPSHOT", 30, "locked");
        tagged.resource_tags = Tags::from([("backup".into(), "yes".into())]);
        for (rules, why) in [
            (vec![], "no retention rule"),
            (
                vec![rule("EBS_SNAPSHOT", 3, "locked")],
                "3 days, less than 7",
            ),
            (vec![excluding], "excludes resources by tag"),
            (vec![tagged], "only tag-level rules"),
        ] {
            let findings = run_on(region(Some(true), Some(false), rules));
            let fail = only(&findings, Status::Fail);
            assert!(fail.message.contains(why), "{}", fail.message);
            assert!(
                fail.remediation
                    .as_deref()
                    .unwrap()
                    .contains("aws rbin create-rule")
            );
        }
    }

    #[test]
    fn the_minimum_comes_from_the_config() {
        let mut config = Config::default();
        config.deletion.recycle_bin_min_retention_days = 30;
        let snapshot = estate(region(
            Some(true),
            Some(false),
            vec![rule("EBS_SNAPSHOT", 14, "locked")],
        ));
        only(
            &run_check_with(&super::CHECK, &snapshot, &config),
            Status::Fail,
        );
    }

    #[test]
    fn unknown_when_rules_or_holdings_were_not_collected() {
        let mut snapshot = estate(|r| r.owns_ebs_snapshots = Some(true));
        snapshot.errors.push(access_denied("rbin", "ListRules"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
        only(&run_on(region(None, Some(false), vec![])), Status::Unknown);
        // A rule that covers the type anyway makes the unknown holding irrelevant.
        only(
            &run_on(region(
                None,
                Some(false),
                vec![rule("EBS_SNAPSHOT", 7, "locked")],
            )),
            Status::Pass,
        );
    }

    #[test]
    fn empty_regions_and_nonprod_accounts_are_not_applicable() {
        only(
            &run_on(region(Some(false), Some(false), vec![])),
            Status::NotApplicable,
        );
        let findings = run_check(
            &super::CHECK,
            &estate_in(NONPROD, region(Some(true), Some(true), vec![])),
        );
        only(&findings, Status::NotApplicable);
    }
}
