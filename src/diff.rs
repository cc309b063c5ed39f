//! `ringfence diff OLD.json NEW.json`: what changed between two JSON reports — findings that
//! newly fail or became unknown, findings resolved, checks whose status changed, each account's
//! level and score, and the organization's — so that a scheduled audit or a CI job can gate on
//! regressions.
//!
//! Reports are read loosely, as JSON values, so that two reports of the same major schema
//! version compare whatever minor version (and tool version) wrote them; a report of another
//! major version is refused.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::report::REPORT_SCHEMA_VERSION;

/// One finding as a diff sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DiffFinding {
    pub check_id: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The status in the old report (`absent` when it had no such finding).
    pub was: String,
    /// The status in the new report (`absent` when it has no such finding).
    pub now: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The message of the newer side that has the finding.
    pub message: String,
}

/// A check whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckChange {
    pub id: String,
    pub name: String,
    pub was: String,
    pub now: String,
}

/// The organization's level and score in one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub schema_version: String,
    pub tool_version: String,
    pub generated_at: String,
    /// `None` when no production account was judged.
    pub level: Option<u64>,
    pub level_name: Option<String>,
    pub score: Option<f64>,
}

/// An account whose level or score changed, or that is in one report only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountChange {
    /// The account id, or `workstation`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Whether its level counts for the organization's (in the newer report that has it).
    pub counts_for_organization: bool,
    /// Whether the older report has the account.
    pub was_present: bool,
    pub was_level: Option<u64>,
    pub was_score: Option<f64>,
    /// Whether the newer report has the account.
    pub now_present: bool,
    pub now_level: Option<u64>,
    pub now_score: Option<f64>,
}

/// What changed between two reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub old: Standing,
    pub new: Standing,
    /// Findings that fail or are unknown now and did not before (regressions).
    pub new_failures: Vec<DiffFinding>,
    /// Findings that failed or were unknown before and no longer do.
    pub resolved: Vec<DiffFinding>,
    pub check_changes: Vec<CheckChange>,
    /// Accounts whose level or score changed, in the newer report's order, then the accounts
    /// only the older report has.
    pub account_changes: Vec<AccountChange>,
    /// Whether anything got worse: a new failing or unknown finding, a lower organization
    /// level or score, a production account (one that counts for the organization's level)
    /// at a lower level.
    pub regressed: bool,
    /// Why `regressed`, one line each.
    pub regressions: Vec<String>,
}

/// Parses a report file's JSON for comparison. `origin` names the file in errors.
fn read(bytes: &[u8], origin: &str) -> Result<Value, Error> {
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        Error::input(
            format!("{origin}:{}:{}", err.line(), err.column()),
            format!("not a ringfence JSON report: {err}"),
        )
    })?;
    let version = value["schema_version"].as_str().ok_or_else(|| {
        Error::input(
            origin,
            "no schema_version: not a ringfence JSON report (write one with `-f json`)",
        )
    })?;
    if !value["findings"].is_array() || !value["summary"].is_object() {
        return Err(Error::input(
            origin,
            "no findings or summary: not a ringfence JSON report (write one with `-f json`)",
        ));
    }
    let major = |v: &str| v.split('.').next().map(str::to_owned);
    if major(version).as_deref() == Some("1")
        && major(REPORT_SCHEMA_VERSION).as_deref() == Some("2")
    {
        return Err(Error::input(
            origin,
            format!(
                "schema_version {version}: a report of format 1.x cannot be compared with format 2.x. Format 2.0 changed what the numbers mean: the score is now the weighted share of passing findings per check (1.x counted checks without a single failure, so most estates scored near 0), and the level is per account, the organization's being its weakest production account's. Re-evaluate the old snapshot with this version (`ringfence evaluate OLD-SNAPSHOT.json -f json`) and compare that"
            ),
        ));
    }
    if major(version) != major(REPORT_SCHEMA_VERSION) {
        return Err(Error::input(
            origin,
            format!(
                "schema_version {version}: this ringfence {} compares reports of format {}.x only; compare it with the ringfence version that wrote it",
                env!("CARGO_PKG_VERSION"),
                major(REPORT_SCHEMA_VERSION).unwrap_or_default()
            ),
        ));
    }
    Ok(value)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn optional(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn standing(report: &Value) -> Standing {
    Standing {
        schema_version: text(&report["schema_version"]),
        tool_version: text(&report["tool"]["version"]),
        generated_at: text(&report["generated_at"]),
        level: report["summary"]["level"].as_u64(),
        level_name: optional(&report["summary"]["level_name"]),
        score: report["summary"]["score"].as_f64(),
    }
}

/// `2 (Segregated)`, or `none`.
fn level_text(level: Option<u64>, name: Option<&str>) -> String {
    match (level, name) {
        (Some(level), Some(name)) => format!("{level} ({name})"),
        (Some(level), None) => level.to_string(),
        (None, _) => "none".to_owned(),
    }
}

fn account_changes(old: &Value, new: &Value) -> Vec<AccountChange> {
    let list = |report: &Value| -> Vec<Value> {
        report["accounts"].as_array().cloned().unwrap_or_default()
    };
    let (before, after) = (list(old), list(new));
    let find = |list: &[Value], id: &str| list.iter().find(|a| a["id"] == id).cloned();
    let change = |id: &str, was: Option<&Value>, now: Option<&Value>| {
        let newest = now.or(was).cloned().unwrap_or(Value::Null);
        AccountChange {
            id: id.to_owned(),
            name: optional(&newest["name"]),
            environment: optional(&newest["environment"]),
            counts_for_organization: newest["counts_for_organization"].as_bool().unwrap_or(false),
            was_present: was.is_some(),
            was_level: was.and_then(|a| a["level"].as_u64()),
            was_score: was.and_then(|a| a["score"].as_f64()),
            now_present: now.is_some(),
            now_level: now.and_then(|a| a["level"].as_u64()),
            now_score: now.and_then(|a| a["score"].as_f64()),
        }
    };
    let mut changes = Vec::new();
    for now in &after {
        let id = text(&now["id"]);
        let was = find(&before, &id);
        let c = change(&id, was.as_ref(), Some(now));
        if !c.was_present || c.was_level != c.now_level || c.was_score != c.now_score {
            changes.push(c);
        }
    }
    for was in &before {
        let id = text(&was["id"]);
        if find(&after, &id).is_none() {
            changes.push(change(&id, Some(was), None));
        }
    }
    changes
}

type Key = (String, String, Option<String>, Option<String>);

fn findings(report: &Value) -> BTreeMap<Key, &Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                (
                    text(&f["check_id"]),
                    text(&f["resource"]),
                    optional(&f["account"]),
                    optional(&f["region"]),
                ),
                f,
            )
        })
        .collect()
}

fn not_passing(status: &str) -> bool {
    matches!(status, "fail" | "unknown")
}

/// Compares two reports given as file contents.
pub fn diff(old: &[u8], old_origin: &str, new: &[u8], new_origin: &str) -> Result<Diff, Error> {
    let old = read(old, old_origin)?;
    let new = read(new, new_origin)?;
    let (before, after) = (findings(&old), findings(&new));
    let mut keys: Vec<&Key> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut new_failures = Vec::new();
    let mut resolved = Vec::new();
    for key in keys {
        let was = before
            .get(key)
            .map_or("absent".to_owned(), |f| text(&f["status"]));
        let now = after
            .get(key)
            .map_or("absent".to_owned(), |f| text(&f["status"]));
        let newest = after.get(key).or_else(|| before.get(key));
        let entry = || DiffFinding {
            check_id: key.0.clone(),
            resource: key.1.clone(),
            account: key.2.clone(),
            region: key.3.clone(),
            was: was.clone(),
            now: now.clone(),
            severity: newest.and_then(|f| optional(&f["severity"])),
            message: newest.map(|f| text(&f["message"])).unwrap_or_default(),
        };
        match (not_passing(&was), not_passing(&now)) {
            (false, true) => new_failures.push(entry()),
            (true, false) => resolved.push(entry()),
            // fail ↔ unknown is neither fixed nor newly broken.
            _ => {}
        }
    }
    let checks = |report: &Value| -> BTreeMap<String, (String, String)> {
        report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (text(&c["id"]), (text(&c["name"]), text(&c["status"]))))
            .collect()
    };
    let (old_checks, new_checks) = (checks(&old), checks(&new));
    let mut ids: Vec<&String> = old_checks.keys().chain(new_checks.keys()).collect();
    ids.sort();
    ids.dedup();
    let check_changes: Vec<CheckChange> = ids
        .into_iter()
        .filter_map(|id| {
            let was = old_checks.get(id);
            let now = new_checks.get(id);
            let status =
                |c: Option<&(String, String)>| c.map_or("absent".to_owned(), |c| c.1.clone());
            (status(was) != status(now)).then(|| CheckChange {
                id: id.clone(),
                name: now.or(was).map(|c| c.0.clone()).unwrap_or_default(),
                was: status(was),
                now: status(now),
            })
        })
        .collect();
    let (old_standing, new_standing) = (standing(&old), standing(&new));
    let account_changes = account_changes(&old, &new);
    let mut regressions = Vec::new();
    if !new_failures.is_empty() {
        regressions.push(format!(
            "{} findings newly fail or are unknown",
            new_failures.len()
        ));
    }
    let fell = match (old_standing.level, new_standing.level) {
        (Some(was), Some(now)) => now < was,
        (Some(_), None) => true,
        _ => false,
    };
    if fell {
        regressions.push(format!(
            "the organization's level fell from {} to {}",
            level_text(old_standing.level, old_standing.level_name.as_deref()),
            level_text(new_standing.level, new_standing.level_name.as_deref())
        ));
    }
    let dropped: Vec<String> = account_changes
        .iter()
        .filter(|c| c.counts_for_organization)
        .filter(|c| matches!((c.was_level, c.now_level), (Some(was), Some(now)) if now < was))
        .map(|c| {
            format!(
                "{} from {} to {}",
                account_label(c),
                c.was_level.unwrap_or_default(),
                c.now_level.unwrap_or_default()
            )
        })
        .collect();
    if !dropped.is_empty() {
        regressions.push(format!(
            "{} production {} dropped a level: {}",
            dropped.len(),
            if dropped.len() == 1 {
                "account"
            } else {
                "accounts"
            },
            dropped.join(", ")
        ));
    }
    match (old_standing.score, new_standing.score) {
        (Some(was), Some(now)) if now < was => {
            regressions.push(format!("score fell from {was} to {now}"));
        }
        (Some(was), None) => {
            regressions.push(format!("score fell from {was} to none (nothing in scope)"))
        }
        _ => {}
    }
    Ok(Diff {
        old: old_standing,
        new: new_standing,
        new_failures,
        resolved,
        check_changes,
        account_changes,
        regressed: !regressions.is_empty(),
        regressions,
    })
}

fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |s| s.to_string())
}

/// `acme-prod (222222222222)`.
fn account_label(c: &AccountChange) -> String {
    match &c.name {
        Some(name) => format!("{name} ({})", c.id),
        None => c.id.clone(),
    }
}

/// The diff for a person reading a terminal or a CI log.
pub fn render_text(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let (old, new) = (&diff.old, &diff.new);
    writeln!(
        out,
        "Level {} → {}    Score {} → {}",
        level_text(old.level, old.level_name.as_deref()),
        level_text(new.level, new.level_name.as_deref()),
        score(old.score),
        score(new.score)
    )?;
    writeln!(
        out,
        "Reports of {} (ringfence {}, format {}) and {} (ringfence {}, format {})",
        old.generated_at,
        old.tool_version,
        old.schema_version,
        new.generated_at,
        new.tool_version,
        new.schema_version
    )?;
    writeln!(out)?;
    let list = |out: &mut dyn Write, title: &str, findings: &[DiffFinding]| -> io::Result<()> {
        writeln!(out, "{title} ({})", findings.len())?;
        for f in findings {
            let place = match (&f.account, &f.region) {
                (Some(a), Some(r)) => format!(" [{a} {r}]"),
                (Some(a), None) => format!(" [{a}]"),
                _ => String::new(),
            };
            writeln!(
                out,
                "  {} {} {} → {}{}: {}",
                f.check_id, f.resource, f.was, f.now, place, f.message
            )?;
        }
        writeln!(out)
    };
    list(out, "New failing or unknown findings", &diff.new_failures)?;
    list(out, "Resolved findings", &diff.resolved)?;
    if !diff.account_changes.is_empty() {
        writeln!(
            out,
            "Accounts whose level or score changed ({})",
            diff.account_changes.len()
        )?;
        for c in &diff.account_changes {
            let side = |present: bool, level: Option<u64>, s: Option<f64>| {
                if present {
                    format!(
                        "level {} score {}",
                        level.map_or_else(|| "–".to_owned(), |l| l.to_string()),
                        score(s)
                    )
                } else {
                    "absent".to_owned()
                }
            };
            writeln!(
                out,
                "  {}{}: {} → {}",
                account_label(c),
                c.environment
                    .as_deref()
                    .map_or(String::new(), |e| format!(" [{e}]")),
                side(c.was_present, c.was_level, c.was_score),
                side(c.now_present, c.now_level, c.now_score)
            )?;
        }
        writeln!(out)?;
    }
    if !diff.check_changes.is_empty() {
        writeln!(out, "Checks that changed ({})", diff.check_changes.len())?;
        for c in &diff.check_changes {
            writeln!(out, "  {} {}: {} → {}", c.id, c.name, c.was, c.now)?;
        }
        writeln!(out)?;
    }
    if diff.regressed {
        writeln!(out, "Regressed: {}", diff.regressions.join("; "))
    } else {
        writeln!(out, "No regression")
    }
}

pub fn render_json(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diff)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn report(version: &str, level: u64, score: f64, findings: serde_json::Value) -> Vec<u8> {
        with_accounts(version, level, score, findings, json!([]))
    }

    fn with_accounts(
        version: &str,
        level: u64,
        score: f64,
        findings: serde_json::Value,
        accounts: serde_json::Value,
    ) -> Vec<u8> {
        json!({
            "schema_version": version,
            "tool": { "name": "ringfence", "version": "0.1.0" },
            "generated_at": "2026-11-20T09:00:00Z",
            "summary": { "level": level, "level_name": "x", "score": score },
            "checks": [ { "id": "DEL002", "name": "rds-deletion-protection", "status": "fail" } ],
            "accounts": accounts,
            "findings": findings,
            "a_field_from_a_newer_minor_version": true,
        })
        .to_string()
        .into_bytes()
    }

    fn finding(resource: &str, status: &str) -> serde_json::Value {
        json!({ "check_id": "DEL002", "resource": resource, "status": status, "account": "222222222222",
                "region": "eu-west-1", "severity": "high", "message": format!("{resource} {status}") })
    }

    fn account(id: &str, env: &str, counts: bool, level: u64, score: f64) -> serde_json::Value {
        json!({ "id": id, "name": format!("acme-{id}"), "environment": env,
                "counts_for_organization": counts, "level": level, "score": score })
    }

    #[test]
    fn new_failures_resolved_findings_and_regressions() {
        let old = report(
            "2.0",
            2,
            80.0,
            json!([
                finding("a", "fail"),
                finding("b", "pass"),
                finding("c", "unknown")
            ]),
        );
        let new = report(
            "2.7",
            1,
            70.5,
            json!([
                finding("a", "pass"),
                finding("b", "fail"),
                finding("c", "fail"),
                finding("d", "unknown")
            ]),
        );
        let diff = super::diff(&old, "old.json", &new, "new.json").unwrap();
        let resources = |list: &[super::DiffFinding]| {
            list.iter().map(|f| f.resource.clone()).collect::<Vec<_>>()
        };
        assert_eq!(resources(&diff.new_failures), ["b", "d"]);
        assert_eq!(diff.new_failures[1].was, "absent");
        assert_eq!(resources(&diff.resolved), ["a"]);
        assert!(diff.regressed);
        assert_eq!(diff.regressions.len(), 3, "{:?}", diff.regressions);
    }

    #[test]
    fn an_improvement_is_no_regression() {
        let old = report("2.0", 1, 50.0, json!([finding("a", "fail")]));
        let new = report("2.0", 2, 60.0, json!([finding("a", "waived")]));
        let diff = super::diff(&old, "old.json", &new, "new.json").unwrap();
        assert!(!diff.regressed);
        assert_eq!(diff.resolved.len(), 1);
    }

    #[test]
    fn a_production_account_dropping_a_level_is_a_regression_a_nonprod_one_is_not() {
        let old = with_accounts(
            "2.0",
            1,
            60.0,
            json!([]),
            json!([
                account("111111111111", "prod", true, 3, 90.0),
                account("222222222222", "prod", true, 1, 50.0),
                account("333333333333", "nonprod", false, 4, 100.0),
                account("444444444444", "prod", true, 2, 70.0),
            ]),
        );
        // The organization's level (the weakest link) and score hold; one production account
        // falls from 3 to 2, a non-production one from 4 to 0, one is gone, one is new.
        let new = with_accounts(
            "2.0",
            1,
            60.0,
            json!([]),
            json!([
                account("111111111111", "prod", true, 2, 85.0),
                account("222222222222", "prod", true, 1, 50.0),
                account("333333333333", "nonprod", false, 0, 10.0),
                account("555555555555", "prod", true, 0, 0.0),
            ]),
        );
        let diff = super::diff(&old, "old.json", &new, "new.json").unwrap();
        assert!(diff.regressed);
        assert_eq!(
            diff.regressions,
            ["1 production account dropped a level: acme-111111111111 (111111111111) from 3 to 2"]
        );
        let ids: Vec<&str> = diff.account_changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "111111111111",
                "333333333333",
                "555555555555",
                "444444444444"
            ]
        );
        let gone = &diff.account_changes[3];
        assert!(gone.was_present && !gone.now_present);
        let mut text = Vec::new();
        super::render_text(&diff, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains(
                "  acme-111111111111 (111111111111) [prod]: level 3 score 90 → level 2 score 85"
            ),
            "{text}"
        );
        assert!(text.contains("[prod]: level 2 score 70 → absent"), "{text}");
    }

    #[test]
    fn a_level_lost_altogether_is_a_regression() {
        let old = report("2.0", 2, 80.0, json!([]));
        let mut new: serde_json::Value =
            serde_json::from_slice(&report("2.0", 2, 80.0, json!([]))).unwrap();
        new["summary"]["level"] = serde_json::Value::Null;
        new["summary"]["level_name"] = serde_json::Value::Null;
        let diff = super::diff(&old, "old.json", new.to_string().as_bytes(), "new.json").unwrap();
        assert_eq!(
            diff.regressions,
            ["the organization's level fell from 2 (x) to none"]
        );
    }

    #[test]
    fn another_major_version_or_another_file_is_refused() {
        let old = report("2.0", 1, 50.0, json!([]));
        let new = report("3.0", 1, 50.0, json!([]));
        let err = super::diff(&old, "old.json", &new, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("new.json: schema_version 3.0"), "{err}");
        let err = super::diff(b"{\"accounts\": []}", "snap.json", &old, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a ringfence JSON report"), "{err}");
        let err = super::diff(b"{", "broken.json", &old, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("broken.json:1:"), "{err}");
    }

    #[test]
    fn a_format_1_report_is_refused_with_what_changed_and_what_to_do() {
        let old = report("1.1", 0, 0.0, json!([]));
        let new = report("2.0", 1, 50.0, json!([]));
        let err = super::diff(&old, "old.json", &new, "new.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "old.json: schema_version 1.1: a report of format 1.x cannot be compared"
            ),
            "{err}"
        );
        assert!(err.contains("weighted share of passing findings"), "{err}");
        assert!(
            err.contains("ringfence evaluate OLD-SNAPSHOT.json -f json"),
            "{err}"
        );
    }
}
