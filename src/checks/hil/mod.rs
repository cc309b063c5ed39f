//! HIL — human in the loop.

pub mod ci_trust_pinned;
