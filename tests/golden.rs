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

// SARIF, JUnit XML and Markdown renderings of the demo report.

fn render(
    render: fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>,
    report: &Report,
) -> String {
    let mut out = Vec::new();
    render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The demo report with a gate and one failing finding waived, so that the renderings show both.
fn demo_report_with_waiver_and_gate() -> Report {
    let mut report = demo_report();
    let finding = report
        .findings
        .iter_mut()
        .find(|f| f.check_id == "DEL001" && f.status == ringfence::checks::Status::Fail)
        .unwrap();
    finding.status = ringfence::checks::Status::Waived;
    finding.waiver = Some(ringfence::checks::AppliedWaiver {
        reason: "batch host, rebuilt from its image".to_owned(),
        expires: jiff::civil::date(2027, 3, 31),
        owner: Some("platform-team".to_owned()),
    });
    report.apply_gate(&ringfence::report::Gate {
        min_level: Some(1),
        ..Default::default()
    });
    report
}

#[test]
fn demo_report_sarif_example_is_current() {
    golden(
        "reports/examples/demo-report.sarif",
        &render(ringfence::report::render_sarif, &demo_report()),
    );
}

#[test]
fn demo_report_junit_example_is_current() {
    golden(
        "reports/examples/demo-report.junit.xml",
        &render(ringfence::report::render_junit, &demo_report()),
    );
}

#[test]
fn demo_report_markdown_example_is_current() {
    golden(
        "reports/examples/demo-report.md",
        &render(ringfence::report::render_markdown, &demo_report()),
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    // The official schema's pattern for `language` (of a run and of a tool component) has a
    // stray `]`, which ECMA-262 reads as a literal but the validator's regex engine rejects:
    // escape it, same meaning. Formats are checked (URIs, date-times), which is why the schema's
    // patterns are compiled at all.
    let text = include_str!("fixtures/sarif/sarif-schema-2.1.0.json");
    let stray = r#"[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(stray).count(), 2);
    let schema: serde_json::Value =
        serde_json::from_str(&text.replace(stray, r#"[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#)).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    for report in [demo_report(), demo_report_with_waiver_and_gate()] {
        let sarif: serde_json::Value =
            serde_json::from_str(&render(ringfence::report::render_sarif, &report)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for result in results {
            let location = &result["locations"][0];
            assert!(location["physicalLocation"]["artifactLocation"]["uri"].is_string());
            assert_eq!(location["logicalLocations"][0]["kind"], "resource");
        }
    }
    // The validator is live: a bad enum value and a URI with a space are caught.
    let mut broken: serde_json::Value =
        serde_json::from_str(&render(ringfence::report::render_sarif, &demo_report())).unwrap();
    broken["runs"][0]["results"][0]["kind"] = "bogus".into();
    broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "file:///a b".into();
    assert_eq!(validator.iter_errors(&broken).count(), 2);
    let waived = render(
        ringfence::report::render_sarif,
        &demo_report_with_waiver_and_gate(),
    );
    assert!(waived.contains("\"justification\": \"batch host, rebuilt from its image\""));
}

#[test]
fn junit_parses_as_xml_with_the_counts_of_the_report() {
    use quick_xml::events::Event;
    let report = demo_report_with_waiver_and_gate();
    let xml = render(ringfence::report::render_junit, &report);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut tags: Vec<String> = Vec::new();
    let mut root: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                if name == "testsuites" {
                    root = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (a.key.as_ref().to_owned(), a.value.clone().into_owned())
                        })
                        .collect();
                }
                tags.push(name);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let attr = |key: &str| root.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let count = |tag: &str| tags.iter().filter(|t| *t == tag).count();
    let c = &report.summary.checks;
    assert_eq!(attr("tests"), report.checks.len().to_string());
    assert_eq!(attr("failures"), c.fail.to_string());
    assert_eq!(attr("errors"), c.unknown.to_string());
    assert_eq!(attr("skipped"), c.not_applicable.to_string());
    assert_eq!(count("testcase"), report.checks.len());
    assert_eq!(count("failure") as u64, c.fail);
    assert_eq!(count("error") as u64, c.unknown);
    assert_eq!(count("testsuite"), report.controls.len());
    assert!(
        xml.contains(
            "batch host, rebuilt from its image (expires 2027-03-31, owner platform-team)"
        )
    );
}

#[test]
fn markdown_of_a_huge_estate_stays_under_the_pull_request_comment_limit() {
    let mut report = demo_report_with_waiver_and_gate();
    // Every failing and unknown finding 400 times over, with long messages.
    let attention: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                ringfence::checks::Status::Fail | ringfence::checks::Status::Unknown
            )
        })
        .cloned()
        .collect();
    for i in 0..400 {
        for finding in &attention {
            let mut copy = finding.clone();
            copy.resource = format!("{}-{i}", finding.resource);
            copy.message = format!("{} | {}", finding.message, "lorem ipsum ".repeat(50));
            report.findings.push(copy);
        }
    }
    assert!(report.findings.len() > 30_000);
    let md = render(ringfence::report::render_markdown, &report);
    assert!(
        md.len() <= ringfence::report::MARKDOWN_MAX_BYTES,
        "{} bytes",
        md.len()
    );
    assert!(md.chars().count() < 65_536);
    assert!(md.contains("❌ **Gate failed**"));
    assert!(md.contains("- … and "));
    assert!(md.trim_end().ends_with("</sub>"));
}

// The HTML rendering of the demo report.

#[test]
fn demo_report_html_example_is_current() {
    golden(
        "reports/examples/demo-report.html",
        &render(
            ringfence::report::render_html,
            &demo_report_with_waiver_and_gate(),
        ),
    );
}

/// The value of every `name="…"` attribute in the page.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_fetches_nothing() {
    let html = render(
        ringfence::report::render_html,
        &demo_report_with_waiver_and_gate(),
    );
    let lower = html.to_ascii_lowercase();
    // Nothing the browser would load by itself.
    assert!(
        attribute_values(&lower, "src").is_empty(),
        "a src attribute"
    );
    assert!(!lower.contains("<link"), "a <link> element");
    assert!(!lower.contains("@import"));
    assert!(!lower.contains("url("));
    assert!(!lower.contains("<iframe") && !lower.contains("<object") && !lower.contains("<embed"));
    assert!(!lower.contains("srcset") && !lower.contains("xlink:href"));
    // Links are in-page anchors, or the catalogue's references the reader may follow.
    let hrefs = attribute_values(&html, "href");
    assert!(
        hrefs
            .iter()
            .any(|h| h.starts_with("https://docs.aws.amazon.com/"))
    );
    for href in hrefs {
        assert!(
            href.starts_with('#') || href.starts_with("https://"),
            "unexpected link {href}"
        );
    }
    for (at, _) in lower.match_indices("<a ") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap()];
        if tag.contains("href=\"https://") {
            assert!(tag.contains("rel=\"noreferrer noopener\""), "{tag}");
        }
    }
    // Every URL in the markup is the href of such a link. Report text is escaped, so every `<`
    // outside the script starts a real tag (URLs in evidence are text, and fetch nothing).
    for tag in lower
        .split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
    {
        if tag.contains("://") {
            assert!(
                tag.starts_with("a href=\"https://") && tag.matches("://").count() == 1,
                "a URL in <{tag}>"
            );
        }
    }
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
    );
}

#[test]
fn html_is_well_formed_enough_and_lists_every_finding_once() {
    let report = demo_report_with_waiver_and_gate();
    let html = render(ringfence::report::render_html, &report);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</body>\n</html>\n"));
    for tag in [
        "html", "head", "body", "main", "section", "table", "thead", "tbody", "tr", "td",
        "details", "summary", "svg", "g", "script", "style", "select", "div", "ul", "li", "pre",
        "p", "code", "a", "label", "fieldset", "dl", "dt", "dd",
    ] {
        let opened =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let closed = html.matches(&format!("</{tag}>")).count();
        assert_eq!(
            opened, closed,
            "<{tag}> opened {opened} times, closed {closed} times"
        );
    }
    assert_eq!(
        html.matches("<tr class=\"finding\" ").count(),
        report.findings.len()
    );
    assert_eq!(
        html.matches("<details class=\"finding-detail\">").count(),
        report.findings.len()
    );
    assert_eq!(
        html.matches("<tr class=\"check\" ").count(),
        report.checks.len()
    );
    for id in [
        "level",
        "score",
        "ladder",
        "gate",
        "findings",
        "findings-table",
        "filters",
        "filter-account",
        "filter-environment",
        "filter-severity",
        "filter-status",
        "filter-check",
        "filter-text",
        "filter-count",
        "waivers",
        "collection-errors",
        "accounts",
        "workstation",
        "report-data",
    ] {
        assert_eq!(
            html.matches(&format!(" id=\"{id}\"")).count(),
            1,
            "id {id} is not there exactly once"
        );
    }
    // Ids are unique.
    let mut ids = attribute_values(&html, "id");
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    // The waived finding shows its waiver, the gate its reason.
    assert!(html.contains("batch host, rebuilt from its image"));
    assert!(html.contains("owner platform-team"));
    assert!(html.contains("id=\"gate\" data-passed=\"false\""));
    // Deterministic, and reasonably small.
    assert_eq!(html, render(ringfence::report::render_html, &report));
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
}
