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
        // Virtual time lets what the page's scripts queue (a hashchange after a click) run
        // before the DOM is dumped.
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
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

/// The demo's JSON report.
fn demo_json() -> serde_json::Value {
    serde_json::from_slice(
        &Command::new(BIN)
            .env("SOURCE_DATE_EPOCH", "1795165200")
            .args(["audit", "--demo", "-f", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
}

/// The opening tags of the elements whose opening tag starts with `prefix`, in order.
fn tags<'a>(dom: &'a str, prefix: &str) -> Vec<&'a str> {
    dom.match_indices(prefix)
        .map(|(i, _)| dom[i..].split('>').next().unwrap_or_default())
        .collect()
}

/// The part of the DOM that is the grid row of one account.
fn standing<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"standing-{id}\""))
        .unwrap_or_else(|| panic!("no row for {id}"));
    let start = dom[..at].rfind("<tr").unwrap();
    let end = dom[start..].find("</tr>").unwrap();
    &dom[start..start + end]
}

#[test]
fn the_accounts_grid_shows_each_account_and_the_state_of_each_control() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_html(dir.path());
    let page = load(&html, "");
    assert!(page.console.is_empty(), "{:#?}", page.console);
    let report = demo_json();
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(
        tags(&page.dom, "<tr class=\"standing").len(),
        accounts.len(),
        "one grid row per account and the workstation"
    );
    for account in accounts {
        let id = account["id"].as_str().unwrap();
        let row = standing(&page.dom, id);
        let level = account["level"]
            .as_u64()
            .map_or("none".to_owned(), |l| l.to_string());
        assert!(
            row.contains(&format!("data-level=\"{level}\"")),
            "{id}: {row}"
        );
        for (control, state) in account["controls"].as_object().unwrap() {
            let cell = format!(
                "data-control=\"{control}\" data-state=\"{}\"",
                state.as_str().unwrap()
            );
            assert!(row.contains(&cell), "{id} {control}: {row}");
        }
    }
    // The demo's story: payments at level 3, blocked by REC; acme-prod stuck at 0 by SEC,
    // marked as the weakest link.
    let payments = standing(&page.dom, "777777777777");
    assert!(payments.contains("data-control=\"REC\" data-state=\"fail\""));
    assert!(payments.contains("data-control=\"SEC\" data-state=\"pass\""));
    let prod = standing(&page.dom, "222222222222");
    assert!(prod.contains("class=\"standing weakest\""), "{prod}");
    assert!(prod.contains("data-control=\"SEC\" data-state=\"fail\""));
    // The organization's level names its weakest accounts.
    let level_card = &page.dom[page.dom.find("id=\"level\"").unwrap()..];
    let level_card = &level_card[..level_card.find("</div></div>").unwrap_or(level_card.len())];
    assert!(level_card.contains("acme-prod"), "{level_card}");
}

#[test]
fn clicking_an_account_opens_its_ladder_and_shows_only_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_html(dir.path());
    // Click the account's summary (its ladder opens) and its findings link, as a person would.
    let page = std::fs::read_to_string(&html).unwrap().replace(
        "</body>",
        "<script>document.querySelector('#standing-777777777777 summary').click(); document.querySelector('#standing-777777777777 a.show-account').click();</script></body>",
    );
    let clicked = dir.path().join("clicked.html");
    std::fs::write(&clicked, page).unwrap();
    let page = load(&clicked, "");
    assert!(page.console.is_empty(), "{:#?}", page.console);
    let row = standing(&page.dom, "777777777777");
    assert!(
        row.contains("<details class=\"account-ladder\" open"),
        "{row}"
    );
    for level in 1..=4 {
        assert!(
            row.contains(&format!("<li data-level=\"{level}\"")),
            "{row}"
        );
    }
    assert!(
        row.contains("<li data-level=\"3\" data-state=\"held\""),
        "{row}"
    );
    assert!(
        row.contains("<li data-level=\"4\" data-state=\"failed\""),
        "{row}"
    );
    assert!(
        row.contains("Level 4 needs: <a href=\"#check-REC004\">REC004</a>"),
        "{row}"
    );
    // Only its failing and unknown findings are shown.
    let report = demo_json();
    let expected = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["account"] == "777777777777"
                && matches!(f["status"].as_str(), Some("fail" | "unknown"))
        })
        .count();
    let shown: Vec<String> = rows(&page.dom)
        .into_iter()
        .filter(|(_, hidden)| !hidden)
        .map(|(attrs, _)| attrs)
        .collect();
    assert_eq!(shown.len(), expected, "{shown:#?}");
    assert!(
        shown
            .iter()
            .all(|a| attr(a, "data-account") == Some("777777777777"))
    );
    // Another account's row keeps its ladder closed.
    assert!(!standing(&page.dom, "222222222222").contains(" open"));
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
    let report = demo_json();
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
