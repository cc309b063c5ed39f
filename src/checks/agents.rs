//! What agents can do: the checks that ask the policy engine whether an agent principal holds
//! the actions of a capability class share this walk.
//!
//! Agents in production accounts are judged: their permissions apply to production. An agent
//! in a non-production account is out of scope here (its paths into production are judged by
//! the trust checks).

use serde_json::{Value, json};

use crate::checks::scope::{IAM_ROLES, account_finding, account_not_collected, add_evidence};
use crate::checks::{Ctx, Finding, Judged, Status};
use crate::classify::{EnvClass, PrincipalKind};
use crate::inventory::Snapshot;
use crate::policy::capabilities::{Answers, Capability};
use crate::policy::principals::{Principal, Scps};
use crate::policy::{Context, Decision, Missing, PolicyKind, Verdict};

/// How many capabilities a finding's evidence lists in full.
pub(crate) const LISTED: usize = 25;

pub(crate) use crate::policy::capabilities::Held;

/// The evidence of one held capability: the action, and when explained, the statements
/// that grant it and the conditions it rests on.
pub(crate) fn held_evidence(held: &Held) -> Value {
    let statement = |s: &crate::policy::StatementRef| json!({ "policy": s.policy_id, "statement": s.index, "sid": s.sid });
    let mut value = json!({
        "action": held.capability.action,
        "resource": held.capability.resource,
        "why": held.capability.why,
        "allowed": if held.verdict == Verdict::Allowed { json!(true) } else { json!("conditionally") },
    });
    if let Value::Object(map) = &mut value {
        match &held.decision {
            Some(Decision::Allowed { grants }) => {
                map.insert(
                    "granted_by".into(),
                    json!(
                        grants
                            .iter()
                            .map(|g| statement(&g.statement))
                            .collect::<Vec<_>>()
                    ),
                );
            }
            Some(Decision::ConditionallyAllowed { grants, undecided }) => {
                map.insert(
                    "granted_by".into(),
                    json!(
                        grants
                            .iter()
                            .map(|g| statement(&g.statement))
                            .collect::<Vec<_>>()
                    ),
                );
                map.insert(
                    "conditions".into(),
                    json!(
                        undecided
                            .iter()
                            .map(|c| json!({
                                "policy": c.statement.policy_id,
                                "statement": c.statement.index,
                                "operator": c.operator,
                                "key": c.key,
                                "values": c.values,
                            }))
                            .collect::<Vec<_>>()
                    ),
                );
            }
            _ => {}
        }
    }
    value
}

/// Asks the engine every capability of `class` for `principal` (see
/// [`crate::policy::capabilities::ask`]); the first [`LISTED`] answers are explained.
pub(crate) fn ask<'c>(principal: &Principal, class: &'c [Capability]) -> Answers<'c> {
    let context = Context::new().with_principal_arn(&principal.arn);
    crate::policy::capabilities::ask(
        &principal.policies,
        &context,
        &principal.account,
        class,
        LISTED,
    )
}

/// Whether the principal may perform every capability of `class`; stops at the first that
/// it may not (most principals fail the first question).
pub(crate) fn holds_all(principal: &Principal, class: &[Capability]) -> bool {
    let context = Context::new().with_principal_arn(&principal.arn);
    crate::policy::capabilities::holds_all(&principal.policies, &context, &principal.account, class)
}

/// The capabilities of a class that a guardrail stopped: a permissions boundary or an SCP
/// (explicitly denying, or not allowing) — as opposed to simply not being granted. Shown in
/// evidence so a reader sees which guardrail holds.
pub(crate) fn stopped(answers: &Answers) -> Vec<Value> {
    answers
        .stopped
        .iter()
        .filter_map(|(capability, decision)| {
            let (layer, by) = match decision {
                Decision::ExplicitlyDenied { by } if by.kind != PolicyKind::Identity => (
                    format!("{:?} explicit deny", by.kind).to_lowercase(),
                    json!({ "policy": by.policy_id, "statement": by.index, "sid": by.sid }),
                ),
                Decision::ImplicitlyDenied {
                    missing: Missing::Boundary(id),
                } => (
                    "permissions boundary does not allow".to_owned(),
                    json!({ "policy": id }),
                ),
                Decision::ImplicitlyDenied {
                    missing: Missing::ScpLevel(level, ids),
                } => (
                    "scp level does not allow".to_owned(),
                    json!({ "level": level, "policies": ids }),
                ),
                _ => return None,
            };
            Some(json!({ "action": capability.action, "stopped_by": layer, "by": by }))
        })
        .collect()
}

/// A production agent principal to judge, or the finding that says why it is not judged.
pub(crate) struct Agent<'s> {
    pub principal: &'s Principal,
    pub finding: Finding,
    /// Not known to be an agent, but may be one: its trust policy could not be read (why).
    /// The check judges it as an agent and [`settle`] makes the finding `unknown`.
    pub possibly: Option<String>,
}

/// A possible agent's finding is `unknown` whatever the check concluded, saying why and what
/// the check would conclude if it is an agent (`possibly` is [`Agent::possibly`]). A known
/// agent's finding is left alone.
pub(crate) fn settle(possibly: Option<&str>, principal: &Principal, finding: &mut Finding) {
    let Some(err) = possibly else { return };
    {
        let env = finding.environment.map_or("prod", EnvClass::as_str);
        let account = finding
            .account_name
            .clone()
            .unwrap_or_else(|| principal.account.clone());
        finding.message = format!(
            "role {} in {account} ({env}) may be an agent: its trust policy could not be read ({err}), so whether it is one is unknown; if it is: {}",
            principal.name, finding.message
        );
        finding.status = Status::Unknown;
        finding.remediation = Some(format!(
            "read the trust policy of {n} (aws iam get-role --role-name {n}) and collect again; if {n} is not an agent, declare its kind in ringfence.toml [principals] or tag it ringfence:kind",
            n = principal.name
        ));
    }
}

/// Every agent principal: production agents come back with a blank finding (status and
/// message to be set by the check); the others are pushed to `out` as not applicable or
/// unknown.
pub(crate) fn agents<'s>(
    snapshot: &'s Snapshot,
    ctx: &'s Ctx,
    out: &mut Vec<Finding>,
) -> Vec<Agent<'s>> {
    let mut agents = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else {
            out.extend(account_not_collected(snapshot, ctx, account, IAM_ROLES));
            continue;
        };
        let arns = iam
            .roles
            .iter()
            .map(|r| &r.arn)
            .chain(iam.users.iter().map(|u| &u.arn));
        for arn in arns {
            let Some(kind) = ctx.classes.principal(arn) else {
                continue;
            };
            if kind.kind != PrincipalKind::Agent && !kind.possibly_agent {
                continue;
            }
            let possibly = (kind.kind != PrincipalKind::Agent)
                .then(|| kind.trust_error.clone().unwrap_or_default());
            let Some(principal) = ctx.principals.get(arn) else {
                continue;
            };
            let verdict = ctx.classes.account(&account.id);
            let mut finding = account_finding(account, None, Status::Unknown, verdict, arn);
            if possibly.is_some() {
                add_evidence(
                    &mut finding,
                    "possibly_agent",
                    json!(format!(
                        "judged as an agent: classified {} ({}), but its trust policy could not be read and may trust an agent service principal",
                        format!("{:?}", kind.kind).to_lowercase(),
                        kind.reason
                    )),
                );
            } else {
                add_evidence(&mut finding, "agent", json!(kind.reason));
            }
            if let Some(err) = &kind.trust_error {
                add_evidence(&mut finding, "trust_error", json!(err));
            }
            let name = match (&possibly, principal.is_role) {
                (Some(_), _) => format!("role {} (possibly an agent)", principal.name),
                (None, true) => format!("agent role {}", principal.name),
                (None, false) => format!("agent user {}", principal.name),
            };
            match ctx.judges(verdict.class) {
                Judged::Yes => {}
                Judged::OutOfScope => {
                    finding.status = Status::NotApplicable;
                    finding.message = format!(
                        "out of scope: {name} acts in {} ({}); its paths into production are judged by SEG003",
                        account.display_name(),
                        verdict.class.as_str()
                    );
                    out.push(finding);
                    continue;
                }
                Judged::Unclassified => {
                    finding.message = format!(
                        "environment of account {} of {name} is unclassified; declare it in ringfence.toml [environments]",
                        account.display_name()
                    );
                    out.push(finding);
                    continue;
                }
            }
            if !principal.errors.is_empty() {
                add_evidence(&mut finding, "policy_errors", json!(principal.errors));
            }
            if principal.scps == Scps::NotCollected {
                add_evidence(
                    &mut finding,
                    "scps",
                    json!("not collected: an SCP could block what is reported"),
                );
            }
            agents.push(Agent {
                principal,
                finding,
                possibly,
            });
        }
    }
    agents
}

/// `agent role etl-bot in acme-prod (prod)`, for messages: the finding carries the account's
/// name and environment.
pub(crate) fn agent_name(principal: &Principal, finding: &Finding) -> String {
    format!(
        "{} {} in {} ({})",
        if principal.is_role {
            "agent role"
        } else {
            "agent user"
        },
        principal.name,
        finding
            .account_name
            .as_deref()
            .unwrap_or(&principal.account),
        finding.environment.map_or("prod", EnvClass::as_str)
    )
}

/// Adds the held capabilities to a finding's evidence (the first [`LISTED`] in full).
pub(crate) fn add_held(finding: &mut Finding, held: &[Held]) {
    add_evidence(finding, "held_count", json!(held.len()));
    add_evidence(
        finding,
        "held",
        json!(
            held.iter()
                .take(LISTED)
                .map(held_evidence)
                .collect::<Vec<_>>()
        ),
    );
}

/// `rds:DeleteDBInstance, s3:DeleteBucket (+3 more)`.
pub(crate) fn summary(held: &[Held]) -> String {
    let names: Vec<&str> = held
        .iter()
        .take(4)
        .map(|h| h.capability.action.as_str())
        .collect();
    let more = held.len().saturating_sub(names.len());
    if more > 0 {
        format!("{} (+{more} more)", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// How a class is judged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Holding any one capability fails.
    Any,
    /// Holding every capability fails (admin equivalence).
    All,
}

/// The words of one agent check.
pub(crate) struct Wording {
    /// `can delete or rewrite production data`
    pub holds: &'static str,
    /// `destructive data actions`
    pub plural: &'static str,
    pub remediation: &'static str,
}

/// Judges every production agent against a capability class.
pub(crate) fn judge_class(
    snapshot: &Snapshot,
    ctx: &Ctx,
    class_id: &str,
    rule: Rule,
    wording: &Wording,
) -> Vec<Finding> {
    let class = crate::policy::capabilities::class(class_id);
    let mut out = Vec::new();
    for agent in agents(snapshot, ctx, &mut out) {
        let principal = agent.principal;
        let mut finding = agent.finding;
        let answers = ask(principal, &class.actions);
        let held = &answers.held;
        let total = class.actions.len();
        let conditional = held
            .iter()
            .any(|h| h.verdict == Verdict::ConditionallyAllowed);
        let failing = match rule {
            Rule::Any => !held.is_empty(),
            Rule::All => held.len() == total,
        };
        let name = agent_name(principal, &finding);
        let incomplete = !principal.errors.is_empty();
        finding.status = if failing {
            Status::Fail
        } else if incomplete {
            Status::Unknown
        } else {
            Status::Pass
        };
        let condition_note = if conditional {
            " (some only under conditions the policies set; see the evidence)"
        } else {
            ""
        };
        finding.message = match (finding.status, rule) {
            (Status::Fail, Rule::Any) => format!(
                "{name} {}: {}{condition_note}",
                wording.holds,
                summary(held)
            ),
            (Status::Fail, Rule::All) => format!(
                "{name} {}: it may perform all {total} {}{condition_note}",
                wording.holds, wording.plural
            ),
            (Status::Pass, Rule::Any) => {
                format!("{name} holds none of the {total} {}", wording.plural)
            }
            (Status::Pass, Rule::All) => format!(
                "{name} is not admin-equivalent: {} of the {total} {} are denied to it",
                total - held.len(),
                wording.plural
            ),
            _ => format!(
                "{name}: some of its policies could not be read ({}), so whether it holds {} is unknown",
                principal.errors.join("; "),
                wording.plural
            ),
        };
        add_held(&mut finding, held);
        let guarded = stopped(&answers);
        if !guarded.is_empty() {
            add_evidence(&mut finding, "stopped_by_guardrails", json!(guarded));
        }
        if rule == Rule::All && finding.status != Status::Fail {
            let denied: Vec<&str> = class
                .actions
                .iter()
                .filter(|c| !held.iter().any(|h| std::ptr::eq(h.capability, *c)))
                .take(5)
                .map(|c| c.action.as_str())
                .collect();
            add_evidence(&mut finding, "denied_examples", json!(denied));
        }
        add_evidence(&mut finding, "capability_class", json!(class.id));
        if finding.status == Status::Fail {
            finding.remediation = Some(format!(
                "{} (aws iam list-attached-role-policies --role-name {name_only} shows what grants it; the evidence names each statement)",
                wording.remediation,
                name_only = principal.name
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
    use crate::inventory::{
        Iam, InlinePolicy, ManagedPolicy, OrgUnitRef, Organization, Role, ServiceControlPolicy,
        Snapshot,
    };

    const BEDROCK_TRUST: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;

    fn agent(account: &str, inline: &str) -> Role {
        Role {
            name: "support-agent".into(),
            arn: format!("arn:aws:iam::{account}:role/support-agent"),
            path: "/".into(),
            trust_policy: BEDROCK_TRUST.into(),
            inline_policies: vec![InlinePolicy {
                name: "task".into(),
                document: inline.into(),
            }],
            ..Default::default()
        }
    }

    fn with_roles(account: &str, roles: Vec<Role>) -> Snapshot {
        let mut snapshot = estate_in(account, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles,
            ..Default::default()
        });
        snapshot
    }

    fn allow(actions: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Task","Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
        )
    }

    const DESTRUCTIVE: &crate::checks::Check = &crate::checks::prv::agent_destructive_data::CHECK;
    const ADMIN: &crate::checks::Check = &crate::checks::prv::agent_admin::CHECK;

    #[test]
    fn a_destructive_grant_fails_naming_the_statement() {
        let snapshot = with_roles(
            PROD,
            vec![agent(PROD, &allow(r#"["dynamodb:*","rds:Describe*"]"#))],
        );
        let findings = run_check(DESTRUCTIVE, &snapshot);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message.contains("dynamodb:DeleteTable"),
            "{}",
            fail.message
        );
        let first = &fail.evidence["held"][0];
        assert_eq!(first["granted_by"][0]["sid"], "Task");
        assert_eq!(
            first["granted_by"][0]["policy"],
            "inline:arn:aws:iam::222222222222:role/support-agent:task"
        );
        assert!(
            fail.evidence["agent"]
                .as_str()
                .unwrap()
                .contains("bedrock.amazonaws.com")
        );
    }

    #[test]
    fn overwriting_objects_and_loosening_their_protection_is_destructive() {
        // Before: an agent allowed to overwrite every object, or to lift Object Lock retention
        // and replication, passed PRV002.
        for action in [
            "s3:PutObject",
            "s3:PutReplicationConfiguration",
            "s3:PutObjectRetention",
            "s3:PutObjectLegalHold",
            "s3:PutBucketObjectLockConfiguration",
        ] {
            let snapshot = with_roles(PROD, vec![agent(PROD, &allow(&format!("\"{action}\"")))]);
            let findings = run_check(DESTRUCTIVE, &snapshot);
            let fail = only(&findings, Status::Fail);
            assert!(fail.message.contains(action), "{action}: {}", fail.message);
        }
    }

    #[test]
    fn read_only_passes_and_an_explicit_deny_wins() {
        let snapshot = with_roles(
            PROD,
            vec![agent(
                PROD,
                &allow(r#"["rds:Describe*","dynamodb:GetItem"]"#),
            )],
        );
        only(&run_check(DESTRUCTIVE, &snapshot), Status::Pass);
        let denied = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","NotAction":["rds:Describe*","dynamodb:Get*","dynamodb:Query"],"Resource":"*"}]}"#;
        only(
            &run_check(DESTRUCTIVE, &with_roles(PROD, vec![agent(PROD, denied)])),
            Status::Pass,
        );
    }

    #[test]
    fn a_permissions_boundary_blocks_what_the_policy_grants() {
        let mut role = agent(PROD, &allow(r#""*""#));
        let boundary = format!("arn:aws:iam::{PROD}:policy/agent-boundary");
        role.permissions_boundary = Some(boundary.clone());
        let mut snapshot = with_roles(PROD, vec![role]);
        snapshot.accounts[0].iam.as_mut().unwrap().managed_policies = vec![ManagedPolicy {
            arn: boundary,
            name: "agent-boundary".into(),
            document: allow(r#"["rds:Describe*"]"#),
            ..Default::default()
        }];
        let pass = only(&run_check(DESTRUCTIVE, &snapshot), Status::Pass).clone();
        assert_eq!(
            pass.evidence["stopped_by_guardrails"][0]["stopped_by"],
            "permissions boundary does not allow"
        );
        only(&run_check(ADMIN, &snapshot), Status::Pass);
    }

    #[test]
    fn admin_needs_every_admin_action_and_scps_count() {
        let snapshot = with_roles(PROD, vec![agent(PROD, &allow(r#""*""#))]);
        let fail = only(&run_check(ADMIN, &snapshot), Status::Fail).clone();
        assert!(
            fail.message.contains("is admin-equivalent"),
            "{}",
            fail.message
        );
        // Power user: everything but IAM is not admin-equivalent.
        let power = r#"{"Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}"#;
        let pass = only(
            &run_check(ADMIN, &with_roles(PROD, vec![agent(PROD, power)])),
            Status::Pass,
        )
        .clone();
        assert!(
            pass.evidence["denied_examples"][0]
                .as_str()
                .unwrap()
                .starts_with("iam:")
        );
        // An SCP that denies IAM changes in the account's OU makes `*` not admin-equivalent.
        let mut snapshot = with_roles(PROD, vec![agent(PROD, &allow(r#""*""#))]);
        snapshot.accounts[0].ou_path = vec![OrgUnitRef {
            id: "r-root".into(),
            name: "Root".into(),
        }];
        snapshot.organization = Some(Organization {
            id: "o-example".into(),
            management_account_id: "111111111111".into(),
            units: vec![],
            service_control_policies: Some(vec![
                ServiceControlPolicy {
                    id: "p-FullAWSAccess".into(),
                    name: "FullAWSAccess".into(),
                    document: allow(r#""*""#),
                    targets: vec!["r-root".into(), PROD.into()],
                    ..Default::default()
                },
                ServiceControlPolicy {
                    id: "p-noiam".into(),
                    name: "no-iam".into(),
                    document: r#"{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#
                        .into(),
                    targets: vec![PROD.into()],
                    ..Default::default()
                },
            ]),
        });
        let pass = only(&run_check(ADMIN, &snapshot), Status::Pass).clone();
        let stopped = &pass.evidence["stopped_by_guardrails"][0];
        assert_eq!(stopped["stopped_by"], "scp explicit deny");
        assert_eq!(stopped["by"]["policy"], "p-noiam");
    }

    #[test]
    fn unreadable_policies_are_unknown_unless_something_is_granted_anyway() {
        let mut role = agent(PROD, &allow(r#"["rds:Describe*"]"#));
        role.attached_policies = vec![format!("arn:aws:iam::{PROD}:policy/missing")];
        let findings = run_check(DESTRUCTIVE, &with_roles(PROD, vec![role.clone()]));
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("could not be read"),
            "{}",
            unknown.message
        );
        role.inline_policies[0].document = allow(r#""dynamodb:DeleteTable""#);
        only(
            &run_check(DESTRUCTIVE, &with_roles(PROD, vec![role])),
            Status::Fail,
        );
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("iam", "GetAccountAuthorizationDetails"));
        only(&run_check(DESTRUCTIVE, &snapshot), Status::Unknown);
    }

    #[test]
    fn agents_outside_production_and_non_agents() {
        let findings = run_check(
            DESTRUCTIVE,
            &with_roles(NONPROD, vec![agent(NONPROD, &allow(r#""*""#))]),
        );
        only(&findings, Status::NotApplicable);
        let findings = run_check(
            DESTRUCTIVE,
            &with_roles(UNCLASSIFIED, vec![agent(UNCLASSIFIED, &allow(r#""*""#))]),
        );
        only(&findings, Status::Unknown);
        let mut service = agent(PROD, &allow(r#""*""#));
        service.name = "orders-api".into();
        service.arn = format!("arn:aws:iam::{PROD}:role/orders-api");
        service.trust_policy = BEDROCK_TRUST.replace("bedrock", "ec2");
        assert!(run_check(DESTRUCTIVE, &with_roles(PROD, vec![service])).is_empty());
    }

    #[test]
    fn a_role_whose_trust_cannot_be_read_is_judged_as_possibly_an_agent() {
        // Before: a role named like no agent with an unreadable trust was left out of every
        // agent check; its trust may name bedrock.amazonaws.com.
        let mut service = agent(PROD, &allow(r#""*""#));
        service.name = "orders-api".into();
        service.arn = format!("arn:aws:iam::{PROD}:role/orders-api");
        service.trust_policy = "{not json".into();
        let snapshot = with_roles(PROD, vec![service.clone()]);
        for check in [
            ADMIN,
            DESTRUCTIVE,
            &crate::checks::hil::agent_infra_mutation::CHECK,
            &crate::checks::inp::agent_exec_tools::CHECK,
        ] {
            let findings = run_check(check, &snapshot);
            let unknown = only(&findings, Status::Unknown);
            assert!(
                unknown
                    .message
                    .starts_with("role orders-api in acme-prod (prod) may be an agent: its trust policy could not be read"),
                "{}: {}",
                check.id,
                unknown.message
            );
            // What the check would say of an agent follows.
            assert!(
                unknown.message.contains("; if it is: "),
                "{}",
                unknown.message
            );
            assert!(unknown.evidence["possibly_agent"].is_string());
            assert!(unknown.evidence["trust_error"].is_string());
        }
        // Read-only, it is still unknown: whether it is an agent is not known.
        service.inline_policies[0].document = allow(r#"["rds:Describe*"]"#);
        let unknown = only(
            &run_check(DESTRUCTIVE, &with_roles(PROD, vec![service.clone()])),
            Status::Unknown,
        )
        .clone();
        assert!(
            unknown.message.contains("holds none"),
            "{}",
            unknown.message
        );
        // Out of production it is out of scope, as an agent would be.
        let mut staging = service;
        staging.arn = format!("arn:aws:iam::{NONPROD}:role/orders-api");
        only(
            &run_check(DESTRUCTIVE, &with_roles(NONPROD, vec![staging])),
            Status::NotApplicable,
        );
    }

    #[test]
    fn an_agent_by_name_with_an_unreadable_trust_is_judged_as_an_agent() {
        let mut role = agent(PROD, &allow(r#""dynamodb:DeleteTable""#));
        role.trust_policy = String::new();
        let findings = run_check(DESTRUCTIVE, &with_roles(PROD, vec![role]));
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message.starts_with("agent role support-agent"),
            "{}",
            fail.message
        );
        assert!(fail.evidence["trust_error"].is_string());
    }

    #[test]
    fn exec_and_infra_classes() {
        let exec = &crate::checks::inp::agent_exec_tools::CHECK;
        let infra = &crate::checks::hil::agent_infra_mutation::CHECK;
        let snapshot = with_roles(PROD, vec![agent(PROD, &allow(r#"["ssm:SendCommand"]"#))]);
        only(&run_check(exec, &snapshot), Status::Fail);
        only(&run_check(infra, &snapshot), Status::Pass);
        let snapshot = with_roles(
            PROD,
            vec![agent(
                PROD,
                &allow(r#"["ec2:AuthorizeSecurityGroupIngress"]"#),
            )],
        );
        only(&run_check(infra, &snapshot), Status::Fail);
        only(&run_check(exec, &snapshot), Status::Pass);
    }
}
