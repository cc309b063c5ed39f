use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use ringfence::cli::Cli;
use ringfence::error::exit;

#[global_allocator]
static BUDGET: ringfence::memory::Budget = ringfence::memory::Budget;

fn main() -> ExitCode {
    if let Err(message) = ringfence::memory::set_limit() {
        let _ = writeln!(io::stderr(), "ringfence: {message}");
        return ExitCode::from(exit::BAD_INPUT);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    if let Err(err) = ringfence::output::remove_partial_files_on_signal() {
        let _ = writeln!(
            io::stderr(),
            "ringfence: cannot watch for SIGINT/SIGTERM ({err}); an interrupted write may leave a temporary file"
        );
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    // Not locked for the whole run: the signal handler must be able to write on it.
    let mut err_out = io::stderr();
    let terminal = io::IsTerminal::is_terminal(&stdout)
        .then(|| terminal_size::terminal_size_of(&stdout))
        .flatten()
        .map(|(terminal_size::Width(w), _)| usize::from(w));
    let width = ringfence::terminal_width(std::env::var("COLUMNS").ok().as_deref(), terminal);
    let mut io = ringfence::Io {
        stdout: &mut out,
        stderr: &mut err_out,
        now: now(),
        width,
    };
    match ringfence::run(cli, &mut io) {
        Ok(code) => {
            if let Err(err) = io.stdout.flush()
                && err.kind() != io::ErrorKind::BrokenPipe
            {
                let _ = writeln!(io.stderr, "ringfence: standard output: {err}");
                return ExitCode::from(exit::BAD_INPUT);
            }
            ExitCode::from(code)
        }
        Err(err) => {
            let _ = writeln!(io.stderr, "ringfence: {err}");
            // Standard output already failed, or does not matter now: one message is enough.
            let _ = io.stdout.flush();
            ExitCode::from(err.exit_code())
        }
    }
}

/// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible reports).
fn now() -> jiff::Timestamp {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .unwrap_or_else(|| {
            jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or_else(|_| jiff::Timestamp::now())
        })
}
