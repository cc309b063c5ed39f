//! PRV003 agent-privilege-escalation: an agent in production cannot grant itself more — no
//! known escalation path (policy edits, new policy versions, `iam:PassRole` with compute
//! creation, credentials for other users, trust-policy edits …) is open to it, and it cannot
//! assume a role that is admin-equivalent.

use serde_json::{Value, json};

use crate::checks::agents::{agent_name, agents, holds_all, settle};
use crate::checks::scope::add_evidence;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;
use std::collections::HashMap;

use crate::policy::capabilities::{self, Capability, EscalationPath, Needs, class, resource_for};
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
        capabilities::verdict(
            &principal.policies,
            &Request {
                action,
                resource: &resource_of(action),
                context: &context,
            },
        )
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

/// What the inventory says of a path's precondition (see [`Needs`]).
enum Precondition {
    /// A resource that opens it: `{instance|stack, region, role}`.
    Open(Value),
    /// None exists: why.
    RuledOut(String),
    /// The inventory cannot tell: why.
    Unverified(String),
}

/// The capabilities that make one role stronger than another: those of the admin,
/// destructive-data, infrastructure-mutation and execution-tools classes.
fn strength_questions() -> Vec<&'static Capability> {
    let mut seen = std::collections::BTreeSet::new();
    ["admin", "destructive-data", "infra-mutation", "exec-tools"]
        .iter()
        .flat_map(|id| class(id).actions.iter())
        .filter(|c| seen.insert((c.action.to_ascii_lowercase(), c.resource.as_str())))
        .collect()
}

/// Which of `questions` the principal may perform.
fn strengths(principal: &Principal, questions: &[&Capability]) -> Vec<bool> {
    let context = Context::new().with_principal_arn(&principal.arn);
    questions
        .iter()
        .map(|c| capabilities::holds(&principal.policies, &context, &principal.account, c))
        .collect()
}

/// Decides whether roles are stronger than one principal, remembering each role's answers.
struct Stronger<'a> {
    ctx: &'a Ctx<'a>,
    questions: Vec<&'static Capability>,
    mine: Vec<bool>,
    roles: HashMap<String, Option<Vec<bool>>>,
}

impl<'a> Stronger<'a> {
    fn new(ctx: &'a Ctx<'a>, principal: &Principal) -> Stronger<'a> {
        let questions = strength_questions();
        let mine = strengths(principal, &questions);
        Stronger {
            ctx,
            questions,
            mine,
            roles: HashMap::new(),
        }
    }

    /// `Some(true)` when `role` may do something the principal may not, `Some(false)` when
    /// not, `None` when its policies are not known (not in the inventory, or unreadable).
    fn than(&mut self, role: &str) -> Option<bool> {
        let (ctx, questions) = (self.ctx, &self.questions);
        let held = self.roles.entry(role.to_owned()).or_insert_with(|| {
            ctx.principals
                .get(role)
                .filter(|r| r.errors.is_empty())
                .map(|r| strengths(r, questions))
        });
        held.as_ref().map(|held| {
            held.iter()
                .zip(&self.mine)
                .any(|(theirs, mine)| *theirs && !mine)
        })
    }

    /// Whether `role` opens a path: it is stronger. When that cannot be known, the reason
    /// joins `unverified`.
    fn opens(&mut self, role: &str, unverified: &mut Vec<String>) -> bool {
        match self.than(role) {
            Some(stronger) => stronger,
            None => {
                unverified.push(format!("the policies of {role} are not known"));
                false
            }
        }
    }
}

/// Resolves what `path` needs against the inventory of the principal's account.
fn precondition(
    needs: Needs,
    path: &EscalationPath,
    snapshot: &Snapshot,
    principal: &Principal,
    stronger: &mut Stronger,
) -> Precondition {
    let account = snapshot.accounts.iter().find(|a| a.id == principal.account);
    let Some(regions) = account.and_then(|a| a.regions.as_ref()) else {
        return Precondition::Unverified(format!(
            "the regions of {} were not collected",
            principal.account
        ));
    };
    let mut unverified: Vec<String> = Vec::new();
    match needs {
        Needs::Uncollected => {
            return Precondition::Unverified(format!(
                "it needs {}, which ringfence does not collect",
                path.prerequisite
                    .as_deref()
                    .unwrap_or("an existing resource")
            ));
        }
        Needs::InstanceRole => {
            // Instance profile → the roles it carries, once per question.
            let carriers: Option<HashMap<&str, Vec<&str>>> =
                account.and_then(|a| a.iam.as_ref()).map(|iam| {
                    let mut map: HashMap<&str, Vec<&str>> = HashMap::new();
                    for role in &iam.roles {
                        for profile in role.instance_profiles.iter().flatten() {
                            map.entry(profile.as_str())
                                .or_default()
                                .push(role.arn.as_str());
                        }
                    }
                    map
                });
            let mut instances = 0;
            for (name, region) in regions {
                let Some(list) = &region.ec2_instances else {
                    unverified.push(format!("EC2 instances of {name} were not collected"));
                    continue;
                };
                for instance in list {
                    let Some(profile) = &instance.iam_instance_profile else {
                        continue;
                    };
                    instances += 1;
                    let Some(carriers) = &carriers else {
                        unverified.push("the account's IAM roles were not collected".into());
                        continue;
                    };
                    let carrying = carriers.get(profile.as_str()).cloned().unwrap_or_default();
                    if carrying.is_empty() {
                        unverified.push(format!(
                            "the role of instance profile {profile} (instance {}) is not in the inventory",
                            instance.id
                        ));
                    }
                    for role in carrying {
                        if stronger.opens(role, &mut unverified) {
                            return Precondition::Open(json!({
                                "instance": instance.id,
                                "region": name,
                                "instance_profile": profile,
                                "role": role,
                            }));
                        }
                    }
                }
            }
            if unverified.is_empty() {
                return Precondition::RuledOut(if instances == 0 {
                    "no instance of the account runs with an instance profile".to_owned()
                } else {
                    format!(
                        "none of the {instances} instances with an instance profile runs with a role stronger than the principal"
                    )
                });
            }
        }
        Needs::StackRole => {
            let mut stacks = 0;
            for (name, region) in regions {
                let Some(list) = &region.cloudformation_stacks else {
                    unverified.push(format!(
                        "CloudFormation stacks of {name} were not collected"
                    ));
                    continue;
                };
                for stack in list {
                    if !stack.service_role_read {
                        unverified.push(format!(
                            "the service role of stack {} was not read",
                            stack.name
                        ));
                        continue;
                    }
                    let Some(role) = &stack.service_role else {
                        continue;
                    };
                    stacks += 1;
                    if stronger.opens(role, &mut unverified) {
                        return Precondition::Open(json!({
                            "stack": stack.id,
                            "region": name,
                            "role": role,
                        }));
                    }
                }
            }
            if unverified.is_empty() {
                return Precondition::RuledOut(if stacks == 0 {
                    "no stack of the account has a service role".to_owned()
                } else {
                    format!(
                        "none of the {stacks} stacks with a service role uses a role stronger than the principal"
                    )
                });
            }
        }
    }
    // Distinct reasons, the first few named (one per instance could be thousands).
    let mut seen = std::collections::HashSet::new();
    let mut distinct: Vec<String> = Vec::new();
    for reason in unverified {
        if seen.insert(reason.clone()) {
            distinct.push(reason);
        }
    }
    let more = distinct.len().saturating_sub(3);
    distinct.truncate(3);
    let mut why = distinct.join("; ");
    if more > 0 {
        why.push_str(&format!(" (and {more} more)"));
    }
    Precondition::Unverified(why)
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
        // Paths the permissions allow; those that work through an existing resource are
        // open only if the inventory shows one whose role is stronger.
        let mut stronger_than = Stronger::new(ctx, principal);
        let (mut open, mut ruled_out, mut unverified) = (Vec::new(), Vec::new(), Vec::new());
        for path in paths.iter().filter(|p| !p.graph) {
            let Some(mut evidence) = open_path(principal, path) else {
                continue;
            };
            let Some(needs) = path.needs else {
                open.push(evidence);
                continue;
            };
            match precondition(needs, path, snapshot, principal, &mut stronger_than) {
                Precondition::Open(by) => {
                    evidence["opened_by"] = by;
                    open.push(evidence);
                }
                Precondition::RuledOut(why) => ruled_out.push(json!({"path": path.id, "why": why})),
                Precondition::Unverified(why) => {
                    unverified.push(json!({"path": path.id, "why": why}));
                }
            }
        }
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
        } else if !principal.errors.is_empty()
            || !maybe_stronger.is_empty()
            || !unverified.is_empty()
        {
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
            Status::Unknown if principal.errors.is_empty() && maybe_stronger.is_empty() => {
                let ids: Vec<&str> = unverified
                    .iter()
                    .filter_map(|u| u["path"].as_str())
                    .collect();
                format!(
                    "{name}: its permissions open {} escalation path{} that work{} through existing resources the inventory cannot check ({}): {}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" },
                    if ids.len() == 1 { "s" } else { "" },
                    ids.join(", "),
                    unverified[0]["why"].as_str().unwrap_or_default()
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
        if !ruled_out.is_empty() {
            add_evidence(&mut finding, "ruled_out_paths", json!(ruled_out));
        }
        if !unverified.is_empty() {
            add_evidence(&mut finding, "unverified_paths", json!(unverified));
        }
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

    const PROFILE: &str = "arn:aws:iam::222222222222:instance-profile/app";

    /// An agent allowed `ssm:SendCommand`, in an account whose region holds `instances`
    /// (`None`: not collected), beside an instance role with the policy `role_policy`.
    fn send_command(
        instances: Option<Vec<crate::inventory::Ec2Instance>>,
        role_policy: &str,
    ) -> crate::checks::Finding {
        let mut snapshot = estate(|region| region.ec2_instances = instances);
        let mut app = role("app", ASSUME_ANY, role_policy);
        app.instance_profiles = Some(vec![PROFILE.into()]);
        snapshot.accounts[0].iam = Some(Iam {
            roles: vec![
                role("agent", BEDROCK, &allow(r#"["ssm:SendCommand"]"#)),
                app,
            ],
            ..Default::default()
        });
        let findings = run_check(&super::CHECK, &snapshot);
        findings
            .iter()
            .find(|f| f.resource.ends_with(":role/agent"))
            .unwrap()
            .clone()
    }

    fn instance(profile: Option<&str>) -> crate::inventory::Ec2Instance {
        crate::inventory::Ec2Instance {
            id: "i-0a11prod0000app01".into(),
            state: "running".into(),
            iam_instance_profile: profile.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn a_path_through_an_instance_is_open_only_if_an_instance_runs_with_a_stronger_role() {
        // Before: ssm:SendCommand failed PRV003 whatever the account held.
        let admin = allow(r#""*""#);
        let open = send_command(Some(vec![instance(Some(PROFILE))]), &admin);
        assert_eq!(open.status, Status::Fail, "{open:#?}");
        let path = &open.evidence["escalation_paths"][0];
        assert_eq!(path["path"], "ssm-send-command");
        assert_eq!(path["opened_by"]["instance"], "i-0a11prod0000app01");
        assert_eq!(
            path["opened_by"]["role"],
            "arn:aws:iam::222222222222:role/app"
        );
        // Ruled out: no instance with a profile, or only a role that may do nothing the agent
        // may not.
        for (instances, policy) in [
            (vec![], admin.as_str()),
            (vec![instance(None)], admin.as_str()),
            (
                vec![instance(Some(PROFILE))],
                r#"{"Statement":{"Effect":"Allow","Action":"ssm:SendCommand","Resource":"*"}}"#,
            ),
        ] {
            let pass = send_command(Some(instances), policy);
            assert_eq!(pass.status, Status::Pass, "{pass:#?}");
            assert_eq!(
                pass.evidence["ruled_out_paths"][0]["path"],
                "ssm-send-command"
            );
        }
        // Not collected: unknown, never a pass.
        let unknown = send_command(None, &admin);
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(
            unknown.message.contains("ssm-send-command")
                && unknown
                    .message
                    .contains("EC2 instances of eu-west-1 were not collected"),
            "{}",
            unknown.message
        );
        // A profile whose role is not in the inventory cannot be judged either.
        let stranger = send_command(
            Some(vec![instance(Some(
                "arn:aws:iam::222222222222:instance-profile/gone",
            ))]),
            &admin,
        );
        assert_eq!(stranger.status, Status::Unknown, "{stranger:#?}");
    }

    #[test]
    fn unverified_reasons_are_distinct_and_the_first_few_named() {
        let strangers = (0..5)
            .map(|i| {
                let mut unknown = instance(Some(&format!(
                    "arn:aws:iam::222222222222:instance-profile/gone-{i}"
                )));
                unknown.id = format!("i-{i}");
                unknown
            })
            .collect();
        let unknown = send_command(Some(strangers), &allow(r#""*""#));
        assert_eq!(unknown.status, Status::Unknown);
        let why = unknown.evidence["unverified_paths"][0]["why"]
            .as_str()
            .unwrap();
        assert!(why.ends_with("(and 2 more)"), "{why}");
        assert_eq!(why.matches("is not in the inventory").count(), 3, "{why}");
    }

    #[test]
    fn a_path_through_a_stack_is_open_only_if_a_stack_has_a_stronger_service_role() {
        let stack =
            |service_role: Option<&str>, read: bool| crate::inventory::CloudFormationStack {
                name: "payments".into(),
                id: "arn:aws:cloudformation:eu-west-1:222222222222:stack/payments/1".into(),
                status: "CREATE_COMPLETE".into(),
                service_role: service_role.map(str::to_owned),
                service_role_read: read,
                ..Default::default()
            };
        let run = |stacks: Vec<crate::inventory::CloudFormationStack>| {
            let mut snapshot = estate(|region| region.cloudformation_stacks = Some(stacks));
            snapshot.accounts[0].iam = Some(Iam {
                roles: vec![
                    role(
                        "agent",
                        BEDROCK,
                        &allow(r#"["cloudformation:UpdateStack"]"#),
                    ),
                    role("deployer", ASSUME_ANY, &allow(r#""*""#)),
                ],
                ..Default::default()
            });
            run_check(&super::CHECK, &snapshot)
                .into_iter()
                .find(|f| f.resource.ends_with(":role/agent"))
                .unwrap()
        };
        let deployer = "arn:aws:iam::222222222222:role/deployer";
        let open = run(vec![stack(Some(deployer), true)]);
        assert_eq!(open.status, Status::Fail, "{open:#?}");
        assert_eq!(
            open.evidence["escalation_paths"][0]["opened_by"]["role"],
            deployer
        );
        assert_eq!(run(vec![stack(None, true)]).status, Status::Pass);
        // An older snapshot did not read service roles: unknown.
        assert_eq!(run(vec![stack(None, false)]).status, Status::Unknown);
    }

    #[test]
    fn a_path_through_a_resource_ringfence_does_not_collect_is_unknown() {
        let findings = run_with(vec![role(
            "agent",
            BEDROCK,
            &allow(r#"["lambda:UpdateFunctionCode"]"#),
        )]);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("lambda-update-function-code")
                && unknown.message.contains("which ringfence does not collect"),
            "{}",
            unknown.message
        );
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
    fn changing_roles_aws_controls_is_no_escalation_aws_refuses_it() {
        // Service-linked roles' policies and trust cannot be edited, and Identity Center's
        // reserved roles are changed only through Identity Center. Before: a grant scoped to
        // them counted as an open path (conditionally).
        let on = |resource: &str| {
            format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":["iam:PutRolePolicy","iam:AttachRolePolicy","iam:UpdateAssumeRolePolicy"],"Resource":"{resource}"}}}}"#
            )
        };
        for reserved in [
            "arn:aws:iam::*:role/aws-service-role/*",
            "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/*",
        ] {
            let findings = run_with(vec![role("agent", BEDROCK, &on(reserved))]);
            only(&findings, Status::Pass);
        }
        let findings = run_with(vec![role(
            "agent",
            BEDROCK,
            &on("arn:aws:iam::*:role/app-*"),
        )]);
        let fail = only(&findings, Status::Fail);
        assert!(fail.message.contains("put-role-policy"), "{}", fail.message);
        // A reserved-only statement beside one that reaches ordinary roles: still open.
        let both = r#"{"Statement":[
            {"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"arn:aws:iam::*:role/aws-service-role/*"},
            {"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"arn:aws:iam::*:role/*"}]}"#;
        let findings = run_with(vec![role("agent", BEDROCK, both)]);
        let fail = only(&findings, Status::Fail);
        assert!(fail.message.contains("put-role-policy"), "{}", fail.message);
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
