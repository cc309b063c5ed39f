//! Scoring: a status per check, the severity-weighted score and the maturity ladder.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{CheckRun, Finding, Severity, Status};

/// A rung of the maturity ladder.
pub struct Rung {
    pub level: u8,
    pub name: &'static str,
    /// Controls that must have checks at this level for the level to be assessable.
    pub controls: &'static [&'static str],
}

/// Level 0 needs nothing; each higher level holds when its checks, and all below, hold.
pub const LEVEL_ZERO_NAME: &str = "Exposed";
pub const LADDER: &[Rung] = &[
    Rung {
        level: 1,
        name: "Guarded",
        controls: &["SEC", "PRV", "HIL"],
    },
    Rung {
        level: 2,
        name: "Segregated",
        controls: &["SEG", "INP", "LOG"],
    },
    Rung {
        level: 3,
        name: "Recoverable",
        controls: &["DEL", "REC"],
    },
    Rung {
        level: 4,
        name: "Resilient",
        controls: &["REC"],
    },
];

/// The name of a level.
pub fn level_name(level: u8) -> &'static str {
    LADDER
        .iter()
        .find(|r| r.level == level)
        .map_or(LEVEL_ZERO_NAME, |r| r.name)
}

/// Outcome counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub pass: u64,
    pub fail: u64,
    pub unknown: u64,
    pub not_applicable: u64,
    pub waived: u64,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Unknown => self.unknown += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Waived => self.waived += 1,
        }
    }

    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut counts = Counts::default();
        for finding in findings {
            counts.add(finding.status);
        }
        counts
    }

    /// A check's status from its findings: any failure fails it, then any unknown makes it
    /// unknown (fail closed), then a waived failure makes it waived.
    pub fn status(&self) -> Status {
        if self.fail > 0 {
            Status::Fail
        } else if self.unknown > 0 {
            Status::Unknown
        } else if self.waived > 0 {
            Status::Waived
        } else if self.pass > 0 {
            Status::Pass
        } else {
            Status::NotApplicable
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    pub id: String,
    pub name: String,
    pub title: String,
    pub control: String,
    pub level: u8,
    pub severity: Severity,
    pub status: Status,
    /// Findings by status.
    pub counts: Counts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelState {
    /// Every check of the level passes, is waived or has nothing in scope.
    Held,
    /// A check of the level fails.
    Failed,
    /// No check fails, but one could not be evaluated.
    Unknown,
    /// A control of this level has no checks in this version: the level cannot be claimed.
    NotAssessed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelStatus {
    pub level: u8,
    pub name: String,
    pub state: LevelState,
    /// Checks of this level.
    pub checks: Vec<String>,
    /// Checks of this level that fail.
    pub failing: Vec<String>,
    /// Checks of this level that are unknown.
    pub unknown: Vec<String>,
    /// Controls of this level that have no checks yet.
    pub missing_controls: Vec<String>,
}

/// Scores and levels of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub checks: Vec<CheckResult>,
    /// `None` when no check had anything in scope.
    pub score: Option<f64>,
    pub level: u8,
    pub levels: Vec<LevelStatus>,
}

/// Scores check runs (after waivers were applied).
pub fn score(runs: &[CheckRun]) -> Scored {
    let checks: Vec<CheckResult> = runs
        .iter()
        .map(|run| {
            let entry = run.check.entry();
            let counts = Counts::of(&run.findings);
            CheckResult {
                id: run.check.id.to_owned(),
                name: run.check.name.to_owned(),
                title: entry.title.clone(),
                control: entry.control.clone(),
                level: entry.level,
                severity: entry.severity,
                status: counts.status(),
                counts,
            }
        })
        .collect();
    let score = weighted_score(&checks);
    let levels = ladder(&checks);
    let level = levels
        .iter()
        .take_while(|l| l.state == LevelState::Held)
        .last()
        .map_or(0, |l| l.level);
    Scored {
        checks,
        score,
        level,
        levels,
    }
}

/// Severity-weighted share of passing checks (waived counts as passing) among those evaluated
/// (pass, waived, fail, unknown), in percent, rounded down to one decimal so that it never rounds
/// up past a threshold.
fn weighted_score(checks: &[CheckResult]) -> Option<f64> {
    let mut passing = 0u64;
    let mut evaluated = 0u64;
    for check in checks {
        let weight = u64::from(check.severity.weight());
        match check.status {
            Status::Pass | Status::Waived => {
                passing += weight;
                evaluated += weight;
            }
            Status::Fail | Status::Unknown => evaluated += weight,
            Status::NotApplicable => {}
        }
    }
    (evaluated > 0).then(|| (passing * 1000 / evaluated) as f64 / 10.0)
}

fn ladder(checks: &[CheckResult]) -> Vec<LevelStatus> {
    LADDER
        .iter()
        .map(|rung| {
            let at_level: Vec<&CheckResult> =
                checks.iter().filter(|c| c.level == rung.level).collect();
            let ids = |status: Option<Status>| {
                at_level
                    .iter()
                    .filter(|c| status.is_none_or(|s| c.status == s))
                    .map(|c| c.id.clone())
                    .collect::<Vec<_>>()
            };
            let missing_controls: Vec<String> = rung
                .controls
                .iter()
                .filter(|control| !at_level.iter().any(|c| c.control == **control))
                .map(|c| (*c).to_owned())
                .collect();
            let failing = ids(Some(Status::Fail));
            let unknown = ids(Some(Status::Unknown));
            let state = if !failing.is_empty() {
                LevelState::Failed
            } else if !unknown.is_empty() {
                LevelState::Unknown
            } else if !missing_controls.is_empty() {
                LevelState::NotAssessed
            } else {
                LevelState::Held
            };
            LevelStatus {
                level: rung.level,
                name: rung.name.to_owned(),
                state,
                checks: ids(None),
                failing,
                unknown,
                missing_controls,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        id: &str,
        control: &str,
        level: u8,
        severity: Severity,
        status: Status,
    ) -> CheckResult {
        CheckResult {
            id: id.into(),
            name: id.to_lowercase(),
            title: String::new(),
            control: control.into(),
            level,
            severity,
            status,
            counts: Counts::default(),
        }
    }

    /// One check per control of levels 1–3, all with `status`.
    fn full(status: Status) -> Vec<CheckResult> {
        let mut checks = Vec::new();
        for rung in LADDER {
            for control in rung.controls {
                let id = format!("{control}{}", rung.level);
                checks.push(check(&id, control, rung.level, Severity::High, status));
            }
        }
        checks
    }

    fn level_of(checks: &[CheckResult]) -> u8 {
        ladder(checks)
            .iter()
            .take_while(|l| l.state == LevelState::Held)
            .last()
            .map_or(0, |l| l.level)
    }

    #[test]
    fn everything_not_applicable_has_no_score_but_holds_every_level() {
        let checks = full(Status::NotApplicable);
        assert_eq!(weighted_score(&checks), None);
        assert_eq!(level_of(&checks), 4);
    }

    #[test]
    fn one_unknown_counts_as_not_passing_and_blocks_its_level() {
        let mut checks = full(Status::Pass);
        checks[0].status = Status::Unknown; // a level-1 check
        let total = checks.len() as f64;
        assert_eq!(
            weighted_score(&checks),
            Some(((total - 1.0) / total * 1000.0).floor() / 10.0)
        );
        assert_eq!(level_of(&checks), 0);
        assert_eq!(ladder(&checks)[0].state, LevelState::Unknown);
    }

    #[test]
    fn a_waived_failure_passes_its_level_and_counts_as_passing() {
        let mut checks = full(Status::Pass);
        checks[0].status = Status::Waived;
        assert_eq!(weighted_score(&checks), Some(100.0));
        assert_eq!(level_of(&checks), 4);
    }

    #[test]
    fn a_level_three_failure_with_levels_one_and_two_clean_reaches_level_two() {
        let mut checks = full(Status::Pass);
        let del = checks.iter_mut().find(|c| c.control == "DEL").unwrap();
        del.status = Status::Fail;
        assert_eq!(level_of(&checks), 2);
        let levels = ladder(&checks);
        assert_eq!(levels[2].state, LevelState::Failed);
        assert_eq!(levels[2].failing, vec!["DEL3"]);
        // Level 4 holds on its own but cannot be reached past a failed level 3.
        assert_eq!(levels[3].state, LevelState::Held);
    }

    #[test]
    fn severity_weights_the_score() {
        let checks = vec![
            check("A", "SEC", 1, Severity::Critical, Status::Pass),
            check("B", "SEC", 1, Severity::Low, Status::Fail),
            check("C", "SEC", 1, Severity::Medium, Status::NotApplicable),
        ];
        // 10 / (10 + 1) = 90.909… → 90.9
        assert_eq!(weighted_score(&checks), Some(90.9));
        let checks = vec![
            check("A", "SEC", 1, Severity::Low, Status::Pass),
            check("B", "SEC", 1, Severity::Critical, Status::Fail),
        ];
        // 1 / 11 = 9.0909… → 9.0
        assert_eq!(weighted_score(&checks), Some(9.0));
    }

    #[test]
    fn the_score_rounds_down_never_up() {
        // 2 of 3 equal checks: 66.666… → 66.6, not 66.7.
        let checks = vec![
            check("A", "SEC", 1, Severity::High, Status::Pass),
            check("B", "SEC", 1, Severity::High, Status::Pass),
            check("C", "SEC", 1, Severity::High, Status::Fail),
        ];
        assert_eq!(weighted_score(&checks), Some(66.6));
    }

    #[test]
    fn a_level_whose_controls_have_no_checks_is_not_assessed() {
        let checks = vec![check("DEL002", "DEL", 3, Severity::High, Status::Pass)];
        let levels = ladder(&checks);
        assert_eq!(levels[0].state, LevelState::NotAssessed);
        assert_eq!(levels[0].missing_controls, vec!["SEC", "PRV", "HIL"]);
        assert_eq!(levels[2].missing_controls, vec!["REC"]);
        assert_eq!(level_of(&checks), 0);
    }

    #[test]
    fn check_status_precedence() {
        let c = |pass, fail, unknown, not_applicable, waived| Counts {
            pass,
            fail,
            unknown,
            not_applicable,
            waived,
        };
        assert_eq!(c(5, 1, 1, 0, 1).status(), Status::Fail);
        assert_eq!(c(5, 0, 1, 0, 1).status(), Status::Unknown);
        assert_eq!(c(5, 0, 0, 3, 1).status(), Status::Waived);
        assert_eq!(c(5, 0, 0, 3, 0).status(), Status::Pass);
        assert_eq!(c(0, 0, 0, 3, 0).status(), Status::NotApplicable);
        assert_eq!(c(0, 0, 0, 0, 0).status(), Status::NotApplicable);
    }
}
