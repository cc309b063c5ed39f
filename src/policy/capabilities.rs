//! Capability classes: the concrete actions an agent must not hold, kept as data in
//! `src/policy/capabilities/*.toml` (with their sources) and embedded in the binary.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{CompiledPolicySet, Context, Decision, Request, Verdict};

/// One question of a class: an action on a resource pattern, and why it matters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    pub action: String,
    pub resource: String,
    pub why: String,
}

/// A privilege-escalation path: every action is needed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPath {
    pub id: String,
    pub name: String,
    pub actions: Vec<String>,
    pub resource: String,
    /// Resource patterns of the actions that differ from `resource`.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
    /// The service an `iam:PassRole` in the path passes the role to.
    #[serde(default)]
    pub passed_to_service: Option<String>,
    /// What must exist for the path to lead anywhere.
    #[serde(default)]
    pub prerequisite: Option<String>,
    /// Answered by the trust graph rather than by identity policies alone.
    #[serde(default)]
    pub graph: bool,
    /// The existing resource the path works through, checked against the inventory: the
    /// path is open only if one exists whose role is stronger than the principal.
    #[serde(default)]
    pub needs: Option<Needs>,
    pub why: String,
    pub source: String,
}

/// What an escalation path needs to exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Needs {
    /// An EC2 instance of the account running with an instance profile whose role is
    /// stronger than the principal.
    InstanceRole,
    /// A CloudFormation stack of the account whose service role is stronger.
    StackRole,
    /// A resource the collector does not read (Lambda functions, Glue endpoints, SageMaker
    /// notebooks, launch templates, ECS tasks): the path cannot be verified.
    Uncollected,
}

impl EscalationPath {
    /// The resource pattern to ask `action` about.
    pub fn resource_of(&self, action: &str) -> &str {
        self.resources.get(action).unwrap_or(&self.resource)
    }
}

/// A capability class.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Class {
    pub id: String,
    pub name: String,
    pub description: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub actions: Vec<Capability>,
    #[serde(default)]
    pub paths: Vec<EscalationPath>,
}

const FILES: [(&str, &str); 5] = [
    ("admin", include_str!("capabilities/admin.toml")),
    (
        "destructive-data",
        include_str!("capabilities/destructive-data.toml"),
    ),
    (
        "infra-mutation",
        include_str!("capabilities/infra-mutation.toml"),
    ),
    ("exec-tools", include_str!("capabilities/exec-tools.toml")),
    (
        "privilege-escalation",
        include_str!("capabilities/privilege-escalation.toml"),
    ),
];

static CLASSES: LazyLock<Vec<Class>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(id, text)| {
            // Compiled-in data, parsed by the test suite: a failure is a build defect.
            toml::from_str(text)
                .unwrap_or_else(|err| panic!("capability class {id} does not parse: {err}"))
        })
        .collect()
});

/// A capability class by id (`admin`, `destructive-data`, `infra-mutation`, `exec-tools`,
/// `privilege-escalation`).
pub fn class(id: &str) -> &'static Class {
    CLASSES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no capability class {id}"))
}

pub fn classes() -> &'static [Class] {
    &CLASSES
}

/// The resource a capability is asked about for a principal of `account`. IAM acts only on
/// the caller's own account, so an IAM pattern's account (`arn:aws:iam::*:`) is the
/// principal's: a grant on AWS managed policies (`arn:aws:iam::aws:policy/*`), which AWS
/// forbids anyone to change, then is not a capability.
pub fn resource_for<'r>(resource: &'r str, account: &str) -> std::borrow::Cow<'r, str> {
    match resource.strip_prefix("arn:aws:iam::*:") {
        Some(rest) if !account.is_empty() => {
            std::borrow::Cow::Owned(format!("arn:aws:iam::{account}:{rest}"))
        }
        _ => std::borrow::Cow::Borrowed(resource),
    }
}

/// IAM actions that AWS refuses on roles it controls: service-linked roles
/// (`role/aws-service-role/…`, "you cannot edit the permissions or trust policy of a
/// service-linked role") and IAM Identity Center's reserved roles (`role/aws-reserved/…`,
/// changed only through Identity Center).
const REFUSED_ON_RESERVED_ROLES: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
];

/// Whether a resource pattern names only roles that AWS controls.
fn reserved_roles_only(pattern: &str) -> bool {
    pattern.splitn(6, ':').nth(5).is_some_and(|rest| {
        rest.starts_with("role/aws-service-role/") || rest.starts_with("role/aws-reserved/")
    }) && pattern.starts_with("arn:aws:iam::")
}

/// The engine's verdict, except that a grant AWS itself refuses is no capability: a
/// role-changing IAM action allowed only by statements whose every `Resource` names
/// service-linked or Identity Center roles.
pub fn verdict(set: &CompiledPolicySet, request: &Request) -> Verdict {
    let verdict = set.verdict(request);
    if !verdict.may_be_allowed()
        || !REFUSED_ON_RESERVED_ROLES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(request.action))
    {
        return verdict;
    }
    // An ordinary role the grant reaches settles it without building the decision (the
    // common case: a grant on `role/*` or `*`).
    if let Some((prefix, _)) = request.resource.split_once(":role/") {
        let ordinary = format!("{prefix}:role/ringfence-ordinary-role");
        if set
            .verdict(&Request {
                resource: &ordinary,
                ..*request
            })
            .may_be_allowed()
        {
            return verdict;
        }
    }
    let grants = match set.evaluate(request) {
        super::Decision::Allowed { grants }
        | super::Decision::ConditionallyAllowed { grants, .. } => grants,
        _ => return verdict,
    };
    let refused = !grants.is_empty()
        && grants.iter().all(|grant| {
            set.statement_resources(&grant.statement)
                .is_some_and(|patterns| {
                    !patterns.is_empty() && patterns.iter().all(|p| reserved_roles_only(p))
                })
        });
    if refused {
        Verdict::ImplicitlyDenied(super::PolicyKind::Identity)
    } else {
        verdict
    }
}

/// One capability the principal may hold.
#[derive(Debug, Clone)]
pub struct Held<'c> {
    pub capability: &'c Capability,
    /// `Allowed` or `ConditionallyAllowed`.
    pub verdict: Verdict,
    /// The full decision (granting statements, undecided conditions), for the first
    /// capabilities asked to be explained; `None` for the rest.
    pub decision: Option<Decision>,
}

/// A principal's answers to a capability class, as the agent checks use them.
#[derive(Debug, Clone, Default)]
pub struct Answers<'c> {
    /// Every capability that may be allowed, in class order.
    pub held: Vec<Held<'c>>,
    /// The first capabilities a guardrail (a permissions boundary or an SCP) stopped, with
    /// the decision naming it.
    pub stopped: Vec<(&'c Capability, Decision)>,
}

/// Asks every capability of `class` of the principal whose policies are `set`: a
/// [`Verdict`] for each (no evidence built), then the full [`Decision`] for the first
/// `explain` held capabilities and the first `explain` stopped by a guardrail, which is
/// all a finding shows.
pub fn ask<'c>(
    set: &CompiledPolicySet,
    context: &Context,
    account: &str,
    class: &'c [Capability],
    explain: usize,
) -> Answers<'c> {
    let mut answers = Answers::default();
    for capability in class {
        let resource = resource_for(&capability.resource, account);
        let request = Request {
            action: &capability.action,
            resource: &resource,
            context,
        };
        let verdict = verdict(set, &request);
        if verdict.may_be_allowed() {
            let decision = (answers.held.len() < explain).then(|| set.evaluate(&request));
            answers.held.push(Held {
                capability,
                verdict,
                decision,
            });
        } else if verdict.stopped_by_guardrail() && answers.stopped.len() < explain {
            answers.stopped.push((capability, set.evaluate(&request)));
        }
    }
    answers
}

/// Whether the principal of `account` whose policies are `set` may perform `capability`.
pub fn holds(
    set: &CompiledPolicySet,
    context: &Context,
    account: &str,
    capability: &Capability,
) -> bool {
    verdict(
        set,
        &Request {
            action: &capability.action,
            resource: &resource_for(&capability.resource, account),
            context,
        },
    )
    .may_be_allowed()
}

/// Whether the principal of `account` whose policies are `set` may perform every capability
/// of `class`; stops at the first it may not.
pub fn holds_all(
    set: &CompiledPolicySet,
    context: &Context,
    account: &str,
    class: &[Capability],
) -> bool {
    class
        .iter()
        .all(|capability| holds(set, context, account, capability))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_a_class_names_is_in_the_catalogue_as_cased_there() {
        let catalogue = super::super::actions::catalogue();
        let mut unknown = Vec::new();
        for class in classes() {
            let named = class.actions.iter().map(|c| c.action.as_str()).chain(
                class
                    .paths
                    .iter()
                    .flat_map(|p| p.actions.iter().map(String::as_str)),
            );
            for action in named {
                match catalogue.get(action) {
                    Some(known) if known.name == action => {}
                    Some(known) => {
                        unknown.push(format!("{}: {action} is cased {}", class.id, known.name))
                    }
                    None => unknown.push(format!("{}: {action}", class.id)),
                }
            }
        }
        assert!(unknown.is_empty(), "not in the catalogue: {unknown:#?}");
    }

    #[test]
    fn every_class_parses_with_ids_matching_files_and_sources() {
        for (id, _) in FILES {
            let class = class(id);
            assert_eq!(class.id, id);
            assert!(!class.sources.is_empty(), "{id} has no sources");
            assert!(
                !class.actions.is_empty() || !class.paths.is_empty(),
                "{id} is empty"
            );
            for capability in &class.actions {
                let (service, action) = capability.action.split_once(':').unwrap_or_else(|| {
                    panic!("{id}: `{}` is not service:Action", capability.action)
                });
                assert!(
                    !service.is_empty() && !action.is_empty(),
                    "{id}: {}",
                    capability.action
                );
                assert!(
                    !action.contains('*'),
                    "{id}: {} is not a concrete action",
                    capability.action
                );
            }
        }
        let paths = &class("privilege-escalation").paths;
        assert!(paths.len() >= 25, "{} escalation paths", paths.len());
        for path in paths {
            assert!(!path.actions.is_empty(), "{}", path.id);
            for action in path.resources.keys() {
                assert!(
                    path.actions.contains(action),
                    "{}: {action} is not in its actions",
                    path.id
                );
            }
        }
    }
}
