//! The CI examples under `examples/ci/` use flags this build accepts: every `ringfence …`
//! command in them parses.

use clap::Parser;
use ringfence::cli::Cli;

#[test]
fn every_ringfence_command_in_the_ci_examples_parses() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let line = line.trim().trim_start_matches("- ").trim();
            let Some(command) = line.strip_prefix("ringfence ") else {
                continue;
            };
            let args: Vec<&str> = std::iter::once("ringfence")
                .chain(command.split_whitespace().map(|a| a.trim_matches('"')))
                .collect();
            if let Err(err) = Cli::try_parse_from(&args) {
                panic!("{}: `{line}` does not parse: {err}", path.display());
            }
            seen += 1;
        }
    }
    assert!(seen >= 3, "only {seen} commands found in {}", dir.display());
}
