//! INP003 agent-wildcard-write: an agent in production may not write on `Resource: "*"`. A
//! task needs writes on the resources of the task; a wildcard lets an injected instruction
//! aim the same call at anything in the account.

use std::sync::LazyLock;

use serde_json::json;

use crate::checks::agents::{Held, LISTED, add_held, agent_name, agents, settle, summary};
use crate::checks::scope::add_evidence;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;
use crate::policy::actions;
use crate::policy::capabilities::{Capability, class};
use crate::policy::{Context, Decision, Request, Undecided, Verdict};

pub const CHECK: Check = Check {
    id: "INP003",
    name: "agent-wildcard-write",
    catalogue: include_str!("../../../checks/inp/INP003-agent-wildcard-write.toml"),
    run,
};

/// The questions: every Write and Permissions-management action of the catalogue that can be
/// scoped to particular resources (granting it on `*` is a choice, not a necessity), asked
/// about the literal resource `*`; and how many such actions cannot be scoped (not asked).
/// The most dangerous come first, as findings list the first few: the writes of the
/// destructive-data, infrastructure-mutation and execution-tools classes with their reasons,
/// then permissions management, then every other write.
struct Questions {
    writes: Vec<Capability>,
    unscopable: usize,
    index: actions::Index,
}

fn questions() -> &'static Questions {
    static QUESTIONS: LazyLock<Questions> = LazyLock::new(|| {
        let catalogue = actions::catalogue();
        let mut writes: Vec<Capability> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let curated = ["destructive-data", "infra-mutation", "exec-tools"]
            .iter()
            .flat_map(|id| class(id).actions.iter());
        for capability in curated {
            let known = catalogue.get(&capability.action);
            if known.is_some_and(|a| a.access.changes() && a.scopable())
                && seen.insert(capability.action.to_ascii_lowercase())
            {
                writes.push(Capability {
                    action: capability.action.clone(),
                    resource: "*".to_owned(),
                    why: capability.why.clone(),
                });
            }
        }
        let mut unscopable = 0;
        let mut rest: Vec<&actions::Action> = Vec::new();
        for action in catalogue.iter().filter(|a| a.access.changes()) {
            if !action.scopable() {
                unscopable += 1;
            } else if !seen.contains(&action.name.to_ascii_lowercase()) {
                rest.push(action);
            }
        }
        // Permissions management before other writes; catalogue order within each.
        rest.sort_by_key(|a| a.access != actions::Access::Permissions);
        writes.extend(rest.into_iter().map(|action| Capability {
            action: action.name.to_owned(),
            resource: "*".to_owned(),
            why: format!(
                "a {} action on {}",
                action.access.as_str(),
                action.resource_types.join(", ")
            ),
        }));
        let index = actions::Index::new(writes.iter().map(|w| w.action.as_str()));
        Questions {
            writes,
            unscopable,
            index,
        }
    });
    &QUESTIONS
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    // Asked about the literal resource `*`, the engine matches only statements whose
    // Resource covers the text `*`.
    let Questions {
        writes,
        unscopable,
        index,
    } = questions();
    let mut out = Vec::new();
    for agent in agents(snapshot, ctx, &mut out) {
        let mut finding = agent.finding;
        let principal = agent.principal;
        let context = Context::new().with_principal_arn(&principal.arn);
        let mut held: Vec<Held> = Vec::new();
        // Only what an identity Allow statement names can be allowed: the rest is not asked.
        let patterns = principal.policies.allowed_action_patterns();
        for capability in index
            .covered(patterns.as_deref())
            .into_iter()
            .map(|i| &writes[i])
        {
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
                "{name} holds no write or permissions-management action on `Resource: \"*\"` (all {} that AWS lets a policy scope to resources were asked)",
                writes.len()
            ),
        };
        add_held(&mut finding, &held);
        add_evidence(&mut finding, "asked", json!(writes.len()));
        add_evidence(&mut finding, "not_scopable", json!(unscopable));
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
    fn any_catalogue_write_on_star_fails_not_only_the_curated_ones() {
        // Before: s3:PutObject on `*` passed ("holds no write action on `*`, 149 asked"),
        // though it overwrites every object of every bucket.
        let put = r#"{"Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#;
        let fail = only(&run_with(agent(put)), Status::Fail).clone();
        assert!(fail.message.contains("s3:PutObject"), "{}", fail.message);
        // A wildcard is judged by the concrete actions it covers, and the evidence names them.
        let puts = r#"{"Statement":{"Effect":"Allow","Action":"s3:Put*","Resource":"*"}}"#;
        let fail = only(&run_with(agent(puts)), Status::Fail).clone();
        let held = fail.evidence["held"].to_string();
        assert!(
            held.contains("s3:PutBucketPolicy") && held.contains("s3:PutLifecycleConfiguration"),
            "{held}"
        );
        // NotAction grants everything it does not name.
        let not_iam = r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#;
        let fail = only(&run_with(agent(not_iam)), Status::Fail).clone();
        assert!(
            !fail.evidence["held"].to_string().contains("\"iam:"),
            "{:#}",
            fail.evidence
        );
        // A permissions-management action counts too.
        let grant = r#"{"Statement":{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"*"}}"#;
        only(&run_with(agent(grant)), Status::Fail);
    }

    #[test]
    fn writes_that_cannot_be_scoped_are_not_asked_and_the_pass_says_how_many_were() {
        // cloudwatch:PutMetricData has no resource type: `*` is its only possible resource.
        let metrics = r#"{"Statement":{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*"}}"#;
        let pass = only(&run_with(agent(metrics)), Status::Pass).clone();
        let asked = pass.evidence["asked"].as_u64().unwrap();
        assert!(asked > 5_000, "{asked}");
        assert!(pass.evidence["not_scopable"].as_u64().unwrap() > 1_000);
        assert!(
            pass.message
                .contains(&format!("(all {asked} that AWS lets")),
            "{}",
            pass.message
        );
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
