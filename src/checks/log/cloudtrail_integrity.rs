//! LOG002 cloudtrail-integrity: the trail that covers a production account validates its log
//! files, so records deleted or edited by whoever can write the bucket are detected.

use crate::checks::log::{coverage, prod_account, trail_finding};
use crate::checks::scope::{TRAILS, account_not_collected};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "LOG002",
    name: "cloudtrail-integrity",
    catalogue: include_str!("../../../checks/log/LOG002-cloudtrail-integrity.toml"),
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
        // Trails that are (or may be) the account's audit trail, as LOG001 judges them.
        let candidates: Vec<_> = trails
            .iter()
            .filter(|t| t.qualifies != Some(false))
            .collect();
        let validated = |decided: bool| {
            candidates
                .iter()
                .find(|t| t.qualifies.is_some() == decided && t.trail.log_file_validation)
        };
        let (status, message) = if let Some(t) = validated(true) {
            (
                Status::Pass,
                format!(
                    "account {name} ({env}) is covered by trail {}, which validates its log files",
                    t.trail.name
                ),
            )
        } else if let Some(t) = validated(false) {
            (
                Status::Unknown,
                format!(
                    "account {name} ({env}): trail {} validates its log files, but whether it covers the account was not collected",
                    t.trail.name
                ),
            )
        } else if candidates.is_empty() {
            (
                Status::Fail,
                format!(
                    "account {name} ({env}) has no audit trail whose log files could be validated (see LOG001)"
                ),
            )
        } else {
            let names: Vec<&str> = candidates.iter().map(|t| t.trail.name.as_str()).collect();
            (
                Status::Fail,
                format!(
                    "account {name} ({env}) is covered by trail {} without log file validation: edited or deleted log files go unnoticed",
                    names.join(", ")
                ),
            )
        };
        let mut finding = trail_finding(account, &verdict, status, message, &trails);
        if status == Status::Fail {
            finding.remediation = Some(format!(
                "aws cloudtrail update-trail --name {} --enable-log-file-validation",
                candidates.first().map_or("TRAIL", |t| t.trail.arn.as_str())
            ));
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
    fn a_validated_trail_passes_and_an_unvalidated_one_fails() {
        let trail = org_trail(true, true, "All");
        assert_eq!(
            prod_finding(&run(&super::CHECK, &org_estate(trail.clone()))).status,
            Status::Pass
        );
        let mut plain = trail;
        plain.log_file_validation = false;
        let findings = run(&super::CHECK, &org_estate(plain));
        let fail = prod_finding(&findings);
        assert_eq!(fail.status, Status::Fail);
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("--enable-log-file-validation")
        );
    }

    #[test]
    fn no_covering_trail_fails_and_undecided_coverage_is_unknown() {
        let findings = run(&super::CHECK, &org_estate(org_trail(false, true, "All")));
        assert_eq!(prod_finding(&findings).status, Status::Fail);
        let mut trail = org_trail(true, true, "All");
        trail.event_selectors = None;
        let snapshot = prod_only(|r| r.cloudtrail_trails = Some(vec![trail]));
        assert_eq!(
            prod_finding(&run(&super::CHECK, &snapshot)).status,
            Status::Unknown
        );
    }

    #[test]
    fn nonprod_accounts_are_not_applicable() {
        let findings = run(&super::CHECK, &org_estate(org_trail(true, true, "All")));
        assert!(findings.iter().any(|f| f.status == Status::NotApplicable));
    }
}
