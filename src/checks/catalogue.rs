//! The check catalogue: one TOML file per check under `checks/`, embedded in the binary.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{REGISTRY, Severity};

/// A catalogue entry: what a check checks, why it matters and how to fix it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub id: String,
    pub name: String,
    /// The bad state, in a few words.
    pub title: String,
    pub control: String,
    pub level: u8,
    pub severity: Severity,
    /// What classification puts in scope, and what is out of scope and why.
    pub scope: String,
    /// Whether the Organizations management account is judged as production is (identity,
    /// logging and segregation checks), or out of scope (resource checks).
    pub judges_management: bool,
    /// What it checks.
    pub checks: String,
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: Fix,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    pub cli: String,
    pub terraform: String,
    pub console: String,
}

static ENTRIES: LazyLock<Vec<CatalogueEntry>> = LazyLock::new(|| {
    REGISTRY
        .iter()
        .map(|check| {
            // The catalogue is compiled in and parsed by the test suite (tests/catalogue.rs):
            // a parse failure here is a build defect, not user input.
            toml::from_str(check.catalogue).unwrap_or_else(|err| {
                panic!("catalogue entry of {} does not parse: {err}", check.id)
            })
        })
        .collect()
});

/// The catalogue entry of a registered check.
pub(super) fn entry(id: &str) -> &'static CatalogueEntry {
    ENTRIES
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("check {id} has no catalogue entry"))
}

/// Every catalogue entry, in registry order.
pub fn entries() -> &'static [CatalogueEntry] {
    &ENTRIES
}
