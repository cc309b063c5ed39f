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
protection and recovery objectives. The estate is scored on a maturity ladder (0 Exposed, 1 Guarded, \
2 Segregated, 3 Recoverable, 4 Resilient).\n\n\
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
    /// Audit an estate and print the report: the embedded demo (--demo) or a saved snapshot
    /// (--snapshot FILE)
    Audit(AuditArgs),
    /// Evaluate a saved inventory snapshot (same as `audit --snapshot FILE`)
    Evaluate(EvaluateArgs),
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
    #[arg(long, conflicts_with = "snapshot")]
    pub demo: bool,

    /// Audit a saved inventory snapshot instead of AWS
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    #[command(flatten)]
    pub eval: EvalArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The inventory snapshot (JSON) to evaluate
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: PathBuf,

    #[command(flatten)]
    pub eval: EvalArgs,
}

/// Options shared by everything that evaluates an estate.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Settings file [default: ./ringfence.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Write the report to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Gate: exit 1 when the score (0–100) is under SCORE
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,

    /// Gate: exit 1 when the maturity level reached is under N (0–4)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=4))]
    pub min_level: Option<u8>,

    /// Gate: exit 1 when a check of this severity or higher fails or is unknown
    #[arg(long, value_name = "SEVERITY", value_enum)]
    pub fail_on: Option<Severity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for a terminal
    Table,
    /// The versioned JSON report (schema in reports/report.schema.json)
    Json,
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
    /// Where to write the template
    #[arg(long, short, value_name = "FILE", default_value = "ringfence.toml")]
    pub output: PathBuf,

    /// Overwrite the file if it exists
    #[arg(long)]
    pub force: bool,
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
