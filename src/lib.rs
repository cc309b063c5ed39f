//! ringfence: audits an AWS estate for the guardrails that keep an autonomous agent, or a
//! leaked credential, from destroying production.
//!
//! The pipeline: inventory snapshot → classification → checks → waivers → score → report →
//! gate. Every stage after collection is a pure function of the snapshot and the configuration.

pub mod checks;
pub mod classify;
pub mod cli;
pub mod collect;
pub mod config;
pub mod demo;
pub mod diff;
pub mod error;
pub mod events;
pub mod inventory;
pub mod memory;
pub mod network;
pub mod output;
pub mod policy;
pub mod report;
pub mod score;
pub mod waiver;

use std::io::{self, Write};
use std::path::Path;

use jiff::Timestamp;

use crate::checks::Ctx;
use crate::classify::Classification;
use crate::cli::{
    ChecksCommand, Cli, CollectArgs, Command, DiffArgs, DiffFormat, EvalArgs, ExplainFormat,
    ListFormat, OutputSpec, ReportFormat, ScanArgs, WorkstationArgs,
};
use crate::collect::workstation::{AwsFiles, WorkstationOptions};
use crate::config::Config;
use crate::error::{Error, exit};
use crate::inventory::Snapshot;
use crate::report::{Gate, Inputs, Report};

/// Where a run writes, and what time it is.
pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// The report's `generated_at`, and the date waivers expire against.
    pub now: Timestamp,
    /// Columns the terminal report may use (see [`terminal_width`]).
    pub width: usize,
}

/// The width of the terminal report: `COLUMNS` when it holds a number, else the width of the
/// terminal standard output is, else [`report::DEFAULT_WIDTH`] — stable when the output goes
/// to a file, a pipe or a CI log.
pub fn terminal_width(columns: Option<&str>, terminal: Option<usize>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or(terminal)
        .unwrap_or(report::DEFAULT_WIDTH)
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli, io: &mut Io) -> Result<u8, Error> {
    let result = match cli.command {
        Command::Audit(args) => {
            let (config, config_path) =
                Config::load(args.eval.report.config.as_deref(), &checks::ids())?;
            let loaded = Loaded {
                config,
                path: config_path,
            };
            // Refused before anything is collected.
            let outputs = args.eval.report.outputs().map_err(Error::Usage)?;
            if args.save_snapshot.as_deref().is_some_and(output::is_stdout)
                && outputs.iter().any(|o| o.path.is_none())
            {
                return Err(Error::Usage(
                    "--save-snapshot -: the report already goes to standard output; give the report a file (-o FILE) or the snapshot one".to_owned(),
                ));
            }
            let options = collect_options(&args.collect);
            let scan = (!args.workspaces.is_empty() || args.workstation.aws_home.is_some())
                .then(|| workstation_options(&args.workspaces, &args.workstation))
                .transpose()?;
            match (args.demo, args.snapshot) {
                (true, _) => {
                    let mut snapshot = demo::snapshot()?;
                    add_workstation(&mut snapshot, scan.as_ref(), &options)?;
                    audit(&snapshot, Source::Demo, &loaded, &args.eval, io)
                }
                (false, Some(path)) => {
                    let mut snapshot = read_snapshot(&path)?;
                    add_workstation(&mut snapshot, scan.as_ref(), &options)?;
                    audit(&snapshot, Source::Snapshot(&path), &loaded, &args.eval, io)
                }
                (false, None) => {
                    let mut snapshot = collect::collect(&options, &loaded.config, io.now)?;
                    add_workstation(&mut snapshot, scan.as_ref(), &options)?;
                    if let Some(path) = &args.save_snapshot {
                        save_snapshot(&snapshot, path, io.stdout)?;
                    }
                    audit(&snapshot, Source::Live, &loaded, &args.eval, io)
                }
            }
        }
        Command::Collect(args) => {
            let (config, _) = Config::load(args.config.as_deref(), &checks::ids())?;
            let snapshot = collect::collect(&collect_options(&args.collect), &config, io.now)?;
            save_snapshot(&snapshot, &args.output, io.stdout)?;
            let _ = writeln!(
                io.stderr,
                "ringfence: {}",
                collection_summary(&snapshot, &args.output)
            );
            if collected_anything(&snapshot) {
                Ok(exit::OK)
            } else {
                Err(Error::NothingCollected(format!(
                    "nothing was collected ({} collection errors); the snapshot was written to {} for inspection",
                    snapshot.errors.len(),
                    args.output.display()
                )))
            }
        }
        Command::Evaluate(args) => {
            let (config, config_path) =
                Config::load(args.eval.report.config.as_deref(), &checks::ids())?;
            audit_file(
                &args.snapshot,
                &Loaded {
                    config,
                    path: config_path,
                },
                &args.eval,
                io,
            )
        }
        Command::Scan(args) => scan(args, io),
        Command::Diff(args) => diff_command(&args, io),
        Command::Checks { command } => checks_command(command, io.stdout).map(|()| exit::OK),
        Command::Init(args) => {
            init(&args.output, args.force, io.stdout, io.stderr).map(|()| exit::OK)
        }
    };
    match result {
        // The reader of standard output stopped reading (`| head`): not a failure of the run.
        // Commands with a gate handle it themselves, so that the gate's code stands.
        Err(err) if err.is_closed_stdout() => Ok(exit::OK),
        other => other,
    }
}

/// Where the inventory came from.
pub enum Source<'a> {
    Demo,
    Snapshot(&'a Path),
    Live,
}

/// The configuration and the file it came from.
struct Loaded {
    config: Config,
    path: Option<String>,
}

fn collect_options(args: &CollectArgs) -> collect::CollectOptions {
    collect::CollectOptions {
        org: args.org,
        role_name: args.role_name.clone(),
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        concurrency: usize::from(args.concurrency),
        progress: !args.quiet,
        verbose: args.verbose,
        timeout: args.timeout,
        call_timeouts: cli::CallKind::apply(&args.call_timeout),
    }
}

fn save_snapshot(snapshot: &Snapshot, path: &Path, stdout: &mut dyn Write) -> Result<(), Error> {
    let json = snapshot.to_json();
    output::write_to(path, stdout, |out| {
        out.write_all(json.as_bytes())?;
        writeln!(out)
    })
}

fn collection_summary(snapshot: &Snapshot, path: &Path) -> String {
    let regions: std::collections::BTreeSet<&String> = snapshot
        .accounts
        .iter()
        .flat_map(|a| a.regions.iter().flat_map(|r| r.keys()))
        .collect();
    let (calls, seconds) = snapshot.collection.as_ref().map_or((0, 0.0), |c| {
        (
            c.services.iter().map(|s| s.calls).sum::<u64>(),
            c.wall_seconds,
        )
    });
    format!(
        "collected {} accounts, {} regions with {calls} API calls in {seconds:.1} s ({} collection errors) into {}",
        snapshot.accounts.len(),
        regions.len(),
        snapshot.errors.len(),
        if output::is_stdout(path) {
            output::STDOUT.to_owned()
        } else {
            path.display().to_string()
        }
    )
}

fn audit_file(path: &Path, loaded: &Loaded, args: &EvalArgs, io: &mut Io) -> Result<u8, Error> {
    let snapshot = read_snapshot(path)?;
    audit(&snapshot, Source::Snapshot(path), loaded, args, io)
}

fn read_snapshot(path: &Path) -> Result<Snapshot, Error> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| Error::io(&origin, err))?;
    Snapshot::from_json(&bytes, &origin)
}

/// What the workstation scan reads, from the command line. A folder named with `--aws-home`
/// must exist and be a folder (checked before anything is collected): a mistyped path would
/// otherwise read as a machine without profiles.
fn workstation_options(
    workspaces: &[std::path::PathBuf],
    args: &WorkstationArgs,
) -> Result<WorkstationOptions, Error> {
    let aws_files = if args.no_aws_home {
        None
    } else {
        match &args.aws_home {
            Some(dir) => {
                match std::fs::metadata(dir) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => {
                        return Err(Error::Usage(format!(
                            "--aws-home {}: not a folder (give the folder that holds config and credentials)",
                            dir.display()
                        )));
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                        return Err(Error::Usage(format!(
                            "--aws-home {}: no such folder (give the folder that holds config and credentials, or --no-aws-home)",
                            dir.display()
                        )));
                    }
                    // It exists but cannot be looked at: the scan reports its files unknown.
                    Err(_) => {}
                }
                Some(AwsFiles::in_folder(dir))
            }
            None => AwsFiles::standard(),
        }
    };
    Ok(WorkstationOptions {
        workspaces: workspaces.to_vec(),
        aws_files,
        scan: collect::local::ScanOptions {
            max_file_bytes: args.max_file_size,
            include_dependencies: args.include_dependencies,
            exclude: args.exclude.clone(),
            include: args.include.clone(),
            threads: 0,
        },
        attribute_keys: args.attribute_keys,
    })
}

/// Scans the workstation, when asked, into the snapshot (replacing any earlier scan in it).
fn add_workstation(
    snapshot: &mut Snapshot,
    scan: Option<&WorkstationOptions>,
    collect: &collect::CollectOptions,
) -> Result<(), Error> {
    if let Some(options) = scan {
        snapshot.workstation = Some(collect::workstation::scan(options, snapshot, collect)?);
    }
    Ok(())
}

/// `ringfence scan`: SEC001 and SEC002 on this machine, judged against an inventory.
fn scan(args: ScanArgs, io: &mut Io) -> Result<u8, Error> {
    let outputs = args.report.outputs().map_err(Error::Usage)?;
    if let Some(other) = outputs
        .iter()
        .find(|o| !matches!(o.format, ReportFormat::Table | ReportFormat::Json))
    {
        return Err(Error::Usage(format!(
            "-f {}: scan writes table or json",
            format!("{:?}", other.format).to_lowercase()
        )));
    }
    let (config, config_path) = Config::load(args.report.config.as_deref(), &checks::ids())?;
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // Refused before anything is collected.
    let wanted = workstation_options(&paths, &args.workstation)?;
    let options = collect_options(&args.collect);
    let (mut snapshot, inventory, snapshot_path) = if args.demo {
        (demo::snapshot()?, "demo", None)
    } else if let Some(path) = &args.snapshot {
        (
            read_snapshot(path)?,
            "snapshot",
            Some(path.display().to_string()),
        )
    } else if args.offline {
        (Snapshot::new(io.now), "offline", None)
    } else {
        let snapshot = collect::collect(&options, &config, io.now).map_err(|err| match err {
            Error::NothingCollected(message) => Error::NothingCollected(format!(
                "{message}. To scan without AWS, decide what is production from a saved snapshot (--snapshot FILE) or from ringfence.toml alone (--offline)"
            )),
            other => other,
        })?;
        (snapshot, "live", None)
    };
    let workstation = collect::workstation::scan(&wanted, &snapshot, &options)?;
    snapshot.workstation = Some(workstation.clone());

    let sec = ["SEC001", "SEC002"];
    let waivers: Vec<config::Waiver> = config
        .waivers
        .iter()
        .filter(|w| sec.iter().any(|id| w.check.eq_ignore_ascii_case(id)))
        .cloned()
        .collect();
    // SEC001 and SEC002 never ask the policy engine: compiling every principal's policies
    // (seconds on a large estate) would be wasted.
    let principals = crate::policy::principals::Principals::new(&Snapshot::new(io.now));
    let Evaluated {
        scored,
        findings,
        waivers,
        ..
    } = run_checks(
        &snapshot,
        &config,
        &principals,
        checks::REGISTRY.iter().filter(|c| sec.contains(&c.id)),
        &waivers,
        io.now,
    );
    let mut report = report::ScanReport::build(report::ScanInputs {
        workstation,
        checks: scored.checks,
        findings,
        waivers,
        inventory: inventory.to_owned(),
        snapshot_path,
        config_path,
        collected_at: snapshot.collected_at,
        generated_at: io.now,
    });
    report.apply_gate(args.fail_on);
    let render = |format: ReportFormat, out: &mut dyn Write| match format {
        ReportFormat::Table => report::render_scan_table(&report, out),
        // Refused above: a scan report is a table or JSON.
        _ => report::render_scan_json(&report, out),
    };
    emit(&outputs, render, report.gate.as_ref(), io)
}

fn audit(
    snapshot: &Snapshot,
    source: Source,
    loaded: &Loaded,
    args: &EvalArgs,
    io: &mut Io,
) -> Result<u8, Error> {
    let outputs = args.report.outputs().map_err(Error::Usage)?;
    // A live run that gathered nothing (the deadline passed, every call failed) still writes
    // its report when it knows the accounts: every check there is unknown, and the collection
    // errors say why. A saved snapshot that holds nothing is a wrong input, not a report.
    let empty = !collected_anything(snapshot);
    if empty && (!matches!(source, Source::Live) || snapshot.accounts.is_empty()) {
        let what = match source {
            Source::Demo => "the demo estate".to_owned(),
            Source::Snapshot(path) => path.display().to_string(),
            Source::Live => "live collection".to_owned(),
        };
        return Err(Error::NothingCollected(nothing_collected(
            &what, snapshot, "",
        )));
    }
    let mut report = evaluate(
        snapshot,
        &loaded.config,
        source,
        loaded.path.clone(),
        io.now,
    );
    report.apply_gate(&Gate {
        fail_under: args.fail_under,
        min_level: args.min_level,
        fail_on: args.fail_on,
    });
    let io_width = io.width;
    let render = |format: ReportFormat, out: &mut dyn Write| match format {
        ReportFormat::Table => report::render_table(
            &report,
            out,
            &report::TableOptions {
                width: io_width,
                details: args.details,
            },
        ),
        ReportFormat::Json => report::render_json(&report, out),
        ReportFormat::Sarif => report::render_sarif(&report, out),
        ReportFormat::Junit => report::render_junit(&report, out),
        ReportFormat::Markdown => report::render_markdown(&report, out),
        ReportFormat::Html => report::render_html(&report, out),
    };
    let code = emit(&outputs, render, report.gate.as_ref(), io)?;
    if empty {
        let deadline = snapshot
            .errors
            .iter()
            .any(|e| e.code.as_deref() == Some(collect::DEADLINE_REACHED));
        let why = if deadline {
            ", the deadline among them: raise --timeout"
        } else {
            ""
        };
        return Err(Error::NothingCollected(format!(
            "{}; the report was written with every check unknown",
            nothing_collected("live collection", snapshot, why)
        )));
    }
    Ok(code)
}

/// `WHAT: nothing was collected (N accounts, none with any data; M collection errors…)`,
/// with `why` added inside the parentheses.
fn nothing_collected(what: &str, snapshot: &Snapshot, why: &str) -> String {
    format!(
        "{what}: nothing was collected ({} accounts, none with any data; {} collection errors{why})",
        snapshot.accounts.len(),
        snapshot.errors.len()
    )
}

/// `ringfence diff OLD NEW`.
fn diff_command(args: &DiffArgs, io: &mut Io) -> Result<u8, Error> {
    let read = |path: &Path| {
        let origin = path.display().to_string();
        std::fs::read(path)
            .map(|bytes| (bytes, origin.clone()))
            .map_err(|err| Error::io(&origin, err))
    };
    let (old, old_origin) = read(&args.old)?;
    let (new, new_origin) = read(&args.new)?;
    let diff = diff::diff(&old, &old_origin, &new, &new_origin)?;
    let rendered = output::write_stdout(io.stdout, |out| match args.format {
        DiffFormat::Text => diff::render_text(&diff, out),
        DiffFormat::Json => diff::render_json(&diff, out),
    });
    match rendered {
        // A reader that stopped early does not take the gate with it.
        Err(err) if err.is_closed_stdout() => {}
        other => other?,
    }
    if args.fail_on_new && diff.regressed {
        let _ = writeln!(
            io.stderr,
            "ringfence: regressed: {}",
            diff.regressions.join("; ")
        );
        return Ok(exit::GATE_FAILED);
    }
    Ok(exit::OK)
}

/// Writes each report to its file (see [`output`]) or standard output, and turns the gate's
/// verdict into the exit code, with one line on stderr for CI logs when it failed.
///
/// No output stops another: a reader closing standard output early (`| head`) ends the
/// report there and nothing else, and a file that cannot be written is reported after every
/// other report is written. The gate's verdict stands unless a report was lost.
fn emit(
    outputs: &[OutputSpec],
    render: impl Fn(ReportFormat, &mut dyn Write) -> io::Result<()>,
    gate: Option<&report::GateVerdict>,
    io: &mut Io,
) -> Result<u8, Error> {
    let mut failed = Vec::new();
    for spec in outputs {
        let written = match &spec.path {
            Some(path) => output::write_file(path, |out| render(spec.format, out)),
            None => output::write_stdout(io.stdout, |out| render(spec.format, out)),
        };
        match written {
            Err(err) if err.is_closed_stdout() => {}
            Err(err) => failed.push(err),
            Ok(()) => {}
        }
    }
    let code = match gate {
        Some(gate) if !gate.passed => {
            let _ = writeln!(
                io.stderr,
                "ringfence: gate failed: {}",
                gate.reasons.join("; ")
            );
            exit::GATE_FAILED
        }
        _ => exit::OK,
    };
    match failed.len() {
        0 => Ok(code),
        1 => Err(failed.remove(0)),
        _ => Err(Error::Several(failed)),
    }
}

/// What running checks gave.
struct Evaluated {
    classes: Classification,
    scored: score::Scored,
    findings: Vec<checks::Finding>,
    waivers: Vec<waiver::WaiverState>,
}

/// Classification, the given checks, the waivers (the UTC date of `now` decides expiry) and
/// the score.
fn run_checks(
    snapshot: &Snapshot,
    config: &Config,
    principals: &crate::policy::principals::Principals,
    which: impl Iterator<Item = &'static checks::Check>,
    waivers: &[config::Waiver],
    now: Timestamp,
) -> Evaluated {
    let classes = Classification::new(snapshot, config);
    let ctx = Ctx {
        config,
        classes: &classes,
        principals,
        collected_at: snapshot.collected_at,
        // Set per check by the runner.
        judges_management: false,
    };
    let mut runs = checks::run(which, snapshot, &ctx);
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let waivers = waiver::apply(waivers, &mut runs, today);
    let accounts: Vec<score::ScopeInfo> = snapshot
        .accounts
        .iter()
        .map(|a| score::ScopeInfo {
            id: a.id.clone(),
            name: a.name.clone(),
            environment: classes.account(&a.id).class,
        })
        .collect();
    let scored = score::score(&runs, &accounts);
    let findings = runs.into_iter().flat_map(|run| run.findings).collect();
    Evaluated {
        classes,
        scored,
        findings,
        waivers,
    }
}

/// The pure evaluation: classification, checks, waivers, score, report.
pub fn evaluate(
    snapshot: &Snapshot,
    config: &Config,
    source: Source,
    config_path: Option<String>,
    now: Timestamp,
) -> Report {
    let principals = crate::policy::principals::Principals::new(snapshot);
    let Evaluated {
        classes,
        scored,
        findings,
        waivers,
    } = run_checks(
        snapshot,
        config,
        &principals,
        checks::REGISTRY.iter(),
        &config.waivers,
        now,
    );
    let (source, snapshot_path) = match source {
        Source::Demo => ("demo".to_owned(), None),
        Source::Snapshot(path) => ("snapshot".to_owned(), Some(path.display().to_string())),
        Source::Live => ("live".to_owned(), None),
    };
    Report::build(Inputs {
        snapshot,
        classes: &classes,
        scored,
        findings,
        waivers,
        source,
        snapshot_path,
        config_path,
        generated_at: now,
    })
}

/// Whether any account holds any collected data.
fn collected_anything(snapshot: &Snapshot) -> bool {
    snapshot.accounts.iter().any(|a| {
        // A region every call of which failed holds nothing: it is not "collected".
        a.regions.as_ref().is_some_and(|r| {
            r.values()
                .any(|region| *region != inventory::Region::default())
        }) || a.iam.is_some()
            || a.s3_buckets.is_some()
            || a.rds_global_clusters.is_some()
    })
}

fn checks_command(command: ChecksCommand, out: &mut dyn Write) -> Result<(), Error> {
    let stdout = |err| Error::io("standard output", err);
    match command {
        ChecksCommand::List { format } => match format {
            ListFormat::Table => report::render_catalogue_table(out).map_err(stdout),
            ListFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, checks::catalogue_entries())
                    .map_err(|e| stdout(e.into()))?;
                writeln!(out).map_err(stdout)
            }
        },
        ChecksCommand::Explain { id, format } => {
            let check = checks::find(&id).ok_or_else(|| {
                Error::Usage(format!(
                    "no check `{id}`; the checks are: {} (see `ringfence checks list`)",
                    checks::ids().join(", ")
                ))
            })?;
            match format {
                ExplainFormat::Text => report::render_explain(check.entry(), out).map_err(stdout),
                ExplainFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, check.entry())
                        .map_err(|e| stdout(e.into()))?;
                    writeln!(out).map_err(stdout)
                }
            }
        }
    }
}

fn init(
    path: &Path,
    force: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    let origin = path.display().to_string();
    if output::is_stdout(path) {
        return output::write_to(path, stdout, |out| {
            out.write_all(config::TEMPLATE.as_bytes())
        });
    }
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{origin} already exists; pass --force to overwrite it"
        )));
    }
    output::write_file(path, |out| out.write_all(config::TEMPLATE.as_bytes()))?;
    let _ = writeln!(
        stderr,
        "wrote {origin}: every setting at its default, with comments"
    );
    Ok(())
}
