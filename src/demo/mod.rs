//! The embedded demo estate: a fictional organization with a mix of good and bad posture, so
//! `ringfence audit --demo` shows a meaningful report without an AWS account.

use crate::error::Error;
use crate::inventory::Snapshot;

/// The demo estate's snapshot, as committed in `src/demo/estate.json`.
pub const ESTATE_JSON: &str = include_str!("estate.json");

/// The demo estate, loaded through the same path as any snapshot file.
pub fn snapshot() -> Result<Snapshot, Error> {
    Snapshot::from_json(ESTATE_JSON.as_bytes(), "demo estate")
}
