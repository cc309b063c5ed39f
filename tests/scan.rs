//! End to end: `ringfence scan` and `audit --workspace` over workspaces holding known fake
//! secrets — what they find, how they gate, and that no output ever holds a secret.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// 2026-11-20T09:00:00Z, as the other CLI tests.
const EPOCH: &str = "1795165200";

/// AWS's documented example key (an IAM user's key in the demo estate's production account).
const PROD_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const PROD_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// A key no inventory knows.
const OTHER_KEY_ID: &str = "AKIAI44QH8DHBEXAMPLE";
const OTHER_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
const TEMP_KEY_ID: &str = "ASIAJEXAMPLEXEG2JICE";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLEsessionTOKENq7Zr9vK2LmN4pX8wT";
const DB_PASSWORD: &str = "Fake-Billing-Pass-EXAMPLE-7Qz";
const STAGING_DB_PASSWORD: &str = "Fake-Orders-Pass-EXAMPLE-3Kw";
const STRIPE_SECRET: &str = "sk_live_FAKE51Hq7EXAMPLEzzQ9v";
const LOCAL_PASSWORD: &str = "local-dev-pw-EXAMPLE-9Jx";

/// Every secret the fixtures hold. No output may contain any 8-character piece of one.
const SECRETS: &[&str] = &[
    PROD_KEY_ID,
    PROD_SECRET,
    OTHER_KEY_ID,
    OTHER_SECRET,
    TEMP_KEY_ID,
    SESSION_TOKEN,
    DB_PASSWORD,
    STAGING_DB_PASSWORD,
    STRIPE_SECRET,
    LOCAL_PASSWORD,
];

fn ringfence(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ringfence").unwrap();
    cmd.current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("RUST_BACKTRACE");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = ringfence(dir).args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

fn put(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A developer's machine: a workspace `ws` and an AWS configuration folder `aws`.
fn machine() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        "ws/.env",
        &format!(
            "# payments-api\nAPP_ENV=development\nAWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID={PROD_KEY_ID}\nAWS_SECRET_ACCESS_KEY={PROD_SECRET}\n\
             STRIPE_SECRET_KEY={STRIPE_SECRET}\nLOG_LEVEL=debug\n"
        ),
    );
    put(
        d,
        "ws/.env.production",
        &format!(
            "DATABASE_URL=mysql://billing:{DB_PASSWORD}@legacy-billing.c0a11prod.eu-west-1.rds.amazonaws.com:3306/billing\n"
        ),
    );
    put(
        d,
        "ws/.env.staging",
        &format!(
            "DATABASE_URL=\"postgres://orders:{STAGING_DB_PASSWORD}@orders-db-staging.c0b33stg.eu-west-1.rds.amazonaws.com:5432/orders\"\n"
        ),
    );
    // Hidden from git, which is exactly why it must be found.
    put(d, "ws/.gitignore", ".env*\ninfra/.envrc\n");
    put(
        d,
        "ws/infra/.envrc",
        &format!(
            "export AWS_ACCESS_KEY_ID={TEMP_KEY_ID}\nexport AWS_SECRET_ACCESS_KEY={OTHER_SECRET}\nexport AWS_SESSION_TOKEN={SESSION_TOKEN}\n"
        ),
    );
    put(
        d,
        "ws/docker-compose.yml",
        &format!(
            "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_HOST: localhost\n      POSTGRES_PASSWORD: {LOCAL_PASSWORD}\n"
        ),
    );
    // Dependencies are skipped by default.
    put(
        d,
        "ws/node_modules/some-sdk/.env",
        &format!("AWS_ACCESS_KEY_ID={OTHER_KEY_ID}\n"),
    );
    put(
        d,
        "aws/config",
        "[default]\nregion = eu-west-1\nsso_account_id = 333333333333\nsso_role_name = DeveloperAccess\n\n\
         [profile prod-admin]\nrole_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole\nsource_profile = default\n",
    );
    put(
        d,
        "aws/credentials",
        &format!(
            "[legacy]\naws_access_key_id = {OTHER_KEY_ID}\naws_secret_access_key = {OTHER_SECRET}\n"
        ),
    );
    dir
}

fn findings<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == check)
        .collect()
}

/// The finding of `check` whose resource ends with `resource_suffix`.
fn finding_at<'a>(report: &'a Value, check: &str, resource_suffix: &str) -> &'a Value {
    findings(report, check)
        .into_iter()
        .find(|f| f["resource"].as_str().unwrap().ends_with(resource_suffix))
        .unwrap_or_else(|| panic!("no {check} finding on {resource_suffix}: {report:#}"))
}

fn status_of<'a>(report: &'a Value, check: &str, resource_suffix: &str) -> &'a str {
    finding_at(report, check, resource_suffix)["status"]
        .as_str()
        .unwrap()
}

#[test]
fn scan_attributes_keys_urls_and_profiles_to_production() {
    let dir = machine();
    let out = run(
        dir.path(),
        &["scan", "ws", "--demo", "--aws-home", "aws", "-f", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    assert_eq!(report["scope"]["inventory"], "demo");
    // The IAM user legacy-ci holds this key in the demo's production account.
    assert_eq!(status_of(&report, "SEC001", ".env:4"), "fail");
    let key = finding_at(&report, "SEC001", ".env:4");
    assert_eq!(key["evidence"]["credential"]["fingerprint"], "AKIA…MPLE");
    assert_eq!(key["evidence"]["owner"]["source"], "inventory");
    assert_eq!(
        key["evidence"]["owner"]["user_arn"],
        "arn:aws:iam::222222222222:user/legacy-ci"
    );
    assert_eq!(key["severity"], "critical");
    // A production database by its endpoint; a staging one passes.
    assert_eq!(status_of(&report, "SEC001", ".env.production:1"), "fail");
    assert_eq!(status_of(&report, "SEC001", ".env.staging:1"), "pass");
    // A temporary key nobody can attribute offline: unknown, at a lower severity.
    let temp = finding_at(&report, "SEC001", ".envrc:1");
    assert_eq!(temp["status"], "unknown");
    assert_eq!(temp["severity"], "medium");
    assert!(
        temp["message"]
            .as_str()
            .unwrap()
            .contains("--attribute-keys"),
        "{temp}"
    );
    // A secret beside a local host is still of unknown reach (the host is weak evidence:
    // it never clears a secret), as is one with no host; both are reported low.
    let local = finding_at(&report, "SEC001", "docker-compose.yml:6");
    assert_eq!(
        (local["status"].as_str(), local["severity"].as_str()),
        (Some("unknown"), Some("low"))
    );
    let stripe = finding_at(&report, "SEC001", ".env:6");
    assert_eq!(
        (stripe["status"].as_str(), stripe["severity"].as_str()),
        (Some("unknown"), Some("low"))
    );
    // node_modules was not entered.
    assert!(
        !out.stdout.contains("node_modules/some-sdk"),
        "{}",
        out.stdout
    );
    assert!(report["stats"]["skipped_dirs"].as_u64().unwrap() >= 1);

    // Profiles: a role in production fails, SSO into staging passes, a key nobody knows is unknown.
    assert_eq!(status_of(&report, "SEC002", "profile prod-admin"), "fail");
    assert_eq!(status_of(&report, "SEC002", "profile default"), "pass");
    assert_eq!(status_of(&report, "SEC002", "profile legacy"), "unknown");
    let legacy = findings(&report, "SEC002")
        .into_iter()
        .find(|f| f["resource"] == "aws profile legacy")
        .unwrap();
    assert!(
        legacy["message"]
            .as_str()
            .unwrap()
            .contains("holds aws access key AKIA…MPLE"),
        "{legacy}"
    );
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/scan-report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let checks: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(checks, [("SEC001", "fail"), ("SEC002", "fail")]);
}

#[test]
fn no_output_ever_holds_a_secret() {
    let dir = machine();
    let d = dir.path();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let record = |outputs: &mut Vec<(String, String)>, what: &str, run: Run| {
        outputs.push((format!("{what} stdout"), run.stdout));
        outputs.push((format!("{what} stderr"), run.stderr));
    };
    for format in ["table", "json"] {
        let args = ["scan", "ws", "--demo", "--aws-home", "aws", "-f", format];
        record(&mut outputs, &format!("scan -f {format}"), run(d, &args));
        let args = [
            "audit",
            "--demo",
            "--workspace",
            "ws",
            "--aws-home",
            "aws",
            "-f",
            format,
        ];
        record(&mut outputs, &format!("audit -f {format}"), run(d, &args));
    }
    let args = [
        "scan",
        "ws",
        "--offline",
        "--aws-home",
        "aws",
        "--fail-on",
        "low",
        "-o",
        "scan.json",
        "-f",
        "json",
    ];
    record(&mut outputs, "scan -o", run(d, &args));
    outputs.push((
        "scan.json".into(),
        std::fs::read_to_string(d.join("scan.json")).unwrap(),
    ));
    // Errors name files, never their content.
    record(
        &mut outputs,
        "missing path",
        run(d, &["scan", "nope", "--offline"]),
    );
    for (what, text) in &outputs {
        for secret in SECRETS {
            let chars: Vec<char> = secret.chars().collect();
            for piece in chars.windows(8) {
                let piece: String = piece.iter().collect();
                assert!(
                    !text.contains(&piece),
                    "{what} holds `{piece}` of a secret:\n{text}"
                );
            }
        }
    }
    // And the scan did find them (the test would be empty otherwise).
    let scan_json = outputs
        .iter()
        .find(|(what, _)| what == "scan -f json stdout")
        .unwrap();
    let report = json(&scan_json.1);
    assert!(
        report["summary"]["fail"].as_u64().unwrap() >= 3,
        "{report:#}"
    );
}

#[test]
fn the_scan_gates_on_finding_severity_and_refuses_bad_input() {
    let dir = machine();
    let d = dir.path();
    let base = ["scan", "ws", "--demo", "--aws-home", "aws"];
    let out = run(d, &base);
    assert_eq!(out.code, 0, "no gate, exit 0: {}", out.stderr);
    assert!(out.stdout.contains("SEC001"), "{}", out.stdout);
    let out = run(d, &[&base[..], &["--fail-on", "critical"]].concat());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("gate failed") && out.stderr.contains("critical"),
        "{}",
        out.stderr
    );
    // Only the low-confidence secret is left without a production credential beside it: a
    // local host beside it does not clear it, so it is unknown at low severity.
    let clean = tempfile::tempdir().unwrap();
    put(
        clean.path(),
        "ws/.env",
        &format!("DB_HOST=localhost\nDB_PASSWORD={LOCAL_PASSWORD}\n"),
    );
    let gate = |severity: &str| {
        run(
            clean.path(),
            &[
                "scan",
                "ws",
                "--offline",
                "--no-aws-home",
                "--fail-on",
                severity,
            ],
        )
    };
    let out = gate("medium");
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = gate("low");
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);

    let out = run(d, &["scan", "does-not-exist", "--offline", "--no-aws-home"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("does-not-exist"), "{}", out.stderr);
    let out = run(d, &["scan", "ws", "--offline", "--attribute-keys"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(d, &["scan", "ws", "--offline", "--max-file-size", "lots"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("lots"), "{}", out.stderr);
    let out = run(d, &["scan", "ws", "--aws-home", "aws", "--no-aws-home"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn offline_scans_classify_accounts_by_the_configuration() {
    let dir = machine();
    let d = dir.path();
    let out = run(
        d,
        &["scan", "--offline", "--aws-home", "aws", "-f", "json", "ws"],
    );
    let report = json(&out.stdout);
    // Nothing says what 222222222222 is.
    assert_eq!(
        status_of(&report, "SEC002", "profile prod-admin"),
        "unknown"
    );
    put(
        d,
        "ringfence.toml",
        "[environments]\nprod_accounts = [\"222222222222\"]\nnonprod_accounts = [\"333333333333\"]\n",
    );
    let out = run(
        d,
        &["scan", "--offline", "--aws-home", "aws", "-f", "json", "ws"],
    );
    let report = json(&out.stdout);
    assert_eq!(status_of(&report, "SEC002", "profile prod-admin"), "fail");
    assert_eq!(status_of(&report, "SEC002", "profile default"), "pass");
    assert_eq!(report["scope"]["config"], "ringfence.toml");
}

#[test]
fn files_that_cannot_be_searched_make_the_scan_unknown_not_clean() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "ws/.env", &format!("A=1\n{}\n", "B=2\n".repeat(600)));
    let out = run(
        d,
        &[
            "scan",
            "ws",
            "--offline",
            "--no-aws-home",
            "--max-file-size",
            "1K",
            "-f",
            "json",
        ],
    );
    let report = json(&out.stdout);
    assert_eq!(report["stats"]["skipped_large"], 1, "{report:#}");
    assert_eq!(report["checks"][0]["status"], "unknown", "{report:#}");
    assert_eq!(report["problems"][0]["kind"], "too_large");
    let table = run(
        d,
        &[
            "scan",
            "ws",
            "--offline",
            "--no-aws-home",
            "--max-file-size",
            "1K",
        ],
    );
    assert!(
        table.stdout.contains("1 over the size limit"),
        "{}",
        table.stdout
    );
}

#[test]
fn audit_folds_the_workspace_into_the_level_and_score() {
    let dir = machine();
    let d = dir.path();
    let clean = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean-estate.json");
    let clean = clean.to_str().unwrap();
    let base = run(d, &["audit", "--snapshot", clean, "-f", "json"]);
    let base = json(&base.stdout);
    assert_eq!(status_of(&base, "SEC001", "workspace"), "not_applicable");

    // A workspace with nothing in it keeps the level; one with a key nobody can attribute
    // does not: unknown is never a pass.
    let empty = tempfile::tempdir().unwrap();
    put(empty.path(), "ws/src/main.rs", "fn main() {}\n");
    let empty_ws = empty.path().join("ws");
    let out = run(
        d,
        &[
            "audit",
            "--snapshot",
            clean,
            "--workspace",
            empty_ws.to_str().unwrap(),
            "--no-aws-home",
            "-f",
            "json",
        ],
    );
    let report = json(&out.stdout);
    assert_eq!(report["summary"]["level"], base["summary"]["level"]);
    let sec001 = findings(&report, "SEC001");
    assert_eq!(sec001.len(), 1);
    assert_eq!(sec001[0]["status"], "pass");

    let out = run(
        d,
        &[
            "audit",
            "--snapshot",
            clean,
            "--workspace",
            "ws",
            "--no-aws-home",
            "-f",
            "json",
        ],
    );
    let report = json(&out.stdout);
    assert!(base["summary"]["level"].as_u64().unwrap() >= 1, "{base:#}");
    // A key that reaches no known account belongs to the workstation scope: it has a line of
    // its own at level 0, and costs the score (unknown is never a pass), but the organization
    // stands at its weakest production account, which this key is not known to reach.
    assert_eq!(report["summary"]["level"], base["summary"]["level"]);
    assert!(
        report["summary"]["score"].as_f64().unwrap() < base["summary"]["score"].as_f64().unwrap(),
        "{:#}",
        report["summary"]
    );
    let workstation = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "workstation")
        .unwrap_or_else(|| panic!("no workstation scope: {:#}", report["accounts"]));
    assert_eq!(workstation["level"], 0);
    assert_eq!(workstation["counts_for_organization"], false);
    assert_eq!(workstation["blockers"][0]["check_id"], "SEC001");
    assert_eq!(workstation["blockers"][0]["status"], "unknown");
    assert_eq!(
        status_of(&report, "SEC002", "aws configuration"),
        "not_applicable"
    );
}

#[test]
fn the_demo_audit_shows_a_workstation() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["audit", "--demo", "-f", "json"]);
    let report = json(&out.stdout);
    let statuses: Vec<&str> = findings(&report, "SEC001")
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    for status in ["fail", "pass", "unknown"] {
        assert!(statuses.contains(&status), "{statuses:?}");
    }
    let profiles: Vec<&str> = findings(&report, "SEC002")
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    for status in ["fail", "pass", "not_applicable"] {
        assert!(profiles.contains(&status), "{profiles:?}");
    }
}

#[test]
fn a_secret_beside_a_local_url_is_unknown_and_an_escaped_aws_secret_stays_one() {
    // Before: both passed SEC001 ("connects to localhost, a local host"): the generic secret
    // was judged by the only host in the file, and the AWS secret with escaped quotes was
    // read as a generic secret.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        "ws/.env",
        &format!(
            "API_URL=http://localhost:3000\nAPI_TOKEN={STRIPE_SECRET}\nAWS_SECRET_ACCESS_KEY=\"\\\"{PROD_SECRET}\\\"\"\n"
        ),
    );
    put(
        d,
        "ws/.env.local",
        "API_URL=http://127.0.0.1:8080\nAWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG\\\"bPxRfiCYEXAMPLEKEY\"\n",
    );
    let out = run(
        d,
        &["scan", "ws", "--offline", "--no-aws-home", "-f", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = json(&out.stdout);
    let token = finding_at(&report, "SEC001", ".env:2");
    assert_eq!(token["status"], "unknown", "{token:#}");
    assert!(
        token["message"].as_str().unwrap().contains("unknown reach"),
        "{token:#}"
    );
    for at in [".env:3", ".env.local:2"] {
        let secret = finding_at(&report, "SEC001", at);
        assert_eq!(secret["status"], "unknown", "{secret:#}");
        assert_eq!(
            secret["evidence"]["credential"]["kind"], "aws_secret_key",
            "{secret:#}"
        );
        assert_eq!(secret["severity"], "medium", "{secret:#}");
    }
    assert!(
        findings(&report, "SEC001")
            .iter()
            .all(|f| f["status"] != "pass"),
        "{report:#}"
    );
    for secret in [PROD_SECRET, STRIPE_SECRET, "bPxRfiCYEXAMPLEKEY"] {
        assert!(!out.stdout.contains(secret), "{}", out.stdout);
    }
}

#[test]
fn the_aws_folder_must_exist_when_named_and_is_not_applicable_when_absent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "ws/src/main.rs", "fn main() {}\n");
    // Named explicitly and missing: bad usage, naming it. Before: SEC002 passed ("defines no
    // profile").
    let out = run(d, &["scan", "ws", "--offline", "--aws-home", "no-such-dir"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("--aws-home no-such-dir") && out.stderr.contains("no such folder"),
        "{}",
        out.stderr
    );
    put(d, "a-file", "x\n");
    let out = run(d, &["scan", "ws", "--offline", "--aws-home", "a-file"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not a folder"), "{}", out.stderr);
    let out = run(
        d,
        &[
            "audit",
            "--demo",
            "--workspace",
            "ws",
            "--aws-home",
            "no-such-dir",
        ],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);

    // The default ~/.aws absent: the machine holds no profile there.
    let home = d.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let scan_with_home = |home: &Path| {
        let output = ringfence(d)
            .env("HOME", home)
            .args(["scan", "ws", "--offline", "-f", "json"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        json(&String::from_utf8(output.stdout).unwrap())
    };
    let report = scan_with_home(&home);
    let sec002 = findings(&report, "SEC002");
    assert_eq!(sec002.len(), 1, "{report:#}");
    assert_eq!(sec002[0]["status"], "not_applicable", "{report:#}");
    assert!(
        sec002[0]["message"]
            .as_str()
            .unwrap()
            .contains("no AWS configuration folder"),
        "{report:#}"
    );

    // ~/.aws exists but cannot be read as a folder (a file, unreadable even for root): unknown.
    put(&home, ".aws", "not a folder\n");
    let report = scan_with_home(&home);
    let sec002 = findings(&report, "SEC002");
    assert!(!sec002.is_empty(), "{report:#}");
    assert!(
        sec002.iter().all(|f| f["status"] == "unknown"),
        "{report:#}"
    );
    std::fs::remove_file(home.join(".aws")).unwrap();

    // ~/.aws with malformed lines: counted as problems, SEC002 unknown for that file.
    put(
        &home,
        ".aws/credentials",
        &format!(
            "aws_access_key_id = {OTHER_KEY_ID}\naws_secret_access_key = {OTHER_SECRET}\n[dev\naws_access_key_id = {OTHER_KEY_ID}\n"
        ),
    );
    let output = ringfence(d)
        .env("HOME", &home)
        .args(["scan", "ws", "--offline", "-f", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = json(&stdout);
    let problem = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "malformed")
        .unwrap_or_else(|| panic!("no malformed problem: {report:#}"));
    assert!(
        problem["path"]
            .as_str()
            .unwrap()
            .ends_with(".aws/credentials"),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("3 malformed lines"),
        "{problem}"
    );
    assert_eq!(
        status_of(&report, "SEC002", ".aws/credentials"),
        "unknown",
        "{report:#}"
    );
    for secret in [OTHER_KEY_ID, OTHER_SECRET] {
        assert!(!stdout.contains(secret), "{stdout}");
    }
}
