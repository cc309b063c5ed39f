//! LOG001 cloudtrail-multi-region: every production account is covered by a trail that is
//! logging, spans every region, and records management events — reads and writes. Without it
//! there is no record of what an agent or a leaked key did.

use crate::checks::log::{TrailView, coverage, prod_account, trail_finding};
use crate::checks::scope::{TRAILS, account_not_collected};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "LOG001",
    name: "cloudtrail-multi-region",
    catalogue: include_str!("../../../checks/log/LOG001-cloudtrail-multi-region.toml"),
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
        let Some(trails) = coverage(snapshot, account) else {
            out.extend(account_not_collected(snapshot, ctx, account, TRAILS));
            continue;
        };
        let name = account.display_name();
        let env = verdict.class.as_str();
        let good: Vec<&TrailView> = trails
            .iter()
            .filter(|t| t.qualifies == Some(true))
            .collect();
        let undecided = trails.iter().any(|t| t.qualifies.is_none());
        let (status, message) = if let Some(trail) = good.first() {
            (
                Status::Pass,
                format!(
                    "account {name} ({env}) is covered by {}trail {}, logging management reads and writes in every region",
                    if trail.trail.organization_trail {
                        "organization "
                    } else {
                        ""
                    },
                    trail.trail.name
                ),
            )
        } else if undecided {
            (
                Status::Unknown,
                format!(
                    "account {name} ({env}): whether its trails are logging, or which events they record, was not collected"
                ),
            )
        } else if trails.is_empty() {
            (
                Status::Fail,
                format!(
                    "account {name} ({env}) has no CloudTrail trail: API calls leave no lasting record"
                ),
            )
        } else {
            let why: Vec<String> = trails
                .iter()
                .map(|t| format!("{}: {}", t.trail.name, t.problems.join(", ")))
                .collect();
            (
                Status::Fail,
                format!(
                    "account {name} ({env}) has no logging multi-region trail recording management reads and writes ({})",
                    why.join("; ")
                ),
            )
        };
        let mut finding = trail_finding(account, &verdict, status, message, &trails);
        if status == Status::Fail {
            finding.remediation = Some(
                "aws cloudtrail create-trail --name org-audit --s3-bucket-name BUCKET --is-multi-region-trail --is-organization-trail --enable-log-file-validation, then aws cloudtrail start-logging --name org-audit (or fix the trail named in the evidence: update-trail --is-multi-region-trail, put-event-selectors with ReadWriteType=All and IncludeManagementEvents=true, start-logging)"
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

    #[test]
    fn an_organization_trail_covers_a_member_account() {
        let snapshot = org_estate(org_trail(true, true, "All"));
        let findings = run(&super::CHECK, &snapshot);
        let pass = prod_finding(&findings);
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert!(
            pass.message.contains("organization trail org-audit"),
            "{}",
            pass.message
        );
    }

    #[test]
    fn a_single_region_or_write_only_or_stopped_trail_fails() {
        for (multi, logging, rw, problem) in [
            (false, true, "All", "single-region"),
            (true, true, "WriteOnly", "write-only management events only"),
            (true, false, "All", "not logging"),
        ] {
            let snapshot = org_estate(org_trail(multi, logging, rw));
            let findings = run(&super::CHECK, &snapshot);
            let fail = prod_finding(&findings);
            assert_eq!(fail.status, Status::Fail, "{fail:#?}");
            assert!(fail.message.contains(problem), "{}", fail.message);
            assert!(fail.remediation.is_some());
        }
    }

    #[test]
    fn no_trail_at_all_fails_and_uncollected_trails_are_unknown() {
        let snapshot = prod_only(|r| r.cloudtrail_trails = Some(vec![]));
        let findings = run(&super::CHECK, &snapshot);
        assert_eq!(prod_finding(&findings).status, Status::Fail);
        let snapshot = prod_only(|r| r.cloudtrail_trails = None);
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Unknown
        );
    }

    #[test]
    fn an_empty_selector_answer_is_unknown_not_a_pass() {
        let mut trail = org_trail(true, true, "All");
        trail.event_selectors = Some(Default::default());
        let snapshot = prod_only(|r| r.cloudtrail_trails = Some(vec![trail]));
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Unknown
        );
    }

    #[test]
    fn unread_status_is_unknown() {
        let mut trail = org_trail(true, true, "All");
        trail.is_logging = None;
        let snapshot = prod_only(|r| r.cloudtrail_trails = Some(vec![trail]));
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Unknown
        );
    }

    #[test]
    fn the_management_account_is_judged_and_its_own_organization_trail_covers_it() {
        let mut snapshot = org_estate(org_trail(true, true, "All"));
        // Without Organizations data the management account's class is unknown…
        let findings = run(&super::CHECK, &snapshot);
        let of_management = |findings: &[crate::checks::Finding]| {
            findings
                .iter()
                .find(|f| f.account.as_deref() == Some(MANAGEMENT))
                .cloned()
                .unwrap()
        };
        assert_eq!(of_management(&findings).status, Status::Unknown);
        // …with it, the account is judged as production is.
        crate::checks::testing::in_organization(&mut snapshot, MANAGEMENT);
        let findings = run(&super::CHECK, &snapshot);
        let pass = of_management(&findings);
        assert_eq!(pass.status, Status::Pass, "{pass:#?}");
        assert!(
            pass.message
                .starts_with("account acme-management (management) is covered"),
            "{}",
            pass.message
        );
        let snapshot = {
            let mut s = org_estate(org_trail(false, true, "All"));
            crate::checks::testing::in_organization(&mut s, MANAGEMENT);
            s
        };
        assert_eq!(
            of_management(&run(&super::CHECK, &snapshot)).status,
            Status::Fail
        );
    }

    #[test]
    fn nonprod_accounts_are_not_applicable() {
        let snapshot = org_estate(org_trail(true, true, "All"));
        let findings = run(&super::CHECK, &snapshot);
        assert!(
            findings
                .iter()
                .any(|f| f.account.as_deref() == Some(NONPROD) && f.status == Status::NotApplicable)
        );
    }
}
