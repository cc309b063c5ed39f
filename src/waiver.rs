//! Waivers: accepted risks from the configuration, applied to failing findings.

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{AppliedWaiver, CheckRun, Status};
use crate::config::{self, Waiver};

/// What became of a configured waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverState {
    pub check: String,
    pub resource: String,
    pub reason: String,
    pub expires: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub state: WaiverStatus,
    /// Failing findings it waived (active) or would have waived (expired).
    pub matched: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// In force and waiving at least one failing finding.
    Active,
    /// Past its expiry date: it no longer applies.
    Expired,
    /// In force but matching no failing finding: remove it.
    Stale,
}

impl WaiverStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverStatus::Active => "active",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Stale => "stale",
        }
    }
}

/// Marks failing findings covered by an unexpired waiver as `waived`. `today` is the UTC date of
/// the evaluation. Returns the state of every waiver, in configuration order.
pub fn apply(waivers: &[Waiver], runs: &mut [CheckRun], today: Date) -> Vec<WaiverState> {
    waivers
        .iter()
        .map(|waiver| {
            // Validated when the configuration was loaded.
            let matcher = config::glob(&waiver.resource).ok();
            let expired = waiver.expires < today;
            let mut matched = 0;
            let failing = runs
                .iter_mut()
                .filter(|run| run.check.id.eq_ignore_ascii_case(&waiver.check))
                .flat_map(|run| run.findings.iter_mut())
                .filter(|f| matches!(f.status, Status::Fail | Status::Waived));
            for finding in failing {
                if !matcher
                    .as_ref()
                    .is_some_and(|m| m.is_match(&finding.resource))
                {
                    continue;
                }
                matched += 1;
                if !expired && finding.status == Status::Fail {
                    finding.status = Status::Waived;
                    finding.waiver = Some(AppliedWaiver {
                        reason: waiver.reason.clone(),
                        expires: waiver.expires,
                        owner: waiver.owner.clone(),
                    });
                }
            }
            let state = match (expired, matched) {
                (true, _) => WaiverStatus::Expired,
                (false, 0) => WaiverStatus::Stale,
                (false, _) => WaiverStatus::Active,
            };
            WaiverState {
                check: waiver.check.to_uppercase(),
                resource: waiver.resource.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires,
                owner: waiver.owner.clone(),
                state,
                matched,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::checks::testing::{PROD, estate, run_check};
    use crate::checks::{CheckRun, REGISTRY};
    use crate::inventory::RdsInstance;

    fn runs() -> Vec<CheckRun> {
        let check = REGISTRY.iter().find(|c| c.id == "DEL002").unwrap();
        let snapshot = estate(|r| {
            r.rds_clusters = Some(vec![]);
            r.rds_instances = Some(vec![RdsInstance {
                id: "legacy".into(),
                arn: format!("arn:aws:rds:eu-west-1:{PROD}:db:legacy"),
                engine: "mysql".into(),
                status: "available".into(),
                deletion_protection: Some(false),
                ..Default::default()
            }]);
        });
        vec![CheckRun {
            check,
            findings: run_check(check, &snapshot),
        }]
    }

    fn waiver(check: &str, resource: &str, expires: Date) -> Waiver {
        Waiver {
            check: check.into(),
            resource: resource.into(),
            reason: "accepted".into(),
            expires,
            owner: None,
        }
    }

    #[test]
    fn a_waiver_applies_through_its_expiry_day_and_not_after() {
        let w = [waiver(
            "del002",
            "arn:aws:rds:*:db:legacy",
            date(2026, 11, 24),
        )];
        let mut on_the_day = runs();
        assert_eq!(
            apply(&w, &mut on_the_day, date(2026, 11, 24))[0].state,
            WaiverStatus::Active
        );
        assert_eq!(on_the_day[0].findings[0].status, Status::Waived);
        let mut day_after = runs();
        let states = apply(&w, &mut day_after, date(2026, 11, 25));
        assert_eq!(
            (states[0].state, states[0].matched),
            (WaiverStatus::Expired, 1)
        );
        assert_eq!(day_after[0].findings[0].status, Status::Fail);
        assert_eq!(day_after[0].findings[0].waiver, None);
    }

    #[test]
    fn a_waiver_for_another_check_or_resource_is_stale() {
        for w in [
            waiver("REC001", "*", date(2030, 1, 1)),
            waiver("DEL002", "arn:aws:rds:*:db:other", date(2030, 1, 1)),
        ] {
            let mut runs = runs();
            assert_eq!(
                apply(&[w], &mut runs, date(2026, 11, 24))[0].state,
                WaiverStatus::Stale
            );
            assert_eq!(runs[0].findings[0].status, Status::Fail);
        }
    }
}
