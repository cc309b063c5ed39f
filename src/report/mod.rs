//! The finished report, the gate, and one renderer per format.
//!
//! [`Report`] is the JSON contract dashboards read; every renderer prints a finished report
//! and computes nothing.

mod catalogue;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod scan;
mod table;

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use catalogue::{render_catalogue_table, render_explain};
pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::{MAX_BYTES as MARKDOWN_MAX_BYTES, render_markdown};
pub use sarif::render_sarif;
pub use scan::{
    SCAN_SCHEMA_VERSION, ScanInputs, ScanReport, ScanScope, render_scan_json, render_scan_table,
};
pub use table::render_table;

use crate::checks::{CONTROLS, Finding, Severity, Status};
use crate::classify::{Classification, EnvClass, PrincipalKind};
use crate::inventory::{CollectionError, CollectionStats, ScanProblem, ScanStats, Snapshot};
use crate::score::{CheckResult, Counts, LevelState, LevelStatus, Scored, level_name};
use crate::waiver::WaiverState;

/// The report format this build writes (`MAJOR.MINOR`).
pub const REPORT_SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub generated_at: Timestamp,
    pub scope: Scope,
    pub summary: Summary,
    /// The maturity ladder, level 1 upward.
    pub levels: Vec<LevelStatus>,
    pub controls: Vec<ControlInfo>,
    pub checks: Vec<CheckResult>,
    /// Every finding, passing and not applicable ones included, sorted by check, account,
    /// region and resource.
    pub findings: Vec<Finding>,
    pub waivers: Vec<WaiverState>,
    pub collection_errors: Vec<CollectionError>,
    /// The CI gate's verdict, when a gate was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateVerdict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Where the inventory came from: `demo`, `snapshot` or `live`.
    pub source: String,
    /// The snapshot file, for `snapshot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// The configuration file read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    pub collected_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub accounts: Vec<AccountScope>,
    /// Every region collected in at least one account.
    pub regions: Vec<String>,
    /// IAM roles and users by kind.
    pub principals: BTreeMap<PrincipalKind, u64>,
    /// What live collection cost: API calls, retries, errors and time per service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionStats>,
    /// The workstation scan folded into the audit (`--workspace`), when there was one. Since
    /// report format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation: Option<WorkstationScope>,
}

/// What a workstation scan read and skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkstationScope {
    pub workspaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_home: Option<String>,
    pub attributed_with_sts: bool,
    pub stats: ScanStats,
    /// Files not searched, or searched in part (at most 100 listed).
    pub problems: Vec<ScanProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountScope {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub environment: EnvClass,
    /// Why the account has that environment.
    pub reason: String,
    /// Whether any region of the account was collected.
    pub collected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// 0–100, one decimal; `null` when no check had anything in scope.
    pub score: Option<f64>,
    pub level: u8,
    pub level_name: String,
    /// Checks by status.
    pub checks: Counts,
    /// Findings by status.
    pub findings: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlInfo {
    pub id: String,
    pub name: String,
}

/// The CI gate the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_under: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
}

impl Gate {
    pub fn is_empty(&self) -> bool {
        self.fail_under.is_none() && self.min_level.is_none() && self.fail_on.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateVerdict {
    pub passed: bool,
    pub criteria: Gate,
    /// Why it failed, one reason per criterion not met.
    pub reasons: Vec<String>,
}

/// Everything the report is built from.
pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub classes: &'a Classification,
    pub scored: Scored,
    pub findings: Vec<Finding>,
    pub waivers: Vec<WaiverState>,
    pub source: String,
    pub snapshot_path: Option<String>,
    pub config_path: Option<String>,
    pub generated_at: Timestamp,
}

impl Report {
    pub fn build(inputs: Inputs) -> Report {
        let Inputs {
            snapshot,
            classes,
            scored,
            findings,
            waivers,
            source,
            snapshot_path,
            config_path,
            generated_at,
        } = inputs;
        let accounts = snapshot
            .accounts
            .iter()
            .map(|account| {
                let verdict = classes.account(&account.id);
                AccountScope {
                    id: account.id.clone(),
                    name: account.name.clone(),
                    environment: verdict.class,
                    reason: verdict.reason.clone(),
                    collected: account.regions.as_ref().is_some_and(|r| !r.is_empty()),
                }
            })
            .collect();
        let regions = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.regions.iter().flat_map(|r| r.keys().cloned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut principals = BTreeMap::new();
        for verdict in classes.principals().values() {
            *principals.entry(verdict.kind).or_insert(0) += 1;
        }
        let mut check_counts = Counts::default();
        for check in &scored.checks {
            check_counts.add(check.status);
        }
        let mut errors = snapshot.errors.clone();
        errors.sort();
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_owned(),
            tool: Tool {
                name: "ringfence".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            generated_at,
            scope: Scope {
                source,
                snapshot: snapshot_path,
                config: config_path,
                collected_at: snapshot.collected_at,
                organization_id: snapshot.organization.as_ref().map(|o| o.id.clone()),
                accounts,
                regions,
                principals,
                collection: snapshot.collection.clone(),
                workstation: snapshot.workstation.as_ref().map(|w| WorkstationScope {
                    workspaces: w.workspaces.clone(),
                    aws_home: w.aws_home.clone(),
                    attributed_with_sts: w.attributed_with_sts,
                    stats: w.stats.clone(),
                    problems: w.problems.clone(),
                }),
            },
            summary: Summary {
                score: scored.score,
                level: scored.level,
                level_name: level_name(scored.level).to_owned(),
                checks: check_counts,
                findings: Counts::of(&findings),
            },
            levels: scored.levels,
            controls: CONTROLS
                .iter()
                .map(|c| ControlInfo {
                    id: c.id.to_owned(),
                    name: c.name.to_owned(),
                })
                .collect(),
            checks: scored.checks,
            findings,
            waivers,
            collection_errors: errors,
            gate: None,
        }
    }

    /// Judges the report against a gate and records the verdict in it.
    pub fn apply_gate(&mut self, gate: &Gate) {
        if gate.is_empty() {
            return;
        }
        let mut reasons = Vec::new();
        if let Some(threshold) = gate.fail_under {
            match self.summary.score {
                Some(score) if score < threshold => reasons.push(format!("score {score} is under {threshold}")),
                Some(_) => {}
                None => reasons.push(format!("no check had anything in scope, so there is no score to hold against {threshold}")),
            }
        }
        if let Some(min) = gate.min_level
            && self.summary.level < min
        {
            let blocker = self
                .levels
                .iter()
                .find(|l| l.state != LevelState::Held)
                .map(level_blocker)
                .unwrap_or_default();
            reasons.push(format!(
                "level {} ({}) is under {min} ({}){blocker}",
                self.summary.level,
                self.summary.level_name,
                level_name(min)
            ));
        }
        if let Some(threshold) = gate.fail_on {
            let mut offending: Vec<String> = self
                .checks
                .iter()
                .filter(|c| {
                    c.severity >= threshold && matches!(c.status, Status::Fail | Status::Unknown)
                })
                .map(|c| format!("{} {} ({}, {})", c.id, c.name, c.status, c.severity))
                .collect();
            if !offending.is_empty() {
                offending.sort();
                reasons.push(format!(
                    "checks at or above {threshold} severity not passing: {}",
                    offending.join(", ")
                ));
            }
        }
        self.gate = Some(GateVerdict {
            passed: reasons.is_empty(),
            criteria: gate.clone(),
            reasons,
        });
    }
}

/// `: level 1 is not assessed (no checks yet for SEC, PRV, HIL)` and the like.
fn level_blocker(level: &LevelStatus) -> String {
    match level.state {
        LevelState::Held => String::new(),
        LevelState::Failed => format!(": level {} fails {}", level.level, level.failing.join(", ")),
        LevelState::Unknown => format!(
            ": level {} has unknown checks {}",
            level.level,
            level.unknown.join(", ")
        ),
        LevelState::NotAssessed => format!(
            ": level {} is not assessed (no checks yet for {})",
            level.level,
            level.missing_controls.join(", ")
        ),
    }
}
