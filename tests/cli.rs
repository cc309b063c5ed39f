//! End to end: the binary as a user and a CI job run it — output, files, exit codes.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde_json::Value;

/// 2026-11-20T09:00:00Z: reports do not change with the day the tests run.
const EPOCH: &str = "1795165200";

fn ringfence(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ringfence").unwrap();
    cmd.current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("RUST_BACKTRACE")
        // Standard output is a pipe here: the table is 100 columns wide unless a test says.
        .env_remove("COLUMNS");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    ringfence(dir).args(args).output().unwrap().into()
}

/// Whether `dir` holds a temporary file of an unfinished write.
fn has_partial_file(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with(".ringfence-"))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Three waivers of the demo estate: one active (with an owner), one expired, one stale.
const WAIVERS: &str = r#"
[[waivers]]
check = "DEL002"
resource = "arn:aws:rds:*:222222222222:db:legacy-*"
reason = "decommissioned in Q1"
expires = "2027-03-31"
owner = "finance-eng"

[[waivers]]
check = "REC001"
resource = "arn:aws:dynamodb:*:*:table/carts"
reason = "was accepted last year"
expires = "2026-01-31"

[[waivers]]
check = "DEL002"
resource = "arn:aws:rds:*:*:db:does-not-exist"
reason = "left over"
expires = "2027-01-01"
"#;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

/// A snapshot where every production database is protected and backed up.
/// A one-account production estate where every check passes or has nothing in scope.
fn clean_snapshot() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean-estate.json"),
    )
    .unwrap()
}

#[test]
fn the_demo_audit_prints_the_report() {
    let dir = tmp();
    let out = run(dir.path(), &["audit", "--demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("demo_table", out.stdout);
}

/// The terminal report at a terminal's width: `COLUMNS` decides, and no line is wider.
#[test]
fn the_table_fits_80_and_120_columns() {
    let dir = tmp();
    for width in [80usize, 120] {
        let output = ringfence(dir.path())
            .args(["audit", "--demo"])
            .env("COLUMNS", width.to_string())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stdout = String::from_utf8(output.stdout).unwrap();
        let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= width, "a line of {widest} columns at {width}");
        // It leads with what matters: the organization, the ladder, the accounts, then checks.
        let at = |text: &str| stdout.find(text).unwrap_or_else(|| panic!("no {text:?}"));
        assert!(at("Organization: level 0") < at("Maturity ladder"));
        assert!(at("Maturity ladder") < at("Accounts — production first"));
        assert!(at("Accounts — production first") < at("Failing checks (30)"));
        insta::assert_snapshot!(format!("demo_table_{width}"), stdout);
    }
}

#[test]
fn details_lists_every_finding_in_full() {
    let dir = tmp();
    let short = run(dir.path(), &["audit", "--demo"]).stdout;
    let long = run(dir.path(), &["audit", "--demo", "--details"]).stdout;
    assert!(
        short.contains("… and 1 more (--details lists every finding"),
        "{short}"
    );
    assert!(!long.contains("--details lists every finding"), "{long}");
    // Every failing and unknown finding, with its resource and its fix.
    let report = json(&run(dir.path(), &["audit", "--demo", "-f", "json"]).stdout);
    // Long resources are wrapped (at a `/` or `:`): join the lines to look for them.
    let joined: String = long.lines().map(str::trim_start).collect();
    for f in report["findings"].as_array().unwrap() {
        if matches!(f["status"].as_str(), Some("fail" | "unknown")) {
            let resource = f["resource"].as_str().unwrap();
            assert!(
                joined.contains(resource),
                "{resource} missing from --details"
            );
        }
    }
    assert!(long.contains("fix: aws rds modify-db-instance --db-instance-identifier legacy-billing --deletion-protection"), "{long}");
}

#[test]
fn json_format_prints_the_versioned_report() {
    let dir = tmp();
    for flag in ["--format", "-f"] {
        let out = run(dir.path(), &["audit", "--demo", flag, "json"]);
        assert_eq!(out.code, 0);
        let report = json(&out.stdout);
        assert_eq!(report["schema_version"], "2.0");
        assert_eq!(report["summary"]["level"], 0);
        assert_eq!(report["summary"]["level_name"], "Exposed");
        assert_eq!(
            report["summary"]["weakest"],
            serde_json::json!(["222222222222", "333333333333", "555555555555"])
        );
        let payments = report["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == "777777777777")
            .unwrap();
        assert_eq!(payments["level"], 3);
        assert_eq!(payments["blockers"][0]["check_id"], "REC004");
        assert_eq!(report["generated_at"], "2026-11-20T09:00:00Z");
        let del002 = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "DEL002")
            .unwrap();
        assert_eq!(del002["status"], "fail");
    }
}

#[test]
fn the_json_report_matches_the_committed_example() {
    let dir = tmp();
    let out = run(dir.path(), &["audit", "--demo", "-f", "json"]);
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/examples/demo-report.json"),
    )
    .unwrap();
    assert_eq!(json(&out.stdout), json(&example));
}

#[test]
fn output_is_written_to_a_file_and_nothing_else_is_left_behind() {
    let dir = tmp();
    for (flag, format) in [("--output", "json"), ("-o", "table")] {
        let out = run(
            dir.path(),
            &["audit", "--demo", "-f", format, flag, "report.out"],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, "");
        let written = std::fs::read_to_string(dir.path().join("report.out")).unwrap();
        if format == "json" {
            json(&written);
        } else {
            assert!(written.contains("Maturity ladder"));
        }
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            entries,
            vec!["report.out"],
            "a temporary file was left behind"
        );
    }
}

#[test]
fn an_unwritable_output_is_bad_input() {
    let dir = tmp();
    let out = run(
        dir.path(),
        &["audit", "--demo", "-o", "no/such/dir/report.json"],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no/such/dir/report.json"),
        "{}",
        out.stderr
    );
}

#[test]
fn evaluate_and_audit_snapshot_agree() {
    let dir = tmp();
    let snapshot = write(dir.path(), "estate.json", ringfence::demo::ESTATE_JSON);
    let a = run(dir.path(), &["evaluate", &snapshot, "-f", "json"]);
    let b = run(
        dir.path(),
        &["audit", "--snapshot", &snapshot, "-f", "json"],
    );
    assert_eq!((a.code, b.code), (0, 0), "{} {}", a.stderr, b.stderr);
    assert_eq!(a.stdout, b.stdout);
    let report = json(&a.stdout);
    assert_eq!(report["scope"]["source"], "snapshot");
    assert_eq!(report["scope"]["snapshot"], Value::String(snapshot));
    // Same findings as the embedded demo.
    let demo = json(&run(dir.path(), &["audit", "--demo", "-f", "json"]).stdout);
    assert_eq!(report["findings"], demo["findings"]);
}

#[test]
fn gates_fail_with_exit_one_and_one_line_on_stderr() {
    let dir = tmp();
    for (args, reason) in [
        (vec!["--fail-under", "80"], "score 46.5 is under 80"),
        (
            vec!["--min-level", "1"],
            "3 of 5 production accounts are under level 1 (Guarded): acme-prod (222222222222) at 0, blocked by SEC001 local-prod-credential (2 failing) and 6 more; acme-staging (333333333333, nonprod holding production resources) at 0, blocked by SEC003 prod-db-password-managed (1 failing); acme-data-prod (555555555555) at 0, blocked by PRV001 agent-admin (1 failing) and 5 more",
        ),
        (
            vec!["--min-level", "2"],
            "4 of 5 production accounts are under level 2 (Segregated): acme-management (111111111111, management) at 1, blocked by SEG001 separate-accounts (1 failing) and 3 more; acme-prod (222222222222) at 0, blocked by SEC001 local-prod-credential (2 failing) and 6 more; acme-staging (333333333333, nonprod holding production resources) at 0, blocked by SEC003 prod-db-password-managed (1 failing); acme-data-prod (555555555555) at 0, blocked by PRV001 agent-admin (1 failing) and 5 more",
        ),
        (
            vec!["--fail-on", "critical"],
            "checks at or above critical severity not passing: HIL002 ci-trust-pinned (fail, critical), LOG001 cloudtrail-multi-region (unknown, critical), PRV001 agent-admin (fail, critical), PRV002 agent-destructive-data (fail, critical), PRV003 agent-privilege-escalation (fail, critical), PRV005 prod-admin-vaulted (fail, critical), SEC001 local-prod-credential (fail, critical), SEG002 nonprod-to-prod-route (fail, critical), SEG003 nonprod-to-prod-trust (fail, critical), SEG004 public-prod-database (fail, critical)",
        ),
    ] {
        let mut all = vec!["audit", "--demo"];
        all.extend(args.iter().copied());
        let out = run(dir.path(), &all);
        assert_eq!(out.code, 1, "{args:?}");
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert_eq!(
            out.stderr.trim_end(),
            format!("ringfence: gate failed: {reason}"),
            "{args:?}"
        );
        assert!(out.stdout.contains("Gate: FAILED"), "{args:?}");
    }
    // Several criteria: one line, every reason.
    let out = run(
        dir.path(),
        &[
            "audit",
            "--demo",
            "--fail-under",
            "50",
            "--fail-on",
            "medium",
        ],
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr.lines().count(), 1);
    assert!(
        out.stderr
            .contains("score 46.5 is under 50; checks at or above medium"),
        "{}",
        out.stderr
    );
}

/// An estate where nothing is classified production has no level: `--min-level` fails and says
/// why, rather than passing on nothing.
#[test]
fn min_level_fails_without_a_production_account() {
    let dir = tmp();
    let unclassified = clean_snapshot().replace("\"acme-prod\"", "\"payments\"");
    let snapshot = write(dir.path(), "unclassified.json", &unclassified);
    let out = run(
        dir.path(),
        &["evaluate", &snapshot, "--min-level", "0", "-f", "json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end(),
        "ringfence: gate failed: level 0 (Exposed) is not reached: no production account had anything in scope (1 account is unclassified), so there is no level to hold against it; classify production accounts in ringfence.toml [environments]"
    );
    let report = json(&out.stdout);
    assert_eq!(report["summary"]["level"], Value::Null);
    assert_eq!(report["summary"]["weakest"], serde_json::json!([]));
    assert_eq!(report["accounts"][0]["environment"], "unclassified");
    assert_eq!(report["accounts"][0]["counts_for_organization"], false);
    // The terminal says so too.
    let table = run(dir.path(), &["evaluate", &snapshot]);
    assert!(
        table
            .stdout
            .contains("Organization: no level (no production account to judge)"),
        "{}",
        table.stdout
    );
}

#[test]
fn gates_pass_with_exit_zero_and_the_verdict_in_the_report() {
    let dir = tmp();
    let snapshot = write(dir.path(), "clean.json", &clean_snapshot());
    let out = run(
        dir.path(),
        &[
            "evaluate",
            &snapshot,
            "--fail-under",
            "100",
            "--fail-on",
            "low",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let report = json(&out.stdout);
    assert_eq!(report["summary"]["score"], 100.0);
    assert_eq!(
        report["summary"]["level"], 4,
        "every check passes or has nothing in scope"
    );
    assert_eq!(
        run(dir.path(), &["evaluate", &snapshot, "--min-level", "4"]).code,
        0
    );
    assert_eq!(report["gate"]["passed"], true);
    assert_eq!(report["gate"]["criteria"]["fail_under"], 100.0);
    // A severity floor above every failing check passes.
    let lenient =
        clean_snapshot().replace(r#""versioning": "enabled""#, r#""versioning": "suspended""#);
    let lenient = write(dir.path(), "lenient.json", &lenient);
    assert_eq!(
        run(dir.path(), &["evaluate", &lenient, "--fail-on", "high"]).code,
        0
    );
    assert_eq!(
        run(dir.path(), &["evaluate", &lenient, "--fail-on", "medium"]).code,
        1
    );
    // No gate, no verdict.
    assert!(
        json(&run(dir.path(), &["evaluate", &snapshot, "-f", "json"]).stdout)
            .get("gate")
            .is_none()
    );
}

#[test]
fn unknown_counts_against_the_gate() {
    let dir = tmp();
    // A table whose point-in-time recovery status was not read: REC001 and REC002 are unknown.
    let snapshot = clean_snapshot().replacen(
        r#""dynamodb_tables": []"#,
        r#""dynamodb_tables": [{"name": "t", "arn": "arn:aws:dynamodb:eu-west-1:222222222222:table/t",
          "status": "ACTIVE", "deletion_protection": true, "size_bytes": 1024,
          "replica_regions": ["eu-west-1", "us-east-1"]}]"#,
        1,
    );
    let path = write(dir.path(), "unknown.json", &snapshot);
    let out = run(dir.path(), &["evaluate", &path, "--fail-on", "high"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("REC001 pitr-enabled (unknown, high), REC002 rpo-met (unknown, high)"),
        "{}",
        out.stderr
    );
    let report = json(&run(dir.path(), &["evaluate", &path, "-f", "json"]).stdout);
    let score = report["summary"]["score"].as_f64().unwrap();
    assert!(score < 100.0, "unknown must not count as passing: {score}");
    assert_eq!(report["summary"]["checks"]["unknown"], 2);
    let floor = format!("{}", score.floor());
    let above = format!("{}", score.floor() + 1.0);
    assert_eq!(
        run(dir.path(), &["evaluate", &path, "--fail-under", &floor]).code,
        0
    );
    let out = run(dir.path(), &["evaluate", &path, "--fail-under", &above]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(&format!("is under {above}")),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_usage_exits_two() {
    let dir = tmp();
    for args in [
        vec!["audit", "--demo", "--fail-under", "101"],
        vec!["audit", "--demo", "--fail-under", "eighty"],
        vec!["audit", "--demo", "--min-level", "5"],
        vec!["audit", "--demo", "--fail-on", "severe"],
        vec!["audit", "--demo", "--format", "xml"],
        vec!["audit", "--demo", "--snapshot", "x.json"],
        vec!["audit", "--demo", "--save-snapshot", "x.json"],
        vec!["audit", "--accounts", "12345"],
        vec!["audit", "--regions", "mars"],
        vec!["audit", "--concurrency", "0"],
        vec!["audit", "--demo", "--org"],
        vec!["audit", "--snapshot", "x.json", "--regions", "eu-west-1"],
        vec!["collect"],
        vec!["audit", "--bogus"],
        vec!["evaluate"],
        vec![],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.is_empty(), "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    }
}

#[test]
fn help_and_version_exit_zero() {
    let dir = tmp();
    let out = run(dir.path(), &["--help"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("Exit codes: 0 the gate passed"),
        "{}",
        out.stdout
    );
    let out = run(dir.path(), &["audit", "--help"]);
    assert_eq!(out.code, 0);
    for flag in [
        "--demo",
        "--snapshot",
        "--config",
        "--format",
        "--output",
        "--fail-under",
        "--min-level",
        "--fail-on",
    ] {
        assert!(out.stdout.contains(flag), "audit --help lacks {flag}");
    }
    assert_eq!(
        run(dir.path(), &["--version"]).stdout.trim(),
        format!("ringfence {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_snapshots_exit_two_naming_file_and_position() {
    let dir = tmp();
    let broken = write(
        dir.path(),
        "broken.json",
        "{\n  \"schema_version\": \"1.0\",\n  \"accounts\": [\n",
    );
    let out = run(dir.path(), &["evaluate", &broken]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(&format!("ringfence: {broken}:4:")),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");

    let future = write(
        dir.path(),
        "future.json",
        r#"{"schema_version": "3.1", "collected_at": "2026-11-20T09:00:00Z", "accounts": []}"#,
    );
    let out = run(dir.path(), &["evaluate", &future]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("snapshot format 3.1 is not supported"),
        "{}",
        out.stderr
    );

    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x7b]).unwrap();
    let out = run(dir.path(), &["evaluate", binary.to_str().unwrap()]);
    assert_eq!(out.code, 2);

    let out = run(dir.path(), &["evaluate", "missing.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.json"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn nothing_collected_exits_three() {
    let dir = tmp();
    let empty = write(
        dir.path(),
        "empty.json",
        r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": []}"#,
    );
    let out = run(dir.path(), &["evaluate", &empty]);
    assert_eq!(out.code, 3);
    assert!(
        out.stderr.contains("nothing was collected"),
        "{}",
        out.stderr
    );
    let denied = write(
        dir.path(),
        "denied.json",
        r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": [{"id": "222222222222"}],
           "errors": [{"account_id": "222222222222", "service": "sts", "operation": "AssumeRole", "code": "AccessDenied", "message": "no"}]}"#,
    );
    let out = run(dir.path(), &["evaluate", &denied, "--fail-under", "0"]);
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("1 collection errors"), "{}", out.stderr);
}

#[test]
fn checks_list_and_explain() {
    let dir = tmp();
    let out = run(dir.path(), &["checks", "list"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("checks_list", out.stdout);
    let out = run(dir.path(), &["checks", "list", "--format", "json"]);
    let list = json(&out.stdout);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "SEC001", "SEC002", "SEC003", "SEC004", "PRV001", "PRV002", "PRV003", "PRV005",
            "HIL001", "HIL002", "SEG001", "SEG002", "SEG003", "SEG004", "INP001", "INP002",
            "INP003", "LOG001", "LOG002", "LOG003", "LOG004", "DEL001", "DEL002", "DEL003",
            "DEL004", "DEL005", "DEL006", "REC001", "REC002", "REC003", "REC004"
        ]
    );
    assert_eq!(list[0]["severity"], "critical");
    // Every check explains itself, in text and JSON.
    for id in &ids {
        let out = run(dir.path(), &["checks", "explain", id]);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        assert!(out.stdout.contains("How to fix it"), "{id}");
        let out = run(dir.path(), &["checks", "explain", id, "-f", "json"]);
        assert_eq!(json(&out.stdout)["id"], *id);
    }

    let out = run(dir.path(), &["checks", "explain", "del002"]);
    assert_eq!(out.code, 0);
    for heading in [
        "What it checks",
        "Why it matters",
        "How to fix it",
        "CLI:",
        "Terraform:",
        "Console:",
        "References",
    ] {
        assert!(out.stdout.contains(heading), "explain lacks {heading}");
    }
    insta::assert_snapshot!("explain_del002", out.stdout);
    let out = run(dir.path(), &["checks", "explain", "REC001", "-f", "json"]);
    assert_eq!(json(&out.stdout)["name"], "pitr-enabled");

    let out = run(dir.path(), &["checks", "explain", "XYZ123"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("no check `XYZ123`; the checks are: SEC001, SEC002, SEC003, SEC004, PRV001"),
        "{}",
        out.stderr
    );
}

#[test]
fn init_writes_the_template_and_will_not_overwrite() {
    let dir = tmp();
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(dir.path().join("ringfence.toml")).unwrap();
    assert_eq!(written, ringfence::config::TEMPLATE);
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("already exists; pass --force"),
        "{}",
        out.stderr
    );
    assert_eq!(run(dir.path(), &["init", "--force"]).code, 0);
    assert_eq!(run(dir.path(), &["init", "-o", "other.toml"]).code, 0);
    // The template is read back from the working directory and changes nothing.
    let with = json(&run(dir.path(), &["audit", "--demo", "-f", "json"]).stdout);
    assert_eq!(with["scope"]["config"], "ringfence.toml");
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/examples/demo-report.json"),
    )
    .unwrap();
    assert_eq!(with["findings"], json(&example)["findings"]);
}

#[test]
fn configuration_changes_classification() {
    let dir = tmp();
    write(
        dir.path(),
        "ringfence.toml",
        "[environments]\nprod_accounts = [\"444444444444\"]\ndefault = \"nonprod\"\n",
    );
    let report = json(&run(dir.path(), &["audit", "--demo", "-f", "json"]).stdout);
    let sandbox = report["scope"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "444444444444")
        .unwrap();
    assert_eq!(sandbox["environment"], "prod");
    assert_eq!(sandbox["reason"], "listed in environments.prod_accounts");
    // The sandbox's table without point-in-time recovery is now a production failure.
    let scratch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["check_id"] == "REC001"
                && f["resource"]
                    .as_str()
                    .unwrap()
                    .ends_with("table/agent-scratch")
        })
        .unwrap();
    assert_eq!(scratch["status"], "fail");
}

#[test]
fn bad_configuration_exits_two_naming_the_key() {
    let dir = tmp();
    let path = write(dir.path(), "bad.toml", "[recovery]\nrpo = 15\n");
    let out = run(dir.path(), &["audit", "--demo", "--config", &path]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&format!("{path}:2:")), "{}", out.stderr);
    assert!(out.stderr.contains("recovery.rpo"), "{}", out.stderr);
    let out = run(dir.path(), &["audit", "--demo", "--config", "absent.toml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("absent.toml"), "{}", out.stderr);
    // The default file is read when present, and its errors are reported the same way.
    write(dir.path(), "ringfence.toml", "[environmentz]\n");
    let out = run(dir.path(), &["audit", "--demo"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ringfence.toml:1:") && out.stderr.contains("environmentz"),
        "{}",
        out.stderr
    );
}

#[test]
fn waivers_apply_expire_and_go_stale() {
    let dir = tmp();
    write(dir.path(), "ringfence.toml", WAIVERS);
    let out = run(dir.path(), &["audit", "--demo", "-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    let finding = |check: &str, suffix: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == check && f["resource"].as_str().unwrap().ends_with(suffix))
            .unwrap()
            .clone()
    };
    let legacy = finding("DEL002", "db:legacy-billing");
    assert_eq!(legacy["status"], "waived");
    assert_eq!(legacy["waiver"]["owner"], "finance-eng");
    assert_eq!(finding("REC001", "table/carts")["status"], "fail");
    let states: Vec<(&str, u64)> = report["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["state"].as_str().unwrap(), w["matched"].as_u64().unwrap()))
        .collect();
    assert_eq!(states, [("active", 1), ("expired", 1), ("stale", 0)]);
    let del002 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DEL002")
        .unwrap();
    assert_eq!(del002["counts"]["waived"], 1);
    let table = run(dir.path(), &["audit", "--demo"]).stdout;
    assert!(table.contains("Waivers") && table.contains("expired") && table.contains("stale"));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_ringfence"))
        .args(["audit", "--demo", "-f", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[cfg(unix)]
#[test]
fn written_files_are_ordinary_files_not_private_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    assert_eq!(
        run(dir.path(), &["audit", "--demo", "-o", "report.txt"]).code,
        0
    );
    assert_eq!(run(dir.path(), &["init"]).code, 0);
    for name in ["report.txt", "ringfence.toml"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        // 0o666 less the umask (0o022 on CI): readable by others like any file the user writes.
        assert_eq!(mode & 0o044, 0o044, "{name} has mode {mode:o}");
    }
}

#[test]
fn diff_reports_regressions_and_gates_on_them() {
    let dir = tmp();
    let d = dir.path();
    assert_eq!(
        run(d, &["audit", "--demo", "-f", "json", "-o", "demo.json"]).code,
        0
    );
    write(d, "clean-estate.json", &clean_snapshot());
    assert_eq!(
        run(
            d,
            &[
                "audit",
                "--snapshot",
                "clean-estate.json",
                "-f",
                "json",
                "-o",
                "clean.json"
            ]
        )
        .code,
        0
    );

    let worse = run(d, &["diff", "clean.json", "demo.json", "--fail-on-new"]);
    assert_eq!(worse.code, 1, "{}", worse.stderr);
    assert!(
        worse
            .stdout
            .starts_with("Level 4 (Resilient) → 0 (Exposed)"),
        "{}",
        worse.stdout
    );
    assert!(
        worse.stderr.starts_with("ringfence: regressed: ")
            && worse
                .stderr
                .contains("the organization's level fell from 4 (Resilient) to 0 (Exposed)"),
        "{}",
        worse.stderr
    );
    // Without the flag a regression is reported, not gated.
    assert_eq!(run(d, &["diff", "clean.json", "demo.json"]).code, 0);

    let better = run(
        d,
        &[
            "diff",
            "demo.json",
            "clean.json",
            "--fail-on-new",
            "-f",
            "json",
        ],
    );
    assert_eq!(better.code, 0, "{}", better.stderr);
    let diff = json(&better.stdout);
    assert_eq!(diff["regressed"], false);
    assert!(diff["resolved"].as_array().unwrap().len() > 50);
    assert_eq!(diff["new_failures"].as_array().unwrap().len(), 0);

    // Another major version of the report format is refused, naming the file.
    let demo = std::fs::read_to_string(d.join("demo.json")).unwrap();
    let v3 = write(
        d,
        "v3.json",
        &demo.replacen(
            "\"schema_version\": \"2.0\"",
            "\"schema_version\": \"3.0\"",
            1,
        ),
    );
    let out = run(d, &["diff", "demo.json", &v3]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("v3.json: schema_version 3.0"),
        "{}",
        out.stderr
    );
    // A report of format 1.x: refused with what changed and what to do instead.
    let v1 = write(
        d,
        "v1.json",
        &demo.replacen(
            "\"schema_version\": \"2.0\"",
            "\"schema_version\": \"1.1\"",
            1,
        ),
    );
    let out = run(d, &["diff", &v1, "demo.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "v1.json: schema_version 1.1: a report of format 1.x cannot be compared with format 2.x"
        ) && out
            .stderr
            .contains("ringfence evaluate OLD-SNAPSHOT.json -f json"),
        "{}",
        out.stderr
    );
    // A snapshot is not a report; a missing file is bad input.
    let out = run(d, &["diff", "clean-estate.json", "demo.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a ringfence JSON report"),
        "{}",
        out.stderr
    );
    assert_eq!(run(d, &["diff", "nope.json", "demo.json"]).code, 2);
}

#[test]
fn one_run_writes_several_formats() {
    let dir = tmp();
    let d = dir.path();
    let out = run(
        d,
        &[
            "audit",
            "--demo",
            "-f",
            "json=report.json",
            "-f",
            "table=report.txt",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = std::fs::read_to_string(d.join("report.json")).unwrap();
    assert_eq!(
        file, out.stdout,
        "the same report in the file and on stdout"
    );
    let table = std::fs::read_to_string(d.join("report.txt")).unwrap();
    assert!(table.contains("Maturity ladder"), "{table}");
    // -o takes the one format without a file.
    let out = run(
        d,
        &[
            "audit",
            "--demo",
            "-f",
            "json=a.json",
            "-f",
            "table",
            "-o",
            "t.txt",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(d.join("t.txt").exists() && d.join("a.json").exists());

    for (args, message) in [
        (
            vec!["-f", "json", "-f", "table"],
            "only one format can go to standard output",
        ),
        (
            vec!["-f", "json=a.json", "-o", "b.json"],
            "every -f names its own file",
        ),
        (
            vec!["-f", "json=x.json", "-f", "table=x.json"],
            "x.json is named twice",
        ),
        (
            vec!["-f", "yaml"],
            "`yaml` is not a format; the formats are table, json",
        ),
        (vec!["-f", "json="], "no file after `=`"),
    ] {
        let mut all = vec!["audit", "--demo"];
        all.extend(args.iter().copied());
        let out = run(d, &all);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
    }
    let out = run(
        d,
        &[
            "scan",
            "--offline",
            "--no-aws-home",
            "-f",
            "table",
            "-f",
            "json=s.json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(d.join("s.json").exists());
}

#[test]
fn sarif_junit_and_markdown_from_the_cli_match_the_committed_examples() {
    let dir = tmp();
    let d = dir.path();
    let out = run(
        d,
        &[
            "audit",
            "--demo",
            "-f",
            "sarif=r.sarif",
            "-f",
            "junit=r.xml",
            "-f",
            "markdown",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let example = |name: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("reports/examples")
                .join(name),
        )
        .unwrap()
    };
    assert_eq!(out.stdout, example("demo-report.md"));
    assert_eq!(
        std::fs::read_to_string(d.join("r.xml")).unwrap(),
        example("demo-report.junit.xml")
    );
    assert_eq!(
        json(&std::fs::read_to_string(d.join("r.sarif")).unwrap()),
        json(&example("demo-report.sarif"))
    );
}

#[test]
fn waivers_show_in_every_format() {
    let dir = tmp();
    let d = dir.path();
    write(d, "ringfence.toml", WAIVERS);
    let out = run(
        d,
        &[
            "audit",
            "--demo",
            "-f",
            "sarif=r.sarif",
            "-f",
            "junit=r.xml",
            "-f",
            "table=r.txt",
            "-f",
            "markdown",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sarif = json(&std::fs::read_to_string(d.join("r.sarif")).unwrap());
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "decommissioned in Q1"
    );
    let junit = std::fs::read_to_string(d.join("r.xml")).unwrap();
    assert!(junit.contains("decommissioned in Q1"), "{junit}");
    let table = std::fs::read_to_string(d.join("r.txt")).unwrap();
    assert!(table.contains("decommissioned in Q1"), "{table}");
    assert!(
        out.stdout.contains("### Waivers to review (2)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("**expired** REC001") && out.stdout.contains("**stale** DEL002"),
        "{}",
        out.stdout
    );
}

/// A character device of the kernel's (`null` 1:3, `full` 1:7) at a path of the test's own,
/// so that a regression replaces that node, never the machine's /dev. Without the right to
/// create device nodes, a symbolic link to the machine's device stands in.
#[cfg(unix)]
fn device(dir: &Path, name: &str) -> String {
    let minor = match name {
        "null" => "3",
        "full" => "7",
        other => panic!("no device {other}"),
    };
    let path = dir.join(name);
    let made = StdCommand::new("mknod")
        .arg(&path)
        .args(["c", "1", minor])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        std::os::unix::fs::symlink(format!("/dev/{name}"), &path).unwrap();
    }
    path.display().to_string()
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE, as when a
/// `| head -1` has read its line and exited.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn a_closed_stdout_keeps_the_gate_and_every_file_output() {
    let dir = tmp();
    let output = StdCommand::new(env!("CARGO_BIN_EXE_ringfence"))
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args([
            "audit",
            "--demo",
            "--fail-under",
            "80",
            "-f",
            "json=j.json",
            "-f",
            "table",
            "-f",
            "sarif=s.sarif",
        ])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("gate failed"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    for name in ["j.json", "s.sarif"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        json(&text);
    }
}

#[test]
fn diff_keeps_its_gate_on_a_closed_stdout() {
    let dir = tmp();
    let d = dir.path();
    assert_eq!(
        run(d, &["audit", "--demo", "-f", "json", "-o", "demo.json"]).code,
        0
    );
    write(d, "clean-estate.json", &clean_snapshot());
    let clean = run(
        d,
        &[
            "audit",
            "--snapshot",
            "clean-estate.json",
            "-f",
            "json",
            "-o",
            "clean.json",
        ],
    );
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let output = StdCommand::new(env!("CARGO_BIN_EXE_ringfence"))
        .current_dir(d)
        .args(["diff", "clean.json", "demo.json", "--fail-on-new"])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("regressed"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_full_stdout_is_reported_once_and_files_are_still_written() {
    let dir = tmp();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = StdCommand::new(env!("CARGO_BIN_EXE_ringfence"))
        .current_dir(dir.path())
        .args(["audit", "--demo", "-f", "table", "-f", "json=j.json"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("No space left").count(), 1, "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
    json(&std::fs::read_to_string(dir.path().join("j.json")).unwrap());
}

#[cfg(unix)]
#[test]
fn every_file_that_cannot_be_written_is_named_after_the_others_are_written() {
    let dir = tmp();
    let full = format!("json={}", device(dir.path(), "full"));
    let out = run(
        dir.path(),
        &[
            "audit",
            "--demo",
            "-f",
            &full,
            "-f",
            "sarif=no/such/dir/s.sarif",
            "-f",
            "html=h.html",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("full: No space left"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no/such/dir/s.sarif: cannot create a file in no/such/dir: No such file"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(".ringfence-"), "{}", out.stderr);
    assert!(dir.path().join("h.html").is_file());
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_written_into_and_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tmp();
    let null = device(dir.path(), "null");
    let stdout = dir.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &stdout).unwrap();
    for target in [null.as_str(), "stdout"] {
        let out = run(dir.path(), &["audit", "--demo", "-f", "json", "-o", target]);
        assert_eq!(out.code, 0, "{target}: {}", out.stderr);
        // (Through the link, `stdout` is this test's own standard output: a file under CI.)
        let kind = std::fs::symlink_metadata(dir.path().join(target))
            .unwrap()
            .file_type();
        assert!(!kind.is_file(), "{target} was replaced by a regular file");
    }
    assert!(
        std::fs::metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        std::fs::symlink_metadata(&stdout)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let out = run(
        dir.path(),
        &["audit", "--demo", "-f", "json", "-o", "stdout"],
    );
    json(&out.stdout);

    let fifo = dir.path().join("report.fifo");
    assert!(
        StdCommand::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo"
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run(
        dir.path(),
        &["audit", "--demo", "-f", "json", "-o", "report.fifo"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&reader.join().unwrap());
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let full = device(dir.path(), "full");
    let out = run(dir.path(), &["audit", "--demo", "-o", &full]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("full: No space left"), "{}", out.stderr);
    assert!(!std::fs::metadata(&full).unwrap().file_type().is_file());
}

#[cfg(unix)]
#[test]
fn a_symlink_is_followed_to_its_file_and_a_dangling_one_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink("real.json", dir.path().join("link.json")).unwrap();
    let out = run(
        dir.path(),
        &["audit", "--demo", "-f", "json", "-o", "link.json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    json(&std::fs::read_to_string(&real).unwrap());
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the file's permissions were not kept");

    std::os::unix::fs::symlink("nowhere.json", dir.path().join("dangling.json")).unwrap();
    let out = run(dir.path(), &["audit", "--demo", "-o", "dangling.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("symbolic link to nowhere.json"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("nowhere.json").exists());

    let out = run(dir.path(), &["audit", "--demo", "-o", "."]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
}

#[test]
fn dash_is_standard_output() {
    let dir = tmp();
    for args in [
        &["audit", "--demo", "-f", "json", "-o", "-"][..],
        &["audit", "--demo", "-f", "json=-"][..],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        json(&out.stdout);
    }
    assert!(!dir.path().join("-").exists());
    let out = run(dir.path(), &["init", "-o", "-"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("[environments]"), "{}", out.stdout);
    assert!(!dir.path().join("-").exists());
    let out = run(
        dir.path(),
        &["audit", "--demo", "-f", "json=-", "-f", "table"],
    );
    assert_eq!(out.code, 2, "two reports on standard output");
}

/// A snapshot of `n` production accounts with nothing in them: large reports, quickly.
fn many_accounts(n: usize) -> String {
    let accounts: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("{:012}", 100_000_000_000_usize + i),
                "name": format!("acct-prod-{i}"),
                "iam": {"roles": [], "users": [], "groups": [], "managed_policies": []}
            })
        })
        .collect();
    serde_json::json!({
        "schema_version": "1.0",
        "collected_at": "2026-11-20T09:00:00Z",
        "accounts": accounts
    })
    .to_string()
}

#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_temporary_file() {
    let dir = tmp();
    write(dir.path(), "big.json", &many_accounts(5000));
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_ringfence"))
            .current_dir(dir.path())
            .args(["evaluate", "big.json", "-f", "json", "-o", "report.json"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !has_partial_file(dir.path()) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the report was written before it could be interrupted"
            );
            assert!(
                started.elapsed().as_secs() < 120,
                "no temporary file appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let killed = StdCommand::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        // Bounded: a handler that deadlocks must fail this test, not hang the suite.
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed().as_secs() > 180 {
                let _ = child.kill();
                panic!("SIG{signal}: the process did not exit");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted by SIG{signal}")),
            "{stderr}"
        );
        assert!(stderr.contains("report.json was not written"), "{stderr}");
        assert!(
            !has_partial_file(dir.path()),
            "SIG{signal} left a temporary file"
        );
        assert!(!dir.path().join("report.json").exists());
    }
}

/// A live command whose collection must be refused before anything is sent: fake keys, no
/// AWS config files, and an endpoint where nothing listens.
fn refused_before_sending(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = ringfence(dir);
    cmd.env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_MAX_ATTEMPTS")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .envs(env.iter().copied())
        .args(args);
    cmd.output().unwrap().into()
}

#[test]
fn a_malformed_endpoint_url_is_bad_usage() {
    let dir = tmp();
    for (url, says) in [
        ("not-a-url", "no scheme"),
        ("localhost:4566", "no scheme"),
        ("ftp://127.0.0.1:21", "ftp:// is not supported"),
        ("http://", "not a URL"),
    ] {
        let out = refused_before_sending(
            dir.path(),
            &[],
            &["collect", "--endpoint-url", url, "-o", "x.json"],
        );
        assert_eq!(out.code, 2, "{url}: {}", out.stderr);
        assert!(out.stderr.contains(url), "{url}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{url}: {}", out.stderr);
        assert!(!dir.path().join("x.json").exists());
    }
    // The environment's endpoint is held to the same rule, and named.
    let out = refused_before_sending(
        dir.path(),
        &[("AWS_ENDPOINT_URL", "localhost:4566")],
        &["audit"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("AWS_ENDPOINT_URL") && out.stderr.contains("no scheme"),
        "{}",
        out.stderr
    );
}

#[test]
fn aws_max_attempts_must_be_a_whole_number_of_one_or_more() {
    let dir = tmp();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for value in ["0", "abc", "-1", "2.5"] {
        let out = refused_before_sending(
            dir.path(),
            &[("AWS_MAX_ATTEMPTS", value)],
            &["audit", "--endpoint-url", &closed],
        );
        assert_eq!(out.code, 2, "{value}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!("AWS_MAX_ATTEMPTS={value}"))
                && out.stderr.contains("1 or more"),
            "{value}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_key_named_twice_in_a_snapshot_is_refused_with_its_position() {
    let dir = tmp();
    let clean = clean_snapshot();
    let twice = clean.replacen(
        "\"name\": \"acme-prod\",",
        "\"name\": \"acme-prod\",\n      \"tags\": {\"environment\": \"prod\", \"environment\": \"sandbox\"},",
        1,
    );
    assert_ne!(twice, clean, "the fixture changed: the edit did nothing");
    write(dir.path(), "twice.json", &twice);
    let out = run(dir.path(), &["evaluate", "twice.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("twice.json:")
            && out
                .stderr
                .contains(".accounts[0].tags: the key `environment` appears twice"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_byte_order_mark_is_skipped_in_utf8_and_named_in_utf16() {
    let dir = tmp();
    let clean = clean_snapshot();
    std::fs::write(
        dir.path().join("bom.json"),
        [b"\xEF\xBB\xBF".as_slice(), clean.as_bytes()].concat(),
    )
    .unwrap();
    let out = run(dir.path(), &["evaluate", "bom.json", "-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(clean.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(dir.path().join("utf16.json"), utf16).unwrap();
    let out = run(dir.path(), &["evaluate", "utf16.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("UTF-16"), "{}", out.stderr);
}

#[test]
fn a_run_larger_than_its_memory_limit_ends_with_a_sentence_not_an_abort() {
    let dir = tmp();
    write(dir.path(), "big.json", &many_accounts(5000));
    let out = ringfence(dir.path())
        .env("RINGFENCE_MEMORY_LIMIT", "40M")
        .args(["evaluate", "big.json", "-f", "json", "-o", "report.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(
            "out of memory: this run needed more than 40 MiB (RINGFENCE_MEMORY_LIMIT=40M)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("memory allocation of"), "{stderr}");
    assert!(!dir.path().join("report.json").exists());
    assert!(!has_partial_file(dir.path()));

    for bad in ["lots", "-1G"] {
        let out = ringfence(dir.path())
            .env("RINGFENCE_MEMORY_LIMIT", bad)
            .args(["audit", "--demo"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    let out = ringfence(dir.path())
        .env("RINGFENCE_MEMORY_LIMIT", "off")
        .args(["audit", "--demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
