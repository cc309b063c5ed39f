//! Scoring: a status per check, the score, and the maturity ladder — for the organization and
//! for each account.
//!
//! - A check's **share** in a scope (an account, the workstation, the whole estate) is the part
//!   of its in-scope findings there that pass or are waived, among pass, waived, fail and
//!   unknown: fixing 9 of 10 databases earns 90% of the check's weight. `unknown` counts as not
//!   passing (fail closed); a check with nothing in scope there does not count.
//! - The **score** of a scope is the severity-weighted mean of its checks' shares, in percent,
//!   rounded down to one decimal (so it never rounds up past a threshold); no check in scope
//!   means no score.
//! - The **level** of a scope is the highest rung whose checks, and all below, pass, are waived
//!   or have nothing in scope there.
//! - The **organization's level** is the lowest level among the accounts that hold production:
//!   production accounts, the Organizations management account, and any other account holding a
//!   production resource (by tag). It is the weakest link, shown beside the distribution of
//!   levels per environment.

use std::collections::{BTreeMap, HashMap};

use num_bigint::BigInt;
use num_rational::BigRational;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{CheckRun, Finding, Severity, Status};
use crate::classify::EnvClass;

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

/// The highest level of the ladder.
pub const TOP_LEVEL: u8 = 4;

/// The id of the scope that holds findings without an account (a workstation credential that
/// reaches no known account).
pub const WORKSTATION: &str = "workstation";

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

    pub fn merge(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.unknown += other.unknown;
        self.not_applicable += other.not_applicable;
        self.waived += other.waived;
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

    /// Findings that count in the score: pass, waived, fail and unknown.
    pub fn evaluated(&self) -> u64 {
        self.pass + self.waived + self.fail + self.unknown
    }

    /// Findings that count as passing: pass and waived.
    pub fn passing(&self) -> u64 {
        self.pass + self.waived
    }
}

/// The result of one check across the whole estate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    pub id: String,
    pub name: String,
    pub title: String,
    pub control: String,
    pub level: u8,
    pub severity: Severity,
    /// Fails when any finding fails, anywhere; then unknown, waived, pass, not applicable.
    pub status: Status,
    /// Findings by status.
    pub counts: Counts,
    /// Accounts (and the workstation scope) by this check's status in them; `not_applicable`
    /// counts those where it had nothing in scope.
    pub accounts: Counts,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
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

impl LevelState {
    pub fn as_str(self) -> &'static str {
        match self {
            LevelState::Held => "held",
            LevelState::Failed => "failed",
            LevelState::Unknown => "unknown",
            LevelState::NotAssessed => "not_assessed",
        }
    }
}

/// A rung of the organization's ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelStatus {
    pub level: u8,
    pub name: String,
    /// The worst state of this rung among the accounts that count for the organization's level
    /// (among every account and the workstation when none does).
    pub state: LevelState,
    /// Checks of this level.
    pub checks: Vec<String>,
    /// Checks of this level that fail in at least one of those accounts.
    pub failing: Vec<String>,
    /// Checks of this level that fail in none of them but are unknown in one.
    pub unknown: Vec<String>,
    /// Controls of this level that have no checks yet.
    pub missing_controls: Vec<String>,
    /// Accounts that count for the organization's level and have not reached this level.
    pub accounts_below: Vec<String>,
}

/// A rung of one account's ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountLevel {
    pub level: u8,
    pub state: LevelState,
    /// Checks of this level that fail in the account.
    pub failing: Vec<String>,
    /// Checks of this level that are unknown in the account.
    pub unknown: Vec<String>,
}

/// A check that keeps an account from its next level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blocker {
    pub check_id: String,
    pub name: String,
    pub level: u8,
    pub severity: Severity,
    /// `fail` or `unknown`.
    pub status: Status,
    /// The account's failing findings of the check.
    pub fail: u64,
    /// The account's unknown findings of the check.
    pub unknown: u64,
}

/// Where one account (or the workstation scope) stands on the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountStanding {
    /// The account id, or `workstation` for findings that belong to no account.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account's environment; absent for the workstation scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvClass>,
    /// Whether the account's level counts for the organization's: it is a production or the
    /// management account, or holds a production resource.
    pub counts_for_organization: bool,
    /// 0–4; absent when no check had anything in scope in the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_name: Option<String>,
    /// 0–100, one decimal, rounded down; absent when no check had anything in scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Checks by their status in this account.
    pub checks: Counts,
    /// The account's findings by status.
    pub findings: Counts,
    /// Each control's state in the account: the status of its checks' findings taken together.
    pub controls: BTreeMap<String, Status>,
    /// The account's ladder, level 1 upward.
    pub levels: Vec<AccountLevel>,
    /// What the next level needs: the failing, then unknown, checks of the lowest level not
    /// held, most severe first.
    pub blockers: Vec<Blocker>,
}

/// How many accounts of one environment hold each level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelDistribution {
    pub environment: EnvClass,
    pub accounts: u64,
    /// Accounts at level 0, 1, 2, 3 and 4 (the index is the level).
    pub by_level: Vec<u64>,
    /// Accounts where no check had anything in scope.
    pub nothing_in_scope: u64,
}

/// An account as scoring sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeInfo {
    pub id: String,
    pub name: Option<String>,
    pub environment: EnvClass,
}

/// Scores and levels of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub checks: Vec<CheckResult>,
    /// The organization's score over every finding; `None` when no check had anything in scope.
    pub score: Option<f64>,
    /// The organization's level: the lowest among the accounts that count for it; `None` when
    /// no account does (no production account was found) or none had anything in scope.
    pub level: Option<u8>,
    /// The accounts at the organization's level.
    pub weakest: Vec<String>,
    pub levels: Vec<LevelStatus>,
    /// Every account with a finding or in `accounts`, then the workstation scope when it holds
    /// any finding that is not `not_applicable`.
    pub accounts: Vec<AccountStanding>,
    pub distribution: Vec<LevelDistribution>,
}

/// What scoring needs of each check.
struct Meta<'a> {
    id: &'a str,
    name: &'a str,
    control: &'a str,
    level: u8,
    severity: Severity,
}

/// Scores check runs (after waivers were applied). `accounts` are the audited accounts in
/// report order, with their environments; findings in other accounts get a scope of their own
/// (`environment` from the findings), findings without an account the workstation scope.
pub fn score(runs: &[CheckRun], accounts: &[ScopeInfo]) -> Scored {
    let meta: Vec<Meta> = runs
        .iter()
        .map(|run| {
            let entry = run.check.entry();
            Meta {
                id: run.check.id,
                name: run.check.name,
                control: &entry.control,
                level: entry.level,
                severity: entry.severity,
            }
        })
        .collect();
    let grouped = group(runs);
    let mut checks: Vec<CheckResult> = runs
        .iter()
        .zip(&meta)
        .map(|(run, m)| {
            let counts = Counts::of(&run.findings);
            CheckResult {
                id: m.id.to_owned(),
                name: m.name.to_owned(),
                title: run.check.entry().title.clone(),
                control: m.control.to_owned(),
                level: m.level,
                severity: m.severity,
                status: counts.status(),
                counts,
                accounts: Counts::default(),
            }
        })
        .collect();
    let missing = missing_controls(&meta);

    // Scopes in report order: the audited accounts, other accounts findings name, the
    // workstation.
    let mut order: Vec<ScopeInfo> = accounts.to_vec();
    let known: std::collections::HashSet<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    let mut extra: Vec<(&str, &Group)> = grouped
        .iter()
        .filter_map(|(k, g)| k.filter(|id| !known.contains(id)).map(|id| (id, g)))
        .collect();
    extra.sort_by_key(|(id, _)| *id);
    for (id, group) in extra {
        order.push(ScopeInfo {
            id: id.to_owned(),
            name: group.name.map(str::to_owned),
            environment: group.environment.unwrap_or(EnvClass::Unclassified),
        });
    }
    let empty = Group::new(meta.len());
    let mut standings: Vec<AccountStanding> = order
        .iter()
        .map(|info| {
            let group = grouped.get(&Some(info.id.as_str())).unwrap_or(&empty);
            let counts_for_org = matches!(info.environment, EnvClass::Prod | EnvClass::Management)
                || group.holds_production;
            standing(
                &meta,
                &missing,
                group,
                info.id.clone(),
                info.name.clone(),
                Some(info.environment),
                counts_for_org,
            )
        })
        .collect();
    if let Some(group) = grouped.get(&None)
        && group.counts.iter().any(|c| c.evaluated() > 0)
    {
        standings.push(standing(
            &meta,
            &missing,
            group,
            WORKSTATION.to_owned(),
            None,
            None,
            false,
        ));
    }
    for (i, check) in checks.iter_mut().enumerate() {
        for s in &standings {
            let group = lookup(&grouped, s);
            check
                .accounts
                .add(group.map_or(Status::NotApplicable, |g| g.counts[i].status()));
        }
    }

    let counted: Vec<&AccountStanding> = standings
        .iter()
        .filter(|s| s.counts_for_organization)
        .collect();
    let level = counted.iter().filter_map(|s| s.level).min();
    let weakest = match level {
        Some(level) => counted
            .iter()
            .filter(|s| s.level == Some(level))
            .map(|s| s.id.clone())
            .collect(),
        None => Vec::new(),
    };
    let pool: Vec<&AccountStanding> = if counted.is_empty() {
        standings.iter().collect()
    } else {
        counted.clone()
    };
    let levels = organization_ladder(&meta, &missing, &grouped, &pool, &counted);
    let score = weighted_score(checks.iter().map(|c| {
        (
            c.severity.weight(),
            c.counts.passing(),
            c.counts.evaluated(),
        )
    }));
    let distribution = distribution(&standings);
    Scored {
        checks,
        score,
        level,
        weakest,
        levels,
        accounts: standings,
        distribution,
    }
}

/// One scope's findings, counted per check.
struct Group<'a> {
    counts: Vec<Counts>,
    name: Option<&'a str>,
    environment: Option<EnvClass>,
    /// A finding in scope (not `not_applicable`) is about a production or management resource.
    holds_production: bool,
}

impl Group<'_> {
    fn new(checks: usize) -> Self {
        Group {
            counts: vec![Counts::default(); checks],
            name: None,
            environment: None,
            holds_production: false,
        }
    }
}

fn group(runs: &[CheckRun]) -> HashMap<Option<&str>, Group<'_>> {
    let mut groups: HashMap<Option<&str>, Group> = HashMap::new();
    for (i, run) in runs.iter().enumerate() {
        for finding in &run.findings {
            let group = groups
                .entry(finding.account.as_deref())
                .or_insert_with(|| Group::new(runs.len()));
            group.counts[i].add(finding.status);
            if group.name.is_none() {
                group.name = finding.account_name.as_deref();
            }
            if group.environment.is_none() {
                group.environment = finding.environment;
            }
            if finding.status != Status::NotApplicable
                && matches!(
                    finding.environment,
                    Some(EnvClass::Prod | EnvClass::Management)
                )
            {
                group.holds_production = true;
            }
        }
    }
    groups
}

fn lookup<'g, 'a>(
    grouped: &'g HashMap<Option<&'a str>, Group<'a>>,
    standing: &'g AccountStanding,
) -> Option<&'g Group<'a>> {
    if standing.environment.is_none() {
        grouped.get(&None)
    } else {
        grouped.get(&Some(standing.id.as_str()))
    }
}

/// Controls of each rung that have no registered check.
fn missing_controls(meta: &[Meta]) -> Vec<Vec<String>> {
    LADDER
        .iter()
        .map(|rung| {
            rung.controls
                .iter()
                .filter(|control| {
                    !meta
                        .iter()
                        .any(|m| m.level == rung.level && m.control == **control)
                })
                .map(|c| (*c).to_owned())
                .collect()
        })
        .collect()
}

fn state_of(failing: bool, unknown: bool, missing: &[String]) -> LevelState {
    if failing {
        LevelState::Failed
    } else if unknown {
        LevelState::Unknown
    } else if !missing.is_empty() {
        LevelState::NotAssessed
    } else {
        LevelState::Held
    }
}

fn standing(
    meta: &[Meta],
    missing: &[Vec<String>],
    group: &Group,
    id: String,
    name: Option<String>,
    environment: Option<EnvClass>,
    counts_for_organization: bool,
) -> AccountStanding {
    let statuses: Vec<Status> = group.counts.iter().map(Counts::status).collect();
    let mut checks = Counts::default();
    let mut findings = Counts::default();
    let mut controls: BTreeMap<String, Counts> = BTreeMap::new();
    for (i, counts) in group.counts.iter().enumerate() {
        checks.add(statuses[i]);
        findings.merge(counts);
        controls
            .entry(meta[i].control.to_owned())
            .or_default()
            .merge(counts);
    }
    let levels: Vec<AccountLevel> = LADDER
        .iter()
        .zip(missing)
        .map(|(rung, missing)| {
            let ids = |status: Status| -> Vec<String> {
                meta.iter()
                    .zip(&statuses)
                    .filter(|(m, s)| m.level == rung.level && **s == status)
                    .map(|(m, _)| m.id.to_owned())
                    .collect()
            };
            let failing = ids(Status::Fail);
            let unknown = ids(Status::Unknown);
            AccountLevel {
                level: rung.level,
                state: state_of(!failing.is_empty(), !unknown.is_empty(), missing),
                failing,
                unknown,
            }
        })
        .collect();
    let score = weighted_score(
        group
            .counts
            .iter()
            .zip(meta)
            .map(|(c, m)| (m.severity.weight(), c.passing(), c.evaluated())),
    );
    let reached = reached(levels.iter().map(|l| (l.level, l.state)));
    let level = score.is_some().then_some(reached);
    let mut blockers = Vec::new();
    if let Some(next) = levels.iter().find(|l| l.state != LevelState::Held) {
        for (i, m) in meta.iter().enumerate() {
            if m.level == next.level && matches!(statuses[i], Status::Fail | Status::Unknown) {
                blockers.push(Blocker {
                    check_id: m.id.to_owned(),
                    name: m.name.to_owned(),
                    level: m.level,
                    severity: m.severity,
                    status: statuses[i],
                    fail: group.counts[i].fail,
                    unknown: group.counts[i].unknown,
                });
            }
        }
        // Failures first, then the most severe; registry order breaks ties.
        blockers.sort_by_key(|b| (b.status.urgency(), std::cmp::Reverse(b.severity)));
    }
    AccountStanding {
        id,
        name,
        environment,
        counts_for_organization,
        level,
        level_name: level.map(|l| level_name(l).to_owned()),
        score,
        checks,
        findings,
        controls: controls.into_iter().map(|(k, c)| (k, c.status())).collect(),
        levels,
        blockers,
    }
}

/// The highest level held with every level below it.
fn reached(levels: impl Iterator<Item = (u8, LevelState)>) -> u8 {
    let mut reached = 0;
    for (level, state) in levels {
        if state != LevelState::Held {
            break;
        }
        reached = level;
    }
    reached
}

/// The organization's ladder: each rung's worst state among `pool`.
fn organization_ladder(
    meta: &[Meta],
    missing: &[Vec<String>],
    grouped: &HashMap<Option<&str>, Group>,
    pool: &[&AccountStanding],
    counted: &[&AccountStanding],
) -> Vec<LevelStatus> {
    let mut failing_anywhere = vec![false; meta.len()];
    let mut unknown_anywhere = vec![false; meta.len()];
    for standing in pool {
        if let Some(group) = lookup(grouped, standing) {
            for (i, counts) in group.counts.iter().enumerate() {
                match counts.status() {
                    Status::Fail => failing_anywhere[i] = true,
                    Status::Unknown => unknown_anywhere[i] = true,
                    _ => {}
                }
            }
        }
    }
    LADDER
        .iter()
        .zip(missing)
        .map(|(rung, missing)| {
            let at_level = || {
                meta.iter()
                    .enumerate()
                    .filter(|(_, m)| m.level == rung.level)
            };
            let failing: Vec<String> = at_level()
                .filter(|(i, _)| failing_anywhere[*i])
                .map(|(_, m)| m.id.to_owned())
                .collect();
            let unknown: Vec<String> = at_level()
                .filter(|(i, _)| !failing_anywhere[*i] && unknown_anywhere[*i])
                .map(|(_, m)| m.id.to_owned())
                .collect();
            LevelStatus {
                level: rung.level,
                name: rung.name.to_owned(),
                state: state_of(!failing.is_empty(), !unknown.is_empty(), missing),
                checks: at_level().map(|(_, m)| m.id.to_owned()).collect(),
                failing,
                unknown,
                missing_controls: missing.clone(),
                accounts_below: counted
                    .iter()
                    .filter(|s| s.level.is_some_and(|l| l < rung.level))
                    .map(|s| s.id.clone())
                    .collect(),
            }
        })
        .collect()
}

fn distribution(standings: &[AccountStanding]) -> Vec<LevelDistribution> {
    let mut by_env: BTreeMap<EnvClass, LevelDistribution> = BTreeMap::new();
    for s in standings {
        let Some(environment) = s.environment else {
            continue;
        };
        let entry = by_env
            .entry(environment)
            .or_insert_with(|| LevelDistribution {
                environment,
                accounts: 0,
                by_level: vec![0; usize::from(TOP_LEVEL) + 1],
                nothing_in_scope: 0,
            });
        entry.accounts += 1;
        match s.level {
            Some(level) => entry.by_level[usize::from(level)] += 1,
            None => entry.nothing_in_scope += 1,
        }
    }
    by_env.into_values().collect()
}

/// The severity-weighted mean of each check's passing share, in percent, rounded down to one
/// decimal; `None` when no check has anything evaluated. Each part is (weight, passing,
/// evaluated).
pub fn weighted_score(parts: impl Iterator<Item = (u32, u64, u64)>) -> Option<f64> {
    let parts: Vec<(u32, u64, u64)> = parts.filter(|(_, _, evaluated)| *evaluated > 0).collect();
    let total: u64 = parts.iter().map(|(w, _, _)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    // Fast path in floating point; the exact sum decides only when the result lies within a
    // hair of a tenth, where rounding error could push it either way.
    let sum: f64 = parts
        .iter()
        .map(|(w, p, e)| f64::from(*w) * (*p as f64) / (*e as f64))
        .sum();
    let x = sum * 1000.0 / total as f64;
    let mut tenths = x.floor();
    if x - tenths < 1e-6 || tenths + 1.0 - x < 1e-6 {
        tenths = exact_tenths(&parts, total) as f64;
    }
    Some(tenths / 10.0)
}

/// `floor(1000 × Σ wᵢ·pᵢ/eᵢ ÷ Σ wᵢ)`, exactly.
fn exact_tenths(parts: &[(u32, u64, u64)], total: u64) -> u64 {
    let mut sum = BigRational::from_integer(BigInt::from(0));
    for (w, p, e) in parts {
        sum += BigRational::new(
            BigInt::from(u64::from(*w)) * BigInt::from(*p),
            BigInt::from(*e),
        );
    }
    let scaled = sum * BigInt::from(1000) / BigInt::from(total);
    // Between 0 and 1000, so it fits.
    let floor = scaled.floor().to_integer();
    u64::try_from(floor).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(severity: Severity) -> u32 {
        severity.weight()
    }

    #[test]
    fn nothing_in_scope_has_no_score() {
        assert_eq!(weighted_score([(10, 0, 0), (5, 0, 0)].into_iter()), None);
        assert_eq!(weighted_score(std::iter::empty()), None);
    }

    #[test]
    fn the_score_is_the_weighted_mean_of_shares() {
        // 9 of 10 passing in a high check: 90% of its weight.
        assert_eq!(
            weighted_score([(w(Severity::High), 9, 10)].into_iter()),
            Some(90.0)
        );
        // critical all passing, low all failing: 10 / 11 = 90.909… → 90.9
        assert_eq!(
            weighted_score([(10, 3, 3), (1, 0, 4), (3, 0, 0)].into_iter()),
            Some(90.9)
        );
        // 1 / 11 = 9.0909… → 9.0
        assert_eq!(
            weighted_score([(1, 1, 1), (10, 0, 1)].into_iter()),
            Some(9.0)
        );
    }

    #[test]
    fn one_unknown_counts_as_not_passing() {
        assert_eq!(weighted_score([(5, 0, 1)].into_iter()), Some(0.0));
        assert_eq!(
            weighted_score([(5, 1, 1), (5, 0, 1)].into_iter()),
            Some(50.0)
        );
    }

    #[test]
    fn ten_thousand_passes_and_one_failure_round_down() {
        // 10000 / 10001 = 99.990… → 99.9, never 100.
        assert_eq!(
            weighted_score([(5, 10_000, 10_001)].into_iter()),
            Some(99.9)
        );
    }

    #[test]
    fn the_score_rounds_down_never_up_even_at_a_hair_under_a_tenth() {
        // 2 of 3: 66.666… → 66.6.
        assert_eq!(weighted_score([(5, 2, 3)].into_iter()), Some(66.6));
        // 799,999,999 of 1,000,000,000 is 79.9999999 %: a float could round it to 80.0.
        assert_eq!(
            weighted_score([(1, 799_999_999, 1_000_000_000)].into_iter()),
            Some(79.9)
        );
        // Shares that are not exact in binary but sum to exactly a tenth: 0.9 × 3 checks.
        assert_eq!(
            weighted_score([(5, 9, 10), (3, 9, 10), (1, 9, 10)].into_iter()),
            Some(90.0)
        );
        assert_eq!(
            weighted_score([(10, 7, 10), (10, 1, 10), (10, 1, 10)].into_iter()),
            Some(30.0)
        );
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

    /// A run of every registered check, none with findings.
    fn runs() -> Vec<CheckRun> {
        crate::checks::REGISTRY
            .iter()
            .map(|check| CheckRun {
                check,
                findings: Vec::new(),
            })
            .collect()
    }

    fn add(
        runs: &mut [CheckRun],
        check: &str,
        account: Option<&str>,
        env: EnvClass,
        status: Status,
    ) {
        add_finding(runs, check, account, Some(env), status);
    }

    /// Adds a finding of `check` in the production account `PROD`.
    fn add_prod(runs: &mut [CheckRun], check: &str, status: Status) {
        add(runs, check, Some(PROD), EnvClass::Prod, status);
    }

    fn add_finding(
        runs: &mut [CheckRun],
        check: &str,
        account: Option<&str>,
        environment: Option<EnvClass>,
        status: Status,
    ) {
        let run = runs.iter_mut().find(|r| r.check.id == check).unwrap();
        run.findings.push(Finding {
            check_id: check.to_owned(),
            status,
            severity: run.check.entry().severity,
            account: account.map(str::to_owned),
            account_name: None,
            region: None,
            environment,
            resource: format!("r{}", run.findings.len()),
            message: String::new(),
            evidence: serde_json::Value::Null,
            remediation: None,
            waiver: None,
            lower_severity: None,
        });
    }

    fn info(id: &str, environment: EnvClass) -> ScopeInfo {
        ScopeInfo {
            id: id.to_owned(),
            name: Some(format!("acme-{id}")),
            environment,
        }
    }

    fn account<'a>(scored: &'a Scored, id: &str) -> &'a AccountStanding {
        scored.accounts.iter().find(|a| a.id == id).unwrap()
    }

    const PROD: &str = "222222222222";

    #[test]
    fn all_not_applicable_means_no_score_and_no_level() {
        let mut runs = runs();
        for id in ["SEC003", "DEL002", "REC001"] {
            add(
                &mut runs,
                id,
                Some(PROD),
                EnvClass::Prod,
                Status::NotApplicable,
            );
        }
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        assert_eq!(scored.score, None);
        let prod = account(&scored, PROD);
        assert_eq!((prod.score, prod.level), (None, None));
        // Nothing was judged, so the organization has no level to claim either.
        assert_eq!(scored.level, None);
        assert!(scored.weakest.is_empty());
        assert_eq!(scored.distribution[0].nothing_in_scope, 1);
    }

    #[test]
    fn one_unknown_blocks_its_level_and_counts_as_not_passing() {
        let mut runs = runs();
        add_prod(&mut runs, "DEL002", Status::Pass);
        add_prod(&mut runs, "SEC001", Status::Unknown);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        let prod = account(&scored, PROD);
        // high 5 × 1 + critical 10 × 0 over 15.
        assert_eq!(prod.score, Some(33.3));
        assert_eq!(prod.level, Some(0));
        assert_eq!(prod.levels[0].state, LevelState::Unknown);
        assert_eq!(prod.blockers.len(), 1);
        assert_eq!(
            (
                prod.blockers[0].check_id.as_str(),
                prod.blockers[0].status,
                prod.blockers[0].unknown
            ),
            ("SEC001", Status::Unknown, 1)
        );
        assert_eq!(scored.level, Some(0));
        assert_eq!(scored.weakest, [PROD]);
    }

    #[test]
    fn a_waived_failure_passes() {
        let mut runs = runs();
        add_prod(&mut runs, "DEL002", Status::Waived);
        add_prod(&mut runs, "DEL002", Status::Pass);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        let prod = account(&scored, PROD);
        assert_eq!((prod.score, prod.level), (Some(100.0), Some(4)));
        assert!(prod.blockers.is_empty());
        assert_eq!(prod.controls["DEL"], Status::Waived);
    }

    #[test]
    fn ten_thousand_passes_and_one_failure_score_just_under_100_and_block_the_level() {
        let mut runs = runs();
        for _ in 0..10_000 {
            add_prod(&mut runs, "DEL002", Status::Pass);
        }
        add_prod(&mut runs, "DEL002", Status::Fail);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        assert_eq!(scored.score, Some(99.9));
        let prod = account(&scored, PROD);
        assert_eq!(prod.score, Some(99.9));
        // Levels 1 and 2 have nothing in scope; DEL002 is level 3.
        assert_eq!(prod.level, Some(2));
        assert_eq!(prod.blockers[0].check_id, "DEL002");
        assert_eq!(prod.blockers[0].fail, 1);
        assert_eq!(scored.levels[2].accounts_below, [PROD]);
        assert!(scored.levels[1].accounts_below.is_empty());
    }

    #[test]
    fn workstation_findings_without_an_account_have_their_own_scope() {
        let mut runs = runs();
        add_prod(&mut runs, "DEL002", Status::Pass);
        // A key that reaches nothing known, and a local database URL that passes.
        add_finding(&mut runs, "SEC001", None, None, Status::Unknown);
        add_finding(&mut runs, "SEC001", None, None, Status::Pass);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        let ws = account(&scored, WORKSTATION);
        assert_eq!(ws.environment, None);
        assert!(!ws.counts_for_organization);
        assert_eq!((ws.score, ws.level), (Some(50.0), Some(0)));
        // The production account is judged on its own findings alone.
        assert_eq!(account(&scored, PROD).level, Some(4));
        assert_eq!(scored.level, Some(4));
        // The organization's score counts every finding.
        assert_eq!(scored.score, Some(66.6));
        // The workstation is no environment of the distribution.
        assert_eq!(scored.distribution.len(), 1);
    }

    #[test]
    fn an_account_judged_only_by_workstation_findings() {
        let mut runs = runs();
        add_prod(&mut runs, "SEC001", Status::Fail);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        let prod = account(&scored, PROD);
        assert_eq!((prod.score, prod.level), (Some(0.0), Some(0)));
        assert_eq!(prod.controls["SEC"], Status::Fail);
        assert_eq!(prod.controls["DEL"], Status::NotApplicable);
        assert!(scored.accounts.iter().all(|a| a.id != WORKSTATION));
    }

    #[test]
    fn the_organization_stands_at_its_weakest_production_account() {
        let (mgmt, staging, sandbox, shared, outside) = (
            "111111111111",
            "333333333333",
            "444444444444",
            "666666666666",
            "999999999999",
        );
        let mut runs = runs();
        // Production: level 3 (REC004 fails).
        for id in ["SEC003", "DEL002", "REC001"] {
            add(&mut runs, id, Some(PROD), EnvClass::Prod, Status::Pass);
        }
        add_prod(&mut runs, "REC004", Status::Fail);
        // Management: level 1 (LOG001 fails).
        add(
            &mut runs,
            "SEC004",
            Some(mgmt),
            EnvClass::Management,
            Status::Pass,
        );
        add(
            &mut runs,
            "LOG001",
            Some(mgmt),
            EnvClass::Management,
            Status::Fail,
        );
        // A non-production account holding a production database that fails level 1.
        add(
            &mut runs,
            "SEC003",
            Some(staging),
            EnvClass::Prod,
            Status::Fail,
        );
        add(
            &mut runs,
            "SEG001",
            Some(staging),
            EnvClass::Nonprod,
            Status::Pass,
        );
        // A non-production account with nothing wrong in scope, failing findings of its own
        // class notwithstanding (informational), and an unclassified one with unknowns.
        add(
            &mut runs,
            "SEC001",
            Some(sandbox),
            EnvClass::Nonprod,
            Status::Pass,
        );
        add(
            &mut runs,
            "LOG001",
            Some(shared),
            EnvClass::Unclassified,
            Status::Unknown,
        );
        // A finding in an account outside the audited list.
        add(
            &mut runs,
            "SEC001",
            Some(outside),
            EnvClass::Prod,
            Status::Fail,
        );
        let scored = score(
            &runs,
            &[
                info(mgmt, EnvClass::Management),
                info(PROD, EnvClass::Prod),
                info(staging, EnvClass::Nonprod),
                info(sandbox, EnvClass::Nonprod),
                info(shared, EnvClass::Unclassified),
            ],
        );
        let level = |id| account(&scored, id).level;
        assert_eq!(level(PROD), Some(3));
        assert_eq!(level(mgmt), Some(1));
        assert_eq!(level(staging), Some(0));
        assert_eq!(level(sandbox), Some(4));
        assert_eq!(level(shared), Some(1));
        assert_eq!(level(outside), Some(0));
        assert!(account(&scored, staging).counts_for_organization);
        assert!(!account(&scored, sandbox).counts_for_organization);
        assert!(!account(&scored, shared).counts_for_organization);
        assert!(account(&scored, mgmt).counts_for_organization);
        // The outside account gets its own scope, last, classified by its findings.
        assert_eq!(scored.accounts.last().unwrap().id, outside);
        assert_eq!(account(&scored, outside).environment, Some(EnvClass::Prod));
        assert_eq!(scored.level, Some(0));
        assert_eq!(scored.weakest, [staging, outside]);
        let dist: Vec<(EnvClass, Vec<u64>)> = scored
            .distribution
            .iter()
            .map(|d| (d.environment, d.by_level.clone()))
            .collect();
        assert_eq!(
            dist,
            [
                (EnvClass::Prod, vec![1, 0, 0, 1, 0]),
                (EnvClass::Management, vec![0, 1, 0, 0, 0]),
                (EnvClass::Nonprod, vec![1, 0, 0, 0, 1]),
                (EnvClass::Unclassified, vec![0, 1, 0, 0, 0]),
            ]
        );
        // The organization's ladder pools the accounts that count: level 2 fails through the
        // management account's LOG001, the unclassified account's unknown does not show.
        assert_eq!(scored.levels[1].failing, ["LOG001"]);
        assert_eq!(scored.levels[1].state, LevelState::Failed);
        assert_eq!(scored.levels[0].accounts_below, [staging, outside]);
        let log001 = scored.checks.iter().find(|c| c.id == "LOG001").unwrap();
        assert_eq!((log001.accounts.fail, log001.accounts.unknown), (1, 1));
    }

    /// The worked example of the README's "Outcomes, score and level".
    #[test]
    fn the_readme_worked_example() {
        let mut runs = runs();
        for _ in 0..2 {
            add_prod(&mut runs, "PRV001", Status::Pass);
        }
        for _ in 0..9 {
            add_prod(&mut runs, "DEL002", Status::Pass);
        }
        add_prod(&mut runs, "DEL002", Status::Fail);
        add_prod(&mut runs, "SEC003", Status::Pass);
        add_prod(&mut runs, "SEC003", Status::Unknown);
        add_prod(&mut runs, "DEL001", Status::NotApplicable);
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        let prod = account(&scored, PROD);
        assert_eq!(prod.score, Some(88.8));
        assert_eq!(prod.level, Some(0));
        assert_eq!(
            crate::report::blocker_text(prod).as_deref(),
            Some("SEC003 prod-db-password-managed (1 unknown)")
        );
        // Protecting the tenth database.
        let del002 = runs.iter_mut().find(|r| r.check.id == "DEL002").unwrap();
        del002.findings.last_mut().unwrap().status = Status::Pass;
        let scored = score(&runs, &[info(PROD, EnvClass::Prod)]);
        assert_eq!(account(&scored, PROD).score, Some(91.6));
    }

    #[test]
    fn a_level_is_reached_only_through_every_level_below() {
        use LevelState::*;
        let r = |states: [LevelState; 4]| reached((1..=4).zip(states));
        assert_eq!(r([Held, Held, Held, Held]), 4);
        assert_eq!(r([Held, Held, Failed, Held]), 2);
        assert_eq!(r([Unknown, Held, Held, Held]), 0);
        assert_eq!(r([Held, NotAssessed, Held, Held]), 1);
    }
}
