//! The registry, the catalogue files under `checks/` and the check sources correspond one to one.

use std::collections::BTreeSet;
use std::path::Path;

use ringfence::checks::{CONTROLS, REGISTRY, catalogue_entries};
use ringfence::score::LADDER;

fn catalogue_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for control in std::fs::read_dir("checks").unwrap() {
        let control = control.unwrap().path();
        assert!(
            control.is_dir(),
            "{} should be a control folder",
            control.display()
        );
        for file in std::fs::read_dir(&control).unwrap() {
            let file = file.unwrap().path();
            files.insert(file.strip_prefix("checks").unwrap().display().to_string());
        }
    }
    files
}

#[test]
fn every_check_has_exactly_one_catalogue_file_and_every_file_a_check() {
    let expected: BTreeSet<String> = REGISTRY
        .iter()
        .map(|c| {
            format!(
                "{}/{}-{}.toml",
                c.entry().control.to_lowercase(),
                c.id,
                c.name
            )
        })
        .collect();
    assert_eq!(
        expected.len(),
        REGISTRY.len(),
        "two checks share a catalogue file"
    );
    assert_eq!(catalogue_files(), expected);
    for check in REGISTRY {
        let path = format!(
            "checks/{}/{}-{}.toml",
            check.entry().control.to_lowercase(),
            check.id,
            check.name
        );
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            on_disk, check.catalogue,
            "{} embeds a different file than {path}",
            check.id
        );
    }
}

#[test]
fn every_check_has_its_source_file_with_the_same_stem() {
    for check in REGISTRY {
        let path = format!(
            "src/checks/{}/{}.rs",
            check.entry().control.to_lowercase(),
            check.name.replace('-', "_")
        );
        assert!(
            Path::new(&path).is_file(),
            "{} has no source file {path}",
            check.id
        );
    }
}

#[test]
fn ids_and_names_are_unique_well_formed_and_match_their_entries() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for (check, entry) in REGISTRY.iter().zip(catalogue_entries()) {
        assert_eq!(check.id, entry.id);
        assert_eq!(check.name, entry.name);
        assert!(ids.insert(check.id), "duplicate id {}", check.id);
        assert!(names.insert(check.name), "duplicate name {}", check.name);
        let (prefix, number) = check.id.split_at(3);
        assert_eq!(
            prefix, entry.control,
            "{}: id prefix and control differ",
            check.id
        );
        assert!(
            number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()),
            "{}",
            check.id
        );
        assert!(
            check
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            check.name
        );
    }
}

#[test]
fn entries_are_complete_and_sit_on_their_controls_level() {
    for entry in catalogue_entries() {
        assert!(
            CONTROLS.iter().any(|c| c.id == entry.control),
            "{}: unknown control {}",
            entry.id,
            entry.control
        );
        let rung = LADDER
            .iter()
            .find(|r| r.level == entry.level)
            .unwrap_or_else(|| panic!("{}: no level {}", entry.id, entry.level));
        assert!(
            rung.controls.contains(&entry.control.as_str()),
            "{}: {} is not a level-{} control",
            entry.id,
            entry.control,
            entry.level
        );
        for (what, text) in [
            ("title", &entry.title),
            ("scope", &entry.scope),
            ("checks", &entry.checks),
            ("why", &entry.why),
            ("fix.cli", &entry.fix.cli),
            ("fix.terraform", &entry.fix.terraform),
            ("fix.console", &entry.fix.console),
        ] {
            assert!(text.trim().len() > 20, "{}: {what} is too thin", entry.id);
        }
        assert!(
            !entry.title.starts_with("Ensure"),
            "{}: name the bad state, not the fix",
            entry.id
        );
        assert!(
            !entry.references.is_empty()
                && entry.references.iter().all(|r| r.starts_with("https://")),
            "{}",
            entry.id
        );
    }
}
