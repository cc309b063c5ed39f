//! INP — agent input is untrusted; scope tools per task.

pub mod agent_exec_tools;
pub mod agent_session_scope;
pub mod agent_wildcard_write;
