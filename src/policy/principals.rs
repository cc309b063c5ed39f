//! The policies that govern every IAM role and user of a snapshot, compiled once: identity
//! policies (inline, attached managed and, for users, their groups'), the permissions
//! boundary, and the organization's SCPs along the account's OU path.
//!
//! A managed policy or SCP is parsed and compiled once and shared by every principal that
//! has it. A document that cannot be parsed, or an attached policy missing from the snapshot,
//! becomes an error on the principal: its questions are then answered `unknown` by the
//! checks, never "no permissions".

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{CompiledPolicy, CompiledPolicySet, Effect, NamedPolicy, PolicyDocument, PolicyKind};
use crate::inventory::{Account, InlinePolicy, Snapshot};

/// Whether SCPs were applied to a principal's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scps {
    /// The SCPs along the account's OU path are in the policy set.
    Applied,
    /// The organization's SCPs were not collected: answers ignore them, so they may report
    /// something an SCP would block (never the reverse).
    NotCollected,
    /// The management account, or an account outside any collected organization: SCPs do
    /// not apply.
    NotApplicable,
}

/// One IAM role or user, with everything that governs its requests.
#[derive(Debug)]
pub struct Principal {
    pub arn: String,
    pub account: String,
    pub name: String,
    pub is_role: bool,
    pub policies: CompiledPolicySet,
    pub scps: Scps,
    /// Policies that could not be read: answers about this principal are incomplete.
    pub errors: Vec<String>,
}

/// Every principal of a snapshot, by ARN.
#[derive(Debug, Default)]
pub struct Principals {
    pub by_arn: BTreeMap<String, Principal>,
}

impl Principals {
    pub fn new(snapshot: &Snapshot) -> Principals {
        let scps = ScpIndex::new(snapshot);
        let mut by_arn = BTreeMap::new();
        for account in &snapshot.accounts {
            let Some(iam) = &account.iam else { continue };
            let mut managed = ManagedIndex::new(account);
            let (scp_levels, scp_state, scp_errors) = scps.levels(account);
            for role in &iam.roles {
                let mut errors = scp_errors.clone();
                let identity = identity_policies(
                    &role.arn,
                    &role.inline_policies,
                    role.attached_policies.iter(),
                    &mut managed,
                    &mut errors,
                );
                let boundary = role
                    .permissions_boundary
                    .as_deref()
                    .and_then(|arn| managed.get(arn, PolicyKind::Boundary, &mut errors));
                by_arn.insert(
                    role.arn.clone(),
                    Principal {
                        arn: role.arn.clone(),
                        account: account.id.clone(),
                        name: role.name.clone(),
                        is_role: true,
                        policies: CompiledPolicySet::from_compiled(
                            identity,
                            boundary,
                            scp_levels.clone(),
                        ),
                        scps: scp_state,
                        errors,
                    },
                );
            }
            for user in &iam.users {
                let mut errors = scp_errors.clone();
                let mut identity = identity_policies(
                    &user.arn,
                    &user.inline_policies,
                    user.attached_policies.iter(),
                    &mut managed,
                    &mut errors,
                );
                for group_name in &user.groups {
                    match iam.groups.iter().find(|g| &g.name == group_name) {
                        None => errors.push(format!("group {group_name} is not in the snapshot")),
                        Some(group) => identity.extend(identity_policies(
                            &group.arn,
                            &group.inline_policies,
                            group.attached_policies.iter(),
                            &mut managed,
                            &mut errors,
                        )),
                    }
                }
                let boundary = user
                    .permissions_boundary
                    .as_deref()
                    .and_then(|arn| managed.get(arn, PolicyKind::Boundary, &mut errors));
                by_arn.insert(
                    user.arn.clone(),
                    Principal {
                        arn: user.arn.clone(),
                        account: account.id.clone(),
                        name: user.name.clone(),
                        is_role: false,
                        policies: CompiledPolicySet::from_compiled(
                            identity,
                            boundary,
                            scp_levels.clone(),
                        ),
                        scps: scp_state,
                        errors,
                    },
                );
            }
        }
        Principals { by_arn }
    }

    pub fn get(&self, arn: &str) -> Option<&Principal> {
        self.by_arn.get(arn)
    }
}

fn identity_policies<'a>(
    owner_arn: &str,
    inline: &[InlinePolicy],
    attached: impl Iterator<Item = &'a String>,
    managed: &mut ManagedIndex,
    errors: &mut Vec<String>,
) -> Vec<Arc<CompiledPolicy>> {
    let mut out = Vec::new();
    for policy in inline {
        let id = format!("inline:{owner_arn}:{}", policy.name);
        match PolicyDocument::parse(&policy.document) {
            Ok(document) => out.push(Arc::new(CompiledPolicy::new(&NamedPolicy {
                id,
                kind: PolicyKind::Identity,
                document,
            }))),
            Err(err) => errors.push(format!("{id}: {err}")),
        }
    }
    for arn in attached {
        out.extend(managed.get(arn, PolicyKind::Identity, errors));
    }
    out
}

/// The managed policies of one account, compiled on first use.
struct ManagedIndex<'s> {
    account: &'s Account,
    compiled: BTreeMap<(String, PolicyKind), Option<Arc<CompiledPolicy>>>,
}

impl<'s> ManagedIndex<'s> {
    fn new(account: &'s Account) -> Self {
        ManagedIndex {
            account,
            compiled: BTreeMap::new(),
        }
    }

    fn get(
        &mut self,
        arn: &str,
        kind: PolicyKind,
        errors: &mut Vec<String>,
    ) -> Option<Arc<CompiledPolicy>> {
        let account = self.account;
        let entry = self
            .compiled
            .entry((arn.to_owned(), kind))
            .or_insert_with(|| {
                let policy = account
                    .iam
                    .as_ref()?
                    .managed_policies
                    .iter()
                    .find(|p| p.arn == arn)?;
                let document = PolicyDocument::parse(&policy.document).ok()?;
                Some(Arc::new(CompiledPolicy::new(&NamedPolicy {
                    id: arn.to_owned(),
                    kind,
                    document,
                })))
            });
        if entry.is_none() {
            errors.push(format!(
                "managed policy {arn} is not in the snapshot or could not be parsed"
            ));
        }
        entry.clone()
    }
}

/// An attached SCP, and whether it has an Allow statement.
type Attached = (Arc<CompiledPolicy>, bool);

/// The organization's SCPs by target, compiled once.
struct ScpIndex {
    management: Option<String>,
    /// `None` when SCPs were not collected. Each policy with whether it has an Allow.
    by_target: Option<BTreeMap<String, Vec<Attached>>>,
    errors: Vec<String>,
    /// Stands in for FullAWSAccess where the snapshot shows no Allow at a level.
    assumed_full_access: Arc<CompiledPolicy>,
}

impl ScpIndex {
    fn new(snapshot: &Snapshot) -> ScpIndex {
        let assumed_full_access = Arc::new(CompiledPolicy::new(&NamedPolicy {
            id: "assumed:FullAWSAccess".to_owned(),
            kind: PolicyKind::Scp,
            document: PolicyDocument::parse(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            )
            .unwrap_or_else(|err| panic!("the built-in FullAWSAccess document: {err}")),
        }));
        let Some(org) = &snapshot.organization else {
            return ScpIndex {
                management: None,
                by_target: None,
                errors: Vec::new(),
                assumed_full_access,
            };
        };
        let mut errors = Vec::new();
        let by_target = org.service_control_policies.as_ref().map(|scps| {
            let mut by_target: BTreeMap<String, Vec<(Arc<CompiledPolicy>, bool)>> = BTreeMap::new();
            for scp in scps {
                let compiled = match PolicyDocument::parse(&scp.document) {
                    Ok(document) => {
                        let allows = document
                            .statements
                            .iter()
                            .any(|s| s.effect == Effect::Allow);
                        let compiled = Arc::new(CompiledPolicy::new(&NamedPolicy {
                            id: scp.arn.clone().unwrap_or_else(|| scp.id.clone()),
                            kind: PolicyKind::Scp,
                            document,
                        }));
                        (compiled, allows)
                    }
                    Err(err) => {
                        errors.push(format!("SCP {} ({}): {err}", scp.name, scp.id));
                        continue;
                    }
                };
                for target in &scp.targets {
                    by_target
                        .entry(target.clone())
                        .or_default()
                        .push((Arc::clone(&compiled.0), compiled.1));
                }
            }
            by_target
        });
        ScpIndex {
            management: Some(org.management_account_id.clone()),
            by_target,
            errors,
            assumed_full_access,
        }
    }

    /// The SCP levels of an account (root, OUs down the path, the account), whether they
    /// apply, and errors that make them incomplete.
    fn levels(&self, account: &Account) -> (Vec<Vec<Arc<CompiledPolicy>>>, Scps, Vec<String>) {
        match (&self.management, &self.by_target) {
            (None, _) => (Vec::new(), Scps::NotApplicable, Vec::new()),
            (Some(management), _) if *management == account.id => {
                (Vec::new(), Scps::NotApplicable, Vec::new())
            }
            (Some(_), None) => (Vec::new(), Scps::NotCollected, Vec::new()),
            (Some(_), Some(by_target)) => {
                let mut levels = Vec::new();
                let targets = account
                    .ou_path
                    .iter()
                    .map(|unit| unit.id.as_str())
                    .chain(std::iter::once(account.id.as_str()));
                let mut errors = self.errors.clone();
                for target in targets {
                    // Every root, OU and account has at least one SCP in AWS, and FullAWSAccess
                    // is attached to each by default. A level with no SCP, or with only deny
                    // statements, in the snapshot most likely lost its attachments: it is not
                    // allowed to block everything, only to deny what it denies, and the
                    // principal's answers are marked incomplete.
                    let policies = by_target.get(target).map(Vec::as_slice).unwrap_or_default();
                    if !policies.iter().any(|(_, allows)| *allows) {
                        errors.push(format!(
                            "no SCP with an Allow is attached to {target} in the snapshot; FullAWSAccess assumed"
                        ));
                        let mut level: Vec<Arc<CompiledPolicy>> =
                            policies.iter().map(|(p, _)| Arc::clone(p)).collect();
                        level.push(Arc::clone(&self.assumed_full_access));
                        levels.push(level);
                        continue;
                    }
                    levels.push(policies.iter().map(|(p, _)| Arc::clone(p)).collect());
                }
                (levels, Scps::Applied, errors)
            }
        }
    }
}
