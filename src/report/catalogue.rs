//! `ringfence checks list` and `ringfence checks explain`.

use std::io::{self, Write};

use tabled::builder::Builder;
use tabled::settings::Style;
use tabled::settings::Width;
use tabled::settings::object::Columns;

use crate::checks::{CONTROLS, CatalogueEntry, catalogue_entries};
use crate::score::level_name;

pub fn render_catalogue_table(out: &mut dyn Write) -> io::Result<()> {
    let mut table = Builder::new();
    table.push_record(["Check", "Name", "Control", "Level", "Severity", "Title"]);
    for entry in catalogue_entries() {
        table.push_record([
            entry.id.clone(),
            entry.name.clone(),
            entry.control.clone(),
            format!("{} {}", entry.level, level_name(entry.level)),
            entry.severity.to_string(),
            entry.title.clone(),
        ]);
    }
    let mut table = table.build();
    table
        .with(Style::rounded())
        .modify(Columns::one(5), Width::wrap(60).keep_words(true));
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "`ringfence checks explain ID` tells what a check checks, why it matters and how to fix it."
    )
}

pub fn render_explain(entry: &CatalogueEntry, out: &mut dyn Write) -> io::Result<()> {
    let control = CONTROLS
        .iter()
        .find(|c| c.id == entry.control)
        .map_or("", |c| c.name);
    writeln!(out, "{} {} — {}", entry.id, entry.name, entry.title)?;
    writeln!(
        out,
        "Control {} ({control}) · level {} {} · severity {}",
        entry.control,
        entry.level,
        level_name(entry.level),
        entry.severity
    )?;
    for (heading, text) in [
        ("What it checks", &entry.checks),
        ("Scope", &entry.scope),
        ("Why it matters", &entry.why),
    ] {
        writeln!(out, "\n{heading}\n{}", text.trim())?;
    }
    writeln!(out, "\nHow to fix it")?;
    for (heading, text) in [
        ("CLI", &entry.fix.cli),
        ("Terraform", &entry.fix.terraform),
        ("Console", &entry.fix.console),
    ] {
        writeln!(out, "  {heading}:")?;
        for line in text.trim().lines() {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(out, "\nReferences")?;
    for reference in &entry.references {
        writeln!(out, "  {reference}")?;
    }
    Ok(())
}
