//! JUnit XML, for CI test dashboards: one test suite per control, one test case per check.
//!
//! A failing check is a `<failure>` listing its failing findings (and any unknown ones); an
//! unknown check is an `<error>` — data is missing, and missing data is not a pass; a check with
//! nothing in scope is `<skipped>`; passing and waived checks pass, with the waived findings in
//! `<system-out>`. Each listed finding names its account and the level that account stands at.
//! Characters XML 1.0 cannot hold (most control characters) are written as U+FFFD.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::Report;
use crate::checks::{Finding, Status};
use crate::score::{CheckResult, WORKSTATION};

/// Writes the report as a JUnit XML document followed by a newline.
pub fn render_junit(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = Writer::new_with_indent(&mut *out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let totals = Tally::of(report.checks.iter());
    let suites = suites(report);
    let element = writer
        .create_element("testsuites")
        .with_attribute(("name", report.tool.name.as_str()))
        .with_attributes(totals.attributes().iter().map(|(k, v)| (*k, v.as_str())));
    if suites.is_empty() {
        element.write_empty()?;
    } else {
        element.write_inner_content(|w| {
            for (control, name, checks) in &suites {
                write_suite(w, report, control, name, checks)?;
            }
            Ok(())
        })?;
    }
    writeln!(out)
}

/// The controls in report order, each with its name and checks; checks of a control the report
/// does not list come last, under their control id.
fn suites(report: &Report) -> Vec<(&str, &str, Vec<&CheckResult>)> {
    let mut suites: Vec<(&str, &str, Vec<&CheckResult>)> = report
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str(), Vec::new()))
        .collect();
    for check in &report.checks {
        match suites.iter_mut().find(|(id, ..)| *id == check.control) {
            Some((.., checks)) => checks.push(check),
            None => suites.push((&check.control, "", vec![check])),
        }
    }
    suites
}

fn write_suite<W: Write>(
    w: &mut Writer<W>,
    report: &Report,
    control: &str,
    name: &str,
    checks: &[&CheckResult],
) -> io::Result<()> {
    let title = if name.is_empty() {
        control.to_owned()
    } else {
        format!("{control} — {name}")
    };
    let tally = Tally::of(checks.iter().copied());
    let element = w
        .create_element("testsuite")
        .with_attribute(("name", attribute(&title).as_ref()))
        .with_attribute(("id", attribute(control).as_ref()))
        .with_attributes(tally.attributes().iter().map(|(k, v)| (*k, v.as_str())));
    if checks.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        for check in checks {
            write_case(w, report, check)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_case<W: Write>(w: &mut Writer<W>, report: &Report, check: &CheckResult) -> io::Result<()> {
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.check_id == check.id)
        .collect();
    let of = |status: Status| -> Vec<&Finding> {
        findings
            .iter()
            .copied()
            .filter(|f| f.status == status)
            .collect()
    };
    let (failing, unknown, waived) = (of(Status::Fail), of(Status::Unknown), of(Status::Waived));
    let classname = format!("ringfence.{}", check.control);
    let name = format!("{} {}", check.id, check.name);
    let element = w
        .create_element("testcase")
        .with_attribute(("classname", attribute(&classname).as_ref()))
        .with_attribute(("name", attribute(&name).as_ref()));
    let header = format!(
        "{} (severity {}, level {})",
        check.title, check.severity, check.level
    );
    match check.status {
        Status::Pass if waived.is_empty() => {
            element.write_empty()?;
        }
        Status::NotApplicable => {
            element.write_inner_content(|w| {
                w.create_element("skipped")
                    .with_attribute(("message", "nothing in scope"))
                    .write_empty()?;
                Ok(())
            })?;
        }
        Status::Fail => {
            element.write_inner_content(|w| {
                let mut text = format!("{header}\n");
                list(&mut text, report, &failing);
                if !unknown.is_empty() {
                    text.push_str("\nAlso unknown (data missing):\n");
                    list(&mut text, report, &unknown);
                }
                let message = match failing.len() {
                    1 => "1 finding fails".to_owned(),
                    n => format!("{n} findings fail"),
                };
                child(w, "failure", &message, "fail", &text)?;
                system_out(w, &waived)
            })?;
        }
        Status::Unknown => {
            element.write_inner_content(|w| {
                let mut text =
                    format!("{header}\nData is missing, and missing data is not a pass:\n");
                list(&mut text, report, &unknown);
                let message = match unknown.len() {
                    1 => "1 finding unknown: data missing".to_owned(),
                    n => format!("{n} findings unknown: data missing"),
                };
                child(w, "error", &message, "unknown", &text)?;
                system_out(w, &waived)
            })?;
        }
        Status::Pass | Status::Waived => {
            element.write_inner_content(|w| system_out(w, &waived))?;
        }
    }
    Ok(())
}

/// `<failure>` or `<error>` with a message, a type and the findings as text.
fn child<W: Write>(
    w: &mut Writer<W>,
    tag: &str,
    message: &str,
    kind: &str,
    text: &str,
) -> io::Result<()> {
    w.create_element(tag)
        .with_attribute(("message", attribute(message).as_ref()))
        .with_attribute(("type", kind))
        .write_text_content(BytesText::new(&xml_chars(text)))?;
    Ok(())
}

fn system_out<W: Write>(w: &mut Writer<W>, waived: &[&Finding]) -> io::Result<()> {
    if waived.is_empty() {
        return Ok(());
    }
    let mut text = String::from("Waived:\n");
    for finding in waived {
        text.push_str(&format!("- {}: {}\n", finding.resource, finding.message));
        if let Some(waiver) = &finding.waiver {
            text.push_str(&format!(
                "  waiver: {} (expires {}{})\n",
                waiver.reason,
                waiver.expires,
                waiver
                    .owner
                    .as_deref()
                    .map_or(String::new(), |o| format!(", owner {o}"))
            ));
        }
    }
    w.create_element("system-out")
        .write_text_content(BytesText::new(&xml_chars(&text)))?;
    Ok(())
}

/// `- [acme-prod 222222222222, level 0] resource: message`, then the remediation indented
/// under it: each finding names its account and the level that account stands at.
fn list(text: &mut String, report: &Report, findings: &[&Finding]) {
    for finding in findings {
        let scope = finding.account.as_deref().unwrap_or(WORKSTATION);
        let standing = report.accounts.iter().find(|a| a.id == scope);
        let place = match (standing, &finding.account_name) {
            (Some(a), name) => format!(
                "[{}{}, level {}] ",
                name.as_deref().map_or(String::new(), |n| format!("{n} ")),
                a.id,
                a.level.map_or_else(|| "–".to_owned(), |l| l.to_string())
            ),
            (None, _) => String::new(),
        };
        text.push_str(&format!(
            "- {place}{}: {}\n",
            finding.resource, finding.message
        ));
        if let Some(fix) = &finding.remediation {
            let mut lines = fix.trim().lines();
            if let Some(first) = lines.next() {
                text.push_str(&format!("  fix: {first}\n"));
            }
            for line in lines {
                text.push_str(&format!("       {line}\n"));
            }
        }
    }
}

/// Replaces the characters XML 1.0 cannot hold, even escaped, with U+FFFD.
fn xml_chars(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
            .collect(),
    )
}

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An attribute value on one line: parsers turn tabs and line breaks in attributes into spaces.
fn attribute(value: &str) -> Cow<'_, str> {
    if value
        .chars()
        .all(|c| xml_char(c) && !c.is_ascii_whitespace() || c == ' ')
    {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if xml_char(c) => c,
                _ => '\u{FFFD}',
            })
            .collect(),
    )
}

/// Test-case counts, as JUnit names them.
#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn of<'a>(checks: impl Iterator<Item = &'a CheckResult>) -> Tally {
        let mut tally = Tally::default();
        for check in checks {
            tally.tests += 1;
            match check.status {
                Status::Fail => tally.failures += 1,
                Status::Unknown => tally.errors += 1,
                Status::NotApplicable => tally.skipped += 1,
                Status::Pass | Status::Waived => {}
            }
        }
        tally
    }

    fn attributes(&self) -> [(&'static str, String); 4] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};

    use super::*;
    use crate::checks::AppliedWaiver;

    fn demo() -> Report {
        serde_json::from_str(include_str!("../../reports/examples/demo-report.json")).unwrap()
    }

    fn junit(report: &Report) -> String {
        let mut out = Vec::new();
        render_junit(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    struct Element {
        name: String,
        attributes: Vec<(String, String)>,
        /// Entity and character references resolved.
        text: String,
    }

    /// Parses the document and returns its elements in document order.
    fn parse(xml: &str) -> Vec<Element> {
        let mut reader = Reader::from_str(xml);
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            let event = reader
                .read_event()
                .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()));
            let is_start = matches!(event, Event::Start(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.name().as_ref().to_owned();
                    let attributes = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                a.key.as_ref().to_owned(),
                                a.normalized_value(XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    elements.push(Element {
                        name,
                        attributes,
                        text: String::new(),
                    });
                    if is_start {
                        open.push(elements.len() - 1);
                    }
                }
                Event::End(_) => {
                    open.pop().unwrap();
                }
                Event::Text(t) => {
                    if let Some(&i) = open.last() {
                        elements[i].text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let name = r.xml10_content();
                    let resolved = match name.strip_prefix('#') {
                        Some(code) => {
                            let code = match code.strip_prefix('x') {
                                Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                                None => code.parse().unwrap(),
                            };
                            char::from_u32(code).unwrap().to_string()
                        }
                        None => quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity &{name};"))
                            .to_owned(),
                    };
                    if let Some(&i) = open.last() {
                        elements[i].text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(open.is_empty(), "unclosed elements");
        elements
    }

    fn attr<'a>(element: &'a Element, key: &str) -> &'a str {
        &element.attributes.iter().find(|(k, _)| k == key).unwrap().1
    }

    #[test]
    fn messages_with_markup_and_control_characters_stay_well_formed() {
        let mut report = demo();
        let nasty = "a <b> & \"c\" 'd' ]]> \u{1}\u{0}\u{1b}[31m end\r\nnext";
        let finding = report
            .findings
            .iter_mut()
            .find(|f| f.status == Status::Fail)
            .unwrap();
        finding.message = nasty.to_owned();
        finding.resource = "res<&>\"'".to_owned();
        let check = finding.check_id.clone();
        report
            .checks
            .iter_mut()
            .find(|c| c.id == check)
            .unwrap()
            .title = "title with \"quotes\"\nand a line break".to_owned();
        let xml = junit(&report);
        assert!(
            xml.chars().all(xml_char),
            "characters XML cannot hold were written"
        );
        let elements = parse(&xml);
        let failure = elements
            .iter()
            .find(|e| e.name == "failure" && e.text.contains("res<&>\"'"))
            .unwrap();
        assert!(
            failure.text.contains(
                "- [acme-prod 222222222222, level 0] res<&>\"': a <b> & \"c\" 'd' ]]> \u{FFFD}\u{FFFD}\u{FFFD}[31m end\r\nnext"
            ),
            "{}",
            failure.text
        );
    }

    #[test]
    fn counts_match_the_check_statuses() {
        let report = demo();
        let elements = parse(&junit(&report));
        let root = &elements[0];
        assert_eq!(root.name, "testsuites");
        let c = &report.summary.checks;
        assert_eq!(attr(root, "tests"), report.checks.len().to_string());
        assert_eq!(attr(root, "failures"), c.fail.to_string());
        assert_eq!(attr(root, "errors"), c.unknown.to_string());
        assert_eq!(attr(root, "skipped"), c.not_applicable.to_string());
        let count = |tag: &str| elements.iter().filter(|e| e.name == tag).count();
        assert_eq!(count("testsuite"), report.controls.len());
        assert_eq!(count("testcase"), report.checks.len());
        assert_eq!(count("failure") as u64, c.fail);
        assert_eq!(count("error") as u64, c.unknown);
        let sec = elements.iter().find(|e| e.name == "testsuite").unwrap();
        assert_eq!(
            attr(sec, "name"),
            "SEC — No production secrets on workstations"
        );
        assert_eq!(attr(sec, "id"), "SEC");
        let case = elements.iter().find(|e| e.name == "testcase").unwrap();
        assert_eq!(attr(case, "classname"), "ringfence.SEC");
        assert_eq!(attr(case, "name"), "SEC001 local-prod-credential");
    }

    #[test]
    fn waived_checks_pass_with_the_waivers_in_system_out_and_empty_ones_are_skipped() {
        let mut report = demo();
        for finding in report
            .findings
            .iter_mut()
            .filter(|f| f.check_id == "DEL001")
        {
            if finding.status == Status::Fail {
                finding.status = Status::Waived;
                finding.waiver = Some(AppliedWaiver {
                    reason: "batch hosts are cattle".into(),
                    expires: date(2027, 1, 31),
                    owner: None,
                });
            }
        }
        let del001 = report.checks.iter_mut().find(|c| c.id == "DEL001").unwrap();
        del001.status = Status::Waived;
        let del002 = report.checks.iter_mut().find(|c| c.id == "DEL002").unwrap();
        del002.status = Status::NotApplicable;
        let xml = junit(&report);
        let elements = parse(&xml);
        let case = elements
            .iter()
            .position(|e| e.name == "testcase" && attr(e, "name").starts_with("DEL001 "))
            .unwrap();
        assert_eq!(elements[case + 1].name, "system-out");
        assert!(
            elements[case + 1]
                .text
                .contains("waiver: batch hosts are cattle (expires 2027-01-31)")
        );
        let case = elements
            .iter()
            .position(|e| e.name == "testcase" && attr(e, "name").starts_with("DEL002 "))
            .unwrap();
        assert_eq!(elements[case + 1].name, "skipped");
        assert_eq!(attr(&elements[case + 1], "message"), "nothing in scope");
        let root = &elements[0];
        assert_eq!(
            attr(root, "failures"),
            (report.summary.checks.fail - 2).to_string()
        );
        assert_eq!(attr(root, "skipped"), "1");
    }

    #[test]
    fn failing_findings_name_their_account_and_its_level() {
        let xml = junit(&demo());
        let failure = parse(&xml)
            .into_iter()
            .find(|e| e.name == "failure" && e.text.contains("777777777777, level 3"))
            .unwrap();
        assert!(
            failure
                .text
                .contains("- [acme-payments-prod 777777777777, level 3] arn:aws:"),
            "{}",
            failure.text
        );
        let sec001 = parse(&xml)
            .into_iter()
            .find(|e| e.name == "failure" && e.text.contains("/home/dev/src/payments-api/.env:9"))
            .unwrap();
        assert!(
            sec001
                .text
                .contains("- [workstation, level 0] /home/dev/src/payments-api/.env:9"),
            "{}",
            sec001.text
        );
    }

    #[test]
    fn an_empty_report_is_an_empty_document() {
        let mut report = demo();
        report.controls.clear();
        report.checks.clear();
        report.findings.clear();
        let xml = junit(&report);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ringfence\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"/>\n"
        );
        parse(&xml);
    }
}
