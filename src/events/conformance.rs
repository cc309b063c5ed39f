//! Conformance of [`super::eventbridge::EventPattern`] with Event Ruler, the
//! open-source matcher behind Amazon EventBridge.
//!
//! `conformance_eventbridge.json` holds cases ported from the tests of
//! aws/event-ruler (<https://github.com/aws/event-ruler>), licensed under the
//! Apache License 2.0 ("Copyright Amazon.com, Inc. or its affiliates"); the
//! file's `source` names the commit. Each case is a pattern with an event and
//! whether the Event Ruler test asserts a match, or a pattern the test asserts
//! is rejected; the case's `source` names the test file and method. The cases
//! were rewritten as data; no Event Ruler code is used. Cases that depend on
//! what the `eventbridge` module doc lists as not implemented (the `$or`
//! backward-compatibility mode, IP-looking literals as address ranges, Event
//! Ruler's numeric precision checks), or on Java-only APIs, were not ported.
//!
//! Every case must agree with ringfence's matcher, except those listed in
//! [`KNOWN_DISAGREEMENTS`]; an entry there that starts agreeing fails the test
//! too, so that the list stays true.

use super::eventbridge::EventPattern;
use serde_json::Value;
use std::collections::BTreeSet;

const CASES: &str = include_str!("conformance_eventbridge.json");

/// Cases where ringfence deliberately or knowingly differs from Event Ruler:
/// (case name, reason).
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[(
    "$or: field and $or alternative on the same path, alternative overrides",
    "Event Ruler's default rule overriding: when a key appears both as a field and inside an \
     `$or` alternative, the alternative's matcher replaces the field's for that alternative, so \
     {\"name\": \"c\"} matches [\"a\", \"b\"] AND $or[{anything-but \"a\"}, …]; ringfence ANDs \
     the field with the alternative, as the EventBridge guide describes `$or`",
)];

/// One case of the data file, checked for shape.
struct Case<'a> {
    name: &'a str,
    source: &'a str,
    pattern_text: String,
    expect: Expect<'a>,
}

enum Expect<'a> {
    /// The pattern is valid and `matches` the event, or not.
    Match { event: &'a Value, matches: bool },
    /// The pattern must be rejected.
    Invalid,
}

fn case(value: &Value) -> Case<'_> {
    let obj = value.as_object().expect("each case is a JSON object");
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .expect("case has a string \"name\"");
    let source = obj
        .get("source")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("case {name:?} has no string \"source\""));
    let pattern = obj
        .get("pattern")
        .unwrap_or_else(|| panic!("case {name:?} has no \"pattern\""));
    let expect = match (obj.get("valid"), obj.get("matches"), obj.get("event")) {
        (Some(Value::Bool(false)), None, None) => {
            assert!(
                pattern.is_string(),
                "invalid case {name:?} gives its pattern as text"
            );
            Expect::Invalid
        }
        (None, Some(Value::Bool(matches)), Some(event)) => {
            assert!(
                pattern.is_object(),
                "match case {name:?} gives its pattern as an object"
            );
            Expect::Match {
                event,
                matches: *matches,
            }
        }
        _ => panic!(
            "case {name:?} needs either \"event\" and \"matches\": bool, or \"valid\": false alone"
        ),
    };
    let pattern_text = match pattern {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).expect("a JSON value serialises"),
    };
    Case {
        name,
        source,
        pattern_text,
        expect,
    }
}

/// `None` if ringfence agrees with the case, else what ringfence did.
fn disagreement(case: &Case<'_>) -> Option<String> {
    let parsed = EventPattern::parse(&case.pattern_text);
    match (&case.expect, parsed) {
        (Expect::Invalid, Err(_)) => None,
        (Expect::Invalid, Ok(_)) => Some("ringfence accepts the pattern".to_owned()),
        (Expect::Match { .. }, Err(e)) => Some(format!("ringfence rejects the pattern: {e}")),
        (Expect::Match { event, matches }, Ok(pattern)) => {
            let got = pattern.matches(event);
            (got != *matches).then(|| format!("ringfence says matches = {got}, expected {matches}"))
        }
    }
}

#[test]
fn event_ruler_cases_agree_except_known_disagreements() {
    let doc: Value = serde_json::from_str(CASES).expect("conformance_eventbridge.json parses");
    let origin = doc
        .get("source")
        .and_then(Value::as_str)
        .expect("top-level \"source\"");
    assert!(
        origin.starts_with("aws/event-ruler ") && origin.ends_with(", Apache-2.0"),
        "top-level source names event-ruler and its licence: {origin}"
    );
    let cases: Vec<Case<'_>> = doc
        .get("cases")
        .and_then(Value::as_array)
        .expect("top-level \"cases\" array")
        .iter()
        .map(case)
        .collect();
    assert!(
        cases.len() >= 60,
        "{} cases, expected at least 60",
        cases.len()
    );

    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name),
            "duplicate case name {:?}",
            case.name
        );
        assert!(
            case.source.contains(".java#"),
            "case {:?}: source names a test method: {}",
            case.name,
            case.source
        );
    }
    let mut known = BTreeSet::new();
    for (name, reason) in KNOWN_DISAGREEMENTS {
        assert!(known.insert(*name), "{name:?} is listed twice");
        assert!(!reason.is_empty(), "{name:?} needs a reason");
        assert!(
            names.contains(name),
            "known disagreement {name:?} names no case"
        );
    }

    let mut problems = Vec::new();
    let mut agreeing = 0;
    for case in &cases {
        let listed = known.contains(case.name);
        match (disagreement(case), listed) {
            (None, false) => agreeing += 1,
            (None, true) => problems.push(format!(
                "{:?} ({}) now agrees: remove it from KNOWN_DISAGREEMENTS",
                case.name, case.source
            )),
            (Some(what), false) => problems.push(format!(
                "{:?} ({}): {what}\n    pattern: {}",
                case.name, case.source, case.pattern_text
            )),
            (Some(_), true) => {}
        }
    }

    eprintln!(
        "event-ruler conformance ({origin}): {} cases, {agreeing} agreeing, {} known disagreements",
        cases.len(),
        KNOWN_DISAGREEMENTS.len()
    );
    assert!(
        problems.is_empty(),
        "{} conformance problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
