//! HIL001 agent-infra-mutation: an agent principal in production that may change infrastructure without a human-approved pipeline.

use crate::checks::agents::{Rule, Wording, judge_class};
use crate::checks::{Check, Ctx, Finding};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "HIL001",
    name: "agent-infra-mutation",
    catalogue: include_str!("../../../checks/hil/HIL001-agent-infra-mutation.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    judge_class(
        snapshot,
        ctx,
        "infra-mutation",
        Rule::Any,
        &Wording {
            holds: "can change production infrastructure directly",
            plural: "infrastructure-changing actions",
            remediation: "give the agent read-only access in production and let its changes go through a reviewed pipeline (a CI role trusted only by a protected branch or environment)",
        },
    )
}
