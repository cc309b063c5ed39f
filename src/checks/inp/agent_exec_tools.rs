//! INP001 agent-exec-tools: an agent principal in production that may run shell commands, open sessions or deploy code — tools that turn a prompt injection into code execution.

use crate::checks::agents::{Rule, Wording, judge_class};
use crate::checks::{Check, Ctx, Finding};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "INP001",
    name: "agent-exec-tools",
    catalogue: include_str!("../../../checks/inp/INP001-agent-exec-tools.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    judge_class(
        snapshot,
        ctx,
        "exec-tools",
        Rule::Any,
        &Wording {
            holds: "can run commands or deploy code in production",
            plural: "execution and deployment actions",
            remediation: "remove shell, exec and deploy actions (ssm:SendCommand, ssm:StartSession, ecs:ExecuteCommand, lambda:UpdateFunctionCode, cloudformation stack changes …) from the agent's production policies; scope tools per task",
        },
    )
}
