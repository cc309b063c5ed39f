use std::io::{self, Write};

use super::Report;

/// Writes the report as pretty JSON followed by a newline.
pub fn render_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::from)?;
    writeln!(out)
}
