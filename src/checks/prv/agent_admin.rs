//! PRV001 agent-admin: an agent principal in production that may do everything an administrator can.

use crate::checks::agents::{Rule, Wording, judge_class};
use crate::checks::{Check, Ctx, Finding};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "PRV001",
    name: "agent-admin",
    catalogue: include_str!("../../../checks/prv/PRV001-agent-admin.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    judge_class(
        snapshot,
        ctx,
        "admin",
        Rule::All,
        &Wording {
            holds: "is admin-equivalent",
            plural: "admin-equivalent actions",
            remediation: "replace the agent's broad policies (AdministratorAccess, `*` on `*`, NotAction grants) with a policy that lists the actions its task needs, on the resources it needs, and set a permissions boundary",
        },
    )
}
