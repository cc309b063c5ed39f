//! The inventory: everything collection learned about an estate, as owned serde types.
//!
//! Conventions that every type here follows:
//!
//! - A field that may not have been collected is an `Option`. `None` (absent in JSON) means
//!   "not collected" — access denied, service unavailable, not asked — and is never the same as
//!   an empty list or `false`. Checks turn `None` into `unknown`, never into `pass`.
//! - Why something was not collected is recorded in [`Snapshot::errors`].
//! - Policy documents are kept as the raw text AWS returned (possibly percent-encoded); only
//!   `policy/` parses them.

mod account;
mod compute;
mod data;
mod iam;
mod logging;
mod network;
mod snapshot;
pub(crate) mod unique_keys;
mod workstation;

pub use account::*;
pub use compute::*;
pub use data::*;
pub use iam::*;
pub use logging::*;
pub use network::*;
pub use snapshot::*;
pub use workstation::*;

use std::collections::BTreeMap;

/// Resource tags, key → value.
pub type Tags = BTreeMap<String, String>;

/// `true` when `value` is the default of its type: used to keep snapshots small.
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}
