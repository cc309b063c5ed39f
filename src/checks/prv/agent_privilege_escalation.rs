//! PRV003 agent-privilege-escalation: an agent in production cannot grant itself more — no
//! known escalation path (policy edits, new policy versions, `iam:PassRole` with compute
//! creation, credentials for other users, trust-policy edits …) is open to it, and it cannot
//! assume a role that is admin-equivalent.

use serde_json::{Value, json};

use crate::checks::agents::{agent_name, agents, holds_all, settle};
use crate::checks::scope::add_evidence;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;
use crate::policy::capabilities::{EscalationPath, class, resource_for};
use crate::policy::graph::{TrustGraph, chain};
use crate::policy::principals::Principal;
use crate::policy::{Context, Decision, Request};

pub const CHECK: Check = Check {
    id: "PRV003",
    name: "agent-privilege-escalation",
    catalogue: include_str!("../../../checks/prv/PRV003-agent-privilege-escalation.toml"),
    run,
};

/// Whether every action of a path may be allowed; the evidence of each when so.
fn open_path(principal: &Principal, path: &EscalationPath) -> Option<Value> {
    let context = Context::new().with_principal_arn(&principal.arn);
    let resource_of = |action: &str| resource_for(path.resource_of(action), &principal.account);
    let open = path.actions.iter().all(|action| {
        principal
            .policies
            .verdict(&Request {
                action,
                resource: &resource_of(action),
                context: &context,
            })
            .may_be_allowed()
    });
    if !open {
        return None;
    }
    let mut steps = Vec::new();
    for action in &path.actions {
        let resource = resource_of(action);
        let decision = principal.policies.evaluate(&Request {
            action,
            resource: &resource,
            context: &context,
        });
        let grants = match &decision {
            Decision::Allowed { grants } | Decision::ConditionallyAllowed { grants, .. } => grants,
            _ => return None,
        };
        steps.push(json!({
            "action": action,
            "resource": resource,
            "conditional": matches!(decision, Decision::ConditionallyAllowed { .. }),
            "granted_by": grants
                .iter()
                .map(|g| json!({ "policy": g.statement.policy_id, "statement": g.statement.index, "sid": g.statement.sid }))
                .collect::<Vec<_>>(),
        }));
    }
    Some(json!({
        "path": path.id,
        "name": path.name,
        "why": path.why,
        "prerequisite": path.prerequisite,
        "passed_to_service": path.passed_to_service,
        "source": path.source,
        "steps": steps,
    }))
}

/// Whether `principal` may call `sts:AssumeRole` on `role` as far as its own policies go: a
/// role of its own account may trust it by name, which needs no identity allow.
fn may_assume(principal: &Principal, role: &str) -> bool {
    if role.split(':').nth(4) == Some(principal.account.as_str()) {
        return true;
    }
    let context = Context::new().with_principal_arn(&principal.arn);
    principal
        .policies
        .verdict(&Request {
            action: "sts:AssumeRole",
            resource: role,
            context: &context,
        })
        .may_be_allowed()
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let paths = &class("privilege-escalation").paths;
    let admin = &class("admin").actions;
    let graph = TrustGraph::new(snapshot, ctx.principals);
    // Admin-equivalent roles that anyone may be able to assume, because a trust policy on
    // the way to them could not be read.
    let possibly = graph.possibly_reached();
    let possible_admin: Vec<&str> = possibly
        .roles()
        .filter(|arn| ctx.principals.get(arn).is_some_and(|r| holds_all(r, admin)))
        .collect();
    let mut out = Vec::new();
    for agent in agents(snapshot, ctx, &mut out) {
        let mut finding = agent.finding;
        let principal = agent.principal;
        let open: Vec<Value> = paths
            .iter()
            .filter(|p| !p.graph)
            .filter_map(|p| open_path(principal, p))
            .collect();
        // Roles the agent can become, and which of them are admin-equivalent.
        let reached = graph.reach(&[(principal.arn.clone(), principal.account.clone())]);
        let stronger: Vec<Value> = reached
            .keys()
            .filter_map(|arn| ctx.principals.get(arn))
            .filter(|role| holds_all(role, admin))
            .map(|role| {
                let hops: Vec<&str> = chain(&reached, &role.arn)
                    .iter()
                    .map(|h| h.to.as_str())
                    .collect();
                json!({ "role": role.arn, "chain": hops })
            })
            .collect();
        let name = agent_name(principal, &finding);
        let mut ways: Vec<String> = open
            .iter()
            .filter_map(|p| p["path"].as_str().map(str::to_owned))
            .collect();
        ways.extend(stronger.iter().filter_map(|s| {
            s["role"]
                .as_str()
                .map(|r| format!("assume admin-equivalent {r}"))
        }));
        // Of those, the ones this agent may reach: it must be able to call sts:AssumeRole on
        // the unreadable role that leads there (a same-account trust naming it needs no
        // identity allow).
        let maybe_stronger: Vec<(&str, String)> = possible_admin
            .iter()
            .filter(|arn| **arn != principal.arn && !reached.contains_key(**arn))
            .filter(|arn| {
                possibly
                    .origin(arn)
                    .is_some_and(|origin| may_assume(principal, origin))
            })
            .filter_map(|arn| possibly.why(arn).map(|why| (*arn, why)))
            .collect();
        finding.status = if !ways.is_empty() {
            Status::Fail
        } else if !principal.errors.is_empty() || !maybe_stronger.is_empty() {
            Status::Unknown
        } else {
            Status::Pass
        };
        finding.message = match finding.status {
            Status::Fail => {
                let shown: Vec<&str> = ways.iter().take(5).map(String::as_str).collect();
                let more = ways.len().saturating_sub(shown.len());
                format!(
                    "{name} can grant itself more: {}{}",
                    shown.join(", "),
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                )
            }
            Status::Unknown if principal.errors.is_empty() => {
                let (role, why) = &maybe_stronger[0];
                format!(
                    "{name}: whether it can assume admin-equivalent {role} is unknown: {why}{}",
                    match maybe_stronger.len() {
                        1 => String::new(),
                        n => format!(" (+{} more such roles)", n - 1),
                    }
                )
            }
            Status::Unknown => format!(
                "{name}: some of its policies could not be read ({}), so its escalation paths are unknown",
                principal.errors.join("; ")
            ),
            _ => format!(
                "{name} has none of the {} known privilege-escalation paths and reaches no admin-equivalent role",
                paths.len()
            ),
        };
        add_evidence(&mut finding, "escalation_paths", json!(open));
        add_evidence(&mut finding, "admin_roles_reached", json!(stronger));
        if !maybe_stronger.is_empty() {
            add_evidence(
                &mut finding,
                "admin_roles_possibly_reached",
                json!(
                    maybe_stronger
                        .iter()
                        .map(|(role, _)| json!({ "role": role, "unreadable_trust": possibly.evidence(role) }))
                        .collect::<Vec<_>>()
                ),
            );
        }
        if finding.status == Status::Fail {
            finding.remediation = Some(format!(
                "remove the IAM write actions and iam:PassRole from {}'s policies (or deny them in its permissions boundary), and remove it from the trust of stronger roles; each path's evidence names the granting statements",
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

    const BEDROCK: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;

    fn role(name: &str, trust: &str, policy: &str) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::{PROD}:role/{name}"),
            path: "/".into(),
            trust_policy: trust.into(),
            inline_policies: vec![InlinePolicy {
                name: "p".into(),
                document: policy.into(),
            }],
            ..Default::default()
        }
    }

    fn run_with(roles: Vec<Role>) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate(|_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles,
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    fn allow(actions: &str) -> String {
        format!(r#"{{"Statement":{{"Effect":"Allow","Action":{actions},"Resource":"*"}}}}"#)
    }

    #[test]
    fn attaching_policies_to_roles_is_an_escalation() {
        let findings = run_with(vec![role(
            "agent",
            BEDROCK,
            &allow(r#"["iam:AttachRolePolicy"]"#),
        )]);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message.contains("attach-role-policy"),
            "{}",
            fail.message
        );
        assert_eq!(
            fail.evidence["escalation_paths"][0]["steps"][0]["action"],
            "iam:AttachRolePolicy"
        );
    }

    #[test]
    fn editing_aws_managed_policies_is_no_escalation_aws_forbids_it() {
        // Only the account's own (customer managed) policies can get a new version; a grant
        // on `arn:aws:iam::aws:policy/*` is not a capability. Before: it failed as open.
        let managed = r#"{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::aws:policy/*"}}"#;
        only(
            &run_with(vec![role("agent", BEDROCK, managed)]),
            Status::Pass,
        );
        let own = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::{PROD}:policy/*"}}}}"#
        );
        let fail = only(&run_with(vec![role("agent", BEDROCK, &own)]), Status::Fail).clone();
        assert!(
            fail.message.contains("create-policy-version"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn pass_role_alone_is_not_a_path_but_with_run_instances_it_is() {
        only(
            &run_with(vec![role("agent", BEDROCK, &allow(r#"["iam:PassRole"]"#))]),
            Status::Pass,
        );
        let findings = run_with(vec![role(
            "agent",
            BEDROCK,
            &allow(r#"["iam:PassRole","ec2:RunInstances"]"#),
        )]);
        only(&findings, Status::Fail);
    }

    #[test]
    fn assuming_an_admin_role_is_an_escalation() {
        let agent_arn = format!("arn:aws:iam::{PROD}:role/agent");
        let trust = trusts(&agent_arn);
        let findings = run_with(vec![
            role("agent", BEDROCK, &allow(r#"["s3:GetObject"]"#)),
            role("admin", &trust, &allow(r#""*""#)),
        ]);
        let fail = findings.iter().find(|f| f.resource == agent_arn).unwrap();
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(
            fail.message.contains("assume admin-equivalent"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn unreadable_policies_are_unknown() {
        let mut agent = role("agent", BEDROCK, &allow(r#"["s3:GetObject"]"#));
        agent.attached_policies = vec![format!("arn:aws:iam::{PROD}:policy/gone")];
        only(&run_with(vec![agent]), Status::Unknown);
    }

    #[test]
    fn an_admin_role_with_an_unreadable_trust_makes_escalation_unknown() {
        // Before: pass ("reaches no admin-equivalent role"): the admin role's trust was not
        // readable, so the graph had no edge to it.
        let agent_arn = format!("arn:aws:iam::{PROD}:role/agent");
        let findings = run_with(vec![
            role("agent", BEDROCK, &allow(r#"["s3:GetObject"]"#)),
            role("admin", "{", &allow(r#""*""#)),
        ]);
        let unknown = findings.iter().find(|f| f.resource == agent_arn).unwrap();
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(
            unknown.message.contains(&format!(
                "whether it can assume admin-equivalent arn:aws:iam::{PROD}:role/admin is unknown: the trust policy of arn:aws:iam::{PROD}:role/admin could not be read"
            )),
            "{}",
            unknown.message
        );
        assert_eq!(
            unknown.evidence["admin_roles_possibly_reached"][0]["role"],
            format!("arn:aws:iam::{PROD}:role/admin")
        );
        // The admin role is itself possibly an agent: judged, and unknown.
        let admin = findings
            .iter()
            .find(|f| f.resource.ends_with("role/admin"))
            .unwrap();
        assert_eq!(admin.status, Status::Unknown, "{admin:#?}");
        assert!(
            admin.message.contains("may be an agent"),
            "{}",
            admin.message
        );
        // With the admin role's trust readable and not naming the agent, the agent passes.
        let sso = r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::222222222222:saml-provider/AWSSSO"},"Action":"sts:AssumeRoleWithSAML"}}"#;
        let findings = run_with(vec![
            role("agent", BEDROCK, &allow(r#"["s3:GetObject"]"#)),
            role("admin", sso, &allow(r#""*""#)),
        ]);
        only(&findings, Status::Pass);
    }
}
