//! INP003 agent-wildcard-write: an agent in production may not write on `Resource: "*"`. A
//! task needs writes on the resources of the task; a wildcard lets an injected instruction
//! aim the same call at anything in the account.

use serde_json::json;

use crate::checks::agents::{Held, LISTED, add_held, agent_name, agents, settle, summary};
use crate::checks::scope::add_evidence;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;
use crate::policy::capabilities::{Capability, class};
use crate::policy::{Context, Decision, Request, Undecided, Verdict};

pub const CHECK: Check = Check {
    id: "INP003",
    name: "agent-wildcard-write",
    catalogue: include_str!("../../../checks/inp/INP003-agent-wildcard-write.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    // Write actions that support resource-level permissions: granting them on `*` is a
    // choice, not a necessity. Asked about the literal resource `*`, the engine matches only
    // statements whose Resource covers the text `*`.
    let mut writes: Vec<Capability> = ["destructive-data", "infra-mutation", "exec-tools"]
        .iter()
        .flat_map(|id| class(id).actions.iter())
        .filter(|c| c.resource != "*")
        .map(|c| Capability {
            action: c.action.clone(),
            resource: "*".to_owned(),
            why: c.why.clone(),
        })
        .collect();
    writes.sort_by(|a, b| a.action.cmp(&b.action));
    writes.dedup_by(|a, b| a.action == b.action);
    let mut out = Vec::new();
    for agent in agents(snapshot, ctx, &mut out) {
        let mut finding = agent.finding;
        let principal = agent.principal;
        let context = Context::new().with_principal_arn(&principal.arn);
        let mut held: Vec<Held> = Vec::new();
        for capability in &writes {
            let request = Request {
                action: &capability.action,
                resource: "*",
                context: &context,
            };
            let verdict = principal.policies.verdict(&request);
            let decision = match verdict {
                Verdict::Allowed if held.len() >= LISTED => None,
                Verdict::Allowed | Verdict::ConditionallyAllowed => {
                    let decision = principal.policies.evaluate(&request);
                    // A statement scoped to particular ARNs leaves the literal `*`
                    // undecided (a resource overlap): that is a scoped grant, not a
                    // wildcard one.
                    if let Decision::ConditionallyAllowed { undecided, .. } = &decision
                        && undecided
                            .iter()
                            .any(|u| u.why == Undecided::ResourceOverlap)
                    {
                        continue;
                    }
                    (held.len() < LISTED).then_some(decision)
                }
                _ => continue,
            };
            held.push(Held {
                capability,
                verdict,
                decision,
            });
        }
        let name = agent_name(principal, &finding);
        finding.status = if !held.is_empty() {
            Status::Fail
        } else if !principal.errors.is_empty() {
            Status::Unknown
        } else {
            Status::Pass
        };
        finding.message = match finding.status {
            Status::Fail => format!(
                "{name} may write on any resource (`Resource: \"*\"`): {}",
                summary(&held)
            ),
            Status::Unknown => format!(
                "{name}: some of its policies could not be read ({}), so its wildcard writes are unknown",
                principal.errors.join("; ")
            ),
            _ => format!(
                "{name} holds no write action on `Resource: \"*\"` ({} asked)",
                writes.len()
            ),
        };
        add_held(&mut finding, &held);
        add_evidence(&mut finding, "asked", json!(writes.len()));
        if finding.status == Status::Fail {
            finding.remediation = Some(format!(
                "replace `\"Resource\": \"*\"` in {}'s policies with the ARNs of the resources its task writes to; the evidence names each statement",
                principal.name
            ));
        }
        settle(agent.possibly.as_deref(), principal, &mut finding);
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{Iam, InlinePolicy, Role};

    fn agent(policy: &str) -> Role {
        Role {
            name: "agent".into(),
            arn: format!("arn:aws:iam::{PROD}:role/agent"),
            path: "/".into(),
            trust_policy: r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}}"#.into(),
            inline_policies: vec![InlinePolicy { name: "p".into(), document: policy.into() }],
            ..Default::default()
        }
    }

    fn run_with(role: Role) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate(|_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles: vec![role],
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn writes_on_star_fail_and_scoped_writes_pass() {
        let star =
            r#"{"Statement":{"Effect":"Allow","Action":"dynamodb:DeleteItem","Resource":"*"}}"#;
        let fail = only(&run_with(agent(star)), Status::Fail).clone();
        assert!(
            fail.message.contains("dynamodb:DeleteItem"),
            "{}",
            fail.message
        );
        let scoped = r#"{"Statement":{"Effect":"Allow","Action":"dynamodb:DeleteItem",
            "Resource":"arn:aws:dynamodb:eu-west-1:222222222222:table/tickets"}}"#;
        only(&run_with(agent(scoped)), Status::Pass);
        let reads = r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","ec2:Describe*"],"Resource":"*"}}"#;
        only(&run_with(agent(reads)), Status::Pass);
    }

    #[test]
    fn unreadable_policies_are_unknown() {
        let mut role =
            agent(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#);
        role.attached_policies = vec![format!("arn:aws:iam::{PROD}:policy/gone")];
        only(&run_with(role), Status::Unknown);
    }

    #[test]
    fn a_possible_agent_with_an_unreadable_trust_is_unknown() {
        // Before: absent; its trust may name bedrock.amazonaws.com.
        let star =
            r#"{"Statement":{"Effect":"Allow","Action":"dynamodb:DeleteItem","Resource":"*"}}"#;
        let mut role = agent(star);
        role.name = "tickets".into();
        role.arn = format!("arn:aws:iam::{PROD}:role/tickets");
        role.trust_policy = "not json".into();
        let unknown = only(&run_with(role), Status::Unknown).clone();
        assert!(
            unknown
                .message
                .contains("may be an agent: its trust policy could not be read")
                && unknown.message.contains("dynamodb:DeleteItem"),
            "{}",
            unknown.message
        );
    }
}
