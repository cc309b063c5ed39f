//! Committed artefacts that must match what this build generates: the JSON Schemas of the
//! report and the snapshot, and the example report of the demo estate.
//!
//! After an intended change, regenerate them with `RINGFENCE_BLESS=1 cargo test --test golden`
//! and review the diff.

use std::path::Path;

use ringfence::config::Config;
use ringfence::inventory::Snapshot;
use ringfence::report::Report;

fn golden(path: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("RINGFENCE_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; generate it with RINGFENCE_BLESS=1 cargo test --test golden",
            path.display()
        )
    });
    assert!(
        committed == generated,
        "{} is out of date; regenerate it with RINGFENCE_BLESS=1 cargo test --test golden and review the diff",
        path.display()
    );
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap() + "\n"
}

fn demo_report() -> Report {
    let snapshot = ringfence::demo::snapshot().unwrap();
    // A fixed clock: the example does not change with the day it is generated.
    ringfence::evaluate(
        &snapshot,
        &Config::default(),
        ringfence::Source::Demo,
        None,
        snapshot.collected_at,
    )
}

#[test]
fn report_schema_is_current() {
    golden(
        "reports/report.schema.json",
        &pretty(&schemars::schema_for!(Report)),
    );
}

#[test]
fn scan_report_schema_is_current() {
    golden(
        "reports/scan-report.schema.json",
        &pretty(&schemars::schema_for!(ringfence::report::ScanReport)),
    );
}

#[test]
fn snapshot_schema_is_current() {
    golden(
        "reports/snapshot.schema.json",
        &pretty(&schemars::schema_for!(Snapshot)),
    );
}

#[test]
fn demo_report_example_is_current() {
    let mut out = Vec::new();
    ringfence::report::render_json(&demo_report(), &mut out).unwrap();
    golden(
        "reports/examples/demo-report.json",
        &String::from_utf8(out).unwrap(),
    );
}

#[test]
fn the_demo_report_validates_against_the_report_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(Report)).unwrap();
    let report = serde_json::to_value(demo_report()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_demo_snapshot_validates_against_the_snapshot_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(Snapshot)).unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(ringfence::demo::ESTATE_JSON).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&snapshot)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_demo_report_round_trips_through_its_own_types() {
    let report = demo_report();
    let text = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
}

#[test]
fn evaluation_is_deterministic() {
    let a = serde_json::to_string(&demo_report()).unwrap();
    let b = serde_json::to_string(&demo_report()).unwrap();
    assert_eq!(a, b);
}
