//! HTML, one self-contained page to open in a browser.
//!
//! Overview first (the organization's level and its weakest link, score, gate, the maturity
//! ladder as inline SVG and the distribution of accounts over it), then an accounts × controls
//! grid where each account opens on its own ladder and blockers, then the controls with their
//! checks, every finding in one table, the waivers, the collection errors and the
//! accounts. Nothing is fetched: the CSS, the JavaScript and the pictures are inline, and a
//! Content-Security-Policy forbids anything else, so the page opens the same offline, from an
//! artefact store or an e-mail attachment.
//!
//! Every finding is one row, written once: its evidence, remediation and waiver are in a
//! `<details>` element that opens without JavaScript. The script only filters the rows (by
//! account, environment, severity, check, status and free text; failing and unknown findings are
//! shown at first). With scripts disabled every row is shown and the filters are hidden.
//!
//! Everything taken from the report is escaped ([`escape`]); the few values the script could use
//! as data are JSON in a `<script type="application/json">` element, escaped by [`script_json`].
//! Output is deterministic: no clock, no random ids.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{GateVerdict, Report};
use crate::checks::{Finding, Severity, Status};
use crate::classify::{EnvClass, PrincipalKind};
use crate::inventory::ProblemKind;
use crate::score::{CheckResult, Counts, LevelState, LevelStatus};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/script.js");

/// Nothing but the inline style and script, and `data:` pictures.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Statuses in the order they are listed, and whether the findings table shows them at first.
const STATUSES: [(Status, bool); 5] = [
    (Status::Fail, true),
    (Status::Unknown, true),
    (Status::Waived, false),
    (Status::Pass, false),
    (Status::NotApplicable, false),
];

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// Writes the report as one HTML5 document.
pub fn render_html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::with_capacity(64 * 1024 + report.findings.len() * 1_500);
    head(&mut s, report);
    overview(&mut s, report);
    controls(&mut s, report);
    findings(&mut s, report);
    waivers(&mut s, report);
    collection_errors(&mut s, report);
    accounts(&mut s, report);
    workstation(&mut s, report);
    tail(&mut s, report);
    out.write_all(s.as_bytes())
}

fn head(s: &mut String, report: &Report) {
    let scope = &report.scope;
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n\
         <title>ringfence report: level {} {} · score {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        report.summary.level_text(),
        escape(report.summary.level_name_text()),
        score_text(report.summary.score),
    );
    let _ = write!(
        s,
        "<header class=\"top\" id=\"scope\"><div class=\"inner\">\n<h1>ringfence report — {} estate</h1>\n<dl class=\"meta\">",
        escape(&scope.source)
    );
    let mut meta = |key: &str, value: String| {
        let _ = write!(s, "<div><dt>{key}</dt><dd>{value}</dd></div>");
    };
    meta(
        "ringfence",
        format!(
            "{} (report format {})",
            escape(&report.tool.version),
            escape(&report.schema_version)
        ),
    );
    meta("source", escape(&scope.source));
    if let Some(snapshot) = &scope.snapshot {
        meta("snapshot", format!("<code>{}</code>", escape(snapshot)));
    }
    if let Some(config) = &scope.config {
        meta("config", format!("<code>{}</code>", escape(config)));
    }
    meta(
        "collected",
        format!("<time>{}</time>", escape(&scope.collected_at.to_string())),
    );
    meta(
        "generated",
        format!("<time>{}</time>", escape(&report.generated_at.to_string())),
    );
    if let Some(org) = &scope.organization_id {
        meta("organization", format!("<code>{}</code>", escape(org)));
    }
    let collected = scope.accounts.iter().filter(|a| a.collected).count();
    meta(
        "accounts",
        format!("{} ({collected} collected)", scope.accounts.len()),
    );
    meta(
        "regions",
        if scope.regions.is_empty() {
            "0".to_owned()
        } else {
            format!(
                "{} ({})",
                scope.regions.len(),
                escape(&scope.regions.join(", "))
            )
        },
    );
    if !scope.principals.is_empty() {
        let kinds: Vec<String> = scope
            .principals
            .iter()
            .map(|(kind, n)| format!("{n} {}", principal_kind(*kind)))
            .collect();
        meta("principals", kinds.join(", "));
    }
    if let Some(w) = &scope.workstation {
        meta(
            "workstation",
            format!(
                "<a href=\"#workstation\">{} read of {} seen in {}</a>",
                plural(w.stats.files_read, "file"),
                w.stats.files_seen,
                plural(w.workspaces.len() as u64, "workspace")
            ),
        );
    }
    s.push_str("</dl>\n<nav class=\"toc\"><a href=\"#overview\">Overview</a><a href=\"#standings\">Accounts' levels</a><a href=\"#controls\">Checks</a><a href=\"#findings\">Findings</a><a href=\"#waivers\">Waivers</a><a href=\"#collection-errors\">Collection errors</a><a href=\"#accounts\">Accounts</a>");
    if scope.workstation.is_some() {
        s.push_str("<a href=\"#workstation\">Workstation</a>");
    }
    s.push_str("</nav>\n</div></header>\n<main>\n");
}

/// Level, score, gate and the ladder.
fn overview(s: &mut String, report: &Report) {
    let summary = &report.summary;
    s.push_str("<section id=\"overview\">\n<div class=\"overview\">\n");
    let weakest: Vec<String> = summary
        .weakest
        .iter()
        .map(|id| {
            let name = report
                .accounts
                .iter()
                .find(|a| &a.id == id)
                .and_then(|a| a.name.as_deref())
                .unwrap_or(id);
            format!(
                "<a href=\"#standing-{0}\">{1}</a>",
                escape(id),
                escape(name)
            )
        })
        .collect();
    let basis = if summary.level.is_some() {
        format!(
            "of 4 · its weakest production account's: {}",
            shortened_list(&weakest, 6)
        )
    } else {
        "no production account, management account or production resource was found: classify the production accounts in ringfence.toml [environments]".to_owned()
    };
    let _ = writeln!(
        s,
        "<div class=\"card\" id=\"level\" data-level=\"{}\" title=\"the lowest level among production accounts, the management account and accounts holding production resources\"><h2>Organization's level</h2><div class=\"big\">{}</div><div>{}</div><p class=\"muted\">{basis}</p></div>",
        summary.level_text(),
        summary.level_text(),
        escape(summary.level_name_text())
    );
    let score_attr = summary
        .score
        .map_or_else(|| "n/a".to_owned(), |v| v.to_string());
    let _ = writeln!(
        s,
        "<div class=\"card\" id=\"score\" data-score=\"{}\"><h2>Score</h2>{}{}</div>",
        escape(&score_attr),
        gauge(summary.score),
        status_counts(&summary.checks, "check")
    );
    s.push_str("<div class=\"card ladder\" id=\"ladder\"><h2>Maturity ladder</h2>\n");
    ladder_svg(s, report);
    s.push_str("</div>\n");
    distribution(s, report);
    s.push_str("</div>\n");
    if let Some(gate) = &report.gate {
        gate_block(s, gate);
    }
    s.push_str("<h2>Levels</h2>\n<table id=\"levels\">\n<thead><tr><th class=\"num\">Level</th><th>Name</th><th>State</th><th class=\"num\">Checks</th><th>Reached by</th><th>Blocking</th></tr></thead>\n<tbody>\n");
    let _ = writeln!(
        s,
        "<tr data-level=\"0\"{}><td class=\"num\">0</td><td>Exposed</td><td><span class=\"badge st-held\">floor</span></td><td class=\"num\">–</td><td>–</td><td class=\"muted\">where every estate starts</td></tr>",
        if summary.level == Some(0) {
            " class=\"reached\""
        } else {
            ""
        }
    );
    for level in &report.levels {
        let _ = writeln!(
            s,
            "<tr data-level=\"{}\" data-state=\"{}\"{}><td class=\"num\">{}</td><td>{}{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            level.level,
            level_state(level.state),
            if Some(level.level) == summary.level {
                " class=\"reached\""
            } else {
                ""
            },
            level.level,
            escape(&level.name),
            if Some(level.level) == summary.level {
                " <strong>◀ reached</strong>"
            } else {
                ""
            },
            level_badge(level.state),
            level.checks.len(),
            reached_by(report, level),
            blocking(level)
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
    standings(s, report);
}

/// `2 of 5 accounts`: the accounts that count for the organization's level and reached this one.
fn reached_by(report: &Report, level: &LevelStatus) -> String {
    let counted = report
        .accounts
        .iter()
        .filter(|a| a.counts_for_organization && a.level.is_some())
        .count();
    if counted == 0 {
        return "–".to_owned();
    }
    format!(
        "{} of {}",
        counted - level.accounts_below.len(),
        plural(counted as u64, "account")
    )
}

/// How many accounts of each environment hold each level.
fn distribution(s: &mut String, report: &Report) {
    let dist = &report.summary.distribution;
    if dist.is_empty() {
        return;
    }
    s.push_str("<div class=\"card\" id=\"distribution\"><h2>Accounts at each level</h2>\n<table class=\"dist\">\n<thead><tr><th>Environment</th>");
    for level in 0..=crate::score::TOP_LEVEL {
        let _ = write!(s, "<th class=\"num\">{level}</th>");
    }
    s.push_str("<th class=\"num\" title=\"nothing in scope\">–</th></tr></thead>\n<tbody>\n");
    for d in dist {
        let label = match d.environment {
            EnvClass::Nonprod => "nonprod <span class=\"muted\">(informational)</span>",
            other => other.as_str(),
        };
        let _ = write!(
            s,
            "<tr data-environment=\"{}\"><td>{label}</td>",
            d.environment.as_str()
        );
        for count in &d.by_level {
            if *count == 0 {
                s.push_str("<td class=\"num muted\">·</td>");
            } else {
                let _ = write!(s, "<td class=\"num\">{count}</td>");
            }
        }
        let _ = writeln!(
            s,
            "<td class=\"num muted\">{}</td></tr>",
            d.nothing_in_scope
        );
    }
    s.push_str("</tbody>\n</table></div>\n");
}

/// `✗`, `?`, `~`, `✓`, `–`: a control's state readable without its colour.
fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::Fail => "✗",
        Status::Unknown => "?",
        Status::Waived => "~",
        Status::Pass => "✓",
        Status::NotApplicable => "–",
    }
}

/// The accounts × controls grid: where each account stands, and its own ladder on click.
fn standings(s: &mut String, report: &Report) {
    if report.accounts.is_empty() {
        return;
    }
    s.push_str("<section id=\"standings\">\n<h2>Where each account stands</h2>\n<p class=\"muted\">Production accounts first, the weakest first; ◀ marks the accounts at the organization's level. Non-production accounts are informational: they are judged only on what classification puts in scope for them. Open an account for its ladder and what its next level needs.</p>\n<div class=\"scroll\"><table id=\"standings-table\">\n<thead><tr><th>Account</th><th>Environment</th><th class=\"num\">Level</th><th class=\"num\">Score</th>");
    for control in &report.controls {
        let _ = write!(
            s,
            "<th class=\"ctl\" title=\"{}\">{}</th>",
            escape(&control.name),
            escape(&control.id)
        );
    }
    s.push_str("<th>First blocker</th></tr></thead>\n<tbody>\n");
    for a in report.accounts_weakest_first() {
        standing_row(s, report, a);
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn standing_row(s: &mut String, report: &Report, a: &crate::score::AccountStanding) {
    let filter_value = if a.environment.is_none() {
        "none"
    } else {
        a.id.as_str()
    };
    let name = a.name.as_deref().unwrap_or(&a.id);
    let weakest = report.is_weakest(a);
    let level = match (a.level, &a.level_name) {
        (Some(level), Some(level_name)) => format!(
            "<span class=\"lvl\">{level}</span> {}{}",
            escape(level_name),
            if weakest { " ◀" } else { "" }
        ),
        _ => "<span class=\"muted\">– nothing in scope</span>".to_owned(),
    };
    let _ = write!(
        s,
        "<tr class=\"standing{}\" id=\"standing-{}\" data-account=\"{}\" data-level=\"{}\"><td><details class=\"account-ladder\"><summary><strong>{}</strong>{}</summary>",
        if weakest { " weakest" } else { "" },
        escape(&a.id),
        escape(filter_value),
        a.level.map_or_else(|| "none".to_owned(), |l| l.to_string()),
        escape(name),
        if a.name.is_some() {
            format!(" <code>{}</code>", escape(&a.id))
        } else {
            String::new()
        }
    );
    // The account's own ladder.
    s.push_str("<ol class=\"mini-ladder\">");
    for level in &a.levels {
        let mut parts = Vec::new();
        if !level.failing.is_empty() {
            parts.push(format!("failing: {}", check_links(&level.failing)));
        }
        if !level.unknown.is_empty() {
            parts.push(format!("unknown: {}", check_links(&level.unknown)));
        }
        let _ = write!(
            s,
            "<li data-level=\"{}\" data-state=\"{}\">{} {} {}{}</li>",
            level.level,
            level_state(level.state),
            level.level,
            escape(crate::score::level_name(level.level)),
            level_badge(level.state),
            if parts.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"muted\">{}</span>", parts.join("; "))
            }
        );
    }
    s.push_str("</ol>");
    if !a.blockers.is_empty() {
        let needs: Vec<String> = a
            .blockers
            .iter()
            .map(|b| {
                let count = match b.status {
                    Status::Fail => format!("{} failing", b.fail),
                    _ => format!("{} unknown", b.unknown),
                };
                format!(
                    "<a href=\"#check-{0}\">{0}</a> {1} ({count})",
                    escape(&b.check_id),
                    escape(&b.name)
                )
            })
            .collect();
        let _ = write!(
            s,
            "<p class=\"needs\">Level {} needs: {}</p>",
            a.blockers[0].level,
            needs.join(", ")
        );
    }
    let _ = write!(
        s,
        "<p><a class=\"show-account\" href=\"#account={}&amp;status=fail,unknown\">its failing and unknown findings</a></p></details></td>",
        escape(filter_value)
    );
    let env = match a.environment {
        Some(env) => format!(
            "<span class=\"env env-{}\">{}</span>",
            env.as_str(),
            escape(&super::environment_label(a))
        ),
        None => "<span class=\"muted\">files without an account</span>".to_owned(),
    };
    let _ = write!(
        s,
        "<td>{env}</td><td class=\"num\">{level}</td><td class=\"num\">{}</td>",
        a.score.map_or_else(|| "–".to_owned(), |v| v.to_string())
    );
    for control in &report.controls {
        let status = a
            .controls
            .get(&control.id)
            .copied()
            .unwrap_or(Status::NotApplicable);
        let _ = write!(
            s,
            "<td class=\"cell s-{0}\" data-control=\"{1}\" data-state=\"{0}\" title=\"{1}: {2}\">{3}</td>",
            status.as_str(),
            escape(&control.id),
            status_text(status),
            status_symbol(status)
        );
    }
    let _ = writeln!(
        s,
        "<td>{}</td></tr>",
        super::blocker_text(a).map_or_else(
            || if a.level == Some(crate::score::TOP_LEVEL) {
                "<span class=\"muted\">top of the ladder</span>".to_owned()
            } else {
                "–".to_owned()
            },
            |b| escape(&b)
        )
    );
}

/// `a, b and c`, or `a, b and 4 more`.
fn shortened_list(items: &[String], max: usize) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= max => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..max].join(", "), n - max),
    }
}

/// A half-circle gauge of the score, grey and empty when there is none.
fn gauge(score: Option<f64>) -> String {
    let (value, colour) = match score {
        Some(v) => {
            let v = v.clamp(0.0, 100.0);
            let colour = if v >= 80.0 {
                "var(--pass)"
            } else if v >= 50.0 {
                "var(--unknown)"
            } else {
                "var(--fail)"
            };
            (v, colour)
        }
        None => (0.0, "var(--na)"),
    };
    let label = match score {
        Some(v) => format!("score {v} of 100"),
        None => "no score: nothing in scope".to_owned(),
    };
    format!(
        "<svg class=\"gauge\" viewBox=\"0 0 200 120\" role=\"img\" aria-label=\"{label}\">\
         <title>{label}</title>\
         <path class=\"track\" d=\"M 20 100 A 80 80 0 0 1 180 100\" fill=\"none\" stroke-width=\"18\" pathLength=\"100\"/>\
         <path class=\"value\" d=\"M 20 100 A 80 80 0 0 1 180 100\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"18\" pathLength=\"100\" stroke-dasharray=\"{value} 100\"/>\
         <text x=\"100\" y=\"92\" text-anchor=\"middle\" font-size=\"30\" font-weight=\"700\">{}</text>\
         <text x=\"100\" y=\"114\" text-anchor=\"middle\" font-size=\"12\" fill=\"#59636e\">{}</text></svg>",
        score_text(score),
        if score.is_some() {
            "of 100"
        } else {
            "nothing in scope"
        }
    )
}

/// Five steps, level 0 to 4, each coloured by its state, the reached one outlined.
fn ladder_svg(s: &mut String, report: &Report) {
    const STEP_W: u32 = 116;
    const GAP: u32 = 8;
    const BASE: u32 = 186;
    let reached = report.summary.level_text();
    let _ = writeln!(
        s,
        "<svg viewBox=\"0 0 {} 198\" role=\"img\" aria-label=\"maturity ladder, level {reached} reached\"><title>maturity ladder: level {reached} ({}) reached</title>",
        5 * STEP_W + 4 * GAP,
        escape(report.summary.level_name_text())
    );
    let mut steps: Vec<(u8, String, &str, &str)> =
        vec![(0, "Exposed".to_owned(), "floor", "floor")];
    for level in &report.levels {
        steps.push((
            level.level,
            level.name.clone(),
            level_state(level.state),
            level_state_text(level.state),
        ));
    }
    for (i, (level, name, class, state)) in steps.iter().enumerate() {
        let i = i as u32;
        let x = i * (STEP_W + GAP);
        let height = 66 + i * 24;
        let y = BASE - height;
        let here = Some(*level) == report.summary.level;
        let _ = writeln!(
            s,
            "<g class=\"step {class}{}\" data-level=\"{level}\"><title>level {level} {}: {state}</title>\
             <rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{height}\" rx=\"4\" stroke-width=\"1.5\"/>\
             <text class=\"num\" x=\"{}\" y=\"{}\">{level}</text>\
             <text class=\"name\" x=\"{}\" y=\"{}\">{}</text>\
             <text class=\"state\" x=\"{}\" y=\"{}\">{state}</text></g>",
            if here { " reached" } else { "" },
            escape(name),
            x + 1,
            STEP_W - 2,
            x + 10,
            y + 20,
            x + 10,
            y + 36,
            escape(&shorten(name, 16)),
            x + 10,
            BASE - 8,
        );
        if here {
            let _ = writeln!(
                s,
                "<text class=\"here\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">▼ reached</text>",
                x + STEP_W / 2,
                y - 5
            );
        }
    }
    s.push_str("</svg>\n");
}

fn gate_block(s: &mut String, gate: &GateVerdict) {
    let mut criteria = Vec::new();
    if let Some(v) = gate.criteria.fail_under {
        criteria.push(format!("score at least {v}"));
    }
    if let Some(v) = gate.criteria.min_level {
        criteria.push(format!("level at least {v}"));
    }
    if let Some(v) = gate.criteria.fail_on {
        criteria.push(format!("no {v} or worse check failing or unknown"));
    }
    let (class, verdict) = if gate.passed {
        ("passed", "✔ Gate passed")
    } else {
        ("failed", "✘ Gate failed")
    };
    let _ = write!(
        s,
        "<div class=\"gate {class}\" id=\"gate\" data-passed=\"{}\"><strong>{verdict}</strong> <span class=\"muted\">({})</span>",
        gate.passed,
        escape(&criteria.join("; "))
    );
    if !gate.reasons.is_empty() {
        s.push_str("<ul>");
        for reason in &gate.reasons {
            let _ = write!(s, "<li>{}</li>", escape(reason));
        }
        s.push_str("</ul>");
    }
    s.push_str("</div>\n");
}

/// What keeps a level from holding, with links to the checks.
fn blocking(level: &LevelStatus) -> String {
    let mut parts = Vec::new();
    if !level.failing.is_empty() {
        parts.push(format!("failing: {}", check_links(&level.failing)));
    }
    if !level.unknown.is_empty() {
        parts.push(format!("unknown: {}", check_links(&level.unknown)));
    }
    if !level.missing_controls.is_empty() {
        parts.push(format!(
            "no checks yet for {}",
            escape(&level.missing_controls.join(", "))
        ));
    }
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join("; ")
    }
}

fn check_links(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("<a href=\"#check-{0}\">{0}</a>", escape(id)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One table of checks per control.
fn controls(s: &mut String, report: &Report) {
    s.push_str("<section id=\"controls\">\n<h2>Controls and checks</h2>\n");
    let _ = writeln!(
        s,
        "<div class=\"summary-line\">{} checks {}</div>",
        report.checks.len(),
        status_counts(&report.summary.checks, "check")
    );
    let mut listed = BTreeSet::new();
    for control in &report.controls {
        let checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.control == control.id)
            .collect();
        listed.insert(control.id.as_str());
        check_table(s, &control.id, &control.name, &checks);
    }
    // Checks of a control the report does not name, should there be any.
    let others: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| !listed.contains(c.control.as_str()))
        .collect();
    if !others.is_empty() {
        check_table(s, "other", "Other checks", &others);
    }
    s.push_str("</section>\n");
}

fn check_table(s: &mut String, id: &str, name: &str, checks: &[&CheckResult]) {
    let mut counts = Counts::default();
    for check in checks {
        counts.add(check.status);
    }
    let _ = writeln!(
        s,
        "<section class=\"control\" id=\"control-{0}\" data-control=\"{0}\">\n<h3><code>{0}</code> {1}</h3>",
        escape(id),
        escape(name)
    );
    if checks.is_empty() {
        s.push_str("<p class=\"muted\">No checks in this version.</p>\n</section>\n");
        return;
    }
    s.push_str("<table class=\"checks\">\n<thead><tr><th>Check</th><th>Title</th><th class=\"num\">Level</th><th>Severity</th><th>Status</th><th>Findings</th></tr></thead>\n<tbody>\n");
    for check in checks {
        let _ = writeln!(
            s,
            "<tr class=\"check\" id=\"check-{0}\" data-status=\"{1}\" data-severity=\"{2}\"><td class=\"nowrap\"><code>{0}</code><br><span class=\"muted\">{3}</span></td><td>{4}{5}</td><td class=\"num\">{6}</td><td><span class=\"sev sev-{2}\">{2}</span></td><td>{7}</td><td>{8} <a class=\"show-check\" href=\"#findings\" data-check=\"{0}\">show</a></td></tr>",
            escape(&check.id),
            check.status.as_str(),
            check.severity.as_str(),
            escape(&check.name),
            escape(&check.title),
            references(&check.id),
            check.level,
            status_badge(check.status),
            finding_counts(&check.counts),
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

/// The catalogue's references of a check, as links the reader may follow.
fn references(id: &str) -> String {
    let Some(check) = crate::checks::find(id) else {
        return String::new();
    };
    let refs = &check.entry().references;
    if refs.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<details class=\"refs\"><summary class=\"muted\">references</summary><ul class=\"refs\">",
    );
    for r in refs {
        if r.starts_with("https://") {
            let _ = write!(
                s,
                "<li><a href=\"{0}\" rel=\"noreferrer noopener\">{0}</a></li>",
                escape(r)
            );
        } else {
            let _ = write!(s, "<li>{}</li>", escape(r));
        }
    }
    s.push_str("</ul></details>");
    s
}

/// The findings table and its filters.
fn findings(s: &mut String, report: &Report) {
    let n = &report.summary.findings;
    s.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    let _ = writeln!(
        s,
        "<div class=\"summary-line\">{} findings {}</div>",
        report.findings.len(),
        status_counts(n, "finding")
    );
    let names: BTreeMap<&str, &str> = report
        .scope
        .accounts
        .iter()
        .filter_map(|a| a.name.as_deref().map(|n| (a.id.as_str(), n)))
        .collect();
    let mut accounts: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let mut environments = BTreeSet::new();
    let mut checks = BTreeSet::new();
    let mut by_status = Counts::default();
    for f in &report.findings {
        let name = f
            .account_name
            .as_deref()
            .or_else(|| f.account.as_deref().and_then(|a| names.get(a).copied()));
        accounts
            .entry(account_value(f))
            .and_modify(|n| *n = n.or(name))
            .or_insert(name);
        environments.insert(environment_value(f));
        checks.insert(f.check_id.as_str());
        by_status.add(f.status);
    }

    s.push_str("<p class=\"nojs-note\">Every finding is listed; with JavaScript enabled, filters appear here and only failing and unknown findings are shown at first.</p>\n");
    s.push_str("<div id=\"filters\" role=\"search\" hidden>\n");
    s.push_str("<label class=\"field\">Account<select id=\"filter-account\"><option value=\"\">all accounts</option>");
    for (value, name) in &accounts {
        let label = match (*value, name) {
            ("none", _) => "(no account)".to_owned(),
            (id, Some(name)) => format!("{id} {name}"),
            (id, None) => id.to_owned(),
        };
        let _ = write!(
            s,
            "<option value=\"{}\">{}</option>",
            escape(value),
            escape(&label)
        );
    }
    s.push_str("</select></label>\n<label class=\"field\">Environment<select id=\"filter-environment\"><option value=\"\">all environments</option>");
    for env in &environments {
        let label = if *env == "none" { "(none)" } else { env };
        let _ = write!(s, "<option value=\"{env}\">{label}</option>");
    }
    s.push_str("</select></label>\n<label class=\"field\">Severity<select id=\"filter-severity\"><option value=\"\">all severities</option>");
    for sev in SEVERITIES {
        let _ = write!(s, "<option value=\"{0}\">{0}</option>", sev.as_str());
    }
    s.push_str("</select></label>\n<label class=\"field\">Check<select id=\"filter-check\"><option value=\"\">all checks</option>");
    for check in &checks {
        let _ = write!(s, "<option value=\"{0}\">{0}</option>", escape(check));
    }
    s.push_str("</select></label>\n<fieldset id=\"filter-status\"><legend>Status</legend>");
    for (status, shown) in STATUSES {
        let _ = write!(
            s,
            "<label><input type=\"checkbox\" value=\"{}\"{}> {} ({})</label>",
            status.as_str(),
            if shown { " checked" } else { "" },
            status_text(status),
            count_of(&by_status, status)
        );
    }
    s.push_str("</fieldset>\n<label class=\"field\">Search<input type=\"search\" id=\"filter-text\" placeholder=\"resource, message, evidence…\" autocomplete=\"off\"></label>\n");
    s.push_str("<button type=\"button\" id=\"filter-all\">all statuses</button><button type=\"button\" id=\"filter-reset\">reset</button>\n<span id=\"filter-count\" aria-live=\"polite\"></span>\n</div>\n");

    s.push_str("<div class=\"scroll\"><table id=\"findings-table\">\n<colgroup><col class=\"c-status\"><col class=\"c-sev\"><col class=\"c-check\"><col class=\"c-account\"><col class=\"c-region\"><col class=\"c-env\"><col class=\"c-res\"><col></colgroup>\n<thead><tr><th>Status</th><th>Severity</th><th>Check</th><th>Account</th><th>Region</th><th>Env</th><th>Resource</th><th>Message</th></tr></thead>\n<tbody>\n");
    for f in &report.findings {
        finding_row(s, f);
    }
    s.push_str("</tbody>\n</table></div>\n");
    let _ = writeln!(
        s,
        "<p id=\"findings-empty\" class=\"muted\"{}>No findings match the filters.</p>\n</section>",
        if report.findings.is_empty() {
            ""
        } else {
            " hidden"
        }
    );
}

fn finding_row(s: &mut String, f: &Finding) {
    let account = match (&f.account, &f.account_name) {
        (Some(id), Some(name)) => format!(
            "<code>{}</code><br><span class=\"muted\">{}</span>",
            escape(id),
            escape(name)
        ),
        (Some(id), None) => format!("<code>{}</code>", escape(id)),
        (None, _) => "<span class=\"muted\">–</span>".to_owned(),
    };
    let _ = write!(
        s,
        "<tr class=\"finding\" data-status=\"{status}\" data-severity=\"{sev}\" data-account=\"{}\" data-environment=\"{}\" data-check=\"{}\">\
         <td>{}</td><td><span class=\"sev sev-{sev}\">{sev}</span></td><td><a href=\"#check-{2}\"><code>{2}</code></a></td><td class=\"nowrap\">{account}</td><td class=\"nowrap\">{}</td><td>{}</td><td class=\"res\"><code>{}</code></td>\
         <td class=\"msg\"><details class=\"finding-detail\"><summary>{}</summary><div class=\"detail\">",
        escape(account_value(f)),
        environment_value(f),
        escape(&f.check_id),
        status_badge(f.status),
        f.region.as_deref().map_or_else(|| "–".to_owned(), escape),
        f.environment.map_or("–", EnvClass::as_str),
        escape(&f.resource),
        escape(&f.message),
        status = f.status.as_str(),
        sev = f.severity.as_str(),
    );
    if let Some(w) = &f.waiver {
        let _ = write!(
            s,
            "<div class=\"waiver-box\"><h4>Waiver</h4>{} <span class=\"muted\">· expires {}{}</span></div>",
            escape(&w.reason),
            w.expires,
            w.owner
                .as_deref()
                .map_or_else(String::new, |o| format!(" · owner {}", escape(o)))
        );
    }
    if let Some(r) = &f.remediation {
        let _ = write!(s, "<h4>Remediation</h4><p>{}</p>", escape(r));
    }
    if !is_empty_evidence(&f.evidence) {
        let evidence =
            serde_json::to_string_pretty(&f.evidence).unwrap_or_else(|_| f.evidence.to_string());
        let _ = write!(s, "<h4>Evidence</h4><pre>{}</pre>", escape(&evidence));
    }
    s.push_str("</div></details></td></tr>\n");
}

fn waivers(s: &mut String, report: &Report) {
    s.push_str("<section id=\"waivers\">\n<h2>Waivers</h2>\n");
    if report.waivers.is_empty() {
        s.push_str("<p class=\"muted\">No waivers configured.</p>\n</section>\n");
        return;
    }
    s.push_str("<table>\n<thead><tr><th>State</th><th>Check</th><th>Resource</th><th>Reason</th><th>Expires</th><th>Owner</th><th class=\"num\">Matched</th></tr></thead>\n<tbody>\n");
    for w in &report.waivers {
        let _ = writeln!(
            s,
            "<tr class=\"waiver\" data-state=\"{0}\"><td><span class=\"badge w-{0}\">{0}</span></td><td><code>{1}</code></td><td class=\"res\"><code>{2}</code></td><td>{3}</td><td class=\"nowrap\">{4}</td><td>{5}</td><td class=\"num\">{6}</td></tr>",
            w.state.as_str(),
            escape(&w.check),
            escape(&w.resource),
            escape(&w.reason),
            w.expires,
            w.owner.as_deref().map_or_else(|| "–".to_owned(), escape),
            w.matched
        );
    }
    s.push_str("</tbody>\n</table>\n<p class=\"muted\">Expired waivers no longer apply; stale ones match no failing finding and can be removed.</p>\n</section>\n");
}

fn collection_errors(s: &mut String, report: &Report) {
    s.push_str("<section id=\"collection-errors\">\n<h2>Collection errors</h2>\n");
    if report.collection_errors.is_empty() {
        s.push_str(
            "<p class=\"muted\">None: everything asked for was collected.</p>\n</section>\n",
        );
        return;
    }
    s.push_str("<p>What could not be collected makes the checks that need it <span class=\"badge s-unknown\">unknown</span>, not passing.</p>\n");
    s.push_str("<table>\n<thead><tr><th>Account</th><th>Region</th><th>Call</th><th>Code</th><th>Message</th></tr></thead>\n<tbody>\n");
    for e in &report.collection_errors {
        let _ = writeln!(
            s,
            "<tr class=\"collection-error\"><td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td><td><code>{}:{}</code></td><td>{}</td><td class=\"res\">{}</td></tr>",
            e.account_id
                .as_deref()
                .map_or_else(|| "–".to_owned(), escape),
            e.region.as_deref().map_or_else(|| "–".to_owned(), escape),
            escape(&e.service),
            escape(&e.operation),
            e.code.as_deref().map_or_else(|| "–".to_owned(), escape),
            escape(&e.message)
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

fn accounts(s: &mut String, report: &Report) {
    s.push_str("<section id=\"accounts\">\n<h2>Accounts</h2>\n");
    if report.scope.accounts.is_empty() {
        s.push_str("<p class=\"muted\">No accounts in scope.</p>\n</section>\n");
        return;
    }
    s.push_str("<table>\n<thead><tr><th>Account</th><th>Name</th><th>Environment</th><th>Why</th><th>Collected</th></tr></thead>\n<tbody>\n");
    for a in &report.scope.accounts {
        let _ = writeln!(
            s,
            "<tr class=\"account\" data-environment=\"{0}\"><td><code>{1}</code></td><td>{2}</td><td><span class=\"env env-{0}\">{0}</span></td><td>{3}</td><td>{4}</td></tr>",
            a.environment.as_str(),
            escape(&a.id),
            a.name.as_deref().map_or_else(|| "–".to_owned(), escape),
            escape(&a.reason),
            if a.collected {
                "yes"
            } else {
                "<span class=\"badge s-unknown\">no</span>"
            }
        );
    }
    s.push_str("</tbody>\n</table>\n");
    if let Some(c) = &report.scope.collection {
        let _ = writeln!(
            s,
            "<details id=\"collection-stats\"><summary>Collection cost: {:.1} s wall time</summary>\n<table>\n<thead><tr><th>Service</th><th class=\"num\">Calls</th><th class=\"num\">Retries</th><th class=\"num\">Errors</th><th class=\"num\">Seconds</th></tr></thead>\n<tbody>",
            c.wall_seconds
        );
        for svc in &c.services {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td></tr>",
                escape(&svc.service),
                svc.calls,
                svc.retries,
                svc.errors,
                svc.seconds
            );
        }
        s.push_str("</tbody>\n</table>\n</details>\n");
    }
    s.push_str("</section>\n");
}

fn workstation(s: &mut String, report: &Report) {
    let Some(w) = &report.scope.workstation else {
        return;
    };
    let st = &w.stats;
    s.push_str("<section id=\"workstation\">\n<h2>Workstation scan</h2>\n<dl class=\"meta\">");
    let _ = write!(
        s,
        "<div><dt>workspaces</dt><dd>{}</dd></div>",
        w.workspaces
            .iter()
            .map(|p| format!("<code>{}</code>", escape(p)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(home) = &w.aws_home {
        let _ = write!(
            s,
            "<div><dt>AWS config</dt><dd><code>{}</code></dd></div>",
            escape(home)
        );
    }
    let _ = writeln!(
        s,
        "<div><dt>keys attributed with STS</dt><dd>{}</dd></div></dl>",
        if w.attributed_with_sts { "yes" } else { "no" }
    );
    let _ = writeln!(
        s,
        "<p>{} files seen, {} candidates, {} read; skipped: {} folders, {} too large (over {} bytes), {} binary, {} unreadable, {} not UTF-8, {} symlink loops, {} links outside the workspace.</p>",
        st.files_seen,
        st.candidate_files,
        st.files_read,
        st.skipped_dirs,
        st.skipped_large,
        st.max_file_bytes,
        st.skipped_binary,
        st.unreadable,
        st.non_utf8,
        st.symlink_loops,
        st.links_outside
    );
    if !w.problems.is_empty() {
        s.push_str("<table>\n<thead><tr><th>File</th><th>Problem</th><th>Detail</th></tr></thead>\n<tbody>\n");
        for p in &w.problems {
            let _ = writeln!(
                s,
                "<tr><td class=\"res\"><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(&p.path),
                problem_kind(p.kind),
                escape(&p.detail)
            );
        }
        s.push_str("</tbody>\n</table>\n");
    }
    s.push_str("</section>\n");
}

/// The values a script could read, as JSON.
#[derive(Serialize)]
struct PageData<'a> {
    schema_version: &'a str,
    tool: &'a super::Tool,
    summary: &'a super::Summary,
    gate: Option<&'a GateVerdict>,
}

fn tail(s: &mut String, report: &Report) {
    let data = PageData {
        schema_version: &report.schema_version,
        tool: &report.tool,
        summary: &report.summary,
        gate: report.gate.as_ref(),
    };
    let _ = writeln!(
        s,
        "<footer>{} {} · report format {} · generated <time>{}</time> · this page fetches nothing; <code>-f json</code> has the same data for tools.</footer>\n</main>\n\
         <script type=\"application/json\" id=\"report-data\">{}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        escape(&report.schema_version),
        report.generated_at,
        script_json(&data)
    );
}

/// Text safe in element content and in double- or single-quoted attribute values. Control
/// characters other than line breaks and tabs, which HTML does not allow, become U+FFFD.
fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            '\n' | '\t' => s.push(c),
            '\r' => {}
            c if c.is_control() => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

/// JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` (only ever
/// inside JSON strings) and U+2028/U+2029 are written as `\u` escapes.
fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut s = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => s.push_str("\\u003c"),
            '>' => s.push_str("\\u003e"),
            '&' => s.push_str("\\u0026"),
            '\u{2028}' => s.push_str("\\u2028"),
            '\u{2029}' => s.push_str("\\u2029"),
            c => s.push(c),
        }
    }
    s
}

fn is_empty_evidence(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Object(map) => map.is_empty(),
        serde_json::Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The account a finding is filtered by: its id, or `none`.
fn account_value(f: &Finding) -> &str {
    f.account.as_deref().unwrap_or("none")
}

fn environment_value(f: &Finding) -> &'static str {
    f.environment.map_or("none", EnvClass::as_str)
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |v| v.to_string())
}

fn status_text(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "n/a",
        other => other.as_str(),
    }
}

fn status_badge(status: Status) -> String {
    format!(
        "<span class=\"badge s-{}\">{}</span>",
        status.as_str(),
        status_text(status)
    )
}

fn count_of(counts: &Counts, status: Status) -> u64 {
    match status {
        Status::Pass => counts.pass,
        Status::Fail => counts.fail,
        Status::Unknown => counts.unknown,
        Status::NotApplicable => counts.not_applicable,
        Status::Waived => counts.waived,
    }
}

/// Badges with the number of checks or findings by status, zeros left out.
fn status_counts(counts: &Counts, noun: &str) -> String {
    let items: Vec<String> = STATUSES
        .iter()
        .filter(|(status, _)| count_of(counts, *status) > 0)
        .map(|(status, _)| {
            format!(
                "<li class=\"badge s-{}\" data-{noun}s=\"{}\">{} {}</li>",
                status.as_str(),
                count_of(counts, *status),
                count_of(counts, *status),
                status_text(*status)
            )
        })
        .collect();
    if items.is_empty() {
        format!(
            "<ul class=\"counts\" aria-label=\"{noun}s by status\"><li class=\"muted\">none</li></ul>"
        )
    } else {
        format!(
            "<ul class=\"counts\" aria-label=\"{noun}s by status\">{}</ul>",
            items.join("")
        )
    }
}

/// `2 fail · 1 unknown · 3 pass`, zeros left out.
fn finding_counts(counts: &Counts) -> String {
    let parts: Vec<String> = STATUSES
        .iter()
        .filter(|(status, _)| count_of(counts, *status) > 0)
        .map(|(status, _)| format!("{} {}", count_of(counts, *status), status_text(*status)))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn level_state(state: LevelState) -> &'static str {
    match state {
        LevelState::Held => "held",
        LevelState::Failed => "failed",
        LevelState::Unknown => "unknown",
        LevelState::NotAssessed => "not_assessed",
    }
}

fn level_state_text(state: LevelState) -> &'static str {
    match state {
        LevelState::NotAssessed => "not assessed",
        other => level_state(other),
    }
}

fn level_badge(state: LevelState) -> String {
    format!(
        "<span class=\"badge st-{}\">{}</span>",
        level_state(state),
        level_state_text(state)
    )
}

fn principal_kind(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::Agent => "agent",
        PrincipalKind::Ci => "CI",
        PrincipalKind::Human => "human",
        PrincipalKind::Other => "other",
    }
}

fn problem_kind(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Unreadable => "unreadable",
        ProblemKind::TooLarge => "too large",
        ProblemKind::Binary => "binary",
        ProblemKind::NonUtf8 => "not UTF-8",
        ProblemKind::SymlinkLoop => "symlink loop",
        ProblemKind::Malformed => "malformed",
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The first `max` characters, with `…` if there were more.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Report {
        serde_json::from_str(include_str!("../../reports/examples/demo-report.json")).unwrap()
    }

    fn html(report: &Report) -> String {
        let mut out = Vec::new();
        render_html(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    const HOSTILE: [&str; 3] = [
        "<script>alert(1)</script>",
        "\"'><img src=x onerror=alert(1)>",
        "</script>",
    ];

    #[test]
    fn text_and_script_data_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&</a>\u{7}\r\n"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;\u{FFFD}\n"
        );
        assert_eq!(
            script_json(&"</script><!-- & \u{2028}\u{2029}"),
            r#""\u003c/script\u003e\u003c!-- \u0026 \u2028\u2029""#
        );
    }

    #[test]
    fn hostile_report_text_never_appears_unescaped() {
        let mut report = demo();
        let n = report.findings.len();
        for (i, finding) in report.findings.iter_mut().enumerate() {
            let bad = HOSTILE[i % HOSTILE.len()];
            finding.message = format!("message {bad}");
            finding.resource = format!("arn:{bad}");
            finding.remediation = Some(bad.to_owned());
            finding.account = Some(bad.to_owned());
            finding.account_name = Some(bad.to_owned());
            finding.region = Some(bad.to_owned());
            finding.check_id = bad.to_owned();
            finding.evidence = serde_json::json!({ "value": bad, bad: [bad] });
            finding.waiver = Some(crate::checks::AppliedWaiver {
                reason: bad.to_owned(),
                expires: jiff::civil::date(2030, 1, 1),
                owner: Some(bad.to_owned()),
            });
        }
        for check in &mut report.checks {
            check.id = HOSTILE[0].to_owned();
            check.name = HOSTILE[1].to_owned();
            check.title = HOSTILE[2].to_owned();
        }
        for level in &mut report.levels {
            level.name = HOSTILE[1].to_owned();
            level.failing = vec![HOSTILE[0].to_owned()];
            level.missing_controls = vec![HOSTILE[2].to_owned()];
        }
        for control in &mut report.controls {
            control.name = HOSTILE[0].to_owned();
        }
        report.summary.level_name = Some(HOSTILE[2].to_owned());
        for (i, account) in report.accounts.iter_mut().enumerate() {
            let bad = HOSTILE[i % HOSTILE.len()];
            account.id = bad.to_owned();
            account.name = Some(HOSTILE[(i + 1) % HOSTILE.len()].to_owned());
            account.level_name = Some(bad.to_owned());
            account.controls = [(bad.to_owned(), Status::Fail)].into();
            for blocker in &mut account.blockers {
                blocker.check_id = bad.to_owned();
                blocker.name = bad.to_owned();
            }
            for level in &mut account.levels {
                level.failing = vec![bad.to_owned()];
            }
        }
        report.summary.weakest = vec![HOSTILE[0].to_owned()];
        report.tool.version = HOSTILE[1].to_owned();
        report.scope.source = HOSTILE[0].to_owned();
        report.scope.regions = vec![HOSTILE[2].to_owned()];
        report.scope.accounts[0].reason = HOSTILE[0].to_owned();
        report.scope.accounts[0].name = Some(HOSTILE[1].to_owned());
        report.collection_errors[0].message = HOSTILE[2].to_owned();
        report.waivers.push(crate::waiver::WaiverState {
            check: HOSTILE[0].to_owned(),
            resource: HOSTILE[1].to_owned(),
            reason: HOSTILE[2].to_owned(),
            expires: jiff::civil::date(2030, 1, 1),
            owner: Some(HOSTILE[0].to_owned()),
            state: crate::waiver::WaiverStatus::Stale,
            matched: 0,
        });
        report.gate = Some(GateVerdict {
            passed: false,
            criteria: Default::default(),
            reasons: HOSTILE.iter().map(|s| (*s).to_owned()).collect(),
        });
        let page = html(&report);
        for bad in &HOSTILE[..2] {
            assert!(!page.contains(bad), "{bad} appears unescaped");
        }
        assert!(!page.contains("<img"));
        assert!(!page.contains("alert(1)</"));
        // `</script>` only where the page's own two scripts end; in the JSON data it is escaped.
        assert!(page.contains(r"\u003c/script\u003e"));
        assert_eq!(page.matches("<script").count(), 2);
        assert_eq!(page.matches("</script>").count(), 2);
        assert_eq!(page.matches("<tr class=\"finding\" ").count(), n);
        assert!(page.contains("message &lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn the_assets_cannot_break_out_or_fetch() {
        for asset in [STYLE, SCRIPT] {
            assert!(!asset.to_ascii_lowercase().contains("</script"));
            assert!(!asset.to_ascii_lowercase().contains("</style"));
            assert!(!asset.contains("http"));
            assert!(!asset.contains("@import"));
            assert!(!asset.contains("url("));
        }
    }

    #[test]
    fn a_report_without_score_gate_or_findings_still_renders() {
        let mut report = demo();
        report.summary.score = None;
        report.findings.clear();
        report.levels.clear();
        report.waivers.clear();
        report.collection_errors.clear();
        report.scope.workstation = None;
        let page = html(&report);
        assert!(page.contains("id=\"score\" data-score=\"n/a\""));
        assert!(page.contains("nothing in scope"));
        assert!(!page.contains("id=\"gate\""));
        assert!(page.contains("<p id=\"findings-empty\" class=\"muted\">"));
        assert!(!page.contains("id=\"workstation\""));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn a_gate_shows_its_verdict_and_reasons() {
        let mut report = demo();
        report.apply_gate(&crate::report::Gate {
            min_level: Some(1),
            ..Default::default()
        });
        let page = html(&report);
        assert!(page.contains("id=\"gate\" data-passed=\"false\""));
        assert!(page.contains("Gate failed"));
        assert!(page.contains(
            "<li>3 of 5 production accounts are under level 1 (Guarded): acme-prod (222222222222) at 0, blocked by SEC001"
        ));
    }

    #[test]
    fn failing_and_unknown_findings_are_shown_first() {
        let page = html(&demo());
        assert!(page.contains("<input type=\"checkbox\" value=\"fail\" checked>"));
        assert!(page.contains("<input type=\"checkbox\" value=\"unknown\" checked>"));
        assert!(page.contains("<input type=\"checkbox\" value=\"pass\">"));
        // No row is hidden in the markup: without scripts every finding is listed.
        let rows: Vec<&str> = page
            .split("<tr class=\"finding\" ")
            .skip(1)
            .map(|row| &row[..row.find('>').unwrap()])
            .collect();
        assert_eq!(rows.len(), demo().findings.len());
        assert!(rows.iter().all(|tag| !tag.contains("hidden")));
    }
}
