//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::checks::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "ringfence",
    version,
    about = "Audit an AWS estate for the guardrails that keep an AI agent, or a leaked credential, from destroying production",
    long_about = "Audit an AWS estate for the guardrails that keep an AI agent, or a leaked credential, from \
destroying production: segregation, least privilege, human-approved changes, audit alerts, deletion \
protection and recovery objectives. Every account is placed on a maturity ladder (0 Exposed, 1 Guarded, \
2 Segregated, 3 Recoverable, 4 Resilient); the organization stands at its weakest production account's \
level.\n\n\
Exit codes: 0 the gate passed (or no gate was given), 1 the gate failed, 2 bad usage, configuration or \
input, 3 nothing could be collected.",
    after_help = "Start with `ringfence audit --demo` to see a report of a built-in demo organization."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit an estate and print the report: live from AWS (the caller's account, or the
    /// organization with --org), the embedded demo (--demo), or a saved snapshot (--snapshot FILE)
    Audit(AuditArgs),
    /// Collect the inventory from AWS and save it as a snapshot, for `ringfence evaluate`
    Collect(CollectCommandArgs),
    /// Evaluate a saved inventory snapshot (same as `audit --snapshot FILE`)
    Evaluate(EvaluateArgs),
    /// Scan workspaces and the local AWS configuration for credentials that reach production
    /// (SEC001, SEC002); secrets are never printed, only redacted fingerprints
    #[command(
        long_about = "Scan workspaces and the local AWS configuration for credentials that reach production (SEC001 local-prod-credential, SEC002 workstation-prod-profile).\n\nEnv files (.env, .env.*, *.env, .envrc, compose files …) are searched, hidden and git-ignored ones included; dependency and build folders are skipped. AWS access keys are attributed to their account by the IAM users' key ids in the inventory, or with --attribute-keys by sts:GetAccessKeyInfo (which is sent the key id, never the secret). A database URL is production when its host is a production RDS endpoint. What cannot be attributed is reported as unknown, never as safe.\n\nWhat is production comes from the inventory: collected live from AWS by default (as `ringfence audit` does), from a saved snapshot with --snapshot, or from ringfence.toml alone with --offline.\n\nNo secret value is ever written to any output: findings give the file, line, kind and a redacted fingerprint such as AKIA…MPLE or postgres://app:****@host/db."
    )]
    Scan(ScanArgs),
    /// Compare two JSON reports (`-f json`): findings that newly fail, findings resolved,
    /// checks that changed, each account's level and score and the organization's;
    /// --fail-on-new gates on regressions
    Diff(DiffArgs),
    /// The check catalogue: list the checks, or explain one
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Write a commented ringfence.toml holding every setting at its default
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit the embedded demo organization instead of AWS
    #[arg(long, conflicts_with_all = ["snapshot", "org", "accounts", "regions", "profile", "endpoint_url", "concurrency", "role_name", "timeout", "call_timeout"])]
    pub demo: bool,

    /// Audit a saved inventory snapshot instead of AWS
    #[arg(long, value_name = "FILE", conflicts_with_all = ["save_snapshot", "org", "accounts", "regions", "profile", "endpoint_url", "concurrency", "role_name", "timeout", "call_timeout"])]
    pub snapshot: Option<PathBuf>,

    /// Also save the collected inventory to FILE (live audits only)
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub save_snapshot: Option<PathBuf>,

    /// Also scan this workspace (repeatable) and the local AWS configuration for credentials
    /// that reach production, and fold SEC001/SEC002 into the audit
    #[arg(long = "workspace", value_name = "PATH")]
    pub workspaces: Vec<PathBuf>,

    #[command(flatten)]
    pub workstation: WorkstationArgs,

    #[command(flatten)]
    pub collect: CollectArgs,

    #[command(flatten)]
    pub eval: EvalArgs,
}

#[derive(Debug, Args)]
pub struct CollectCommandArgs {
    /// Where to write the snapshot: a file (replaced atomically), a device or FIFO (written
    /// into), or `-` for standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Settings file: which accounts are production decides which per-resource reads are made
    /// [default: ./ringfence.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub collect: CollectArgs,
}

/// How to reach AWS.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Audit every active account of the organization (run from the management account or a
    /// delegated administrator), assuming --role-name in each
    #[arg(long)]
    pub org: bool,

    /// The read-only audit role assumed in every account other than the caller's
    #[arg(long, value_name = "NAME", default_value = "RingfenceAudit")]
    pub role_name: String,

    /// Only these accounts (comma-separated ids); without --org, the role is assumed in each
    #[arg(long, value_name = "ID,ID", value_delimiter = ',', value_parser = parse_account_id)]
    pub accounts: Option<Vec<String>>,

    /// Only these regions (comma-separated) [default: each account's enabled regions]
    #[arg(long, value_name = "REGION,REGION", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Option<Vec<String>>,

    /// Named profile from the AWS config files (else the standard credential chain)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send every request to this endpoint, an http:// or https:// URL (a local emulator, a
    /// VPC endpoint); AWS_ENDPOINT_URL is honoured too
    #[arg(long, value_name = "URL", value_parser = parse_endpoint_url)]
    pub endpoint_url: Option<String>,

    /// How many units of collection work run at once: a service's calls in an account and
    /// region, or a group of them that depends on no other (EC2's network, transit gateways,
    /// VPN and images, and instances run side by side)
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,

    /// How long collection may take in all (`90s`, `30m`, `1h`). At the deadline, whatever is
    /// not yet collected is recorded as "not collected: deadline reached", the checks that
    /// needed it are unknown, and the report and gate are still produced from the rest. The
    /// same bound applies to --attribute-keys: a key not attributed by then is unknown
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,

    /// How long one attempt of a call may take, by kind: `connect=3s` (opening a connection),
    /// `read=20s` (a page of a List, Describe or Get call; a bare DURATION means this) and
    /// `iam=30s` (IAM reads, which AWS builds for the whole account). A call with its retries
    /// may take three times its attempt's limit. Three timed-out attempts in a row stop the
    /// calls to that service in that account and region; the rest go on. Repeatable
    #[arg(long, value_name = "[KIND=]DURATION", value_parser = parse_call_timeout, action = clap::ArgAction::Append)]
    pub call_timeout: Vec<(CallKind, std::time::Duration)>,

    /// No progress display (it is only drawn when stderr is a terminal anyway)
    #[arg(long, short)]
    pub quiet: bool,

    /// When collection cannot start (no credentials, endpoint unreachable), also print the
    /// AWS SDK's whole error (its debug form) after the short reason
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Workspace folders (or single files) to scan [default: the current directory]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub workstation: WorkstationArgs,

    /// Decide what is production from a saved inventory snapshot instead of collecting from AWS
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "offline", "org", "accounts", "regions", "role_name", "concurrency"])]
    pub snapshot: Option<PathBuf>,

    /// Decide what is production from the embedded demo estate (to try the scan without AWS)
    #[arg(long, conflicts_with_all = ["offline", "org", "accounts", "regions", "role_name", "concurrency"])]
    pub demo: bool,

    /// Contact no AWS service: accounts are classified by ringfence.toml alone
    /// ([environments] prod_accounts, nonprod_accounts), database hosts match nothing
    #[arg(long, conflicts_with_all = ["attribute_keys", "org", "accounts", "regions", "role_name", "concurrency", "profile", "endpoint_url", "timeout", "call_timeout"])]
    pub offline: bool,

    #[command(flatten)]
    pub collect: CollectArgs,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Gate: exit 1 when a finding of this severity or higher fails or is unknown (a
    /// credential that could not be attributed is reported below its check's severity)
    #[arg(long, value_name = "SEVERITY", value_enum)]
    pub fail_on: Option<Severity>,
}

/// What the workstation scan reads and how.
#[derive(Debug, Args)]
pub struct WorkstationArgs {
    /// Read the AWS configuration from DIR/config and DIR/credentials [default:
    /// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws]. DIR must exist (exit 2
    /// otherwise); without ~/.aws at all, SEC002 is not applicable; a file that cannot be read
    /// or holds malformed lines makes SEC002 unknown
    #[arg(long, value_name = "DIR")]
    pub aws_home: Option<PathBuf>,

    /// Do not read the local AWS configuration
    #[arg(long, conflicts_with = "aws_home")]
    pub no_aws_home: bool,

    /// Attribute access keys the inventory does not know with sts:GetAccessKeyInfo, which is
    /// sent the key id (never the secret) with the caller's credentials
    #[arg(long)]
    pub attribute_keys: bool,

    /// Also treat files with this name as env files (glob, repeatable), e.g. '*.tfvars'
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip paths matching this glob (repeatable; relative to each workspace, gitignore-style)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Also enter dependency and build folders (node_modules, target, vendor, .venv …)
    #[arg(long)]
    pub include_dependencies: bool,

    /// Env files larger than this are skipped and counted (bytes, or with K, M, G)
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub max_file_size: u64,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier JSON report
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The later JSON report
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Exit 1 when anything regressed: a finding that newly fails or is unknown, a lower
    /// organization level or score, a production account at a lower level
    #[arg(long)]
    pub fail_on_new: bool,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The inventory snapshot (JSON) to evaluate
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: PathBuf,

    #[command(flatten)]
    pub eval: EvalArgs,
}

/// The settings file, and where and how the report is written.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Settings file [default: ./ringfence.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report format, repeatable so that one collection feeds every consumer: FORMAT goes to
    /// standard output (or -o FILE), FORMAT=FILE to FILE. Formats: table, json, sarif, junit,
    /// markdown, html [default: table]. FILE `-` is standard output
    #[arg(short, long, value_name = "FORMAT[=FILE]", value_parser = parse_output)]
    pub format: Vec<OutputSpec>,

    /// Write the report to FILE instead of standard output (`-`). A regular file is replaced
    /// atomically, keeping its permissions; a symbolic link is followed to an existing file;
    /// a device or FIFO (/dev/null, /dev/stdout) is written into, never replaced
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// One report to write: a format and, unless it goes to standard output, a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: ReportFormat,
    pub path: Option<PathBuf>,
}

impl ReportArgs {
    /// Every report to write, each with its destination (`None`: standard output). Refuses
    /// two reports on standard output, two reports in one file, and -o with nothing to send
    /// there.
    pub fn outputs(&self) -> Result<Vec<OutputSpec>, String> {
        let mut specs = self.format.clone();
        if specs.is_empty() {
            specs.push(OutputSpec {
                format: ReportFormat::Table,
                path: None,
            });
        }
        let bare = specs.iter().filter(|s| s.path.is_none()).count();
        if bare > 1 {
            return Err("-f: only one format can go to standard output (or -o); give the others a file with FORMAT=FILE".to_owned());
        }
        if let Some(path) = self
            .output
            .as_ref()
            .filter(|p| !crate::output::is_stdout(p))
        {
            match specs.iter_mut().find(|s| s.path.is_none()) {
                Some(spec) => spec.path = Some(path.clone()),
                None => {
                    return Err(format!(
                        "-o {}: every -f names its own file; drop -o, or give one format without =FILE",
                        path.display()
                    ));
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for spec in &specs {
            if let Some(path) = &spec.path
                && !seen.insert(path.clone())
            {
                return Err(format!("-f: {} is named twice", path.display()));
            }
        }
        Ok(specs)
    }
}

fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (name, path) = match text.split_once('=') {
        Some((name, path)) if path.trim().is_empty() => {
            return Err(format!(
                "`{text}`: no file after `=` (FORMAT=FILE, e.g. json={name}.json)"
            ));
        }
        // `FORMAT=-` is standard output, like a bare FORMAT.
        Some((name, "-")) => (name, None),
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format = ReportFormat::from_str(name.trim(), true).map_err(|_| {
        let names: Vec<String> = ReportFormat::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "`{name}` is not a format; the formats are {}",
            names.join(", ")
        )
    })?;
    Ok(OutputSpec { format, path })
}

/// Options shared by everything that evaluates an estate.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub report: ReportArgs,

    /// Gate: exit 1 when the organization's score (0–100: the severity-weighted share of
    /// passing findings per check) is under SCORE
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,

    /// Gate: exit 1 unless every production account (and the management account) reaches
    /// maturity level N (0–4); the accounts below are named with what blocks each
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=4))]
    pub min_level: Option<u8>,

    /// Gate: exit 1 when a check of this severity or higher fails or is unknown
    #[arg(long, value_name = "SEVERITY", value_enum)]
    pub fail_on: Option<Severity>,

    /// Table: list every failing, unknown and waived finding in full, with its resource and
    /// fix (by default each check shows its first three findings, one line each). The table
    /// fits the terminal, or COLUMNS, or 100 columns when the output is not a terminal
    #[arg(long)]
    pub details: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for a terminal
    Table,
    /// The versioned JSON report (schema in reports/report.schema.json)
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning)
    Sarif,
    /// JUnit XML, for CI test views: a suite per control, a test case per check
    Junit,
    /// Markdown, for pull-request comments and job summaries
    Markdown,
    /// One self-contained HTML page: ladder, score, checks, filterable findings
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List every check with its control, level and severity
    List {
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Explain a check: what it checks, why it matters, how to fix it
    Explain {
        /// Check id, e.g. DEL002
        id: String,
        #[arg(short, long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the template (`-`: standard output)
    #[arg(long, short, value_name = "FILE", default_value = "ringfence.toml")]
    pub output: PathBuf,

    /// Overwrite the file if it exists
    #[arg(long)]
    pub force: bool,
}

/// The kinds of call whose time limit `--call-timeout` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Connect,
    Read,
    Iam,
}

impl CallKind {
    /// The limits with `timeouts` applied in order (a later one for the same kind wins).
    pub fn apply(timeouts: &[(CallKind, std::time::Duration)]) -> crate::collect::CallTimeouts {
        let mut limits = crate::collect::CallTimeouts::default();
        for (kind, duration) in timeouts {
            match kind {
                CallKind::Connect => limits.connect = *duration,
                CallKind::Read => limits.read = *duration,
                CallKind::Iam => limits.iam = *duration,
            }
        }
        limits
    }
}

/// `[KIND=]DURATION` of `--call-timeout`.
fn parse_call_timeout(text: &str) -> Result<(CallKind, std::time::Duration), String> {
    let (kind, duration) = match text.split_once('=') {
        None => (CallKind::Read, text),
        Some((kind, duration)) => {
            let kind = match kind.trim().to_ascii_lowercase().as_str() {
                "connect" => CallKind::Connect,
                "read" => CallKind::Read,
                "iam" => CallKind::Iam,
                other => {
                    return Err(format!(
                        "`{other}` is not a kind of call: write connect=DURATION, read=DURATION or iam=DURATION"
                    ));
                }
            };
            (kind, duration)
        }
    };
    let duration = parse_timeout(duration)?;
    if duration > std::time::Duration::from_secs(3600) {
        return Err(format!(
            "`{text}`: one attempt of a call may take at most 1h; bound the whole run with --timeout"
        ));
    }
    Ok((kind, duration))
}

/// A collection deadline: a positive duration such as `90s`, `30m`, `1h30m`.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let duration: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write it as 90s, 30m or 1h30m"))?;
    if !duration.is_positive() {
        return Err(format!("`{text}`: the deadline must be longer than zero"));
    }
    std::time::Duration::try_from(duration).map_err(|err| format!("`{text}`: {err}"))
}

fn parse_endpoint_url(text: &str) -> Result<String, String> {
    crate::collect::check_endpoint_url(text.trim())?;
    Ok(text.trim().to_owned())
}

fn parse_account_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err(format!("`{text}` is not a 12-digit account id"))
    }
}

fn parse_region(text: &str) -> Result<String, String> {
    let region = text.trim();
    let parts: Vec<&str> = region.split('-').collect();
    let valid = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Ok(region.to_owned())
    } else {
        Err(format!("`{text}` is not a region name such as eu-west-1"))
    }
}

fn parse_score(text: &str) -> Result<f64, String> {
    let score: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(0.0..=100.0).contains(&score) {
        return Err(format!("{score} is outside 0–100"));
    }
    Ok(score)
}

fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 1048576, 512K or 2M"))?;
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{text}`: the unit must be K, M or G")),
    };
    match number.checked_mul(factor) {
        Some(0) => Err("the size limit must be more than 0".to_owned()),
        Some(size) => Ok(size),
        None => Err(format!("`{text}` is too large")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::parse_size("1M"), Ok(1 << 20));
        assert_eq!(super::parse_size("512k"), Ok(512 << 10));
        assert_eq!(super::parse_size("100"), Ok(100));
        assert!(super::parse_size("0").is_err());
        assert!(super::parse_size("1T").is_err());
        assert!(super::parse_size("lots").is_err());
    }
}
