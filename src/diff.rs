//! `ringfence diff OLD.json NEW.json`: what changed between two JSON reports — findings that
//! newly fail or became unknown, findings resolved, checks whose status changed, and the level
//! and score — so that a scheduled audit or a CI job can gate on regressions.
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

/// Level and score of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub schema_version: String,
    pub tool_version: String,
    pub generated_at: String,
    pub level: u64,
    pub level_name: String,
    pub score: Option<f64>,
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
    /// Whether anything got worse: a new failing or unknown finding, a lower level, a lower
    /// score.
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
    let major = |v: &str| v.split('.').next().map(str::to_owned);
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
    if !value["findings"].is_array() || !value["summary"].is_object() {
        return Err(Error::input(
            origin,
            "no findings or summary: not a ringfence JSON report (write one with `-f json`)",
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
        level: report["summary"]["level"].as_u64().unwrap_or(0),
        level_name: text(&report["summary"]["level_name"]),
        score: report["summary"]["score"].as_f64(),
    }
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
    let mut regressions = Vec::new();
    if !new_failures.is_empty() {
        regressions.push(format!(
            "{} findings newly fail or are unknown",
            new_failures.len()
        ));
    }
    if new_standing.level < old_standing.level {
        regressions.push(format!(
            "level fell from {} ({}) to {} ({})",
            old_standing.level,
            old_standing.level_name,
            new_standing.level,
            new_standing.level_name
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
        regressed: !regressions.is_empty(),
        regressions,
    })
}

fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |s| s.to_string())
}

/// The diff for a person reading a terminal or a CI log.
pub fn render_text(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let (old, new) = (&diff.old, &diff.new);
    writeln!(
        out,
        "Level {} ({}) → {} ({})    Score {} → {}",
        old.level,
        old.level_name,
        new.level,
        new.level_name,
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
        json!({
            "schema_version": version,
            "tool": { "name": "ringfence", "version": "0.1.0" },
            "generated_at": "2026-11-20T09:00:00Z",
            "summary": { "level": level, "level_name": "x", "score": score },
            "checks": [ { "id": "DEL002", "name": "rds-deletion-protection", "status": "fail" } ],
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

    #[test]
    fn new_failures_resolved_findings_and_regressions() {
        let old = report(
            "1.0",
            2,
            80.0,
            json!([
                finding("a", "fail"),
                finding("b", "pass"),
                finding("c", "unknown")
            ]),
        );
        let new = report(
            "1.7",
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
        let old = report("1.0", 1, 50.0, json!([finding("a", "fail")]));
        let new = report("1.0", 2, 60.0, json!([finding("a", "waived")]));
        let diff = super::diff(&old, "old.json", &new, "new.json").unwrap();
        assert!(!diff.regressed);
        assert_eq!(diff.resolved.len(), 1);
    }

    #[test]
    fn another_major_version_or_another_file_is_refused() {
        let old = report("1.0", 1, 50.0, json!([]));
        let new = report("2.0", 1, 50.0, json!([]));
        let err = super::diff(&old, "old.json", &new, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("new.json: schema_version 2.0"), "{err}");
        let err = super::diff(b"{\"accounts\": []}", "snap.json", &old, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a ringfence JSON report"), "{err}");
        let err = super::diff(b"{", "broken.json", &old, "new.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("broken.json:1:"), "{err}");
    }
}
