//! The terminal report: what a person reads after `ringfence audit`.

use std::io::{self, Write};

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Style, Width};

use super::Report;
use crate::checks::Status;
use crate::score::LevelState;

/// Findings shown per check before the rest is summarised.
const FINDINGS_PER_CHECK: usize = 25;

pub fn render_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let scope = &report.scope;
    let source = match &scope.snapshot {
        Some(path) => format!("snapshot {path}"),
        None => format!("{} estate", scope.source),
    };
    writeln!(
        out,
        "ringfence {} · {source} · collected {} · {} accounts, {} regions",
        report.tool.version,
        scope.collected_at,
        scope.accounts.len(),
        scope.regions.len()
    )?;
    if let Some(w) = &scope.workstation {
        let skipped = w.stats.skipped_large + w.stats.skipped_binary + w.stats.unreadable;
        writeln!(
            out,
            "Workstation: {}{} · {} env files read{}",
            if w.workspaces.is_empty() {
                "no workspace".to_owned()
            } else {
                w.workspaces.join(", ")
            },
            w.aws_home
                .as_deref()
                .map_or(String::new(), |h| format!(" and {h}")),
            w.stats.files_read,
            if skipped > 0 {
                format!(", {skipped} could not be searched")
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out)?;
    let score = report.summary.score.map_or_else(
        || "n/a (nothing in scope)".to_owned(),
        |s| format!("{s} / 100"),
    );
    writeln!(
        out,
        "  Level {} — {}    Score {score}",
        report.summary.level_text(),
        report.summary.level_name_text()
    )?;
    let c = &report.summary.checks;
    writeln!(
        out,
        "  Checks: {} pass · {} fail · {} unknown · {} not applicable · {} waived",
        c.pass, c.fail, c.unknown, c.not_applicable, c.waived
    )?;
    writeln!(out)?;

    writeln!(out, "Maturity ladder")?;
    let mut ladder = Builder::new();
    ladder.push_record(["Level", "Name", "State", "Detail"]);
    for level in &report.levels {
        let (state, detail) = match level.state {
            LevelState::Held => ("held", format!("checks: {}", level.checks.join(", "))),
            LevelState::Failed => ("failed", format!("failing: {}", level.failing.join(", "))),
            LevelState::Unknown => ("unknown", format!("unknown: {}", level.unknown.join(", "))),
            LevelState::NotAssessed => (
                "not assessed",
                format!("no checks yet for {}", level.missing_controls.join(", ")),
            ),
        };
        let marker = if Some(level.level) == report.summary.level {
            " ◀"
        } else {
            ""
        };
        ladder.push_record([
            level.level.to_string(),
            format!("{}{marker}", level.name),
            state.to_owned(),
            detail,
        ]);
    }
    print_table(out, ladder, None)?;
    writeln!(out)?;

    writeln!(out, "Checks")?;
    let mut checks = Builder::new();
    checks.push_record([
        "Control", "Check", "Level", "Severity", "Status", "Pass", "Fail", "Unknown", "N/A",
        "Waived",
    ]);
    for control in &report.controls {
        for check in report.checks.iter().filter(|c| c.control == control.id) {
            let n = &check.counts;
            checks.push_record([
                format!("{} {}", control.id, control.name),
                format!("{} {}", check.id, check.name),
                check.level.to_string(),
                check.severity.to_string(),
                check.status.to_string(),
                n.pass.to_string(),
                n.fail.to_string(),
                n.unknown.to_string(),
                n.not_applicable.to_string(),
                n.waived.to_string(),
            ]);
        }
    }
    print_table(out, checks, Some((0, 28)))?;
    writeln!(out)?;

    let attention: Vec<_> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Unknown))
        .collect();
    if attention.is_empty() {
        writeln!(out, "No failing or unknown findings.")?;
    } else {
        writeln!(out, "Failing and unknown findings ({})", attention.len())?;
        let mut table = Builder::new();
        table.push_record(["Check", "Status", "Account", "Region", "Resource", "Reason"]);
        let mut hidden = 0;
        for check in &report.checks {
            let of_check: Vec<_> = attention
                .iter()
                .filter(|f| f.check_id == check.id)
                .collect();
            hidden += of_check.len().saturating_sub(FINDINGS_PER_CHECK);
            for finding in of_check.into_iter().take(FINDINGS_PER_CHECK) {
                let account = match (&finding.account_name, &finding.account) {
                    (Some(name), Some(id)) => format!("{name} ({id})"),
                    (None, Some(id)) => id.clone(),
                    _ => String::new(),
                };
                table.push_record([
                    finding.check_id.clone(),
                    finding.status.to_string(),
                    account,
                    finding.region.clone().unwrap_or_default(),
                    short_resource(&finding.resource).to_owned(),
                    finding.message.clone(),
                ]);
            }
        }
        print_table(out, table, Some((5, 70)))?;
        if hidden > 0 {
            writeln!(
                out,
                "… and {hidden} more (at most {FINDINGS_PER_CHECK} per check are shown here; `--format json` has them all)"
            )?;
        }
    }
    writeln!(out)?;

    if !report.waivers.is_empty() {
        writeln!(out, "Waivers")?;
        let mut table = Builder::new();
        table.push_record(["Check", "Resource", "State", "Matched", "Expires", "Reason"]);
        for w in &report.waivers {
            table.push_record([
                w.check.clone(),
                w.resource.clone(),
                w.state.as_str().to_owned(),
                w.matched.to_string(),
                w.expires.to_string(),
                w.reason.clone(),
            ]);
        }
        print_table(out, table, None)?;
        writeln!(out)?;
    }

    if !report.collection_errors.is_empty() {
        writeln!(
            out,
            "Collection errors ({}): the checks that needed this data report unknown",
            report.collection_errors.len()
        )?;
        let mut table = Builder::new();
        table.push_record(["Account", "Region", "Call", "Error"]);
        for e in &report.collection_errors {
            table.push_record([
                e.account_id.clone().unwrap_or_default(),
                e.region.clone().unwrap_or_default(),
                format!("{}:{}", e.service, e.operation),
                match &e.code {
                    Some(code) => format!("{code}: {}", e.message),
                    None => e.message.clone(),
                },
            ]);
        }
        print_table(out, table, Some((3, 70)))?;
        writeln!(out)?;
    }

    writeln!(out, "Accounts")?;
    let mut table = Builder::new();
    table.push_record(["Account", "Name", "Environment", "Why"]);
    for a in &scope.accounts {
        let env = if a.collected {
            a.environment.as_str().to_owned()
        } else {
            format!("{} (not collected)", a.environment.as_str())
        };
        table.push_record([
            a.id.clone(),
            a.name.clone().unwrap_or_default(),
            env,
            a.reason.clone(),
        ]);
    }
    print_table(out, table, Some((3, 70)))?;

    if let Some(gate) = &report.gate {
        writeln!(out)?;
        if gate.passed {
            writeln!(out, "Gate: passed")?;
        } else {
            writeln!(out, "Gate: FAILED — {}", gate.reasons.join("; "))?;
        }
    }
    Ok(())
}

/// Prints a table with rounded borders, wrapping column `wrap.0` at `wrap.1` characters.
pub(super) fn print_table(
    out: &mut dyn Write,
    table: Builder,
    wrap: Option<(usize, usize)>,
) -> io::Result<()> {
    let mut table = table.build();
    table.with(Style::rounded());
    if let Some((column, width)) = wrap {
        table.modify(Columns::one(column), Width::wrap(width).keep_words(true));
    }
    writeln!(out, "{table}")
}

/// The resource part of an ARN (`arn:aws:rds:…:db:orders` → `db:orders`), or the identifier.
pub(super) fn short_resource(resource: &str) -> &str {
    match resource.strip_prefix("arn:") {
        Some(rest) => rest
            .splitn(5, ':')
            .nth(4)
            .filter(|s| !s.is_empty())
            .unwrap_or(resource),
        None => resource,
    }
}
