//! Markdown, for pull-request comments and GitHub job summaries.
//!
//! Level, score and gate first, then the ladder and where each account stands, then the checks
//! that need attention — failing, then unknown, most severe first — each with its first
//! findings. The output is capped at
//! [`MAX_BYTES`], under GitHub's 65,536-character limit for a comment: checks that do not fit
//! are counted and left out, and the output says so.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Report, blocker_text, environment_label};
use crate::checks::{Finding, Status};
use crate::score::{CheckResult, LevelState};

/// The most this renderer writes, in bytes (a character is at least one byte).
pub const MAX_BYTES: usize = 60_000;

/// Findings listed per check.
const FINDINGS_PER_CHECK: usize = 5;

/// Longest message and resource shown, in characters.
const MAX_MESSAGE_CHARS: usize = 300;
const MAX_RESOURCE_CHARS: usize = 160;

/// Room kept for the note saying what was left out.
const NOTE_RESERVE: usize = 300;

/// Accounts listed in the accounts table; the rest are counted.
const ACCOUNTS_LISTED: usize = 50;

pub fn render_markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let head = head(report);
    let tail = tail(report);
    let mut body = String::new();
    let attention: Vec<(&str, Vec<&CheckResult>)> = [
        ("Failing checks", Status::Fail),
        ("Unknown checks — data missing, not a pass", Status::Unknown),
    ]
    .into_iter()
    .map(|(title, status)| {
        let mut checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.status == status)
            .collect();
        checks.sort_by_key(|c| std::cmp::Reverse(c.severity));
        (title, checks)
    })
    .filter(|(_, checks)| !checks.is_empty())
    .collect();
    let mut left_out = 0;
    for (title, checks) in &attention {
        let heading = format!("### {title} ({})\n\n", checks.len());
        let mut section = String::new();
        for check in checks {
            let block = check_block(report, check);
            let used = head.len() + body.len() + heading.len() + section.len() + tail.len();
            if left_out > 0 || used + block.len() + NOTE_RESERVE > MAX_BYTES {
                left_out += 1;
            } else {
                section.push_str(&block);
            }
        }
        if !section.is_empty() {
            body.push_str(&heading);
            body.push_str(&section);
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            body,
            "_… and {left_out} more {} not shown: this summary is capped at {MAX_BYTES} characters. `ringfence audit -f json` has every finding._\n",
            if left_out == 1 { "check" } else { "checks" }
        );
    }
    let mut text = head + &body + &tail;
    cap(&mut text);
    out.write_all(text.as_bytes())
}

/// The heading, the gate verdict, the ladder and the check counts.
fn head(report: &Report) -> String {
    let mut s = String::new();
    let score = report.summary.score.map_or_else(
        || "n/a (nothing in scope)".to_owned(),
        |s| format!("{s} / 100"),
    );
    let _ = writeln!(
        s,
        "## ringfence: level {} — {} · score {score}\n",
        report.summary.level_text(),
        escape(report.summary.level_name_text())
    );
    if report.summary.level.is_some() {
        let weakest: Vec<String> = report
            .summary
            .weakest
            .iter()
            .map(|id| {
                report
                    .accounts
                    .iter()
                    .find(|a| &a.id == id)
                    .and_then(|a| a.name.clone())
                    .unwrap_or_else(|| id.clone())
            })
            .collect();
        let _ = writeln!(
            s,
            "The organization's level is its weakest link — the lowest level among production accounts, the management account and accounts holding production resources: {}. The score is the severity-weighted share of passing findings per check.\n",
            escape(&list(&weakest))
        );
    }
    let scope = &report.scope;
    let _ = writeln!(
        s,
        "{} estate · {} accounts · {} regions · collected {}\n",
        escape(&scope.source),
        scope.accounts.len(),
        scope.regions.len(),
        scope.collected_at
    );
    if let Some(gate) = &report.gate {
        if gate.passed {
            let _ = writeln!(s, "✅ **Gate passed**\n");
        } else {
            let _ = writeln!(s, "❌ **Gate failed**\n");
            for reason in &gate.reasons {
                let _ = writeln!(s, "- {}", escape(&shorten(reason, 1_000)));
            }
            s.push('\n');
        }
    }
    if !report.levels.is_empty() {
        let _ = writeln!(s, "| Level | Name | State |\n| ---: | --- | --- |");
        for level in &report.levels {
            let state = match level.state {
                LevelState::Held => "✅ held".to_owned(),
                LevelState::Failed => {
                    format!("❌ failed ({})", plural(level.failing.len(), "check"))
                }
                LevelState::Unknown => {
                    format!("❔ unknown ({})", plural(level.unknown.len(), "check"))
                }
                LevelState::NotAssessed => format!(
                    "➖ not assessed (no checks yet for {})",
                    escape(&level.missing_controls.join(", "))
                ),
            };
            let marker = if Some(level.level) == report.summary.level {
                " ◀"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "| {} | {}{marker} | {state} |",
                level.level,
                escape(&level.name)
            );
        }
        s.push('\n');
    }
    accounts(&mut s, report);
    let c = &report.summary.checks;
    let _ = writeln!(
        s,
        "**Checks:** {} fail · {} unknown · {} pass · {} waived · {} not applicable\n",
        c.fail, c.unknown, c.pass, c.waived, c.not_applicable
    );
    s
}

/// Where each account stands: production accounts first, the weakest first.
fn accounts(s: &mut String, report: &Report) {
    if report.accounts.is_empty() {
        return;
    }
    let ordered = report.accounts_weakest_first();
    let _ = writeln!(
        s,
        "| Account | Environment | Level | Score | Failing checks | First blocker |\n| --- | --- | ---: | ---: | ---: | --- |"
    );
    for a in ordered.iter().take(ACCOUNTS_LISTED) {
        let name = match &a.name {
            Some(name) => format!("{} `{}`", escape(&shorten(name, 60)), a.id),
            None => escape(&a.id),
        };
        let env = environment_label(a);
        let weakest = report.is_weakest(a);
        let level = match (a.level, &a.level_name) {
            (Some(level), Some(name)) => format!(
                "{}{level} {}",
                if weakest { "◀ " } else { "" },
                escape(name)
            ),
            _ => "–".to_owned(),
        };
        let failing = match a.checks.unknown {
            0 => a.checks.fail.to_string(),
            u => format!("{} (+{u} unknown)", a.checks.fail),
        };
        let _ = writeln!(
            s,
            "| {name} | {env} | {level} | {} | {failing} | {} |",
            a.score.map_or_else(|| "–".to_owned(), |v| v.to_string()),
            blocker_text(a).map_or_else(|| "–".to_owned(), |b| escape(&shorten(&b, 200)))
        );
    }
    if ordered.len() > ACCOUNTS_LISTED {
        let _ = writeln!(
            s,
            "\n_… and {} more accounts; `ringfence audit -f json` has every one._",
            ordered.len() - ACCOUNTS_LISTED
        );
    }
    s.push('\n');
}

/// `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if init.len() < 6 => format!("{} and {last}", init.join(", ")),
        _ => format!("{} and {} more", items[..6].join(", "), items.len() - 6),
    }
}

/// One check needing attention and its first findings, most severe first.
fn check_block(report: &Report, check: &CheckResult) -> String {
    let shown_status = check.status;
    let mut findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.check_id == check.id && f.status == shown_status)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let n = &check.counts;
    let mut counts = Vec::new();
    if n.fail > 0 {
        counts.push(format!("{} failing", n.fail));
    }
    if n.unknown > 0 {
        counts.push(format!("{} unknown", n.unknown));
    }
    if n.waived > 0 {
        counts.push(format!("{} waived", n.waived));
    }
    let mark = if check.status == Status::Fail {
        "❌"
    } else {
        "❔"
    };
    let mut s = format!(
        "{mark} **{} {}** — {} · {} · {}\n",
        escape(&check.id),
        escape(&check.name),
        escape(&check.title),
        check.severity,
        counts.join(", ")
    );
    for finding in findings.iter().take(FINDINGS_PER_CHECK) {
        let _ = writeln!(
            s,
            "- {} — {}",
            code(&shorten(&finding.resource, MAX_RESOURCE_CHARS)),
            message(&shorten(&finding.message, MAX_MESSAGE_CHARS))
        );
    }
    if findings.len() > FINDINGS_PER_CHECK {
        let _ = writeln!(s, "- … and {} more", findings.len() - FINDINGS_PER_CHECK);
    }
    s.push('\n');
    s
}

/// The checks that need nothing, collapsed, and the footer.
fn tail(report: &Report) -> String {
    let mut s = String::new();
    // Waivers that need someone's attention: expired ones no longer apply, stale ones match
    // nothing.
    let attention: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state != crate::waiver::WaiverStatus::Active)
        .collect();
    if !attention.is_empty() {
        let _ = writeln!(
            s,
            "### Waivers to review ({})
",
            attention.len()
        );
        for w in attention {
            let _ = writeln!(
                s,
                "- **{}** {} `{}` (expires {}): {}",
                w.state.as_str(),
                escape(&w.check),
                w.resource.replace('`', "'"),
                w.expires,
                escape(&w.reason)
            );
        }
        s.push('\n');
    }
    let c = &report.summary.checks;
    let _ = writeln!(
        s,
        "<details>\n<summary>{} passing · {} waived · {} not applicable</summary>\n",
        c.pass, c.waived, c.not_applicable
    );
    let quiet: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                Status::Pass | Status::Waived | Status::NotApplicable
            )
        })
        .collect();
    if quiet.is_empty() {
        let _ = writeln!(s, "None.");
    }
    for check in quiet {
        let state = match check.status {
            Status::Pass => "✅ pass",
            Status::Waived => "💤 waived",
            _ => "➖ not applicable",
        };
        let _ = writeln!(
            s,
            "- {state}: {} {} — {}",
            escape(&check.id),
            escape(&check.name),
            escape(&check.title)
        );
    }
    let _ = writeln!(
        s,
        "\n</details>\n\n<sub>{} {} · report format {}</sub>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        escape(&report.schema_version)
    );
    s
}

/// Keeps the text under [`MAX_BYTES`] whatever it holds, cutting at a line break.
fn cap(text: &mut String) {
    if text.len() <= MAX_BYTES {
        return;
    }
    const NOTE: &str =
        "\n_… cut: this summary is capped; `ringfence audit -f json` has everything._\n";
    let mut end = MAX_BYTES - NOTE.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(line) = text[..end].rfind('\n') {
        end = line;
    }
    text.truncate(end);
    text.push_str(NOTE);
}

/// A message on one line, its `code spans` kept when its backticks pair up, everything else
/// escaped as [`escape`] does.
fn message(text: &str) -> String {
    if !text.matches('`').count().is_multiple_of(2) {
        return escape(text);
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                escape(part)
            } else {
                let part: String = part
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                format!("`{part}`")
            }
        })
        .collect()
}

/// Text on one line with the characters Markdown would act on escaped: `|` would end a table
/// cell, `*` `_` `~` start emphasis, `[` `]` links, `<` `>` `&` HTML, `` ` `` code.
fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => s.push(' '),
            c if c.is_control() => {}
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '&' | '|' => {
                s.push('\\');
                s.push(c);
            }
            c => s.push(c),
        }
    }
    s
}

/// An inline code span holding `text` as it is, on one line.
fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    // A `|` ends a table cell even inside code; these spans are list items, never in tables.
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The first `max` characters, with `…` if there were more.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Report {
        serde_json::from_str(include_str!("../../reports/examples/demo-report.json")).unwrap()
    }

    fn markdown(report: &Report) -> String {
        let mut out = Vec::new();
        render_markdown(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_breaking_characters_and_line_breaks_are_escaped() {
        assert_eq!(
            escape("a | b\nc *d* _e_ <f> [g](h) `i` \\ & \u{7}"),
            r"a \| b c \*d\* \_e\_ \<f\> \[g\](h) \`i\` \\ \& "
        );
        assert_eq!(
            message("trusts `repo:acme/*` on *any* branch"),
            r"trusts `repo:acme/*` on \*any\* branch"
        );
        assert_eq!(message("odd ` tick"), r"odd \` tick");
        assert_eq!(code("db:orders"), "`db:orders`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
    }

    #[test]
    fn failing_checks_show_five_findings_and_count_the_rest() {
        let mut report = demo();
        let template = report
            .findings
            .iter()
            .find(|f| f.check_id == "DEL001" && f.status == Status::Fail)
            .unwrap()
            .clone();
        for i in 0..7 {
            let mut f = template.clone();
            f.resource = format!("i-{i:03}");
            f.message = format!("instance {i} | has\nno protection");
            report.findings.push(f);
        }
        let md = markdown(&report);
        let block = md.split("\n\n").find(|b| b.contains("**DEL001 ")).unwrap();
        assert_eq!(block.lines().filter(|l| l.starts_with("- `")).count(), 5);
        assert!(block.contains("- … and "), "{block}");
        assert!(!md.contains("has\nno"));
    }

    #[test]
    fn the_gate_verdict_comes_first() {
        let mut report = demo();
        report.apply_gate(&crate::report::Gate {
            min_level: Some(1),
            ..Default::default()
        });
        let md = markdown(&report);
        assert!(
            md.contains("❌ **Gate failed**\n\n- 3 of 5 production accounts are under level 1 (Guarded): acme-prod (222222222222) at 0, blocked by SEC001"),
            "{md}"
        );
        report.gate.as_mut().unwrap().passed = true;
        assert!(markdown(&report).contains("✅ **Gate passed**"));
    }

    #[test]
    fn the_accounts_table_lists_production_first_weakest_first() {
        let md = markdown(&demo());
        let table: Vec<&str> = md
            .lines()
            .skip_while(|l| !l.starts_with("| Account |"))
            .take_while(|l| l.starts_with('|'))
            .collect();
        // Header, alignment row, seven accounts and the workstation.
        assert_eq!(table.len(), 10, "{md}");
        assert!(
            table[2].starts_with("| acme-prod `222222222222` | prod | ◀ 0 Exposed |"),
            "{}",
            table[2]
        );
        assert!(
            table[2].ends_with("| SEC001 local-prod-credential (2 failing) and 6 more |"),
            "{}",
            table[2]
        );
        assert!(
            table.iter().any(|l| l.starts_with(
                "| acme-payments-prod `777777777777` | prod | 3 Recoverable | 97.9 | 1 | REC004"
            )),
            "{md}"
        );
        assert!(
            table[9].starts_with("| workstation | files without an account |"),
            "{}",
            table[9]
        );
        assert!(md.contains("its weakest link"), "{md}");
    }

    #[test]
    fn an_empty_report_still_has_a_heading_and_counts() {
        let mut report = demo();
        report.levels.clear();
        report.checks.clear();
        report.findings.clear();
        report.summary.checks = Default::default();
        let md = markdown(&report);
        assert!(md.starts_with("## ringfence: level 0"));
        assert!(md.contains("<summary>0 passing · 0 waived · 0 not applicable</summary>"));
        assert!(!md.contains("###"));
    }

    #[test]
    fn a_huge_report_stays_under_the_cap_and_says_what_was_left_out() {
        let mut report = demo();
        let long = "x".repeat(5_000);
        for check in &mut report.checks {
            check.status = Status::Fail;
            check.title = long.clone();
        }
        let md = markdown(&report);
        assert!(md.len() <= MAX_BYTES, "{}", md.len());
        assert!(md.contains("more checks not shown"), "{md}");
        assert!(md.ends_with("</sub>\n"));
    }
}
