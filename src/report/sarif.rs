//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning and the like).
//!
//! One run, one rule per check (its catalogue text as description and help), and one result per
//! finding that needs attention:
//!
//! - a `fail` finding is a result of kind `fail`, at the level of the finding's own severity
//!   (critical and high → `error`, medium → `warning`, low → `note`);
//! - an `unknown` finding (data missing: not a pass) is a result of kind `review`, a human has to
//!   look. SARIF requires level `none` for every kind but `fail`, so its severity is in
//!   `properties.severity`;
//! - a `waived` finding is a `fail` result with an accepted `external` suppression holding the
//!   waiver's reason, so that dashboards show it as dismissed instead of losing it;
//! - `pass` and `not_applicable` findings are left out: the JSON report has them.
//!
//! Locations: a finding is about a cloud resource, not a line of code, so its location is logical
//! (`fullyQualifiedName` is the ARN or identifier, kind `resource`, with account, region and
//! environment in the location's properties). GitHub code scanning rejects a whole file if one
//! result has no physical location, so every location also has one: the file and line for
//! workstation findings (a `/path/file:LINE` resource, or `file` and `line` in the evidence, as
//! SEC001 and SEC002 have), else the configuration file the estate is described in —
//! `ringfence.toml`, relative to the repository root, unless the report names another — without
//! a region.
//!
//! `partialFingerprints["ringfence/v1"]` is the SHA-256 of the check id and the resource, so that
//! dashboards follow a finding from run to run while its message changes.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::table::short_resource;
use super::{GateVerdict, Report};
use crate::checks::{Finding, Severity, Status};
use crate::classify::EnvClass;
use crate::score::Counts;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where results about cloud resources are anchored when the report names no configuration file.
const DEFAULT_CONFIG_URI: &str = "ringfence.toml";

const FINGERPRINT: &str = "ringfence/v1";

/// Characters escaped in a file path made a URI: controls, space and URI delimiters.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Writes the report as a SARIF 2.1.0 log (pretty JSON) followed by a newline.
pub fn render_sarif(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let config_uri = report
        .scope
        .config
        .as_deref()
        .map_or_else(|| DEFAULT_CONFIG_URI.to_owned(), file_uri);
    let rules: Vec<Rule> = report.checks.iter().map(rule).collect();
    let levels: BTreeMap<&str, Option<u8>> = report
        .accounts
        .iter()
        .filter(|a| a.environment.is_some())
        .map(|a| (a.id.as_str(), a.level))
        .collect();
    let results = report
        .findings
        .iter()
        .filter_map(|finding| {
            let rule_index = report.checks.iter().position(|c| c.id == finding.check_id);
            let level = finding
                .account
                .as_deref()
                .and_then(|a| levels.get(a).copied().flatten());
            result(finding, rule_index, &config_uri, level)
        })
        .collect();
    let notifications = report
        .collection_errors
        .iter()
        .map(|e| Notification {
            level: "warning",
            message: Text::new(match (&e.account_id, &e.region) {
                (Some(account), Some(region)) => format!("{} ({account} {region})", e.summary()),
                (Some(account), None) => format!("{} ({account})", e.summary()),
                _ => e.summary(),
            }),
        })
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                end_time_utc: report.generated_at.to_string(),
                tool_execution_notifications: notifications,
            }],
            results,
            properties: RunProperties {
                schema_version: &report.schema_version,
                source: &report.scope.source,
                score: report.summary.score,
                level: report.summary.level,
                level_name: report.summary.level_name.as_deref(),
                checks: report.summary.checks,
                findings: report.summary.findings,
                accounts: report
                    .accounts
                    .iter()
                    .map(|a| RunAccount {
                        id: &a.id,
                        name: a.name.as_deref(),
                        environment: a.environment,
                        level: a.level,
                        score: a.score,
                    })
                    .collect(),
                gate: report.gate.as_ref(),
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    writeln!(out)
}

fn rule(check: &crate::score::CheckResult) -> Rule<'_> {
    let entry = crate::checks::find(&check.id).map(|c| c.entry());
    let tags = vec![
        "security".to_owned(),
        check.control.clone(),
        format!("level-{}", check.level),
    ];
    Rule {
        id: &check.id,
        name: &check.name,
        short_description: Text::new(check.title.clone()),
        full_description: entry.map(|e| Text::new(e.checks.trim().to_owned())),
        help: entry.map(|e| {
            let references: String = e.references.iter().map(|r| format!("\n- {r}")).collect();
            let explain = format!("ringfence checks explain {}", check.id);
            Help {
                text: format!(
                    "{}\n\nHow to fix it (AWS CLI):\n{}\n\nTerraform and console steps: `{explain}`.\n\nReferences:{references}",
                    e.why.trim(),
                    e.fix.cli.trim()
                ),
                markdown: format!(
                    "{}\n\n**How to fix it** (AWS CLI):\n\n```sh\n{}\n```\n\nTerraform and console steps: `{explain}`.\n\n**References**\n{}",
                    e.why.trim(),
                    e.fix.cli.trim(),
                    references.trim_start()
                ),
            }
        }),
        default_configuration: Configuration {
            level: sarif_level(check.severity),
        },
        properties: RuleProperties {
            control: &check.control,
            level: check.level,
            severity: check.severity,
            security_severity: security_severity(check.severity),
            tags,
        },
    }
}

fn result<'a>(
    finding: &'a Finding,
    rule_index: Option<usize>,
    config_uri: &str,
    account_level: Option<u8>,
) -> Option<SarifResult<'a>> {
    let (kind, level) = match finding.status {
        Status::Fail | Status::Waived => ("fail", sarif_level(finding.severity)),
        Status::Unknown => ("review", "none"),
        Status::Pass | Status::NotApplicable => return None,
    };
    let physical_location = match file_line(finding) {
        Some((path, line)) => PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file_uri(path),
            },
            region: Some(Region { start_line: line }),
        },
        None => PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: config_uri.to_owned(),
            },
            region: None,
        },
    };
    let suppressions = finding
        .waiver
        .iter()
        .filter(|_| finding.status == Status::Waived)
        .map(|w| Suppression {
            kind: "external",
            status: "accepted",
            justification: &w.reason,
            properties: SuppressionProperties {
                expires: w.expires.to_string(),
                owner: w.owner.as_deref(),
            },
        })
        .collect();
    Some(SarifResult {
        rule_id: &finding.check_id,
        rule_index,
        kind,
        level,
        message: Text::new(finding.message.clone()),
        locations: vec![Location {
            physical_location,
            logical_locations: vec![LogicalLocation {
                name: short_resource(&finding.resource),
                fully_qualified_name: &finding.resource,
                kind: "resource",
            }],
            properties: LocationProperties {
                account: finding.account.as_deref(),
                account_name: finding.account_name.as_deref(),
                region: finding.region.as_deref(),
                environment: finding.environment,
                account_level,
            },
        }],
        partial_fingerprints: BTreeMap::from([(
            FINGERPRINT,
            fingerprint(&finding.check_id, &finding.resource),
        )]),
        suppressions,
        properties: ResultProperties {
            status: finding.status,
            severity: finding.severity,
            evidence: &finding.evidence,
            remediation: finding.remediation.as_deref(),
        },
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning's `security-severity` score: above 9 is critical, 7 to 8.9 high, 4 to
/// 6.9 medium, below 4 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

/// The file and line a workstation finding points at: a `/path/file:LINE` resource (SEC001), or
/// `file` and `line` in the evidence (SEC002's profile).
fn file_line(finding: &Finding) -> Option<(&str, u64)> {
    if let Some((path, line)) = finding.resource.rsplit_once(':')
        && (path.starts_with('/') || Path::new(path).is_absolute())
        && let Ok(line) = line.parse::<u64>()
        && line > 0
    {
        return Some((path, line));
    }
    let path = finding.evidence.get("file")?.as_str()?;
    let line = finding.evidence.get("line")?.as_u64()?;
    (!path.is_empty() && line > 0).then_some((path, line))
}

/// A file path as a URI reference: `file:///abs/path` for an absolute path, a relative reference
/// (resolved against the repository root by GitHub) otherwise.
fn file_uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let path = slashed.strip_prefix("./").unwrap_or(&slashed);
    let encoded = utf8_percent_encode(path, PATH).to_string();
    let bytes = path.as_bytes();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        // C:/Users/… — the drive's colon stays as it is.
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

fn fingerprint(check_id: &str, resource: &str) -> String {
    use std::fmt::Write;
    let mut hasher = Sha256::new();
    hasher.update(check_id.as_bytes());
    hasher.update([0]);
    hasher.update(resource.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize().iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: String) -> Text {
        Text { text }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties<'a> {
    control: &'a str,
    level: u8,
    severity: Severity,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    end_time_utc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    schema_version: &'a str,
    source: &'a str,
    score: Option<f64>,
    level: Option<u8>,
    level_name: Option<&'a str>,
    checks: Counts,
    findings: Counts,
    /// Each account's own level and score (and the workstation scope's).
    accounts: Vec<RunAccount<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a GateVerdict>,
}

#[derive(Serialize)]
struct RunAccount<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<EnvClass>,
    level: Option<u8>,
    score: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "LocationProperties::is_empty")]
    properties: LocationProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<EnvClass>,
    /// The account's own maturity level (0–4), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    account_level: Option<u8>,
}

impl LocationProperties<'_> {
    fn is_empty(&self) -> bool {
        self.account.is_none()
            && self.account_name.is_none()
            && self.region.is_none()
            && self.environment.is_none()
    }
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    expires: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    status: Status,
    severity: Severity,
    evidence: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use serde_json::{Value, json};

    use super::*;
    use crate::checks::AppliedWaiver;

    /// The committed demo report, read back through its own types.
    fn demo() -> Report {
        serde_json::from_str(include_str!("../../reports/examples/demo-report.json")).unwrap()
    }

    fn sarif(report: &Report) -> Value {
        let mut out = Vec::new();
        render_sarif(report, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    fn results(log: &Value) -> &Vec<Value> {
        log["runs"][0]["results"].as_array().unwrap()
    }

    #[test]
    fn an_empty_report_is_a_run_without_rules_or_results() {
        let mut report = demo();
        report.checks.clear();
        report.findings.clear();
        report.collection_errors.clear();
        let log = sarif(&report);
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"], json!([]));
        assert_eq!(log["runs"][0]["results"], json!([]));
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn only_failing_unknown_and_waived_findings_are_results() {
        let report = demo();
        let log = sarif(&report);
        let expected = report.summary.findings.fail + report.summary.findings.unknown;
        assert_eq!(results(&log).len() as u64, expected);
        let unknown = results(&log)
            .iter()
            .find(|r| r["properties"]["status"] == "unknown")
            .unwrap();
        assert_eq!(unknown["kind"], "review");
        assert_eq!(unknown["level"], "none");
    }

    #[test]
    fn a_waived_finding_is_a_suppressed_failure_with_its_reason() {
        let mut report = demo();
        let finding = report
            .findings
            .iter_mut()
            .find(|f| f.status == Status::Fail)
            .unwrap();
        finding.status = Status::Waived;
        finding.severity = Severity::Medium;
        finding.waiver = Some(AppliedWaiver {
            reason: "legacy, retired in Q1".into(),
            expires: date(2027, 3, 31),
            owner: Some("team-data".into()),
        });
        let log = sarif(&report);
        let waived = results(&log)
            .iter()
            .find(|r| r["properties"]["status"] == "waived")
            .unwrap();
        assert_eq!(waived["kind"], "fail");
        assert_eq!(waived["level"], "warning");
        assert_eq!(
            waived["suppressions"],
            json!([{
                "kind": "external",
                "status": "accepted",
                "justification": "legacy, retired in Q1",
                "properties": {"expires": "2027-03-31", "owner": "team-data"}
            }])
        );
    }

    #[test]
    fn workstation_findings_point_at_their_file_and_line_others_at_the_configuration() {
        let log = sarif(&demo());
        let location = |check: &str, resource: &str| {
            results(&log)
                .iter()
                .find(|r| {
                    r["ruleId"] == check
                        && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                            == resource
                })
                .map(|r| r["locations"][0]["physicalLocation"].clone())
                .unwrap()
        };
        assert_eq!(
            location("SEC001", "/home/dev/src/payments-api/.env:4"),
            json!({"artifactLocation": {"uri": "file:///home/dev/src/payments-api/.env"}, "region": {"startLine": 4}})
        );
        assert_eq!(
            location("SEC002", "aws profile prod-admin"),
            json!({"artifactLocation": {"uri": "file:///home/dev/.aws/config"}, "region": {"startLine": 7}})
        );
        assert_eq!(
            location("SEG001", "arn:aws:::111111111111"),
            json!({"artifactLocation": {"uri": "ringfence.toml"}})
        );
    }

    #[test]
    fn results_carry_their_account_and_its_level_and_the_run_every_account() {
        let log = sarif(&demo());
        let payments = results(&log)
            .iter()
            .find(|r| {
                r["ruleId"] == "REC004"
                    && r["locations"][0]["properties"]["account"] == "777777777777"
            })
            .unwrap()
            .clone();
        assert_eq!(payments["locations"][0]["properties"]["accountLevel"], 3);
        assert_eq!(
            payments["locations"][0]["properties"]["accountName"],
            "acme-payments-prod"
        );
        let prod = results(&log)
            .iter()
            .find(|r| r["locations"][0]["properties"]["account"] == "222222222222")
            .unwrap()
            .clone();
        assert_eq!(prod["locations"][0]["properties"]["accountLevel"], 0);
        let accounts = log["runs"][0]["properties"]["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 8);
        assert!(accounts.contains(&json!({"id": "777777777777", "name": "acme-payments-prod", "environment": "prod", "level": 3, "score": 97.9})));
        assert_eq!(log["runs"][0]["properties"]["level"], 0);
    }

    #[test]
    fn file_uris_are_escaped_and_relative_paths_stay_relative() {
        assert_eq!(file_uri("/a dir/#1/.env"), "file:///a%20dir/%231/.env");
        assert_eq!(file_uri("./ringfence.toml"), "ringfence.toml");
        assert_eq!(file_uri("conf/ring fence.toml"), "conf/ring%20fence.toml");
        assert_eq!(file_uri(r"C:\Users\dev\.env"), "file:///C:/Users/dev/.env");
    }

    #[test]
    fn fingerprints_depend_on_check_and_resource_only() {
        let a = fingerprint("DEL002", "arn:aws:rds:eu-west-1:222222222222:db:legacy");
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            fingerprint("DEL002", "arn:aws:rds:eu-west-1:222222222222:db:legacy")
        );
        assert_ne!(
            a,
            fingerprint("DEL001", "arn:aws:rds:eu-west-1:222222222222:db:legacy")
        );
        assert_ne!(fingerprint("AB", "C"), fingerprint("A", "BC"));
    }

    #[test]
    fn rules_carry_the_catalogue_and_the_level_of_their_severity() {
        let log = sarif(&demo());
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let sec001 = &rules[0];
        assert_eq!(sec001["id"], "SEC001");
        assert_eq!(sec001["name"], "local-prod-credential");
        assert_eq!(sec001["defaultConfiguration"]["level"], "error");
        assert_eq!(sec001["properties"]["security-severity"], "9.5");
        assert!(
            sec001["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("aws iam update-access-key")
        );
        for result in results(&log) {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
    }
}
