//! The HTML report in a real headless browser (Debian's Chromium, installed here when it is
//! missing): it loads without a console message or a blocked fetch, shows the level, the score
//! and the findings, and its filters work. `RINGFENCE_BLESS=1` also writes the screenshot that
//! the README shows, `reports/examples/demo-report.png`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_ringfence");

/// The Chromium binary: `RINGFENCE_CHROMIUM`, else one on the PATH, else Debian's package,
/// installed now (as root, or through `sudo -n`).
fn chromium() -> &'static Path {
    static FOUND: OnceLock<PathBuf> = OnceLock::new();
    FOUND.get_or_init(|| {
        if let Some(path) = std::env::var_os("RINGFENCE_CHROMIUM") {
            return PathBuf::from(path);
        }
        let on_path = || {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|name| {
                    let out = Command::new("sh")
                        .args(["-c", &format!("command -v {name}")])
                        .output()
                        .ok()?;
                    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                    (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
                })
        };
        if let Some(path) = on_path() {
            return path;
        }
        let script = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium";
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let status = if root {
            Command::new("sh").args(["-c", script]).status()
        } else {
            Command::new("sudo").args(["-n", "sh", "-c", script]).status()
        };
        match (status, on_path()) {
            (Ok(s), Some(path)) if s.success() => path,
            (status, _) => panic!(
                "the HTML report tests need Chromium and could not install it ({status:?}): install Debian's `chromium` package, or set RINGFENCE_CHROMIUM to a Chromium or Chrome binary"
            ),
        }
    })
}

/// The demo estate's HTML report, written by the CLI.
fn demo_html(dir: &Path) -> PathBuf {
    let path = dir.join("demo-report.html");
    let out = Command::new(BIN)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1795165200")
        .args(["audit", "--demo", "-f"])
        .arg(format!("html={}", path.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// Chromium's view of a page: the DOM after its scripts ran, and what it logged.
struct Page {
    dom: String,
    console: Vec<String>,
}

/// Headless Chromium with a profile of its own.
fn headless(profile: &Path) -> Command {
    let mut command = Command::new(chromium());
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn load(file: &Path, fragment: &str) -> Page {
    let profile = tempfile::tempdir().unwrap();
    let out = headless(profile.path())
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}{fragment}", file.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {stderr}");
    Page {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console: stderr
            .lines()
            .filter(|l| {
                l.contains(":CONSOLE")
                    || l.contains("Uncaught")
                    || l.contains("Content Security Policy")
            })
            .map(str::to_owned)
            .collect(),
    }
}

/// The `<tr class="finding" …>` rows of a DOM, with whether each is hidden.
fn rows(dom: &str) -> Vec<(String, bool)> {
    dom.split("<tr ")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default().to_owned())
        .filter(|attrs| attrs.contains("class=\"finding"))
        .map(|attrs| {
            let hidden = attrs.contains(" hidden") || attrs.contains("display: none");
            (attrs, hidden)
        })
        .collect()
}

fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let start = attrs.find(&format!("{name}=\""))? + name.len() + 2;
    attrs[start..].split('"').next()
}

#[test]
fn the_demo_report_renders_without_console_messages() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_html(dir.path());
    let page = load(&html, "");
    assert!(page.console.is_empty(), "{:#?}", page.console);
    assert!(page.dom.contains("id=\"level\""), "no #level");
    assert!(page.dom.contains("Exposed"));
    assert!(page.dom.contains("id=\"score\""), "no #score");
    let report: serde_json::Value = serde_json::from_slice(
        &Command::new(BIN)
            .env("SOURCE_DATE_EPOCH", "1795165200")
            .args(["audit", "--demo", "-f", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let findings = report["findings"].as_array().unwrap();
    let rows = rows(&page.dom);
    assert_eq!(rows.len(), findings.len(), "one row per finding");
    // By default what needs doing is shown: failing and unknown findings, the rest a click away.
    for (attrs, hidden) in &rows {
        let status = attr(attrs, "data-status").unwrap_or_default();
        assert_eq!(*hidden, !matches!(status, "fail" | "unknown"), "{attrs}");
    }
}

#[test]
fn the_screenshot_is_an_image_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_html(dir.path());
    let shot = dir.path().join("demo-report.png");
    let profile = tempfile::tempdir().unwrap();
    let out = headless(profile.path())
        .args(["--hide-scrollbars", "--window-size=1280,1600"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
    if std::env::var_os("RINGFENCE_BLESS").is_some() {
        std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/examples/demo-report.png"),
            &png,
        )
        .unwrap();
    }
}

#[test]
fn the_filters_select_by_status_account_severity_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_html(dir.path());
    let shown = |fragment: &str| -> Vec<String> {
        let page = load(&html, fragment);
        assert!(page.console.is_empty(), "{fragment}: {:#?}", page.console);
        rows(&page.dom)
            .into_iter()
            .filter(|(_, hidden)| !hidden)
            .map(|(attrs, _)| attrs)
            .collect()
    };
    let passing = shown("#status=pass");
    assert!(!passing.is_empty());
    assert!(
        passing
            .iter()
            .all(|a| attr(a, "data-status") == Some("pass")),
        "{passing:#?}"
    );

    let prod_high = shown("#status=fail,unknown,pass&account=222222222222&severity=high");
    assert!(!prod_high.is_empty());
    assert!(
        prod_high
            .iter()
            .all(|a| attr(a, "data-account") == Some("222222222222")
                && attr(a, "data-severity") == Some("high")),
        "{prod_high:#?}"
    );
    let every = shown("#status=pass,fail,unknown,waived,not_applicable");
    assert!(every.len() > prod_high.len() + passing.len());

    let legacy = shown("#status=fail&text=legacy-billing");
    assert!(!legacy.is_empty() && legacy.len() < 20, "{}", legacy.len());
}
