//! Conformance suite for the metric filter matcher ([`super::metric_filter`]).
//!
//! The cases in `conformance_metric_filter.json` are the examples of the
//! *Amazon CloudWatch Logs User Guide* (AWS documentation), used with
//! attribution: each case names the guide page it comes from, and its note
//! quotes or names the example. The pages are "Filter pattern syntax" and
//! the example pages "Count log events" and "Count occurrences of a term"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>,
//! `CountingLogEventsExample.html`, `CountOccurrencesExample.html`). The
//! example text was read from the guide's published source,
//! <https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide>
//! (`doc_source/*.md`): the revision of 2022-03-25 (commit `5bd7d24`) and,
//! for cases named `legacy_*` or `or_section_*`, the wording before that
//! rewrite (commit `5f9d4b2`, 2021-12-20). Unstructured example lines are
//! wrapped as `{"message": line}`, because the matcher applies text terms to
//! the record's compact JSON text.
//!
//! A case is one of:
//! * `event` + `matches`: the pattern parses and matches the event or not;
//! * `valid: true` without an event: a syntax example, which must parse;
//! * `valid: false`: a pattern the guide says is not supported, which must
//!   be rejected.
//!
//! Every case must agree with the matcher except those in
//! [`KNOWN_DISAGREEMENTS`]; a listed case that starts agreeing fails the
//! test too, so the list stays exact.
//!
//! Not covered (the matcher rejects them by design, see its module doc):
//! regular-expression values `%…%`, wildcard selectors, and space-delimited
//! patterns `[w1, w2]`.

use super::metric_filter::FilterPattern;
use serde_json::Value;
use std::collections::HashSet;

const CASES: &str = include_str!("conformance_metric_filter.json");

/// Cases where the matcher and the guide disagree: (case name, reason).
/// (`legacy_numeric_syntax_example_5`, `{ $.latency > +1000 }`, was one until numbers
/// accepted a leading `+`.)
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[];

/// What a case expects, as read from the JSON.
enum Expectation<'a> {
    /// The pattern parses and `matches(event)` is the given value.
    Match(&'a Value, bool),
    /// The pattern parses (`true`) or is rejected (`false`).
    Valid(bool),
}

fn expectation(case: &Value) -> Result<Expectation<'_>, String> {
    let valid = case
        .get("valid")
        .map(|v| v.as_bool().ok_or("'valid' is not a boolean"));
    match (case.get("event"), valid.transpose()?) {
        (Some(_), Some(false)) => Err("an invalid pattern has no event".to_owned()),
        (Some(event), _) => {
            if !event.is_object() {
                return Err("'event' is not a JSON object".to_owned());
            }
            let matches = case
                .get("matches")
                .and_then(Value::as_bool)
                .ok_or("a case with an event needs a boolean 'matches'")?;
            Ok(Expectation::Match(event, matches))
        }
        (None, Some(valid)) => {
            if case.get("matches").is_some() {
                return Err("'matches' without an event".to_owned());
            }
            Ok(Expectation::Valid(valid))
        }
        (None, None) => Err("a case needs an event or 'valid'".to_owned()),
    }
}

/// `Ok` when the matcher agrees with the case, else what it did instead.
fn run(pattern: &str, expected: &Expectation<'_>) -> Result<(), String> {
    let parsed = FilterPattern::parse(pattern);
    match (expected, parsed) {
        (Expectation::Valid(true), Ok(_)) | (Expectation::Valid(false), Err(_)) => Ok(()),
        (Expectation::Valid(false), Ok(_)) => {
            Err("parsed, but the guide says it is not supported".to_owned())
        }
        (_, Err(e)) => Err(format!("parse error: {e}")),
        (Expectation::Match(event, want), Ok(p)) => {
            let got = p.matches(event);
            if got == *want {
                Ok(())
            } else {
                Err(format!("matches() returned {got}, the guide says {want}"))
            }
        }
    }
}

#[test]
fn cloudwatch_logs_user_guide_examples() {
    let doc: Value =
        serde_json::from_str(CASES).expect("conformance_metric_filter.json is valid JSON");
    assert_eq!(
        doc["source"], "Amazon CloudWatch Logs User Guide, AWS documentation",
        "the file names its source"
    );
    let cases = doc["cases"].as_array().expect("'cases' is an array");

    let mut names = HashSet::new();
    let (mut agree, mut known, mut with_event, mut valid, mut invalid) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"]
            .as_str()
            .expect("every case has a string 'name'");
        assert!(names.insert(name), "duplicate case name {name}");
        let source = case["source"].as_str().unwrap_or_default();
        assert!(
            source.starts_with("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"),
            "{name}: 'source' must be a CloudWatch Logs User Guide URL, found {source:?}"
        );
        let pattern = case["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: 'pattern' is not a string"));
        let expected = expectation(case).unwrap_or_else(|e| panic!("{name}: {e}"));
        match expected {
            Expectation::Match(..) => with_event += 1,
            Expectation::Valid(true) => valid += 1,
            Expectation::Valid(false) => invalid += 1,
        }
        let listed = KNOWN_DISAGREEMENTS.iter().find(|(n, _)| *n == name);
        match (run(pattern, &expected), listed) {
            (Ok(()), None) => agree += 1,
            (Err(_), Some(_)) => known += 1,
            (Err(what), None) => failures.push(format!(
                "{name}: {what}\n    pattern {pattern:?}\n    source  {source}"
            )),
            (Ok(()), Some((_, reason))) => failures.push(format!(
                "{name}: now agrees with the guide; remove it from KNOWN_DISAGREEMENTS (reason was: {reason})"
            )),
        }
    }
    for (name, _) in KNOWN_DISAGREEMENTS {
        if !names.contains(name) {
            failures.push(format!(
                "KNOWN_DISAGREEMENTS names {name}, which is not a case"
            ));
        }
    }

    eprintln!(
        "metric filter conformance: {} cases ({with_event} with an event, {valid} syntax examples, \
         {invalid} invalid patterns): {agree} agree, {known} known disagreements",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
