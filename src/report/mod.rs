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
pub use table::{DEFAULT_WIDTH, MIN_WIDTH, TableOptions, render_table};

use crate::checks::{CONTROLS, Finding, Severity, Status};
use crate::classify::{Classification, EnvClass, PrincipalKind};
use crate::inventory::{CollectionError, CollectionStats, ScanProblem, ScanStats, Snapshot};
use crate::score::{
    AccountStanding, CheckResult, Counts, LevelDistribution, LevelStatus, Scored, level_name,
};
use crate::waiver::WaiverState;

/// The report format this build writes (`MAJOR.MINOR`).
///
/// 2.0: the score is the weighted mean of each check's passing share of findings (1.x scored
/// the share of checks without a single failure), and the ladder is per account (`accounts`);
/// the organization's level is its weakest production account's, `null` without one.
pub const REPORT_SCHEMA_VERSION: &str = "2.0";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub generated_at: Timestamp,
    pub scope: Scope,
    pub summary: Summary,
    /// The organization's maturity ladder, level 1 upward: each rung's worst state among the
    /// accounts that count for the organization's level.
    pub levels: Vec<LevelStatus>,
    /// Every account's own level, score and blockers (and the `workstation` scope's, for
    /// findings that belong to no account), in the order of `scope.accounts`.
    pub accounts: Vec<AccountStanding>,
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
    /// The organization's score, 0–100, one decimal, rounded down: the severity-weighted mean,
    /// over the checks with anything in scope, of the share of each check's findings that pass
    /// or are waived (`unknown` counts as not passing). `null` when no check had anything in
    /// scope.
    pub score: Option<f64>,
    /// The organization's level: the lowest level among the accounts that count for it
    /// (production accounts, the management account, accounts holding a production resource) —
    /// the weakest link. `null` when no such account had anything in scope.
    pub level: Option<u8>,
    pub level_name: Option<String>,
    /// The accounts at the organization's level: what holds it down.
    pub weakest: Vec<String>,
    /// How many accounts of each environment hold each level.
    pub distribution: Vec<LevelDistribution>,
    /// Checks by status.
    pub checks: Counts,
    /// Findings by status.
    pub findings: Counts,
}

impl Summary {
    /// The organization's level as text: `2`, or `n/a` without one.
    pub fn level_text(&self) -> String {
        self.level
            .map_or_else(|| "n/a".to_owned(), |l| l.to_string())
    }

    /// The level's name, or why there is none.
    pub fn level_name_text(&self) -> &str {
        self.level_name
            .as_deref()
            .unwrap_or("no production account to judge")
    }
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
                level_name: scored.level.map(|l| level_name(l).to_owned()),
                weakest: scored.weakest,
                distribution: scored.distribution,
                checks: check_counts,
                findings: Counts::of(&findings),
            },
            levels: scored.levels,
            accounts: scored.accounts,
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
        if let Some(min) = gate.min_level {
            reasons.extend(self.min_level_reason(min));
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

impl Report {
    /// The accounts as the per-account tables list them: those that count for the
    /// organization's level first, the weakest (lowest level, then lowest score) first, then
    /// the other accounts in report order, then the workstation scope.
    pub fn accounts_weakest_first(&self) -> Vec<&AccountStanding> {
        let mut ordered: Vec<&AccountStanding> = self.accounts.iter().collect();
        ordered.sort_by(|a, b| {
            let key = |s: &AccountStanding| {
                (
                    !s.counts_for_organization,
                    s.environment.is_none(),
                    s.counts_for_organization
                        .then(|| s.level.unwrap_or(u8::MAX)),
                )
            };
            key(a).cmp(&key(b)).then_with(|| {
                if a.counts_for_organization && b.counts_for_organization {
                    a.score
                        .unwrap_or(f64::MAX)
                        .total_cmp(&b.score.unwrap_or(f64::MAX))
                } else {
                    std::cmp::Ordering::Equal
                }
            })
        });
        ordered
    }

    /// Whether the account is one of those at the organization's level.
    pub fn is_weakest(&self, account: &AccountStanding) -> bool {
        account.counts_for_organization
            && account.level.is_some()
            && account.level == self.summary.level
    }
}

/// `prod`, `nonprod, holds production`, `nonprod (informational)`, `files without an account`.
pub fn environment_label(account: &AccountStanding) -> String {
    match account.environment {
        Some(EnvClass::Nonprod) if account.counts_for_organization => {
            "nonprod, holds production".to_owned()
        }
        Some(EnvClass::Nonprod) => "nonprod (informational)".to_owned(),
        Some(env) => env.as_str().to_owned(),
        None => "files without an account".to_owned(),
    }
}

/// How many accounts below a level a gate failure names.
const NAMED_BELOW: usize = 10;

impl Report {
    /// Why `--min-level N` fails, if it does: no account counts for the organization's level,
    /// or some are below `min` — each named with what blocks it.
    fn min_level_reason(&self, min: u8) -> Option<String> {
        let counted: Vec<&AccountStanding> = self
            .accounts
            .iter()
            .filter(|a| a.counts_for_organization && a.level.is_some())
            .collect();
        if counted.is_empty() {
            let unclassified = self
                .accounts
                .iter()
                .filter(|a| a.environment == Some(EnvClass::Unclassified))
                .count();
            let why = match unclassified {
                0 => String::new(),
                1 => " (1 account is unclassified)".to_owned(),
                n => format!(" ({n} accounts are unclassified)"),
            };
            return Some(format!(
                "level {min} ({}) is not reached: no production account had anything in scope{why}, so there is no level to hold against it; classify production accounts in ringfence.toml [environments]",
                level_name(min)
            ));
        }
        let below: Vec<&AccountStanding> = counted
            .iter()
            .copied()
            .filter(|a| a.level.is_some_and(|l| l < min))
            .collect();
        if below.is_empty() {
            return None;
        }
        let mut named: Vec<String> = below
            .iter()
            .take(NAMED_BELOW)
            .map(|a| {
                let what = match a.environment {
                    Some(EnvClass::Prod) | None => String::new(),
                    Some(EnvClass::Management) => ", management".to_owned(),
                    Some(other) => format!(", {} holding production resources", other.as_str()),
                };
                let who = match &a.name {
                    Some(name) => format!("{name} ({}{what})", a.id),
                    None => format!("{}{what}", a.id),
                };
                format!(
                    "{who} at {}{}",
                    a.level.unwrap_or(0),
                    blocker_text(a).map_or(String::new(), |b| format!(", blocked by {b}"))
                )
            })
            .collect();
        if below.len() > NAMED_BELOW {
            named.push(format!("and {} more", below.len() - NAMED_BELOW));
        }
        Some(format!(
            "{} of {} production accounts are under level {min} ({}): {}",
            below.len(),
            counted.len(),
            level_name(min),
            named.join("; ")
        ))
    }
}

/// `DEL002 rds-deletion-protection (3 failing)`: an account's first blocker, with how many
/// more there are.
pub fn blocker_text(account: &AccountStanding) -> Option<String> {
    let first = account.blockers.first()?;
    let count = match first.status {
        Status::Fail => format!("{} failing", first.fail),
        _ => format!("{} unknown", first.unknown),
    };
    let more = account.blockers.len() - 1;
    Some(format!(
        "{} {} ({count}){}",
        first.check_id,
        first.name,
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}
