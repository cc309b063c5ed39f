//! HIL — human in the loop.

pub mod agent_infra_mutation;
pub mod ci_trust_pinned;
