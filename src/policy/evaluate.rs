//! Deciding one request for one principal: explicit deny, SCP levels, permissions boundary,
//! identity policies ("Policy evaluation logic" in the IAM User Guide). See the module
//! documentation of [`crate::policy`] for every semantic choice.

use std::cmp::Ordering;
use std::sync::Arc;

use super::condition::{CompiledCondition, Tri, Unknown};
use super::context::Context;
use super::document::{Effect, PolicyDocument};
use super::pattern::{
    Glob, Tok, Unit, contains, glob_match, has_unvalued_variable, has_wildcard, intersects,
    push_units, resolve, starified, surely_disjoint, tokenize, variable_names, witness,
};

/// Where a policy sits in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// An identity-based policy: inline, attached managed, or (for users) a group's.
    Identity,
    /// The principal's permissions boundary.
    Boundary,
    /// A service control policy of AWS Organizations.
    Scp,
}

/// A policy with where it came from, for evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    /// The managed policy ARN, `inline:<principal arn>:<policy name>`, or the SCP id.
    pub id: String,
    /// What kind of policy it is (reported in evidence).
    pub kind: PolicyKind,
    /// The parsed document.
    pub document: PolicyDocument,
}

/// Everything that governs one principal's requests in its account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    /// Inline + attached managed + (for users) group policies.
    pub identity: Vec<NamedPolicy>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<NamedPolicy>,
    /// SCPs by level: the root, each OU down the path, the account. Every level must allow.
    /// Empty = no SCPs apply (management account, or not collected: the caller decides).
    pub scp_levels: Vec<Vec<NamedPolicy>>,
}

/// One question: could the principal do `action` on `resource`?
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `service:Action`, e.g. `s3:DeleteBucket` (case-insensitive; taken literally).
    pub action: &'a str,
    /// A concrete ARN, or a pattern with `*` / `?` meaning "some resource matching it"
    /// (`arn:aws:s3:::prod-*`). `*` alone is "some resource of this action, possibly the
    /// literal `*` of an action without resource-level permissions": only statements with
    /// `Resource: "*"` decide it; scoped statements leave it conditional.
    pub resource: &'a str,
    /// Condition keys known about the request.
    pub context: &'a Context,
}

/// Which statement of which policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatementRef {
    /// [`NamedPolicy::id`] of the policy.
    pub policy_id: String,
    /// [`NamedPolicy::kind`] of the policy.
    pub kind: PolicyKind,
    /// Position of the statement in the policy's `Statement` list (0-based).
    pub index: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
}

/// An identity-policy statement that allows the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The allowing statement.
    pub statement: StatementRef,
}

/// Why part of a statement could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undecided {
    /// The condition key is not in the [`Context`].
    UnknownKey,
    /// The engine does not implement the condition operator.
    UnsupportedOperator,
    /// A policy variable (`${aws:username}`) could not be substituted from the context.
    PolicyVariable {
        /// The variables, as written (`${aws:username}`).
        variables: Vec<String>,
    },
    /// The request resource is a pattern that the statement's `Resource` / `NotResource`
    /// covers only in part.
    ResourceOverlap,
}

/// A part of a statement the engine could not decide: a condition (operator, key, values
/// as written), or the statement's resource element (`operator` = `Resource` or
/// `NotResource`, `key` = the request resource, `values` = the statement's patterns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionRef {
    /// The statement it belongs to.
    pub statement: StatementRef,
    /// The condition operator as written, or `Resource` / `NotResource`.
    pub operator: String,
    /// The condition key as written, or the request resource.
    pub key: String,
    /// The condition values, or the statement's resource patterns.
    pub values: Vec<String>,
    /// Why it is undecided.
    pub why: Undecided,
}

/// Which layer does not allow the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No identity-policy statement allows it.
    NoIdentityAllow,
    /// The permissions boundary (this policy id) does not allow it.
    Boundary(String),
    /// No SCP at this level (index into [`PolicySet::scp_levels`]; these policy ids) allows it.
    ScpLevel(usize, Vec<String>),
}

/// The engine's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed whatever the unknown context: the identity-policy statements that allow it.
    Allowed {
        /// The allowing identity statements.
        grants: Vec<Grant>,
    },
    /// Allowed only if conditions the engine cannot decide hold (or an undecidable Deny does
    /// not apply): the grants with the conditions in question.
    ConditionallyAllowed {
        /// The identity statements that allow it (those that surely apply, if any; else
        /// those that may).
        grants: Vec<Grant>,
        /// Everything undecided that stands between the request and a plain `Allowed`.
        undecided: Vec<ConditionRef>,
    },
    /// An explicit Deny applies (identity, boundary or SCP).
    ExplicitlyDenied {
        /// The denying statement (the first found: SCP levels from the root, then the
        /// boundary, then identity policies, in order).
        by: StatementRef,
    },
    /// Nothing allows it in some layer.
    ImplicitlyDenied {
        /// The layer that does not allow (SCP levels first, then the boundary, then identity).
        missing: Missing,
    },
}

impl Decision {
    /// Whether the request is, or may be, allowed.
    pub fn may_be_allowed(&self) -> bool {
        matches!(
            self,
            Decision::Allowed { .. } | Decision::ConditionallyAllowed { .. }
        )
    }

    /// The decision without its evidence.
    pub fn verdict(&self) -> Verdict {
        match self {
            Decision::Allowed { .. } => Verdict::Allowed,
            Decision::ConditionallyAllowed { .. } => Verdict::ConditionallyAllowed,
            Decision::ExplicitlyDenied { by } => Verdict::ExplicitlyDenied(by.kind),
            Decision::ImplicitlyDenied { missing } => Verdict::ImplicitlyDenied(match missing {
                Missing::NoIdentityAllow => PolicyKind::Identity,
                Missing::Boundary(_) => PolicyKind::Boundary,
                Missing::ScpLevel(..) => PolicyKind::Scp,
            }),
        }
    }
}

/// The engine's answer without evidence ([`CompiledPolicySet::verdict`]): what a check
/// needs to decide, cheap enough to ask every question of every principal. Ask
/// [`CompiledPolicySet::evaluate`] for the statements behind the answers it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// As [`Decision::Allowed`].
    Allowed,
    /// As [`Decision::ConditionallyAllowed`].
    ConditionallyAllowed,
    /// As [`Decision::ExplicitlyDenied`], with the kind of the denying policy.
    ExplicitlyDenied(PolicyKind),
    /// As [`Decision::ImplicitlyDenied`], with the layer that does not allow
    /// (`Identity` = no identity statement allows).
    ImplicitlyDenied(PolicyKind),
}

impl Verdict {
    /// Whether the request is, or may be, allowed.
    pub fn may_be_allowed(self) -> bool {
        matches!(self, Verdict::Allowed | Verdict::ConditionallyAllowed)
    }

    /// Whether a guardrail (a permissions boundary or an SCP) stopped the request, as
    /// opposed to it simply not being granted, or being denied by an identity policy.
    pub fn stopped_by_guardrail(self) -> bool {
        matches!(
            self,
            Verdict::ExplicitlyDenied(PolicyKind::Boundary | PolicyKind::Scp)
                | Verdict::ImplicitlyDenied(PolicyKind::Boundary | PolicyKind::Scp)
        )
    }
}

// ---------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct ResourcePattern {
    /// The pattern matched (policy variables replaced by `*`), in the policy's arena.
    glob: Glob,
    /// The same as units (for pattern requests), in the policy's `units`.
    units: Span,
    /// As written, when that differs (policy variables).
    source: Option<Box<str>>,
    /// Policy variables, when the pattern has some and the version interprets them.
    toks: Option<Vec<Tok>>,
}

impl ResourcePattern {
    fn new(
        source: &str,
        variables: bool,
        arena: &mut String,
        units: &mut Vec<Unit>,
    ) -> ResourcePattern {
        let toks = if variables { tokenize(source) } else { None };
        let (glob, source) = match &toks {
            Some(t) => (Glob::new(&starified(t), arena), Some(source.into())),
            None => (Glob::new(source, arena), None),
        };
        let start = units.len();
        push_units(glob.text(arena), units);
        let units = Span::of(units, start);
        ResourcePattern {
            glob,
            units,
            source,
            toks,
        }
    }

    /// The pattern matched (variables as `*`).
    fn pattern<'a>(&self, arena: &'a str) -> &'a str {
        self.glob.text(arena)
    }

    /// The pattern as written.
    fn source<'a>(&'a self, arena: &'a str) -> &'a str {
        self.source
            .as_deref()
            .unwrap_or_else(|| self.glob.text(arena))
    }
}

/// A range of a policy's `globs` or `patterns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of<T>(list: &[T], start: usize) -> Span {
        Span {
            start: start as u32,
            end: list.len() as u32,
        }
    }

    fn slice<T>(self, list: &[T]) -> &[T] {
        list.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resources {
    /// Neither `Resource` nor `NotResource`: every resource (see module docs).
    Any,
    In(Span),
    NotIn(Span),
}

#[derive(Debug)]
struct CompiledStatement {
    index: u32,
    sid: Option<Box<str>>,
    effect: Effect,
    not_action: bool,
    /// The `Action` / `NotAction` patterns, in the policy's `globs`.
    actions: Span,
    resources: Resources,
    conditions: Vec<CompiledCondition>,
    /// Policy-wide number of the statement's first condition.
    cond_offset: u32,
}

fn cmp_ci(lower: &str, other: &str) -> Ordering {
    lower
        .bytes()
        .cmp(other.bytes().map(|b| b.to_ascii_lowercase()))
}

/// One policy compiled for evaluation; share it (`Arc`) between the sets of every
/// principal it is attached to. All its pattern text lives in one arena, its patterns and
/// statements in three vectors: a handful of allocations per policy, close in memory.
#[derive(Debug)]
pub struct CompiledPolicy {
    id: String,
    kind: PolicyKind,
    /// Conditions (operator + key) over all statements.
    condition_count: u32,
    arena: Box<str>,
    globs: Vec<Glob>,
    patterns: Vec<ResourcePattern>,
    /// The resource patterns as units.
    units: Vec<Unit>,
    statements: Vec<CompiledStatement>,
}

impl CompiledPolicy {
    /// Compiles a policy: pre-classified action and resource patterns, parsed condition
    /// values, policy variables located.
    pub fn new(policy: &NamedPolicy) -> CompiledPolicy {
        let doc = &policy.document;
        let variables = doc.version.as_deref() == Some("2012-10-17");
        let mut arena = String::new();
        let mut globs = Vec::new();
        let mut patterns = Vec::new();
        let mut units = Vec::new();
        let mut statements = Vec::with_capacity(doc.statements.len());
        let mut condition_count = 0u32;
        for (index, s) in doc.statements.iter().enumerate() {
            let not_action = !s.not_action.is_empty();
            let start = globs.len();
            for p in if not_action { &s.not_action } else { &s.action } {
                globs.push(Glob::new(p, &mut arena));
            }
            let actions = Span::of(&globs, start);
            let mut resource_span = |list: &[String], arena: &mut String| {
                let start = patterns.len();
                for p in list {
                    patterns.push(ResourcePattern::new(p, variables, arena, &mut units));
                }
                Span::of(&patterns, start)
            };
            let resources = if !s.not_resource.is_empty() {
                Resources::NotIn(resource_span(&s.not_resource, &mut arena))
            } else if !s.resource.is_empty() {
                Resources::In(resource_span(&s.resource, &mut arena))
            } else {
                Resources::Any
            };
            let conditions: Vec<CompiledCondition> = s
                .condition
                .iter()
                .flat_map(|(op, keys)| keys.iter().map(move |(key, values)| (op, key, values)))
                .map(|(op, key, values)| CompiledCondition::new(op, key, values, variables))
                .collect();
            let cond_offset = condition_count;
            condition_count += conditions.len() as u32;
            statements.push(CompiledStatement {
                index: index as u32,
                sid: s.sid.as_deref().map(Into::into),
                effect: s.effect,
                not_action,
                actions,
                resources,
                conditions,
                cond_offset,
            });
        }
        CompiledPolicy {
            id: policy.id.clone(),
            kind: policy.kind,
            condition_count,
            arena: arena.into_boxed_str(),
            globs,
            patterns,
            units,
            statements,
        }
    }

    /// The policy id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn statement_ref(&self, i: usize) -> StatementRef {
        let s = &self.statements[i];
        StatementRef {
            policy_id: self.id.clone(),
            kind: self.kind,
            index: s.index as usize,
            sid: s.sid.as_deref().map(str::to_string),
        }
    }

    /// The statement's `Action` / `NotAction` patterns.
    fn actions(&self, s: &CompiledStatement) -> &[Glob] {
        s.actions.slice(&self.globs)
    }

    /// The statement's `Resource` / `NotResource` patterns and which element they are.
    fn resources(&self, s: &CompiledStatement) -> (&'static str, &[ResourcePattern]) {
        match s.resources {
            Resources::Any => ("Resource", &[]),
            Resources::In(span) => ("Resource", span.slice(&self.patterns)),
            Resources::NotIn(span) => ("NotResource", span.slice(&self.patterns)),
        }
    }
}

/// `(policy position in the set, statement index × 2 + 1 if the action surely matches)`:
/// entries of the `all`, `exact` and `prefix` lists need no second look at the patterns.
type At = (u32, u32);

/// Splits an [`At`] into policy position, statement index, and whether the action surely
/// matches.
fn split_at(at: At) -> (usize, usize, bool) {
    (at.0 as usize, (at.1 >> 1) as usize, at.1 & 1 == 1)
}

/// Statements of one service in a [`SetIndex`], by the shape of their action patterns.
#[derive(Debug, Clone, Default)]
struct ServiceIndex {
    /// `service:*`.
    all: Vec<At>,
    /// `service:Name` (lower-cased name), sorted by name.
    exact: Vec<(Box<str>, Vec<At>)>,
    /// `service:Prefix*` (lower-cased prefix).
    prefix: Vec<(Box<str>, Vec<At>)>,
    /// Any other pattern of the service (`ec2:*Instances`, `s3:?etObject`).
    other: Vec<At>,
}

/// Where a statement may apply, from its action patterns: every candidate list an action
/// could be looked up in. Lists hold positions in evaluation order.
#[derive(Debug, Clone, Default)]
struct SetIndex {
    /// Lower-cased service → its statements, sorted by service.
    services: Vec<(Box<str>, ServiceIndex)>,
    /// Statements whose actions may match any service (`*`, `NotAction`, `s3*:…`).
    any: Vec<At>,
}

fn push_keyed(list: &mut Vec<(Box<str>, Vec<At>)>, key: &str, at: At, sorted: bool) {
    let found = if sorted {
        list.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    } else {
        list.iter()
            .position(|(k, _)| k.as_ref() == key)
            .ok_or(list.len())
    };
    match found {
        Ok(i) => push_unique(&mut list[i].1, at),
        Err(i) => list.insert(i, (key.into(), vec![at])),
    }
}

fn push_unique(list: &mut Vec<At>, at: At) {
    if list.last() != Some(&at) {
        list.push(at);
    }
}

impl SetIndex {
    fn add(&mut self, at: At, policy: &CompiledPolicy, statement: &CompiledStatement) {
        if statement.not_action {
            self.any.push((at.0, at.1 * 2));
            return;
        }
        let sure = (at.0, at.1 * 2 + 1);
        let at = (at.0, at.1 * 2);
        for glob in policy.actions(statement) {
            let pattern = glob.text(&policy.arena);
            let Some((service, name)) = pattern.split_once(':') else {
                push_unique(&mut self.any, at);
                continue;
            };
            if has_wildcard(service) {
                push_unique(&mut self.any, at);
                continue;
            }
            let service = service.to_ascii_lowercase();
            let i = match self
                .services
                .binary_search_by(|(k, _)| k.as_ref().cmp(&service))
            {
                Ok(i) => i,
                Err(i) => {
                    self.services
                        .insert(i, (service.into(), ServiceIndex::default()));
                    i
                }
            };
            let entry = &mut self.services[i].1;
            let name = name.to_ascii_lowercase();
            if !name.is_empty() && name.bytes().all(|b| b == b'*') {
                push_unique(&mut entry.all, sure);
            } else if !has_wildcard(&name) {
                push_keyed(&mut entry.exact, &name, sure, true);
            } else if let Some(head) = name.strip_suffix('*')
                && !has_wildcard(head)
            {
                push_keyed(&mut entry.prefix, head, sure, false);
            } else {
                push_unique(&mut entry.other, at);
            }
        }
    }

    /// Collects into `out`, sorted and without duplicates, every statement whose action
    /// patterns may match `service:name`.
    fn gather(&self, service: &str, name: &str, out: &mut Candidates) {
        out.clear();
        out.extend(&self.any);
        if let Ok(i) = self.services.binary_search_by(|(k, _)| cmp_ci(k, service)) {
            let entry = &self.services[i].1;
            out.extend(&entry.all);
            out.extend(&entry.other);
            if let Ok(j) = entry.exact.binary_search_by(|(k, _)| cmp_ci(k, name)) {
                out.extend(&entry.exact[j].1);
            }
            for (prefix, list) in &entry.prefix {
                if name.len() >= prefix.len()
                    && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
                {
                    out.extend(list);
                }
            }
        }
        out.sort_dedup();
    }
}

/// Sorts candidates and merges the entries of one statement (keeping "surely matches" if
/// any has it); returns the new length.
fn sort_dedup(items: &mut [At]) -> usize {
    items.sort_unstable();
    let mut w = 0;
    for r in 0..items.len() {
        let item = items[r];
        if w > 0 && items[w - 1].0 == item.0 && items[w - 1].1 >> 1 == item.1 >> 1 {
            items[w - 1].1 |= item.1 & 1;
        } else {
            items[w] = item;
            w += 1;
        }
    }
    w
}

/// A small sorted set of candidates, on the stack unless unusually large.
struct Candidates {
    inline: [At; 64],
    len: usize,
    spill: Vec<At>,
}

impl Candidates {
    fn new() -> Candidates {
        Candidates {
            inline: [(0, 0); 64],
            len: 0,
            spill: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }

    fn extend(&mut self, items: &[At]) {
        if self.spill.is_empty() && self.len + items.len() <= self.inline.len() {
            self.inline[self.len..self.len + items.len()].copy_from_slice(items);
            self.len += items.len();
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline[..self.len]);
            }
            self.spill.extend_from_slice(items);
        }
    }

    fn sort_dedup(&mut self) {
        if self.spill.is_empty() {
            let items = &mut self.inline[..self.len];
            self.len = sort_dedup(items);
        } else {
            let n = sort_dedup(&mut self.spill);
            self.spill.truncate(n);
        }
    }

    fn as_slice(&self) -> &[At] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

/// A [`PolicySet`] compiled once, to be asked many questions.
#[derive(Debug, Clone, Default)]
pub struct CompiledPolicySet {
    /// Every policy in evaluation order: SCP levels from the root, the boundary, identity.
    policies: Vec<Arc<CompiledPolicy>>,
    /// The layer of each policy: SCP level `i` is layer `i`, then the boundary (if any),
    /// then identity.
    layer_of: Vec<u32>,
    /// Policy positions of each SCP level.
    scp_levels: Vec<std::ops::Range<usize>>,
    /// Position of the boundary.
    boundary: Option<usize>,
    /// Policy positions of the identity policies.
    identity: std::ops::Range<usize>,
    allow: SetIndex,
    deny: SetIndex,
    /// Per policy position, the set-wide number of its first condition.
    cond_base: Vec<u32>,
    /// Set-wide condition number → id of the distinct condition (identical operator, key,
    /// values and version share one id, so one question decides each only once).
    cond_ids: Vec<u32>,
    /// Number of distinct conditions.
    distinct_conditions: usize,
}

impl CompiledPolicySet {
    /// Compiles every policy of `set`.
    pub fn new(set: &PolicySet) -> CompiledPolicySet {
        let compile = |p: &NamedPolicy| Arc::new(CompiledPolicy::new(p));
        CompiledPolicySet::from_compiled(
            set.identity.iter().map(compile).collect(),
            set.boundary.as_ref().map(compile),
            set.scp_levels
                .iter()
                .map(|level| level.iter().map(compile).collect())
                .collect(),
        )
    }

    /// Assembles a set from policies compiled once and shared between principals (managed
    /// policies, SCPs).
    pub fn from_compiled(
        identity: Vec<Arc<CompiledPolicy>>,
        boundary: Option<Arc<CompiledPolicy>>,
        scp_levels: Vec<Vec<Arc<CompiledPolicy>>>,
    ) -> CompiledPolicySet {
        let mut policies = Vec::new();
        let mut layer_of = Vec::new();
        let mut levels = Vec::with_capacity(scp_levels.len());
        for (layer, level) in scp_levels.into_iter().enumerate() {
            let start = policies.len();
            layer_of.extend(std::iter::repeat_n(layer as u32, level.len()));
            policies.extend(level);
            levels.push(start..policies.len());
        }
        let mut next_layer = levels.len() as u32;
        let boundary = boundary.map(|b| {
            policies.push(b);
            layer_of.push(next_layer);
            next_layer += 1;
            policies.len() - 1
        });
        let start = policies.len();
        layer_of.extend(std::iter::repeat_n(next_layer, identity.len()));
        policies.extend(identity);
        let identity = start..policies.len();
        let mut allow = SetIndex::default();
        let mut deny = SetIndex::default();
        for (pi, policy) in policies.iter().enumerate() {
            for (si, statement) in policy.statements.iter().enumerate() {
                let index = match statement.effect {
                    Effect::Allow => &mut allow,
                    Effect::Deny => &mut deny,
                };
                index.add((pi as u32, si as u32), policy, statement);
            }
        }
        let mut cond_base = Vec::with_capacity(policies.len());
        let mut cond_ids = Vec::new();
        let mut distinct: std::collections::HashMap<&CompiledCondition, u32> =
            std::collections::HashMap::new();
        for policy in &policies {
            cond_base.push(cond_ids.len() as u32);
            cond_ids.reserve(policy.condition_count as usize);
            for c in policy.statements.iter().flat_map(|s| &s.conditions) {
                let next = distinct.len() as u32;
                cond_ids.push(*distinct.entry(c).or_insert(next));
            }
        }
        let distinct_conditions = distinct.len();
        CompiledPolicySet {
            policies,
            layer_of,
            scp_levels: levels,
            boundary,
            identity,
            allow,
            deny,
            cond_base,
            cond_ids,
            distinct_conditions,
        }
    }

    /// The `Resource` patterns (as written) of a statement of the set; `None` when the
    /// statement is not found or uses `NotResource` or no resource element.
    pub fn statement_resources(&self, statement: &StatementRef) -> Option<Vec<&str>> {
        let policy = self
            .policies
            .iter()
            .find(|p| p.id == statement.policy_id && p.kind == statement.kind)?;
        let compiled = policy
            .statements
            .iter()
            .find(|s| s.index as usize == statement.index)?;
        match compiled.resources {
            Resources::In(span) => Some(
                span.slice(&policy.patterns)
                    .iter()
                    .map(|p| p.source(&policy.arena))
                    .collect(),
            ),
            Resources::Any | Resources::NotIn(_) => None,
        }
    }

    /// The `Action` patterns of the identity policies' Allow statements: nothing outside them
    /// can be allowed, whatever the SCPs and boundary say. `None` when one of them is a
    /// `NotAction` statement, which may allow any action.
    pub fn allowed_action_patterns(&self) -> Option<Vec<&str>> {
        let mut patterns = Vec::new();
        for policy in &self.policies[self.identity.clone()] {
            for statement in &policy.statements {
                if statement.effect != Effect::Allow {
                    continue;
                }
                if statement.not_action {
                    return None;
                }
                patterns.extend(
                    policy
                        .actions(statement)
                        .iter()
                        .map(|glob| glob.text(&policy.arena)),
                );
            }
        }
        Some(patterns)
    }

    /// Decides `request`; same as [`evaluate`].
    pub fn evaluate(&self, request: &Request) -> Decision {
        evaluate(self, request)
    }

    /// Decides `request` without building evidence: always `evaluate(request).verdict()`,
    /// several times faster (no statement references, grant or condition lists).
    pub fn verdict(&self, request: &Request) -> Verdict {
        verdict(self, request)
    }

    /// The kind of layer `layer` is.
    fn layer_kind(&self, layer: usize) -> PolicyKind {
        if layer < self.scp_levels.len() {
            PolicyKind::Scp
        } else if self.boundary.is_some() && layer == self.scp_levels.len() {
            PolicyKind::Boundary
        } else {
            PolicyKind::Identity
        }
    }

    /// The layer number of identity policies (one past the boundary's, if any).
    fn identity_layer(&self) -> usize {
        self.scp_levels.len() + usize::from(self.boundary.is_some())
    }

    /// Why `layer` does not allow.
    fn missing(&self, layer: usize) -> Missing {
        if let Some(range) = self.scp_levels.get(layer) {
            return Missing::ScpLevel(
                layer,
                self.policies[range.clone()]
                    .iter()
                    .map(|p| p.id.clone())
                    .collect(),
            );
        }
        match self.boundary {
            Some(b) if layer == self.scp_levels.len() => {
                Missing::Boundary(self.policies[b].id.clone())
            }
            _ => Missing::NoIdentityAllow,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------

/// Whether a statement applies to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    No,
    Maybe,
    Yes,
}

/// How one resource pattern of a statement relates to the request resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    /// Matches none of it.
    Disjoint,
    /// Matches part of a request pattern.
    Overlap,
    /// Matches all of it.
    Cover,
    /// Depends on a policy variable the context does not resolve.
    Unknown,
}

/// What [`Eval::decide`] found.
enum Outcome {
    /// Explicitly denied by this statement.
    Denied(usize, usize),
    /// This layer does not allow.
    Missing(usize),
    /// Allowed by these identity statements.
    Allowed(Vec<(usize, usize)>),
    /// Allowed if the undecided statements go the right way: the identity statements that
    /// surely allow, those of layers without a sure allow that may, and the denies that may
    /// apply.
    Conditional {
        yes: Vec<(usize, usize)>,
        maybe: Vec<(usize, usize)>,
        maybe_denies: Vec<(usize, usize)>,
    },
}

fn grant(set: &CompiledPolicySet, (pi, si): (usize, usize)) -> Grant {
    Grant {
        statement: set.policies[pi].statement_ref(si),
    }
}

/// Filler for free positions of witness resources: a character no ARN contains, so a
/// witness falls under no pattern that names a literal there.
const FILLER: char = '\u{1}';

struct Eval<'a> {
    action: &'a str,
    service: &'a str,
    /// The action without its service prefix.
    name: &'a str,
    resource: &'a str,
    /// The request resource as a pattern, when it has wildcards.
    pattern: Option<Vec<Unit>>,
    ctx: &'a Context,
    scratch: Vec<Unit>,
    /// Set when the last [`Self::resource_hit`] was `Maybe` because a pattern request only
    /// overlaps a statement pattern.
    last_overlap: bool,
    /// Set when some statement applies only maybe because of such an overlap: only then can
    /// concrete witness resources decide more than the pattern did.
    overlap_maybe: bool,
    /// Distinct conditions decided so far in this question.
    memo: Memo,
    /// Whether [`Self::decide`] lists the statements behind its outcome (for evidence);
    /// without, the outcome's lists are empty and only its kind counts.
    collect: bool,
}

/// Decided conditions by distinct id: 0 = not yet, else 1 + [`Tri`] code. Inline for the
/// usual handful of distinct conditions.
struct Memo {
    inline: [u8; 64],
    spill: Vec<u8>,
}

impl Memo {
    fn new(distinct: usize) -> Memo {
        Memo {
            inline: [0; 64],
            spill: if distinct > 64 {
                vec![0; distinct - 64]
            } else {
                Vec::new()
            },
        }
    }

    fn slot(&mut self, id: usize) -> Option<&mut u8> {
        if id < 64 {
            self.inline.get_mut(id)
        } else {
            self.spill.get_mut(id - 64)
        }
    }
}

fn tri_code(t: Tri) -> u8 {
    match t {
        Tri::False => 1,
        Tri::Unknown => 2,
        Tri::True => 3,
    }
}

fn code_tri(code: u8) -> Option<Tri> {
    match code {
        1 => Some(Tri::False),
        2 => Some(Tri::Unknown),
        3 => Some(Tri::True),
        _ => None,
    }
}

thread_local! {
    /// Unit buffers of finished questions, reused by the next ones on the thread: a
    /// question then allocates nothing to look at resource patterns.
    static BUFFERS: std::cell::RefCell<Vec<Vec<Unit>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn take_buffer() -> Vec<Unit> {
    BUFFERS
        .try_with(|b| b.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn give_buffer(mut buffer: Vec<Unit>) {
    // A buffer grown by an unusually long pattern is let go.
    if buffer.capacity() == 0 || buffer.capacity() > 4096 {
        return;
    }
    buffer.clear();
    let _ = BUFFERS.try_with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < 16 {
            b.push(buffer);
        }
    });
}

impl Drop for Eval<'_> {
    fn drop(&mut self) {
        give_buffer(std::mem::take(&mut self.scratch));
        if let Some(pattern) = self.pattern.take() {
            give_buffer(pattern);
        }
    }
}

impl<'a> Eval<'a> {
    fn new(
        set: &CompiledPolicySet,
        action: &'a str,
        resource: &'a str,
        ctx: &'a Context,
    ) -> Eval<'a> {
        let (service, name) = action.split_once(':').unwrap_or((action, ""));
        let pattern = has_wildcard(resource).then(|| {
            let mut units = take_buffer();
            push_units(resource, &mut units);
            units
        });
        Eval {
            action,
            service,
            name,
            resource,
            pattern,
            ctx,
            scratch: take_buffer(),
            last_overlap: false,
            overlap_maybe: false,
            memo: Memo::new(set.distinct_conditions),
            collect: true,
        }
    }

    fn relation(&mut self, policy: &CompiledPolicy, p: &ResourcePattern) -> Rel {
        let arena = &policy.arena;
        // A variable with no value: the entry matches no resource.
        if p.toks
            .as_deref()
            .is_some_and(|toks| has_unvalued_variable(toks, self.ctx))
        {
            return Rel::Disjoint;
        }
        let resolved = |ctx: &Context| match &p.toks {
            None => Ok(None),
            Some(toks) => match resolve(toks, ctx) {
                Some((s, false)) => Ok(Some(s)),
                _ => Err(()),
            },
        };
        match &self.pattern {
            None => {
                if !p.glob.matches(arena, self.resource, false) {
                    return Rel::Disjoint;
                }
                match resolved(self.ctx) {
                    Ok(None) => Rel::Cover,
                    Ok(Some(s)) if glob_match(&s, self.resource, false) => Rel::Cover,
                    Ok(Some(_)) => Rel::Disjoint,
                    Err(()) => Rel::Unknown,
                }
            }
            Some(q) => {
                if p.glob.is_any() {
                    return Rel::Cover;
                }
                let pattern = p.pattern(arena);
                if surely_disjoint(pattern, self.resource) {
                    return Rel::Disjoint;
                }
                let units = p.units.slice(&policy.units);
                if !intersects(units, q) {
                    return Rel::Disjoint;
                }
                let units = match resolved(self.ctx) {
                    Ok(None) => units,
                    Ok(Some(s)) => {
                        self.scratch.clear();
                        push_units(&s, &mut self.scratch);
                        if !intersects(&self.scratch, q) {
                            return Rel::Disjoint;
                        }
                        &self.scratch
                    }
                    Err(()) => return Rel::Unknown,
                };
                if contains(units, q) {
                    Rel::Cover
                } else {
                    Rel::Overlap
                }
            }
        }
    }

    fn resource_hit(&mut self, policy: &CompiledPolicy, s: &CompiledStatement) -> Hit {
        self.last_overlap = false;
        let (covered, partly, none) = match s.resources {
            Resources::Any => return Hit::Yes,
            Resources::In(_) => (Hit::Yes, Hit::Maybe, Hit::No),
            Resources::NotIn(_) => (Hit::No, Hit::Maybe, Hit::Yes),
        };
        let mut hit = none;
        for p in policy.resources(s).1 {
            match self.relation(policy, p) {
                Rel::Cover => {
                    self.last_overlap = false;
                    return covered;
                }
                Rel::Overlap => {
                    self.last_overlap = true;
                    hit = partly;
                }
                Rel::Unknown => hit = partly,
                Rel::Disjoint => {}
            }
        }
        hit
    }

    /// Decides condition `ci` of statement `s` of the policy at position `pi`, once per
    /// distinct condition per question.
    fn condition(
        &mut self,
        set: &CompiledPolicySet,
        pi: usize,
        s: &CompiledStatement,
        ci: usize,
    ) -> Tri {
        let c = &s.conditions[ci];
        let slot = set
            .cond_base
            .get(pi)
            .and_then(|base| {
                set.cond_ids
                    .get(*base as usize + s.cond_offset as usize + ci)
            })
            .and_then(|&id| self.memo.slot(id as usize));
        match slot {
            Some(slot) => match code_tri(*slot) {
                Some(t) => t,
                None => {
                    let t = c.eval(self.ctx);
                    *slot = tri_code(t);
                    t
                }
            },
            None => c.eval(self.ctx),
        }
    }

    /// Whether the statement applies (its action is known to match).
    fn hit(&mut self, set: &CompiledPolicySet, pi: usize, s: &CompiledStatement) -> Hit {
        let policy = &set.policies[pi];
        let resource = self.resource_hit(policy, s);
        if resource == Hit::No {
            return Hit::No;
        }
        let mut cond = Tri::True;
        for ci in 0..s.conditions.len() {
            cond = cond.and(self.condition(set, pi, s, ci));
            if cond == Tri::False {
                return Hit::No;
            }
        }
        if resource == Hit::Yes && cond == Tri::True {
            Hit::Yes
        } else {
            self.overlap_maybe |= self.last_overlap;
            Hit::Maybe
        }
    }

    /// Whether every condition of the statement surely holds.
    fn conditions_hold(&self, s: &CompiledStatement) -> bool {
        s.conditions.iter().all(|c| c.eval(self.ctx) == Tri::True)
    }

    /// The undecided parts of a statement whose hit is `Maybe`.
    fn undecided(&mut self, policy: &CompiledPolicy, i: usize, out: &mut Vec<ConditionRef>) {
        let s = &policy.statements[i];
        let (element, patterns) = policy.resources(s);
        if self.resource_hit(policy, s) == Hit::Maybe {
            let mut variables = Vec::new();
            for p in patterns {
                if self.relation(policy, p) == Rel::Unknown {
                    variables.extend(p.toks.as_deref().map(variable_names).unwrap_or_default());
                }
            }
            variables.dedup();
            out.push(ConditionRef {
                statement: policy.statement_ref(i),
                operator: element.to_string(),
                key: self.resource.to_string(),
                values: patterns
                    .iter()
                    .map(|p| p.source(&policy.arena).to_string())
                    .collect(),
                why: if variables.is_empty() {
                    Undecided::ResourceOverlap
                } else {
                    Undecided::PolicyVariable { variables }
                },
            });
        }
        for c in &s.conditions {
            if c.eval(self.ctx) == Tri::Unknown {
                let why = match c.why_unknown(self.ctx) {
                    (Unknown::Key, _) => Undecided::UnknownKey,
                    (Unknown::Operator, _) => Undecided::UnsupportedOperator,
                    (Unknown::Variable, variables) => Undecided::PolicyVariable { variables },
                };
                out.push(ConditionRef {
                    statement: policy.statement_ref(i),
                    operator: c.operator.clone(),
                    key: c.key.clone(),
                    values: c.values.clone(),
                    why,
                });
            }
        }
    }

    /// Whether the statement's actions match the request action.
    #[inline]
    fn action_matches(&self, policy: &CompiledPolicy, s: &CompiledStatement) -> bool {
        policy
            .actions(s)
            .iter()
            .any(|g| g.matches(&policy.arena, self.action, true))
            != s.not_action
    }

    /// Decides the request, leaving a conditional outcome unexplained (see [`Self::explain`]).
    fn decide(&mut self, set: &CompiledPolicySet) -> Outcome {
        // 1. Explicit deny anywhere wins (first found in evaluation order).
        let mut maybe_denies: Vec<(usize, usize)> = Vec::new();
        // Lengths the lists would have when collecting (the lists stay empty otherwise).
        let mut maybe_denies_len = 0usize;
        let mut candidates = Candidates::new();
        set.deny.gather(self.service, self.name, &mut candidates);
        for &at in candidates.as_slice() {
            let (pi, si, sure) = split_at(at);
            let policy = &set.policies[pi];
            let s = &policy.statements[si];
            if !sure && !self.action_matches(policy, s) {
                continue;
            }
            match self.hit(set, pi, s) {
                Hit::Yes => {
                    return Outcome::Denied(pi, si);
                }
                Hit::Maybe => {
                    maybe_denies_len += 1;
                    if self.collect {
                        maybe_denies.push((pi, si));
                    }
                }
                Hit::No => {}
            }
        }
        // 2. Layer by layer (SCP levels, boundary, identity), some Allow must apply.
        let identity_layer = set.identity_layer();
        let mut layer = 0usize;
        let mut layer_hit = Hit::No;
        // Statements that may allow, of layers not (yet) surely allowing.
        let mut maybe: Vec<(usize, usize)> = Vec::new();
        let mut maybe_len = 0usize;
        let mut layer_maybe_start = 0usize;
        let mut yes: Vec<(usize, usize)> = Vec::new();
        set.allow.gather(self.service, self.name, &mut candidates);
        for &at in candidates.as_slice() {
            let (pi, si, sure) = split_at(at);
            let this = set.layer_of[pi] as usize;
            while layer < this {
                if layer_hit == Hit::No {
                    return Outcome::Missing(layer);
                }
                if layer_hit == Hit::Yes {
                    maybe.truncate(layer_maybe_start);
                    maybe_len = layer_maybe_start;
                }
                layer += 1;
                layer_hit = Hit::No;
                layer_maybe_start = maybe_len;
            }
            if layer_hit == Hit::Yes && layer != identity_layer {
                continue;
            }
            let policy = &set.policies[pi];
            let s = &policy.statements[si];
            if !sure && !self.action_matches(policy, s) {
                continue;
            }
            match self.hit(set, pi, s) {
                Hit::Yes => {
                    layer_hit = Hit::Yes;
                    if layer == identity_layer && self.collect {
                        if yes.is_empty() {
                            yes.reserve(8);
                        }
                        yes.push((pi, si));
                    }
                }
                Hit::Maybe => {
                    if layer_hit == Hit::No {
                        layer_hit = Hit::Maybe;
                    }
                    maybe_len += 1;
                    if self.collect {
                        maybe.push((pi, si));
                    }
                }
                Hit::No => {}
            }
        }
        while layer <= identity_layer {
            if layer_hit == Hit::No {
                return Outcome::Missing(layer);
            }
            if layer_hit == Hit::Yes {
                maybe.truncate(layer_maybe_start);
                maybe_len = layer_maybe_start;
            }
            layer += 1;
            layer_hit = Hit::No;
            layer_maybe_start = maybe_len;
        }
        if maybe_len == 0 && maybe_denies_len == 0 {
            return Outcome::Allowed(yes);
        }
        Outcome::Conditional {
            yes,
            maybe,
            maybe_denies,
        }
    }

    /// Turns an outcome into a decision, listing what is undecided.
    fn explain(&mut self, set: &CompiledPolicySet, outcome: Outcome) -> Decision {
        let (yes, maybe, maybe_denies) = match outcome {
            Outcome::Denied(pi, si) => {
                return Decision::ExplicitlyDenied {
                    by: set.policies[pi].statement_ref(si),
                };
            }
            Outcome::Missing(layer) => {
                return Decision::ImplicitlyDenied {
                    missing: set.missing(layer),
                };
            }
            Outcome::Allowed(yes) => {
                return Decision::Allowed {
                    grants: yes.iter().map(|&at| grant(set, at)).collect(),
                };
            }
            Outcome::Conditional {
                yes,
                maybe,
                maybe_denies,
            } => (yes, maybe, maybe_denies),
        };
        let mut undecided = Vec::new();
        for &(pi, si) in maybe_denies.iter().chain(&maybe) {
            self.undecided(&set.policies[pi], si, &mut undecided);
        }
        let grants = if yes.is_empty() {
            maybe
                .iter()
                .filter(|&&(pi, _)| set.identity.contains(&pi))
                .map(|&at| grant(set, at))
                .collect()
        } else {
            yes.iter().map(|&at| grant(set, at)).collect()
        };
        Decision::ConditionallyAllowed { grants, undecided }
    }

    /// Concrete resources inside the request pattern, to try when the pattern was only
    /// partly decided: the intersection of the pattern with each `Resource` pattern of the
    /// identity statements whose action matches and whose conditions surely hold (free
    /// positions filled with [`FILLER`]).
    fn intersection_witnesses(&mut self, set: &CompiledPolicySet, q: &[Unit]) -> Vec<String> {
        const MAX: usize = 8;
        let mut out: Vec<String> = Vec::new();
        let mut candidates = Candidates::new();
        set.allow.gather(self.service, self.name, &mut candidates);
        let mut units = Vec::new();
        for &at in candidates.as_slice() {
            let (pi, si, _) = split_at(at);
            let statement = &set.policies[pi].statements[si];
            let policy = &set.policies[pi];
            if !set.identity.contains(&pi)
                || !self.action_matches(policy, statement)
                || !self.conditions_hold(statement)
            {
                continue;
            }
            let Resources::In(span) = statement.resources else {
                continue;
            };
            for p in span
                .slice(&policy.patterns)
                .iter()
                .filter(|p| p.toks.is_none())
            {
                units.clear();
                push_units(p.pattern(&policy.arena), &mut units);
                if let Some(w) = witness(&units, q, FILLER)
                    && !out.contains(&w)
                {
                    out.push(w);
                    if out.len() >= MAX {
                        return out;
                    }
                }
            }
        }
        out
    }
}

/// Decides `request` for the principal whose policies are `set`.
///
/// Order ("Policy evaluation logic"): an explicit Deny that surely applies anywhere wins;
/// then every SCP level must allow, then the permissions boundary (if any), then an
/// identity policy. Undecidable parts (unknown condition keys, unresolved policy variables,
/// unsupported operators, a request pattern only partly covered) never decide the answer
/// silently: they make it [`Decision::ConditionallyAllowed`] with the parts listed, unless
/// some layer surely does not allow (implicit deny) or a deny surely applies.
///
/// A request resource with wildcards asks whether *some* resource matching it is allowed:
/// a statement that covers the whole pattern decides it as for a concrete ARN; one that
/// overlaps it in part makes the answer conditional, and concrete witness resources inside
/// the pattern are then evaluated — if one is plainly allowed, so is the request (not for
/// a bare `*`, which may be the literal resource of an action without resource-level
/// permissions).
pub fn evaluate(set: &CompiledPolicySet, request: &Request) -> Decision {
    let mut eval = Eval::new(set, request.action, request.resource, request.context);
    let outcome = eval.decide(set);
    // A bare `*` may be the literal resource of an action without resource-level
    // permissions, which only `Resource: "*"` matches: no witness may stand in for it.
    if let (Outcome::Conditional { .. }, true, Some(q), false) = (
        &outcome,
        eval.overlap_maybe,
        eval.pattern.clone(),
        request.resource == "*",
    ) {
        let try_witness = |w: &str| {
            let mut concrete = Eval::new(set, request.action, w, request.context);
            match concrete.decide(set) {
                allowed @ Outcome::Allowed(_) => Some(concrete.explain(set, allowed)),
                _ => None,
            }
        };
        // The pattern with its wildcards filled: a resource no policy names.
        if let Some(allowed) = witness(&q, &q, FILLER).and_then(|w| try_witness(&w)) {
            return allowed;
        }
        for w in eval.intersection_witnesses(set, &q) {
            if let Some(allowed) = try_witness(&w) {
                return allowed;
            }
        }
    }
    eval.explain(set, outcome)
}

/// [`evaluate`] without evidence: the same steps, nothing listed.
pub fn verdict(set: &CompiledPolicySet, request: &Request) -> Verdict {
    let mut eval = Eval::new(set, request.action, request.resource, request.context);
    eval.collect = false;
    match eval.decide(set) {
        Outcome::Denied(pi, _) => Verdict::ExplicitlyDenied(set.policies[pi].kind),
        Outcome::Missing(layer) => Verdict::ImplicitlyDenied(set.layer_kind(layer)),
        Outcome::Allowed(_) => Verdict::Allowed,
        Outcome::Conditional { .. } => {
            // As in `evaluate`: a concrete resource inside a partly covered pattern that is
            // plainly allowed makes the request plainly allowed.
            if eval.overlap_maybe
                && request.resource != "*"
                && let Some(q) = eval.pattern.clone()
            {
                let plainly = |w: &str| {
                    let mut concrete = Eval::new(set, request.action, w, request.context);
                    concrete.collect = false;
                    matches!(concrete.decide(set), Outcome::Allowed(_))
                };
                if witness(&q, &q, FILLER).is_some_and(|w| plainly(&w))
                    || eval
                        .intersection_witnesses(set, &q)
                        .iter()
                        .any(|w| plainly(w))
                {
                    return Verdict::Allowed;
                }
            }
            Verdict::ConditionallyAllowed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2012-10-17 document holding `statements` (comma-separated JSON objects).
    fn p(statements: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
    }

    const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;

    fn named(id: &str, kind: PolicyKind, json: &str) -> NamedPolicy {
        let document = PolicyDocument::parse(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        NamedPolicy {
            id: id.to_string(),
            kind,
            document,
        }
    }

    /// Builds a [`PolicySet`]: identity policies are `id0`, `id1`, …; the boundary is
    /// `boundary`; SCPs are `scp<level>.<n>`.
    #[derive(Default, Clone)]
    struct S(PolicySet);

    fn s() -> S {
        S::default()
    }

    impl S {
        fn id(mut self, json: &str) -> S {
            let id = format!("id{}", self.0.identity.len());
            self.0.identity.push(named(&id, PolicyKind::Identity, json));
            self
        }
        fn named(mut self, id: &str, json: &str) -> S {
            self.0.identity.push(named(id, PolicyKind::Identity, json));
            self
        }
        fn boundary(mut self, json: &str) -> S {
            self.0.boundary = Some(named("boundary", PolicyKind::Boundary, json));
            self
        }
        fn scp(mut self, docs: &[&str]) -> S {
            let level = self.0.scp_levels.len();
            let policies = docs
                .iter()
                .enumerate()
                .map(|(n, json)| named(&format!("scp{level}.{n}"), PolicyKind::Scp, json))
                .collect();
            self.0.scp_levels.push(policies);
            self
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Why {
        Key,
        Operator,
        Variable,
        Overlap,
    }

    #[derive(Debug, Clone)]
    enum Want {
        /// Allowed (any grants).
        Allowed,
        /// Allowed, and this (policy id, statement index) is among the grants.
        AllowedBy(&'static str, usize),
        /// Allowed with exactly this many grants.
        Grants(usize),
        /// ConditionallyAllowed.
        Cond,
        /// ConditionallyAllowed whose undecided keys are exactly these (sorted, deduplicated).
        CondOn(&'static [&'static str]),
        /// ConditionallyAllowed with some undecided part of this kind.
        CondWhy(Why),
        /// ConditionallyAllowed with an undecided part from this policy's statement.
        CondFrom(&'static str, usize),
        /// ExplicitlyDenied by this (policy id, statement index).
        Denied(&'static str, usize),
        /// ExplicitlyDenied by a statement with this Sid.
        DeniedSid(&'static str),
        /// ImplicitlyDenied: no identity allow.
        NoIdentity,
        /// ImplicitlyDenied by the boundary.
        Boundary,
        /// ImplicitlyDenied at this SCP level.
        Scp(usize),
    }

    struct Case {
        name: &'static str,
        set: S,
        action: &'static str,
        resource: &'static str,
        ctx: Context,
        want: Want,
    }

    fn c(
        name: &'static str,
        set: &S,
        action: &'static str,
        resource: &'static str,
        want: Want,
    ) -> Case {
        Case {
            name,
            set: set.clone(),
            action,
            resource,
            ctx: Context::new(),
            want,
        }
    }

    fn cx(
        name: &'static str,
        set: &S,
        action: &'static str,
        resource: &'static str,
        ctx: Context,
        want: Want,
    ) -> Case {
        Case {
            ctx,
            ..c(name, set, action, resource, want)
        }
    }

    fn why(u: &Undecided) -> Why {
        match u {
            Undecided::UnknownKey => Why::Key,
            Undecided::UnsupportedOperator => Why::Operator,
            Undecided::PolicyVariable { .. } => Why::Variable,
            Undecided::ResourceOverlap => Why::Overlap,
        }
    }

    fn check(d: &Decision, want: &Want) -> bool {
        use Decision as D;
        match (want, d) {
            (Want::Allowed, D::Allowed { .. }) => true,
            (Want::AllowedBy(id, i), D::Allowed { grants }) => grants
                .iter()
                .any(|g| g.statement.policy_id == *id && g.statement.index == *i),
            (Want::Grants(n), D::Allowed { grants }) => grants.len() == *n,
            (Want::Cond, D::ConditionallyAllowed { .. }) => true,
            (Want::CondOn(keys), D::ConditionallyAllowed { undecided, .. }) => {
                let mut got: Vec<&str> = undecided.iter().map(|u| u.key.as_str()).collect();
                got.sort();
                got.dedup();
                got == *keys
            }
            (Want::CondWhy(w), D::ConditionallyAllowed { undecided, .. }) => {
                undecided.iter().any(|u| why(&u.why) == *w)
            }
            (Want::CondFrom(id, i), D::ConditionallyAllowed { undecided, .. }) => undecided
                .iter()
                .any(|u| u.statement.policy_id == *id && u.statement.index == *i),
            (Want::Denied(id, i), D::ExplicitlyDenied { by }) => {
                by.policy_id == *id && by.index == *i
            }
            (Want::DeniedSid(sid), D::ExplicitlyDenied { by }) => by.sid.as_deref() == Some(*sid),
            (Want::NoIdentity, D::ImplicitlyDenied { missing }) => {
                *missing == Missing::NoIdentityAllow
            }
            (Want::Boundary, D::ImplicitlyDenied { missing }) => {
                matches!(missing, Missing::Boundary(id) if id == "boundary")
            }
            (Want::Scp(level), D::ImplicitlyDenied { missing }) => {
                matches!(missing, Missing::ScpLevel(l, _) if l == level)
            }
            _ => false,
        }
    }

    fn percent_encode(text: &str) -> String {
        // RFC 3986 unreserved characters stay, as AWS encodes; `*` becomes %2A, space %20.
        let mut out = String::new();
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~+".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    #[allow(clippy::vec_init_then_push)]
    fn cases() -> Vec<Case> {
        use Want::*;
        let mut v = Vec::new();
        let ctx = Context::new;

        // --- plain allow / implicit deny --------------------------------------------------
        let plain = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::data"}"#,
        ));
        v.push(c(
            "plain allow",
            &plain,
            "s3:DeleteBucket",
            "arn:aws:s3:::data",
            AllowedBy("id0", 0),
        ));
        v.push(c(
            "other action",
            &plain,
            "s3:PutObject",
            "arn:aws:s3:::data",
            NoIdentity,
        ));
        v.push(c(
            "other resource",
            &plain,
            "s3:DeleteBucket",
            "arn:aws:s3:::logs",
            NoIdentity,
        ));
        v.push(c(
            "no policies",
            &s(),
            "s3:GetObject",
            "arn:aws:s3:::data",
            NoIdentity,
        ));
        v.push(c(
            "only an empty statement list",
            &s().id(r#"{"Version":"2012-10-17","Statement":[]}"#),
            "s3:GetObject",
            "*",
            NoIdentity,
        ));
        let single = s().id(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*"}}"#,
        );
        v.push(c(
            "statement as a single object, action as a string",
            &single,
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-east-1:1:instance/i-1",
            AllowedBy("id0", 0),
        ));
        let arrays = s().id(&p(
            r#"{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}"#,
        ));
        v.push(c(
            "action and resource arrays",
            &arrays,
            "s3:DeleteObject",
            "arn:aws:s3:::b/k",
            Allowed,
        ));
        v.push(c(
            "action array, resource outside",
            &arrays,
            "s3:DeleteObject",
            "arn:aws:s3:::c/k",
            NoIdentity,
        ));

        // --- NotAction ------------------------------------------------------------------------
        let admin_except_iam = s().id(&p(
            r#"{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}"#,
        ));
        v.push(c(
            "admin-except-IAM allows s3:DeleteBucket",
            &admin_except_iam,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            AllowedBy("id0", 0),
        ));
        v.push(c(
            "admin-except-IAM does not allow iam:CreateUser",
            &admin_except_iam,
            "iam:CreateUser",
            "arn:aws:iam::1:user/x",
            NoIdentity,
        ));
        v.push(c(
            "admin-except-IAM NotAction is case-insensitive",
            &admin_except_iam,
            "IAM:createuser",
            "arn:aws:iam::1:user/x",
            NoIdentity,
        ));
        v.push(c(
            "admin-except-IAM does not allow organizations",
            &admin_except_iam,
            "organizations:LeaveOrganization",
            "*",
            NoIdentity,
        ));
        let not_action_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Sid":"ReadOnly","Effect":"Deny","NotAction":["s3:Get*","s3:List*"],"Resource":"*"}}"#
        )));
        v.push(c(
            "NotAction deny denies what it does not list",
            &not_action_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            Denied("id0", 1),
        ));
        v.push(c(
            "NotAction deny spares what it lists",
            &not_action_deny,
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            AllowedBy("id0", 0),
        ));
        v.push(c(
            "NotAction deny reports its Sid",
            &not_action_deny,
            "ec2:RunInstances",
            "*",
            DeniedSid("ReadOnly"),
        ));

        // --- NotResource -----------------------------------------------------------------------
        let not_resource_allow = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::audit-*","arn:aws:s3:::audit-*/*"]}"#,
        ));
        v.push(c(
            "NotResource allow grants other resources",
            &not_resource_allow,
            "s3:DeleteBucket",
            "arn:aws:s3:::data",
            Allowed,
        ));
        v.push(c(
            "NotResource allow excludes what it lists",
            &not_resource_allow,
            "s3:DeleteBucket",
            "arn:aws:s3:::audit-logs",
            NoIdentity,
        ));
        v.push(c(
            "NotResource allow, pattern request inside the exclusion",
            &not_resource_allow,
            "s3:DeleteBucket",
            "arn:aws:s3:::audit-*",
            NoIdentity,
        ));
        v.push(c(
            "NotResource allow, pattern request partly outside",
            &not_resource_allow,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            Allowed,
        ));
        let not_resource_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:DeleteBucket","NotResource":"arn:aws:s3:::scratch-*"}}"#
        )));
        v.push(c(
            "NotResource deny denies outside its list",
            &not_resource_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            Denied("id0", 1),
        ));
        v.push(c(
            "NotResource deny spares its list",
            &not_resource_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::scratch-1",
            Allowed,
        ));

        // --- action wildcards and case ---------------------------------------------------------
        let mid = s().id(&p(
            r#"{"Effect":"Allow","Action":["ec2:*Instances","iam:*Policy*","s3:?etObject"],"Resource":"*"}"#,
        ));
        v.push(c(
            "ec2:*Instances matches TerminateInstances",
            &mid,
            "ec2:TerminateInstances",
            "*",
            Allowed,
        ));
        v.push(c(
            "ec2:*Instances does not match DescribeInstanceStatus",
            &mid,
            "ec2:DescribeInstanceStatus",
            "*",
            NoIdentity,
        ));
        v.push(c(
            "iam:*Policy* matches AttachRolePolicy",
            &mid,
            "iam:AttachRolePolicy",
            "*",
            Allowed,
        ));
        v.push(c(
            "iam:*Policy* matches CreatePolicyVersion",
            &mid,
            "iam:CreatePolicyVersion",
            "*",
            Allowed,
        ));
        v.push(c(
            "iam:*Policy* does not match CreateUser",
            &mid,
            "iam:CreateUser",
            "*",
            NoIdentity,
        ));
        v.push(c(
            "s3:?etObject matches GetObject",
            &mid,
            "s3:GetObject",
            "*",
            Allowed,
        ));
        v.push(c(
            "s3:?etObject does not match PutObject",
            &mid,
            "s3:PutObject",
            "*",
            NoIdentity,
        ));
        v.push(c(
            "s3:?etObject does not match GetObjectAcl",
            &mid,
            "s3:GetObjectAcl",
            "*",
            NoIdentity,
        ));
        let mixed = s().id(&p(
            r#"{"Effect":"Allow","Action":["S3:deleteBUCKET","EC2:*instances"],"Resource":"*"}"#,
        ));
        v.push(c(
            "mixed-case policy action",
            &mixed,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            Allowed,
        ));
        v.push(c(
            "mixed-case request action",
            &mixed,
            "S3:DELETEBUCKET",
            "arn:aws:s3:::x",
            Allowed,
        ));
        v.push(c(
            "mixed-case wildcard action",
            &mixed,
            "ec2:TerminateInstances",
            "*",
            Allowed,
        ));
        let svc_wild = s().id(&p(
            r#"{"Effect":"Allow","Action":"s*:Delete*","Resource":"*"}"#,
        ));
        v.push(c(
            "wildcard in the service part",
            &svc_wild,
            "s3:DeleteBucket",
            "*",
            Allowed,
        ));
        v.push(c(
            "wildcard in the service part, other service",
            &svc_wild,
            "ec2:DeleteVpc",
            "*",
            NoIdentity,
        ));

        // --- deny overrides allow --------------------------------------------------------------
        let rds_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"rds:Delete*","Resource":"*"}}"#
        )));
        v.push(c(
            "Deny rds:Delete* beats Allow *",
            &rds_deny,
            "rds:DeleteDBInstance",
            "arn:aws:rds:us-east-1:1:db:prod",
            Denied("id0", 1),
        ));
        v.push(c(
            "Deny rds:Delete* leaves other rds actions",
            &rds_deny,
            "rds:CreateDBSnapshot",
            "arn:aws:rds:us-east-1:1:db:prod",
            Allowed,
        ));
        let rds_deny_other = s().id(&p(ALLOW_ALL)).id(&p(
            r#"{"Effect":"Deny","Action":"RDS:DELETE*","Resource":"arn:aws:rds:*:*:db:prod-*"}"#,
        ));
        v.push(c(
            "deny in another policy, mixed case",
            &rds_deny_other,
            "rds:DeleteDBInstance",
            "arn:aws:rds:eu-west-1:1:db:prod-main",
            Denied("id1", 0),
        ));
        v.push(c(
            "deny resource does not match",
            &rds_deny_other,
            "rds:DeleteDBInstance",
            "arn:aws:rds:eu-west-1:1:db:dev-main",
            AllowedBy("id0", 0),
        ));

        // --- permissions boundary --------------------------------------------------------------
        let bounded = s().id(&p(ALLOW_ALL)).boundary(&p(
            r#"{"Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}"#,
        ));
        v.push(c(
            "boundary blocks an identity allow",
            &bounded,
            "ec2:TerminateInstances",
            "*",
            Boundary,
        ));
        v.push(c(
            "boundary and identity both allow",
            &bounded,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            AllowedBy("id0", 0),
        ));
        let bounded_narrow = s()
            .id(&p(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#))
            .boundary(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#));
        v.push(c(
            "boundary allows but identity does not",
            &bounded_narrow,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            NoIdentity,
        ));
        let boundary_deny = s().id(&p(ALLOW_ALL)).boundary(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#
        )));
        v.push(c(
            "boundary explicit deny",
            &boundary_deny,
            "iam:CreateUser",
            "*",
            Denied("boundary", 1),
        ));
        let boundary_cond = s().id(&p(ALLOW_ALL)).boundary(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
        ));
        v.push(c(
            "boundary allow with an unknown condition",
            &boundary_cond,
            "ec2:RunInstances",
            "*",
            CondFrom("boundary", 0),
        ));
        v.push(cx(
            "boundary allow with a false condition",
            &boundary_cond,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestedRegion", &["us-east-1"]),
            Boundary,
        ));

        // --- SCPs ------------------------------------------------------------------------------
        let full = p(ALLOW_ALL);
        let allow_list = p(r#"{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}"#);
        let scp_ou = s()
            .id(&p(ALLOW_ALL))
            .scp(&[&full])
            .scp(&[&allow_list])
            .scp(&[&full]);
        v.push(c(
            "OU allow-list blocks iam",
            &scp_ou,
            "iam:CreateUser",
            "*",
            Scp(1),
        ));
        v.push(c(
            "every SCP level allows s3",
            &scp_ou,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            AllowedBy("id0", 0),
        ));
        let scp_account = s()
            .id(&p(ALLOW_ALL))
            .scp(&[&full])
            .scp(&[&full])
            .scp(&[&allow_list]);
        v.push(c(
            "account-level SCP blocks",
            &scp_account,
            "rds:DeleteDBInstance",
            "*",
            Scp(2),
        ));
        let scp_empty_level = s().id(&p(ALLOW_ALL)).scp(&[&full]).scp(&[]);
        v.push(c(
            "an SCP level with no policy allows nothing",
            &scp_empty_level,
            "s3:GetObject",
            "*",
            Scp(1),
        ));
        let deny_leave = p(
            r#"{"Sid":"NoLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}"#,
        );
        let scp_deny = s().id(&p(ALLOW_ALL)).scp(&[&full, &deny_leave]);
        v.push(c(
            "SCP explicit deny",
            &scp_deny,
            "organizations:LeaveOrganization",
            "*",
            Denied("scp0.1", 0),
        ));
        v.push(c(
            "SCP deny elsewhere, FullAWSAccess allows",
            &scp_deny,
            "s3:GetObject",
            "*",
            Allowed,
        ));
        let scp_nothing_identity = s().scp(&[&full]);
        v.push(c(
            "SCP allows but no identity allow",
            &scp_nothing_identity,
            "s3:GetObject",
            "*",
            NoIdentity,
        ));
        let scp_deny_over_missing = s()
            .id(&p(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#))
            .scp(&[&allow_list])
            .scp(&[]);
        v.push(c(
            "explicit deny reported before an implicit SCP deny",
            &scp_deny_over_missing,
            "s3:GetObject",
            "*",
            Denied("id0", 0),
        ));
        let breakglass = p(
            r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/breakglass"}},"Sid":"OnlyBreakglass"}"#,
        );
        let scp_breakglass = s().id(&p(ALLOW_ALL)).scp(&[&full, &breakglass]);
        v.push(cx(
            "SCP conditional deny applies",
            &scp_breakglass,
            "iam:CreateUser",
            "*",
            ctx().with_principal_arn("arn:aws:iam::1:role/agent"),
            DeniedSid("OnlyBreakglass"),
        ));
        v.push(cx(
            "SCP conditional deny spares breakglass",
            &scp_breakglass,
            "iam:CreateUser",
            "*",
            ctx().with_principal_arn("arn:aws:iam::1:role/breakglass"),
            Allowed,
        ));
        v.push(c(
            "SCP conditional deny undecided",
            &scp_breakglass,
            "iam:CreateUser",
            "*",
            CondOn(&["aws:PrincipalArn"]),
        ));
        v.push(c(
            "SCP conditional deny undecided (kind)",
            &scp_breakglass,
            "iam:CreateUser",
            "*",
            Cond,
        ));
        let scp_conditional_allow = s().id(&p(ALLOW_ALL)).scp(&[&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}"#,
        )]);
        v.push(c(
            "SCP allow with unknown region",
            &scp_conditional_allow,
            "ec2:RunInstances",
            "*",
            CondFrom("scp0.0", 0),
        ));
        v.push(cx(
            "SCP allow with a listed region",
            &scp_conditional_allow,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestedRegion", &["eu-central-1"]),
            Allowed,
        ));
        v.push(cx(
            "SCP allow with another region",
            &scp_conditional_allow,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestedRegion", &["us-east-1"]),
            Scp(0),
        ));
        let scp_no_resource = s()
            .id(&p(ALLOW_ALL))
            .scp(&[&p(r#"{"Effect":"Allow","Action":"s3:*"}"#)]);
        v.push(c(
            "SCP allow without Resource covers every resource",
            &scp_no_resource,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            Allowed,
        ));

        // --- several identity policies ---------------------------------------------------------
        let several = s()
            .id(&p(
                r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#,
            ))
            .id(&p(
                r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::x"}"#,
            ));
        v.push(c(
            "second identity policy grants",
            &several,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            AllowedBy("id1", 0),
        ));
        v.push(c(
            "first identity policy grants",
            &several,
            "s3:GetObject",
            "arn:aws:s3:::x/k",
            AllowedBy("id0", 0),
        ));
        let group = s()
            .id(&p(
                r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#,
            ))
            .named(
                "arn:aws:iam::1:group/ops:inline:ops-admin",
                &p(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#),
            );
        v.push(c(
            "a user's group policy grants",
            &group,
            "ec2:TerminateInstances",
            "*",
            AllowedBy("arn:aws:iam::1:group/ops:inline:ops-admin", 0),
        ));
        let two_grants = s()
            .id(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:Delete*","Resource":"arn:aws:s3:::x"}"#))
            .id(&p(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#));
        v.push(c(
            "every allowing statement is evidence",
            &two_grants,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            Grants(2),
        ));

        // --- conditions: String ---------------------------------------------------------------
        let region = s().id(&p(
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}"#,
        ));
        v.push(cx(
            "StringEquals decided true",
            &region,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestedRegion", &["eu-west-1"]),
            Allowed,
        ));
        v.push(cx(
            "StringEquals decided false",
            &region,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestedRegion", &["ap-south-1"]),
            NoIdentity,
        ));
        v.push(c(
            "StringEquals undecidable",
            &region,
            "ec2:RunInstances",
            "*",
            CondOn(&["aws:RequestedRegion"]),
        ));
        v.push(cx(
            "condition key is case-insensitive",
            &region,
            "ec2:RunInstances",
            "*",
            ctx().with("AWS:REQUESTEDREGION", &["us-east-1"]),
            Allowed,
        ));
        v.push(cx(
            "closed context: absent key is false",
            &region,
            "ec2:RunInstances",
            "*",
            ctx().closed(),
            NoIdentity,
        ));
        let like = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":["home/*","public/?"]}}}"#,
        ));
        v.push(cx(
            "StringLike decided true",
            &like,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            ctx().with("s3:prefix", &["home/alice/"]),
            Allowed,
        ));
        v.push(cx(
            "StringLike ? decided true",
            &like,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            ctx().with("s3:prefix", &["public/a"]),
            Allowed,
        ));
        v.push(cx(
            "StringLike decided false",
            &like,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            ctx().with("s3:prefix", &["secret/"]),
            NoIdentity,
        ));
        v.push(c(
            "StringLike undecidable",
            &like,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            CondWhy(Why::Key),
        ));
        let not_eq = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"111122223333"}}}}}}"#
        )));
        v.push(cx(
            "StringNotEquals deny applies",
            &not_eq,
            "s3:GetObject",
            "*",
            ctx().with("aws:PrincipalAccount", &["999999999999"]),
            Denied("id0", 1),
        ));
        v.push(cx(
            "StringNotEquals deny does not apply",
            &not_eq,
            "s3:GetObject",
            "*",
            ctx().with_principal_arn("arn:aws:iam::111122223333:role/x"),
            Allowed,
        ));
        v.push(cx(
            "StringNotEquals on an absent key is true",
            &not_eq,
            "s3:GetObject",
            "*",
            ctx().with_absent("aws:PrincipalAccount"),
            Denied("id0", 1),
        ));
        let ignore_case = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"Platform"}}}"#,
        ));
        v.push(cx(
            "StringEqualsIgnoreCase decided true",
            &ignore_case,
            "s3:GetObject",
            "*",
            ctx().with("aws:PrincipalTag/team", &["PLATFORM"]),
            Allowed,
        ));
        v.push(cx(
            "StringEqualsIgnoreCase decided false",
            &ignore_case,
            "s3:GetObject",
            "*",
            ctx().with("aws:PrincipalTag/team", &["data"]),
            NoIdentity,
        ));

        // --- conditions: Numeric, Date, Bool, IP, ARN, Binary -----------------------------------
        let mfa_age = s().id(&p(
            r#"{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}"#,
        ));
        v.push(cx(
            "Numeric (JSON number value) decided true",
            &mfa_age,
            "iam:CreateUser",
            "*",
            ctx().with("aws:MultiFactorAuthAge", &["120"]),
            Allowed,
        ));
        v.push(cx(
            "Numeric decided false",
            &mfa_age,
            "iam:CreateUser",
            "*",
            ctx().with("aws:MultiFactorAuthAge", &["7200"]),
            NoIdentity,
        ));
        v.push(c(
            "Numeric undecidable",
            &mfa_age,
            "iam:CreateUser",
            "*",
            CondOn(&["aws:MultiFactorAuthAge"]),
        ));
        let until = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"DateGreaterThanEquals":{"aws:CurrentTime":"1704067200"}}}"#,
        ));
        v.push(cx(
            "Date decided true (ISO and epoch)",
            &until,
            "s3:GetObject",
            "*",
            ctx().with("aws:CurrentTime", &["2026-06-01T12:00:00Z"]),
            Allowed,
        ));
        v.push(cx(
            "Date decided false (expired)",
            &until,
            "s3:GetObject",
            "*",
            ctx().with("aws:CurrentTime", &["2031-01-01T00:00:00Z"]),
            NoIdentity,
        ));
        v.push(cx(
            "Date decided false (not yet)",
            &until,
            "s3:GetObject",
            "*",
            ctx().with("aws:CurrentTime", &["2023-12-31T23:59:59Z"]),
            NoIdentity,
        ));
        v.push(c(
            "Date undecidable",
            &until,
            "s3:GetObject",
            "*",
            CondOn(&["aws:CurrentTime"]),
        ));
        let mfa = s().id(&p(
            r#"{"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}"#,
        ));
        v.push(cx(
            "Bool MFA present",
            &mfa,
            "ec2:TerminateInstances",
            "*",
            ctx().with("aws:MultiFactorAuthPresent", &["true"]),
            Allowed,
        ));
        v.push(cx(
            "Bool MFA false",
            &mfa,
            "ec2:TerminateInstances",
            "*",
            ctx().with("aws:MultiFactorAuthPresent", &["false"]),
            NoIdentity,
        ));
        v.push(cx(
            "Bool MFA absent (long-term keys)",
            &mfa,
            "ec2:TerminateInstances",
            "*",
            ctx().with_absent("aws:MultiFactorAuthPresent"),
            NoIdentity,
        ));
        v.push(c(
            "Bool MFA undecidable",
            &mfa,
            "ec2:TerminateInstances",
            "*",
            CondOn(&["aws:MultiFactorAuthPresent"]),
        ));
        let deny_no_mfa = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Sid":"DenyWithoutMFA","Effect":"Deny","Action":"*","Resource":"*","Condition":{{"BoolIfExists":{{"aws:MultiFactorAuthPresent":"false"}}}}}}"#
        )));
        v.push(cx(
            "BoolIfExists deny: MFA false",
            &deny_no_mfa,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            ctx().with("aws:MultiFactorAuthPresent", &["false"]),
            DeniedSid("DenyWithoutMFA"),
        ));
        v.push(cx(
            "BoolIfExists deny: MFA true",
            &deny_no_mfa,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            ctx().with("aws:MultiFactorAuthPresent", &["true"]),
            Allowed,
        ));
        v.push(cx(
            "BoolIfExists deny: key absent means IfExists is true",
            &deny_no_mfa,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            ctx().with_absent("aws:MultiFactorAuthPresent"),
            DeniedSid("DenyWithoutMFA"),
        ));
        v.push(c(
            "BoolIfExists deny: unknown key is undecidable",
            &deny_no_mfa,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            CondFrom("id0", 1),
        ));
        let ip = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}"#,
        ));
        v.push(cx(
            "IpAddress decided true",
            &ip,
            "s3:GetObject",
            "*",
            ctx().with("aws:SourceIp", &["203.0.113.7"]),
            Allowed,
        ));
        v.push(cx(
            "IpAddress IPv6 decided true",
            &ip,
            "s3:GetObject",
            "*",
            ctx().with("aws:SourceIp", &["2001:db8::9"]),
            Allowed,
        ));
        v.push(cx(
            "IpAddress decided false",
            &ip,
            "s3:GetObject",
            "*",
            ctx().with("aws:SourceIp", &["198.51.100.1"]),
            NoIdentity,
        ));
        v.push(c(
            "IpAddress undecidable",
            &ip,
            "s3:GetObject",
            "*",
            CondOn(&["aws:SourceIp"]),
        ));
        let not_ip = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"NotIpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#
        )));
        v.push(cx(
            "NotIpAddress deny from outside",
            &not_ip,
            "s3:GetObject",
            "*",
            ctx().with("aws:SourceIp", &["8.8.8.8"]),
            Denied("id0", 1),
        ));
        v.push(cx(
            "NotIpAddress deny from inside",
            &not_ip,
            "s3:GetObject",
            "*",
            ctx().with("aws:SourceIp", &["10.2.3.4"]),
            Allowed,
        ));
        let arn = s().id(&p(
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci-*"}}}"#,
        ));
        v.push(cx(
            "ArnLike decided true",
            &arn,
            "iam:PassRole",
            "*",
            ctx().with_principal_arn("arn:aws:iam::1:role/ci-deploy"),
            Allowed,
        ));
        v.push(cx(
            "ArnLike decided false",
            &arn,
            "iam:PassRole",
            "*",
            ctx().with_principal_arn("arn:aws:iam::1:role/agent"),
            NoIdentity,
        ));
        v.push(c(
            "ArnLike undecidable",
            &arn,
            "iam:PassRole",
            "*",
            CondOn(&["aws:PrincipalArn"]),
        ));
        let binary = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"custom:blob":"QmluYXJ5"}}}"#,
        ));
        v.push(cx(
            "BinaryEquals decided true",
            &binary,
            "s3:GetObject",
            "*",
            ctx().with("custom:blob", &["QmluYXJ5"]),
            Allowed,
        ));
        v.push(cx(
            "BinaryEquals decided false",
            &binary,
            "s3:GetObject",
            "*",
            ctx().with("custom:blob", &["eA=="]),
            NoIdentity,
        ));

        // --- Null, IfExists, set operators -----------------------------------------------------
        let require_tag = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{{"Null":{{"aws:RequestTag/owner":"true"}}}}}}"#
        )));
        v.push(cx(
            "Null deny: tag absent",
            &require_tag,
            "ec2:RunInstances",
            "*",
            ctx().with_absent("aws:RequestTag/owner"),
            Denied("id0", 1),
        ));
        v.push(cx(
            "Null deny: tag present",
            &require_tag,
            "ec2:RunInstances",
            "*",
            ctx().with("aws:RequestTag/owner", &["alice"]),
            Allowed,
        ));
        v.push(c(
            "Null deny: unknown",
            &require_tag,
            "ec2:RunInstances",
            "*",
            CondOn(&["aws:RequestTag/owner"]),
        ));
        let if_exists = s().id(&p(
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:InstanceType":["t3.micro","t3.small"]}}}"#,
        ));
        v.push(cx(
            "IfExists: key absent is true",
            &if_exists,
            "ec2:CreateTags",
            "*",
            ctx().with_absent("ec2:InstanceType"),
            Allowed,
        ));
        v.push(cx(
            "IfExists: key present and listed",
            &if_exists,
            "ec2:RunInstances",
            "*",
            ctx().with("ec2:InstanceType", &["t3.micro"]),
            Allowed,
        ));
        v.push(cx(
            "IfExists: key present, not listed",
            &if_exists,
            "ec2:RunInstances",
            "*",
            ctx().with("ec2:InstanceType", &["p4d.24xlarge"]),
            NoIdentity,
        ));
        v.push(c(
            "IfExists: unknown key is undecidable",
            &if_exists,
            "ec2:RunInstances",
            "*",
            CondOn(&["ec2:InstanceType"]),
        ));
        let any_value = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"ForAnyValue:StringEquals":{{"aws:TagKeys":["protected","owner"]}}}}}}"#
        )));
        v.push(cx(
            "ForAnyValue: one value listed",
            &any_value,
            "ec2:DeleteTags",
            "*",
            ctx().with("aws:TagKeys", &["env", "protected"]),
            Denied("id0", 1),
        ));
        v.push(cx(
            "ForAnyValue: none listed",
            &any_value,
            "ec2:DeleteTags",
            "*",
            ctx().with("aws:TagKeys", &["env"]),
            Allowed,
        ));
        v.push(cx(
            "ForAnyValue: missing key is false",
            &any_value,
            "ec2:DeleteTags",
            "*",
            ctx().with_absent("aws:TagKeys"),
            Allowed,
        ));
        v.push(c(
            "ForAnyValue: unknown",
            &any_value,
            "ec2:DeleteTags",
            "*",
            CondOn(&["aws:TagKeys"]),
        ));
        let all_values = s().id(&p(
            r#"{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}}"#,
        ));
        v.push(cx(
            "ForAllValues: all listed",
            &all_values,
            "ec2:CreateTags",
            "*",
            ctx().with("aws:TagKeys", &["env", "owner"]),
            Allowed,
        ));
        v.push(cx(
            "ForAllValues: one not listed",
            &all_values,
            "ec2:CreateTags",
            "*",
            ctx().with("aws:TagKeys", &["env", "cost"]),
            NoIdentity,
        ));
        v.push(cx(
            "ForAllValues: missing key is true",
            &all_values,
            "ec2:CreateTags",
            "*",
            ctx().with_absent("aws:TagKeys"),
            Allowed,
        ));
        v.push(c(
            "ForAllValues: unknown",
            &all_values,
            "ec2:CreateTags",
            "*",
            CondOn(&["aws:TagKeys"]),
        ));

        // --- several conditions, unsupported operators, undecidable denies -----------------------
        let anded = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"},"Bool":{"aws:SecureTransport":"true"}}}"#,
        ));
        v.push(cx(
            "conditions ANDed: both true",
            &anded,
            "s3:GetObject",
            "*",
            ctx()
                .with("aws:RequestedRegion", &["us-east-1"])
                .with("aws:SecureTransport", &["true"]),
            Allowed,
        ));
        v.push(cx(
            "conditions ANDed: one false decides",
            &anded,
            "s3:GetObject",
            "*",
            ctx().with("aws:SecureTransport", &["false"]),
            NoIdentity,
        ));
        v.push(cx(
            "conditions ANDed: one unknown",
            &anded,
            "s3:GetObject",
            "*",
            ctx().with("aws:SecureTransport", &["true"]),
            CondOn(&["aws:RequestedRegion"]),
        ));
        let unsupported = s().id(&p(
            r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOfEquals":{"aws:RequestedRegion":"us-east-1"}}}"#,
        ));
        v.push(cx(
            "unsupported operator in an allow is undecided",
            &unsupported,
            "s3:GetObject",
            "*",
            ctx().with("aws:RequestedRegion", &["us-east-1"]),
            CondWhy(Why::Operator),
        ));
        let unsupported_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"FancyNewOperator":{{"aws:Foo":"x"}}}}}}"#
        )));
        v.push(c(
            "unsupported operator in a deny is undecided",
            &unsupported_deny,
            "s3:GetObject",
            "*",
            CondWhy(Why::Operator),
        ));
        let undecided_deny = s().id(&p(ALLOW_ALL)).id(&p(
            r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/role":"admin"}}}"#,
        ));
        v.push(c(
            "undecidable deny over an allow is conditional",
            &undecided_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            CondFrom("id1", 0),
        ));
        v.push(cx(
            "decided deny over an allow",
            &undecided_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            ctx().with("aws:PrincipalTag/role", &["dev"]),
            Denied("id1", 0),
        ));
        v.push(cx(
            "decided non-applying deny",
            &undecided_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::x",
            ctx().with("aws:PrincipalTag/role", &["admin"]),
            Allowed,
        ));
        let undecided_deny_no_allow = s().id(&p(
            r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"false"}}}"#,
        ));
        v.push(c(
            "undecidable deny without allow stays implicitly denied",
            &undecided_deny_no_allow,
            "s3:GetObject",
            "*",
            NoIdentity,
        ));
        let cond_and_plain = s()
            .id(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#))
            .id(&p(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#));
        v.push(c(
            "an unconditional grant beats a conditional one",
            &cond_and_plain,
            "s3:GetObject",
            "arn:aws:s3:::x/k",
            AllowedBy("id1", 0),
        ));
        v.push(c(
            "only the conditional grant applies",
            &cond_and_plain,
            "s3:PutObject",
            "arn:aws:s3:::x/k",
            CondFrom("id0", 0),
        ));

        // --- resource ARN wildcards and request patterns -----------------------------------------
        let prod = s().id(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::prod-*","arn:aws:s3:::prod-*/*"]}"#));
        v.push(c(
            "prod-* matches prod-data",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod-data",
            Allowed,
        ));
        v.push(c(
            "prod-* does not match dev-data",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::dev-data",
            NoIdentity,
        ));
        v.push(c(
            "resource match is case-sensitive",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::PROD-data",
            NoIdentity,
        ));
        v.push(c(
            "* crosses / in resources",
            &prod,
            "s3:DeleteObject",
            "arn:aws:s3:::prod-data/a/b/c",
            Allowed,
        ));
        v.push(c(
            "request pattern inside the statement pattern",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod-eu-*",
            Allowed,
        ));
        v.push(c(
            "request pattern overlapping the statement pattern",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            Allowed,
        ));
        v.push(c(
            "request pattern disjoint from the statement pattern",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::dev-*",
            NoIdentity,
        ));
        v.push(c(
            "request pattern with ?",
            &prod,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod-??",
            Allowed,
        ));
        let resource_star = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"*"}"#,
        ));
        v.push(c(
            "Resource * matches a concrete ARN",
            &resource_star,
            "s3:DeleteBucket",
            "arn:aws:s3:::anything",
            Allowed,
        ));
        v.push(c(
            "Resource * covers a request pattern",
            &resource_star,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            Allowed,
        ));
        v.push(c(
            "Resource * matches request *",
            &resource_star,
            "s3:DeleteBucket",
            "*",
            Allowed,
        ));
        let bucket_star = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}"#,
        ));
        v.push(c(
            "request * with only a scoped allow stays conditional (may need Resource *)",
            &bucket_star,
            "s3:ListAllMyBuckets",
            "*",
            CondWhy(Why::Overlap),
        ));
        v.push(c(
            "request * never falsely denied by a scoped allow",
            &bucket_star,
            "s3:DeleteBucket",
            "*",
            CondOn(&["*"]),
        ));
        let star_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}},{{"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::prod-*"}}"#
        )));
        v.push(c(
            "request * with Deny Resource *",
            &star_deny,
            "s3:DeleteBucket",
            "*",
            Denied("id0", 1),
        ));
        v.push(c(
            "request * with a scoped deny: the deny may apply",
            &star_deny,
            "s3:PutBucketPolicy",
            "*",
            CondFrom("id0", 2),
        ));
        let partial_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod-*"}}"#
        )));
        v.push(c(
            "deny covering the request pattern",
            &partial_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod-eu-*",
            Denied("id0", 1),
        ));
        v.push(c(
            "deny covering part of the request pattern: a witness is allowed",
            &partial_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            Allowed,
        ));
        v.push(c(
            "deny disjoint from the request pattern",
            &partial_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::dev-*",
            Allowed,
        ));
        let same_allow_deny = s().id(&p(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::prod-*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::prod-*"}"#,
        ));
        v.push(c(
            "allow and deny on the same part of a pattern: conservative",
            &same_allow_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            CondWhy(Why::Overlap),
        ));
        let disjoint_layers = s()
            .id(&p(
                r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b-*"}"#,
            ))
            .scp(&[&p(
                r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a-*"}"#,
            )]);
        v.push(c(
            "layers allowing different parts are not a plain allow",
            &disjoint_layers,
            "s3:DeleteBucket",
            "arn:aws:s3:::*",
            CondWhy(Why::Overlap),
        ));
        v.push(c(
            "layers allowing the same part",
            &disjoint_layers,
            "s3:DeleteBucket",
            "arn:aws:s3:::a-x",
            NoIdentity,
        ));

        // --- policy variables ---------------------------------------------------------------------
        let home = s().id(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}"#));
        v.push(cx(
            "variable resolved: own home",
            &home,
            "s3:DeleteObject",
            "arn:aws:s3:::home/alice/k",
            ctx().with("aws:username", &["alice"]),
            Allowed,
        ));
        v.push(cx(
            "variable resolved: another home",
            &home,
            "s3:DeleteObject",
            "arn:aws:s3:::home/bob/k",
            ctx().with("aws:username", &["alice"]),
            NoIdentity,
        ));
        v.push(c(
            "variable unknown: conditional grant",
            &home,
            "s3:DeleteObject",
            "arn:aws:s3:::home/bob/k",
            CondWhy(Why::Variable),
        ));
        v.push(c(
            "variable unknown but pattern cannot match",
            &home,
            "s3:DeleteObject",
            "arn:aws:s3:::other/bob/k",
            NoIdentity,
        ));
        // "Policy variables with no value": a Resource entry holding one matches no
        // resource. A role has no aws:username. Before: undecided.
        v.push(cx(
            "variable absent for a role: no value, matches no resource",
            &home,
            "s3:DeleteObject",
            "arn:aws:s3:::home/bob/k",
            ctx().with_principal_arn("arn:aws:iam::1:role/r"),
            NoIdentity,
        ));
        let var_deny = s().id(&p(&format!(
            r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::${{aws:PrincipalTag/protected-bucket}}"}}"#
        )));
        v.push(c(
            "variable in a deny: the deny may not apply",
            &var_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            CondWhy(Why::Variable),
        ));
        v.push(cx(
            "variable in a deny, resolved",
            &var_deny,
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            ctx().with("aws:PrincipalTag/protected-bucket", &["prod"]),
            Denied("id0", 1),
        ));
        let old_version = s().id(
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}"}]}"#,
        );
        v.push(cx(
            "no variables before 2012-10-17",
            &old_version,
            "s3:DeleteBucket",
            "arn:aws:s3:::alice",
            ctx().with("aws:username", &["alice"]),
            NoIdentity,
        ));
        v.push(c(
            "2008 variable text is literal",
            &old_version,
            "s3:DeleteBucket",
            "arn:aws:s3:::${aws:username}",
            Allowed,
        ));
        let default_var = s().id(&p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}"}"#));
        v.push(cx(
            "variable default used when the key is absent",
            &default_var,
            "s3:DeleteBucket",
            "arn:aws:s3:::team-shared",
            ctx().with_absent("aws:PrincipalTag/team"),
            Allowed,
        ));
        let var_condition = s().id(&p(
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}"#,
        ));
        v.push(cx(
            "variable in a condition value, resolved",
            &var_condition,
            "ec2:StopInstances",
            "*",
            ctx()
                .with("aws:ResourceTag/owner", &["alice"])
                .with("aws:username", &["alice"]),
            Allowed,
        ));
        v.push(cx(
            "variable in a condition value, unknown",
            &var_condition,
            "ec2:StopInstances",
            "*",
            ctx().with("aws:ResourceTag/owner", &["alice"]),
            CondWhy(Why::Variable),
        ));

        // --- documents as AWS returns them ----------------------------------------------------------
        let encoded = percent_encode(
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:*\",\n    \"Resource\": \"arn:aws:s3:::a+b/*\"\n  }\n}",
        );
        assert!(encoded.contains("%2A") && encoded.contains('+') && encoded.contains("%20"));
        let encoded_set = s().id(&encoded);
        v.push(c(
            "percent-encoded document with %2A and a literal +",
            &encoded_set,
            "s3:DeleteObject",
            "arn:aws:s3:::a+b/k",
            Allowed,
        ));
        let form_encoded = s().id(
            "%7B%22Version%22%3A+%222012-10-17%22%2C+%22Statement%22%3A+%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22s3%3A%2A%22%2C+%22Resource%22%3A+%22%2A%22%7D%7D",
        );
        v.push(c(
            "form-encoded document (+ as space)",
            &form_encoded,
            "s3:GetObject",
            "arn:aws:s3:::x",
            Allowed,
        ));
        let double = s().id(r#""{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}""#);
        v.push(c(
            "document inside a JSON string",
            &double,
            "s3:GetObject",
            "arn:aws:s3:::x",
            Allowed,
        ));
        v
    }

    #[test]
    fn engine_cases() {
        let cases = cases();
        assert!(cases.len() >= 80, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for case in &cases {
            let set = CompiledPolicySet::new(&case.set.0);
            let request = Request {
                action: case.action,
                resource: case.resource,
                context: &case.ctx,
            };
            let got = evaluate(&set, &request);
            if !check(&got, &case.want) {
                failures.push(format!(
                    "{}: {} on {}: want {:?}, got {got:#?}",
                    case.name, case.action, case.resource, case.want
                ));
            }
            let fast = verdict(&set, &request);
            if fast != got.verdict() {
                failures.push(format!(
                    "{}: {} on {}: the verdict {fast:?} differs from the decision {got:?}",
                    case.name, case.action, case.resource
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn conditional_decisions_carry_the_undecided_conditions() {
        let set = CompiledPolicySet::new(
            &s().id(&p(
                r#"{"Sid":"Mfa","Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
            ))
            .0,
        );
        let ctx = Context::new();
        let got = evaluate(
            &set,
            &Request {
                action: "ec2:TerminateInstances",
                resource: "*",
                context: &ctx,
            },
        );
        let statement = StatementRef {
            policy_id: "id0".into(),
            kind: PolicyKind::Identity,
            index: 0,
            sid: Some("Mfa".into()),
        };
        assert_eq!(
            got,
            Decision::ConditionallyAllowed {
                grants: vec![Grant {
                    statement: statement.clone()
                }],
                undecided: vec![ConditionRef {
                    statement,
                    operator: "Bool".into(),
                    key: "aws:MultiFactorAuthPresent".into(),
                    values: vec!["true".into()],
                    why: Undecided::UnknownKey,
                }],
            }
        );
        assert!(got.may_be_allowed());
    }

    #[test]
    fn scp_level_evidence_names_the_level_policies() {
        let set = s().id(&p(ALLOW_ALL)).scp(&[&p(ALLOW_ALL)]).scp(&[
            &p(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
            &p(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#),
        ]);
        let compiled = CompiledPolicySet::new(&set.0);
        let ctx = Context::new();
        let got = compiled.evaluate(&Request {
            action: "iam:CreateUser",
            resource: "*",
            context: &ctx,
        });
        assert_eq!(
            got,
            Decision::ImplicitlyDenied {
                missing: Missing::ScpLevel(1, vec!["scp1.0".into(), "scp1.1".into()])
            }
        );
    }

    #[test]
    fn shared_compiled_policies() {
        let managed = Arc::new(CompiledPolicy::new(&named(
            "arn:aws:iam::aws:policy/AdministratorAccess",
            PolicyKind::Identity,
            &p(ALLOW_ALL),
        )));
        assert_eq!(managed.id(), "arn:aws:iam::aws:policy/AdministratorAccess");
        let a = CompiledPolicySet::from_compiled(vec![managed.clone()], None, Vec::new());
        let b = CompiledPolicySet::from_compiled(vec![managed], None, Vec::new());
        let ctx = Context::new();
        let r = Request {
            action: "s3:DeleteBucket",
            resource: "arn:aws:s3:::x",
            context: &ctx,
        };
        assert!(matches!(a.evaluate(&r), Decision::Allowed { .. }));
        assert_eq!(a.evaluate(&r), b.evaluate(&r));
    }
}
