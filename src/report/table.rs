//! The terminal report: what a person reads after `ringfence audit`.
//!
//! It leads with what matters — the organization's level and score, the ladder, where each
//! account stands and what blocks it — then each failing and unknown check with its counts and
//! its first findings, one line each (`--details` prints every finding in full). Everything fits
//! the width it is given: tables shrink their widest column first and wrap inside cells on word
//! boundaries.

use std::io::{self, Write};

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Style, Width};

use super::{Report, environment_label};
use crate::checks::{Finding, Status};
use crate::classify::EnvClass;
use crate::score::{AccountStanding, CheckResult, LevelState, TOP_LEVEL, WORKSTATION};

/// The width used when standard output is not a terminal and `COLUMNS` is not set: stable, so
/// that logs and golden tests do not depend on who ran the command.
pub const DEFAULT_WIDTH: usize = 100;

/// The narrowest layout: below this, tables would be unreadable; lines may run over instead.
pub const MIN_WIDTH: usize = 60;

/// Findings shown per check unless `details`.
const FINDINGS_PER_CHECK: usize = 3;

/// How the terminal report is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// Columns available.
    pub width: usize,
    /// Every failing, unknown and waived finding in full, instead of the first few per check on
    /// one line each.
    pub details: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            width: DEFAULT_WIDTH,
            details: false,
        }
    }
}

pub fn render_table(
    report: &Report,
    out: &mut dyn Write,
    options: &TableOptions,
) -> io::Result<()> {
    let width = options.width.max(MIN_WIDTH);
    let scope = &report.scope;
    let source = match &scope.snapshot {
        Some(path) => format!("snapshot {path}"),
        None => format!("{} estate", scope.source),
    };
    paragraph(
        out,
        &format!(
            "ringfence {} · {source} · collected {} · {} accounts, {} regions",
            report.tool.version,
            scope.collected_at,
            scope.accounts.len(),
            scope.regions.len()
        ),
        width,
        "",
    )?;
    if let Some(w) = &scope.workstation {
        let skipped = w.stats.skipped_large + w.stats.skipped_binary + w.stats.unreadable;
        paragraph(
            out,
            &format!(
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
            ),
            width,
            "",
        )?;
    }
    writeln!(out)?;
    organization(out, report, width)?;
    writeln!(out)?;
    ladder(out, report, width)?;
    writeln!(out)?;
    accounts(out, report, width, options.details)?;
    writeln!(out)?;
    attention(out, report, width, options.details)?;
    waivers(out, report, width)?;
    collection_errors(out, report, width)?;
    classification(out, report, width)?;
    if let Some(gate) = &report.gate {
        writeln!(out)?;
        if gate.passed {
            writeln!(out, "Gate: passed")?;
        } else {
            paragraph(
                out,
                &format!("Gate: FAILED — {}", gate.reasons.join("; ")),
                width,
                "  ",
            )?;
        }
    }
    Ok(())
}

/// The organization's level and score, what holds it down, and how accounts are spread over
/// the ladder.
fn organization(out: &mut dyn Write, report: &Report, width: usize) -> io::Result<()> {
    let summary = &report.summary;
    let score = summary.score.map_or_else(
        || "n/a (nothing in scope)".to_owned(),
        |s| format!("{s} / 100"),
    );
    let level = match summary.level {
        Some(level) => format!("level {level} — {}", summary.level_name_text()),
        None => "no level (no production account to judge)".to_owned(),
    };
    writeln!(out, "Organization: {level} · score {score}")?;
    let basis = if summary.level.is_some() {
        let weakest: Vec<String> = summary
            .weakest
            .iter()
            .map(|id| account_name(report, id))
            .collect();
        format!(
            "The weakest link: the lowest level among production accounts, the management account and accounts holding production resources — {} {}.",
            list(&weakest, 6),
            if weakest.len() == 1 {
                "is there"
            } else {
                "are there"
            }
        )
    } else {
        "No production account, management account or production resource was found: classify the production accounts in ringfence.toml [environments] to get a level.".to_owned()
    };
    indented(out, &basis, width, "  ", "  ")?;
    indented(
        out,
        "The score is the severity-weighted mean of each check's share of passing findings.",
        width,
        "  ",
        "  ",
    )?;
    if summary.distribution.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let any_empty = summary.distribution.iter().any(|d| d.nothing_in_scope > 0);
    let mut head = format!("  {:<26}", "Accounts at each level");
    for level in 0..=TOP_LEVEL {
        head.push_str(&format!("{level:>5}"));
    }
    if any_empty {
        head.push_str("  nothing in scope");
    }
    writeln!(out, "{}", head.trim_end())?;
    for d in &summary.distribution {
        let label = match d.environment {
            EnvClass::Nonprod => "nonprod (informational)".to_owned(),
            other => other.as_str().to_owned(),
        };
        let mut line = format!("  {label:<26}");
        for count in &d.by_level {
            if *count == 0 {
                line.push_str(&format!("{:>5}", "·"));
            } else {
                line.push_str(&format!("{count:>5}"));
            }
        }
        if any_empty && d.nothing_in_scope > 0 {
            line.push_str(&format!("  {}", d.nothing_in_scope));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn ladder(out: &mut dyn Write, report: &Report, width: usize) -> io::Result<()> {
    let counted = report
        .accounts
        .iter()
        .filter(|a| a.counts_for_organization && a.level.is_some())
        .count();
    writeln!(out, "Maturity ladder")?;
    let mut table = Rows::default();
    table.push_record(["Level", "State", "Reached by", "Blocking"]);
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
        let there = if counted == 0 {
            "–".to_owned()
        } else {
            format!(
                "{} of {counted} {}",
                counted - level.accounts_below.len(),
                if counted == 1 { "account" } else { "accounts" }
            )
        };
        table.push_record([
            format!("{} {}{marker}", level.level, level.name),
            state.to_owned(),
            there,
            detail,
        ]);
    }
    print_fitted(out, table, width)
}

/// Accounts listed in the terminal report unless `--details`.
const ACCOUNTS_SHOWN: usize = 40;

/// Where each account stands: production accounts first, the weakest first, then the others
/// (informational), then the workstation scope.
fn accounts(out: &mut dyn Write, report: &Report, width: usize, details: bool) -> io::Result<()> {
    if report.accounts.is_empty() {
        return Ok(());
    }
    let ordered = report.accounts_weakest_first();
    paragraph(
        out,
        "Accounts — production first, weakest first (◀ holds the organization's level down)",
        width,
        "  ",
    )?;
    let shown = if details {
        ordered.len()
    } else {
        ACCOUNTS_SHOWN
    };
    let build = |wide: bool| -> Rows {
        let mut table = Rows::default();
        if wide {
            table.push_record([
                "Account",
                "Environment",
                "Level",
                "Score",
                "Failing checks",
                "First blocker",
            ]);
        } else {
            table.push_record(["Account", "Level, score", "Failing", "First blocker"]);
        }
        for a in ordered.iter().take(shown) {
            let env = environment_label(a);
            let weakest = report.is_weakest(a);
            let level = match (&a.level, &a.level_name) {
                (Some(level), Some(name)) => {
                    format!("{level} {name}{}", if weakest { " ◀" } else { "" })
                }
                _ => "– nothing in scope".to_owned(),
            };
            let score = a.score.map_or_else(|| "–".to_owned(), |s| s.to_string());
            // One line each when there is room; stacked when narrow.
            let sep = if wide { " " } else { "\n" };
            let failing = match (a.checks.fail, a.checks.unknown) {
                (f, 0) => f.to_string(),
                (f, u) => format!("{f}{sep}+{u} unknown"),
            };
            let blocker = match a.blockers.first() {
                Some(first) => {
                    let count = match first.status {
                        Status::Fail => format!("{} failing", first.fail),
                        _ => format!("{} unknown", first.unknown),
                    };
                    let more = match a.blockers.len() - 1 {
                        0 => String::new(),
                        1 => "; 1 more check".to_owned(),
                        n => format!("; {n} more checks"),
                    };
                    if wide {
                        format!("{} {}: {count}{more}", first.check_id, first.name)
                    } else {
                        format!("{} {}\n{count}{more}", first.check_id, first.name)
                    }
                }
                None if a.level == Some(TOP_LEVEL) => "– top of the ladder".to_owned(),
                None => "–".to_owned(),
            };
            let name = match (&a.name, wide) {
                (Some(name), true) => format!("{name} {}", a.id),
                _ => standing_name(a),
            };
            if wide {
                table.push_record([name, env, level, score, failing, blocker]);
            } else {
                table.push_record([
                    format!("{name}\n{env}"),
                    format!("{level}\nscore {score}"),
                    failing,
                    blocker,
                ]);
            }
        }
        table
    };
    // Environment and score get columns of their own when that table fits unwrapped.
    let wide = build(true);
    let table = if natural_width(&wide) <= width {
        wide
    } else {
        build(false)
    };
    print_fitted(out, table, width)?;
    if ordered.len() > shown {
        writeln!(
            out,
            "… and {} more accounts (--details lists every one; -f json has them all)",
            ordered.len() - shown
        )?;
    }
    Ok(())
}

/// Each failing, then unknown, check with its counts and first findings.
fn attention(out: &mut dyn Write, report: &Report, width: usize, details: bool) -> io::Result<()> {
    for (title, status) in [
        ("Failing checks", Status::Fail),
        ("Unknown checks", Status::Unknown),
    ] {
        let mut checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.status == status)
            .collect();
        if checks.is_empty() {
            continue;
        }
        // What blocks the lowest rung first, the most severe first within it.
        checks.sort_by_key(|c| (c.level, std::cmp::Reverse(c.severity)));
        let note = match (status, details) {
            (Status::Unknown, _) => " — data missing: not a pass".to_owned(),
            (_, true) => String::new(),
            (_, false) => format!(
                " — the first {FINDINGS_PER_CHECK} findings of each; --details lists every one"
            ),
        };
        paragraph(
            out,
            &format!("{title} ({}){note}", checks.len()),
            width,
            "  ",
        )?;
        writeln!(out)?;
        for check in checks {
            check_block(out, report, check, width, details)?;
        }
    }
    let passing: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Pass | Status::Waived))
        .map(|c| c.id.as_str())
        .collect();
    let empty: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::NotApplicable)
        .map(|c| c.id.as_str())
        .collect();
    let mut lines = Vec::new();
    if report
        .checks
        .iter()
        .all(|c| !matches!(c.status, Status::Fail | Status::Unknown))
    {
        lines.push("No failing or unknown findings.".to_owned());
    }
    if !passing.is_empty() {
        lines.push(format!("Passing everywhere: {}", passing.join(", ")));
    }
    if !empty.is_empty() {
        lines.push(format!("Nothing in scope: {}", empty.join(", ")));
    }
    for line in &lines {
        paragraph(out, line, width, "  ")?;
    }
    if !lines.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

fn check_block(
    out: &mut dyn Write,
    report: &Report,
    check: &CheckResult,
    width: usize,
    details: bool,
) -> io::Result<()> {
    let n = &check.counts;
    let mut counts = Vec::new();
    for (count, what) in [
        (n.fail, "failing"),
        (n.unknown, "unknown"),
        (n.waived, "waived"),
        (n.pass, "passing"),
    ] {
        if count > 0 {
            counts.push(format!("{count} {what}"));
        }
    }
    let places = |status: Status| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for f in report
            .findings
            .iter()
            .filter(|f| f.check_id == check.id && f.status == status)
        {
            let place = finding_place(f);
            if !seen.contains(&place) {
                seen.push(place);
            }
        }
        seen
    };
    let mut where_ = Vec::new();
    let failing_in = places(Status::Fail);
    if !failing_in.is_empty() {
        where_.push(format!("fails in {}", list(&failing_in, 3)));
    }
    let unknown_in: Vec<String> = places(Status::Unknown)
        .into_iter()
        .filter(|p| !failing_in.contains(p))
        .collect();
    if !unknown_in.is_empty() {
        where_.push(format!("unknown in {}", list(&unknown_in, 3)));
    }
    paragraph(
        out,
        &format!(
            "{} {} · {} · level {} · {} · findings: {}",
            check.id,
            check.name,
            check.severity,
            check.level,
            where_.join("; "),
            counts.join(", "),
        ),
        width,
        "    ",
    )?;
    let attention: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.check_id == check.id)
        .filter(|f| {
            matches!(f.status, Status::Fail | Status::Unknown)
                || (details && f.status == Status::Waived)
        })
        .collect();
    let mut sorted = attention.clone();
    sorted.sort_by_key(|f| f.status.urgency());
    let shown = if details {
        sorted.len()
    } else {
        FINDINGS_PER_CHECK
    };
    for f in sorted.iter().take(shown) {
        let place = finding_place(f);
        if details {
            let region = f
                .region
                .as_deref()
                .map_or(String::new(), |r| format!(" {r}"));
            indented(
                out,
                &format!("{} · {place}{region} · {}", f.status, f.resource),
                width,
                "  ",
                "      ",
            )?;
            indented(out, &f.message, width, "      ", "      ")?;
            if let Some(fix) = &f.remediation {
                indented(out, &format!("fix: {fix}"), width, "      ", "           ")?;
            }
            if let Some(w) = &f.waiver {
                indented(
                    out,
                    &format!("waived until {}: {}", w.expires, w.reason),
                    width,
                    "      ",
                    "        ",
                )?;
            }
        } else {
            writeln!(
                out,
                "{}",
                one_line(
                    &format!("  {:<7} {place} · {}", f.status.as_str(), f.message),
                    width
                )
            )?;
        }
    }
    if sorted.len() > shown {
        writeln!(
            out,
            "  … and {} more (--details lists every finding; -f json has them all)",
            sorted.len() - shown
        )?;
    }
    writeln!(out)
}

fn waivers(out: &mut dyn Write, report: &Report, width: usize) -> io::Result<()> {
    if report.waivers.is_empty() {
        return Ok(());
    }
    writeln!(out, "Waivers")?;
    let mut table = Rows::default();
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
    print_fitted(out, table, width)?;
    writeln!(out)
}

fn collection_errors(out: &mut dyn Write, report: &Report, width: usize) -> io::Result<()> {
    if report.collection_errors.is_empty() {
        return Ok(());
    }
    paragraph(
        out,
        &format!(
            "Collection errors ({}): the checks that needed this data report unknown",
            report.collection_errors.len()
        ),
        width,
        "  ",
    )?;
    // Errors that say the same thing (a deadline, an open breaker) are one entry, naming each
    // call they stopped, grouped by place.
    // (what they say, [(place, [service:operation])])
    type Places = Vec<(String, Vec<String>)>;
    let mut groups: Vec<(String, Places)> = Vec::new();
    for e in &report.collection_errors {
        let place = [e.account_id.as_deref(), e.region.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let error = match &e.code {
            Some(code) => format!("{code}: {}", e.message),
            None => e.message.clone(),
        };
        let call = format!("{}:{}", e.service, e.operation);
        let index = match groups.iter().position(|(said, _)| *said == error) {
            Some(index) => index,
            None => {
                groups.push((error, Vec::new()));
                groups.len() - 1
            }
        };
        let places = &mut groups[index].1;
        match places.iter_mut().find(|(p, _)| *p == place) {
            Some((_, calls)) => calls.push(call),
            None => places.push((place, vec![call])),
        }
    }
    for (error, places) in groups {
        let calls = places
            .iter()
            .map(|(place, calls)| format!("{place} {}", calls.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        indented(out, &format!("{calls} — {error}"), width, "  ", "      ")?;
    }
    writeln!(out)
}

/// How each account was classified, and why.
fn classification(out: &mut dyn Write, report: &Report, width: usize) -> io::Result<()> {
    writeln!(out, "How the accounts were classified")?;
    let mut table = Rows::default();
    table.push_record(["Account", "Environment", "Why"]);
    for a in &report.scope.accounts {
        let env = if a.collected {
            a.environment.as_str().to_owned()
        } else {
            format!("{} (not collected)", a.environment.as_str())
        };
        let name = match &a.name {
            Some(name) => format!("{name} {}", a.id),
            None => a.id.clone(),
        };
        table.push_record([name, env, a.reason.clone()]);
    }
    print_fitted(out, table, width)
}

/// A table with rounded borders, no wider than `width` where that can be done: the widest
/// columns give way first, down to their longest word, and cells are wrapped on word
/// boundaries (an overlong word — an ARN, a check name — at its last `-`, `/`, `:` or `,`).
fn print_fitted(out: &mut dyn Write, table: Rows, width: usize) -> io::Result<()> {
    let mut fitted = Builder::new();
    for row in fit(table.0, width) {
        fitted.push_record(row);
    }
    let mut table = fitted.build();
    table.with(Style::rounded());
    writeln!(out, "{table}")
}

/// The cells of a table, row by row, the header first.
#[derive(Default)]
struct Rows(Vec<Vec<String>>);

impl Rows {
    fn push_record<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.0.push(row.into_iter().map(Into::into).collect());
    }
}

/// The width of a table of these rows with nothing wrapped.
fn natural_width(rows: &Rows) -> usize {
    let columns = rows.0.first().map_or(0, Vec::len);
    let widths: usize = (0..columns)
        .map(|c| {
            rows.0
                .iter()
                .filter_map(|r| r.get(c))
                .flat_map(|t| t.lines())
                .map(chars)
                .max()
                .unwrap_or(0)
        })
        .sum();
    widths + columns + 1 + 2 * columns
}

/// Narrowest a column is made, unless its cells are narrower.
const MIN_COLUMN: usize = 12;

/// Wraps the cells of `rows` so that the table they make is at most `width` wide.
fn fit(rows: Vec<Vec<String>>, width: usize) -> Vec<Vec<String>> {
    let columns = rows.first().map_or(0, Vec::len);
    if columns == 0 {
        return rows;
    }
    let measure = |f: &dyn Fn(&str) -> usize| -> Vec<usize> {
        (0..columns)
            .map(|c| {
                rows.iter()
                    .map(|r| r.get(c).map_or(0, |t| f(t)))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    let mut widths = measure(&|t| t.lines().map(chars).max().unwrap_or(0));
    let natural = widths.clone();
    let mins: Vec<usize> = measure(&|t| {
        t.split_whitespace()
            .map(chars)
            .max()
            .unwrap_or(0)
            .min(MIN_COLUMN)
    })
    .into_iter()
    .zip(&natural)
    .map(|(m, n)| m.max(MIN_COLUMN.min(*n)).max(1))
    .collect();
    // Borders and one space of padding on each side of every cell.
    let overhead = columns + 1 + 2 * columns;
    while widths.iter().sum::<usize>() + overhead > width {
        let Some(widest) = (0..columns)
            .filter(|&c| widths[c] > mins[c])
            .max_by_key(|&c| (widths[c], c))
        else {
            break;
        };
        widths[widest] -= 1;
    }
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(c, cell)| {
                    if widths[c] < natural[c] {
                        wrap(&cell, widths[c]).join("\n")
                    } else {
                        cell
                    }
                })
                .collect()
        })
        .collect()
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// `text` in lines of at most `width` characters, broken between words; a word longer than a
/// line is broken after its last `-`, `/`, `:` or `,` that fits, else cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_hanging(text, width, width)
}

/// Like [`wrap`], the first line `first` wide and the others `rest` wide.
fn wrap_hanging(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            loop {
                let width = if lines.is_empty() { first } else { rest }.max(1);
                let room = if line.is_empty() {
                    width
                } else {
                    width.saturating_sub(chars(&line) + 1)
                };
                if chars(&word) <= room {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() && chars(&word) <= width {
                    lines.push(std::mem::take(&mut line));
                    continue;
                }
                // The word does not fit on a line of its own: break it where it can.
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: Vec<char> = word.chars().take(width).collect();
                let cut = head
                    .iter()
                    .rposition(|c| matches!(c, '-' | '/' | ':' | ','))
                    .filter(|&i| i > 0)
                    .map_or(width, |i| i + 1);
                let taken: String = word.chars().take(cut).collect();
                let rest: String = word.chars().skip(cut).collect();
                lines.push(taken);
                word = rest;
                if word.is_empty() {
                    break;
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Writes `text` wrapped at `width`, the first line after `first`, the others after `rest`.
fn paragraph(out: &mut dyn Write, text: &str, width: usize, rest: &str) -> io::Result<()> {
    indented(out, text, width, "", rest)
}

fn indented(
    out: &mut dyn Write,
    text: &str,
    width: usize,
    first: &str,
    rest: &str,
) -> io::Result<()> {
    let lines = wrap_hanging(
        text,
        width.saturating_sub(chars(first)).max(20),
        width.saturating_sub(chars(rest)).max(20),
    );
    for (i, line) in lines.iter().enumerate() {
        writeln!(out, "{}{line}", if i == 0 { first } else { rest })?;
    }
    Ok(())
}

/// `text` on one line of at most `width` characters, cut with `…`.
fn one_line(text: &str, width: usize) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() <= width {
        return text;
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `acme-prod`, the account id when it has no name, `workstation` for the workstation scope.
fn finding_place(f: &Finding) -> String {
    match (&f.account_name, &f.account) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => WORKSTATION.to_owned(),
    }
}

/// `acme-prod` and `222222222222` on two lines.
fn standing_name(a: &AccountStanding) -> String {
    match &a.name {
        Some(name) => format!("{name}\n{}", a.id),
        None => a.id.clone(),
    }
}

fn account_name(report: &Report, id: &str) -> String {
    report
        .accounts
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// `a, b, c and 4 more`.
fn list(items: &[String], max: usize) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= max => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..max].join(", "), n - max),
    }
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

#[cfg(test)]
mod tests {
    use crate::inventory::{Account, CollectionError, Snapshot};

    fn error(region: Option<&str>, service: &str, code: &str, message: &str) -> CollectionError {
        CollectionError {
            account_id: Some("123456789012".into()),
            region: region.map(str::to_owned),
            service: service.into(),
            operation: "*".into(),
            code: Some(code.into()),
            message: message.into(),
        }
    }

    #[test]
    fn collection_errors_that_say_the_same_are_one_entry_naming_each_call_by_place() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let mut snapshot = Snapshot::new(now);
        snapshot.accounts.push(Account {
            id: "123456789012".into(),
            ..Default::default()
        });
        let late = "not collected: deadline reached";
        snapshot.errors = vec![
            error(None, "iam", "DeadlineReached", late),
            error(Some("eu-west-1"), "ec2", "DeadlineReached", late),
            error(Some("eu-west-1"), "rds", "AccessDenied", "denied"),
            error(Some("eu-west-1"), "rds", "DeadlineReached", late),
        ];
        let report = crate::evaluate(
            &snapshot,
            &crate::config::Config::default(),
            crate::Source::Live,
            None,
            now,
        );
        let mut out = Vec::new();
        super::collection_errors(&mut out, &report, 200).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1..3],
            [
                "  123456789012 iam:*; 123456789012 eu-west-1 ec2:*, rds:* — DeadlineReached: not collected: deadline reached",
                "  123456789012 eu-west-1 rds:* — AccessDenied: denied",
            ],
            "{text}"
        );
        assert!(lines[0].starts_with("Collection errors (4)"), "{text}");
    }
}
