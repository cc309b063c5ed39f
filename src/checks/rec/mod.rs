//! REC — recovery objectives.

pub mod pitr_enabled;
