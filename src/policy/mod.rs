//! IAM policy documents: parsing every form AWS returns, and questions asked of them.
//!
//! Checks and classification never read policy JSON themselves; they ask this module.

mod document;
pub mod trust;

pub use document::*;
