//! PRV — least privilege for agents.

pub mod agent_admin;
pub mod agent_destructive_data;
pub mod agent_privilege_escalation;
pub mod prod_admin_vaulted;
