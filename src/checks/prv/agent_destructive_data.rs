//! PRV002 agent-destructive-data: an agent principal in production that may delete data stores, run arbitrary SQL through the Data API, or delete backups and snapshots.

use crate::checks::agents::{Rule, Wording, judge_class};
use crate::checks::{Check, Ctx, Finding};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "PRV002",
    name: "agent-destructive-data",
    catalogue: include_str!("../../../checks/prv/PRV002-agent-destructive-data.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    judge_class(
        snapshot,
        ctx,
        "destructive-data",
        Rule::Any,
        &Wording {
            holds: "can delete or rewrite production data",
            plural: "destructive data actions",
            remediation: "remove delete, DDL-capable and backup-deletion actions from the agent's policies, or add an explicit Deny for them (and a permissions boundary that denies them)",
        },
    )
}
