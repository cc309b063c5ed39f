//! The report of `ringfence scan`: SEC001 and SEC002 on one machine, what the scan read and
//! skipped, and the gate. Like every report, it never holds a secret value.

use std::io::{self, Write};

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tabled::builder::Builder;

use super::table::print_table;
use super::{GateVerdict, Tool};
use crate::checks::{Finding, Severity, Status};
use crate::inventory::{ScanProblem, ScanStats, Workstation};
use crate::score::{CheckResult, Counts};
use crate::waiver::WaiverState;

/// The scan report format this build writes (`MAJOR.MINOR`).
/// 1.1: each check carries `accounts`, the accounts by its status in them.
pub const SCAN_SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanReport {
    pub schema_version: String,
    pub tool: Tool,
    pub generated_at: Timestamp,
    pub scope: ScanScope,
    /// What the workspace walk saw and skipped.
    pub stats: ScanStats,
    /// Files that could not be read or were read in part (at most 100 listed).
    pub problems: Vec<ScanProblem>,
    /// Findings by status.
    pub summary: Counts,
    pub checks: Vec<CheckResult>,
    /// Every finding, by check, then failing, unknown, waived, passing and not applicable, then
    /// resource.
    pub findings: Vec<Finding>,
    /// Waivers of SEC001 and SEC002 and what became of them.
    pub waivers: Vec<WaiverState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateVerdict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanScope {
    pub workspaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_home: Option<String>,
    /// Whether `sts:GetAccessKeyInfo` was asked about keys the inventory does not know.
    pub attributed_with_sts: bool,
    /// Where the inventory deciding what is production came from: `live`, `snapshot`,
    /// `demo` or `offline`.
    pub inventory: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// When the inventory was collected.
    pub collected_at: Timestamp,
}

/// Everything a scan report is built from.
pub struct ScanInputs {
    pub workstation: Workstation,
    pub checks: Vec<CheckResult>,
    pub findings: Vec<Finding>,
    pub waivers: Vec<WaiverState>,
    pub inventory: String,
    pub snapshot_path: Option<String>,
    pub config_path: Option<String>,
    pub collected_at: Timestamp,
    pub generated_at: Timestamp,
}

impl ScanReport {
    pub fn build(inputs: ScanInputs) -> ScanReport {
        let ScanInputs {
            workstation,
            checks,
            findings,
            waivers,
            inventory,
            snapshot_path,
            config_path,
            collected_at,
            generated_at,
        } = inputs;
        // What needs doing first: failures, then what could not be established.
        let mut findings = findings;
        findings.sort_by(|a, b| {
            (&a.check_id, a.status.urgency(), &a.resource).cmp(&(
                &b.check_id,
                b.status.urgency(),
                &b.resource,
            ))
        });
        ScanReport {
            schema_version: SCAN_SCHEMA_VERSION.to_owned(),
            tool: Tool {
                name: "ringfence".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            generated_at,
            scope: ScanScope {
                workspaces: workstation.workspaces,
                aws_home: workstation.aws_home,
                attributed_with_sts: workstation.attributed_with_sts,
                inventory,
                snapshot: snapshot_path,
                config: config_path,
                collected_at,
            },
            stats: workstation.stats,
            problems: workstation.problems,
            summary: Counts::of(&findings),
            checks,
            findings,
            waivers,
            gate: None,
        }
    }

    /// Exit 1 when a finding at or above `fail_on` fails or is unknown.
    pub fn apply_gate(&mut self, fail_on: Option<Severity>) {
        let Some(threshold) = fail_on else { return };
        let offending: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| {
                f.severity >= threshold && matches!(f.status, Status::Fail | Status::Unknown)
            })
            .collect();
        let reasons = if offending.is_empty() {
            Vec::new()
        } else {
            let fail = offending
                .iter()
                .filter(|f| f.status == Status::Fail)
                .count();
            vec![format!(
                "{} findings at or above {threshold} severity not passing ({fail} fail, {} unknown)",
                offending.len(),
                offending.len() - fail
            )]
        };
        self.gate = Some(GateVerdict {
            passed: reasons.is_empty(),
            criteria: super::Gate {
                fail_on: Some(threshold),
                ..Default::default()
            },
            reasons,
        });
    }
}

pub fn render_scan_json(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

pub fn render_scan_table(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let scope = &report.scope;
    let stats = &report.stats;
    let inventory = match &scope.snapshot {
        Some(path) => format!("snapshot {path}"),
        None => format!("{} inventory", scope.inventory),
    };
    writeln!(
        out,
        "ringfence {} · workstation scan · production decided by the {inventory} (collected {})",
        report.tool.version, scope.collected_at
    )?;
    writeln!(out)?;
    if !scope.workspaces.is_empty() {
        writeln!(
            out,
            "  Workspaces: {} — {} files seen, {} env files read, {} dependency or build folders not entered",
            scope.workspaces.join(", "),
            stats.files_seen,
            stats.files_read,
            stats.skipped_dirs
        )?;
    }
    match &scope.aws_home {
        Some(home) => writeln!(out, "  AWS configuration: {home}")?,
        None => writeln!(out, "  AWS configuration: not read")?,
    }
    writeln!(
        out,
        "  Keys attributed by: the inventory's IAM users{}",
        if scope.attributed_with_sts {
            ", then sts:GetAccessKeyInfo"
        } else {
            " (--attribute-keys would also ask sts:GetAccessKeyInfo)"
        }
    )?;
    let skipped = [
        (stats.skipped_large, "over the size limit"),
        (stats.skipped_binary, "binary"),
        (stats.unreadable, "unreadable"),
        (stats.non_utf8, "not UTF-8 (searched anyway)"),
        (stats.symlink_loops, "symlink loops (not followed)"),
        (
            stats.links_outside,
            "links to folders outside the workspace (not followed)",
        ),
    ];
    let skipped: Vec<String> = skipped
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !skipped.is_empty() {
        writeln!(out, "  Not searched: {}", skipped.join(", "))?;
    }
    let c = &report.summary;
    writeln!(
        out,
        "  Findings: {} fail · {} unknown · {} pass · {} not applicable · {} waived",
        c.fail, c.unknown, c.pass, c.not_applicable, c.waived
    )?;
    writeln!(out)?;

    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::NotApplicable || report.findings.len() <= 2)
        .collect();
    if !shown.is_empty() {
        writeln!(out, "Findings")?;
        let mut table = Builder::new();
        table.push_record(["Check", "Status", "Severity", "Where", "Finding"]);
        for f in shown {
            table.push_record([
                f.check_id.clone(),
                f.status.to_string(),
                f.severity.to_string(),
                f.resource.clone(),
                f.message.clone(),
            ]);
        }
        print_table(out, table, Some((4, 70)))?;
        writeln!(out)?;
    }
    if !report.problems.is_empty() {
        writeln!(
            out,
            "Files not searched, or not understood in full ({} listed)",
            report.problems.len()
        )?;
        let mut table = Builder::new();
        table.push_record(["Path", "Why"]);
        for p in &report.problems {
            table.push_record([p.path.clone(), p.detail.clone()]);
        }
        print_table(out, table, Some((1, 60)))?;
        writeln!(out)?;
    }
    let fixes: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.remediation.is_some())
        .collect();
    if !fixes.is_empty() {
        writeln!(out, "How to fix")?;
        for f in fixes {
            writeln!(
                out,
                "  {} {}: {}",
                f.check_id,
                f.resource,
                f.remediation.as_deref().unwrap_or_default()
            )?;
        }
        writeln!(out)?;
    }
    if let Some(gate) = &report.gate {
        if gate.passed {
            writeln!(out, "Gate: passed")?;
        } else {
            writeln!(out, "Gate: FAILED — {}", gate.reasons.join("; "))?;
        }
    }
    Ok(())
}
