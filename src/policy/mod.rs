//! IAM policy documents: parsing every form AWS returns, and deciding what a principal may
//! do in its account.
//!
//! Checks and classification never read policy JSON themselves; they ask this module.
//!
//! # Parsing ([`PolicyDocument::parse`])
//! "IAM JSON policy element reference": plain or percent-encoded JSON (RFC 3986, as
//! `GetAccountAuthorizationDetails` returns it), `Statement` as an object or array, every
//! value element as a string or array, JSON booleans and numbers in values read as their
//! text. Anything malformed is a [`PolicyError`], never an empty policy.
//!
//! # Evaluation ([`evaluate`], [`CompiledPolicySet`])
//! Compile once ([`CompiledPolicySet::new`], or share [`CompiledPolicy`] values between
//! principals with [`CompiledPolicySet::from_compiled`]), then ask many questions. The
//! hot path does not allocate: patterns are pre-classified (`*`, exact, prefix, suffix,
//! star-separated segments) and kept in one text arena per policy; the set indexes its
//! statements by service and by exact action name / action prefix, so most candidates need
//! no pattern match at all; actions compare ASCII case-insensitively in place; identical
//! conditions are decided once per question. Evidence (grants, undecided conditions) is
//! allocated only for the statements that match. A request resource with wildcards
//! allocates its pattern once.
//!
//! **In scope** — "Policy evaluation logic" and "Determining whether a request is allowed
//! or denied within an account": identity-based policies (inline, managed, group), the
//! permissions boundary ("Permissions boundaries for IAM entities") and SCP levels ("SCP
//! evaluation" in the AWS Organizations guide). An explicit Deny anywhere wins; then every
//! SCP level (root, each OU, the account) must have a matching Allow; then the boundary, if
//! set; then an identity policy. **Out of scope**: resource-based policies (bucket, key,
//! trust policies), resource control policies, session policies, cross-account access, and
//! which principals SCPs exempt (management account, service-linked roles: the caller
//! decides by leaving `scp_levels` empty). `Principal` / `NotPrincipal` are parsed but not
//! used here.
//!
//! **Elements** ("IAM JSON policy elements: Action / NotAction / Resource / NotResource"):
//! - Actions match case-insensitively with `*` and `?` anywhere. `NotAction` matches every
//!   action it does not list (an Allow grants them, a Deny denies them). The request action
//!   is taken literally.
//! - Resources match case-sensitively; `*` crosses `:` and `/`. `NotResource` matches every
//!   resource it does not list. A statement with neither `Resource` nor `NotResource`
//!   (which AWS accepts only in SCPs, where it means every resource) matches every resource.
//! - A request resource with `*` or `?` is a pattern: the question is whether *some*
//!   resource matching it is allowed. A statement pattern that covers the whole request
//!   pattern (glob containment, checked soundly) applies as for a concrete ARN; one that
//!   only overlaps it (exact glob intersection) applies "maybe": an Allow then grants only
//!   conditionally and a Deny only maybe applies, reported as [`Undecided::ResourceOverlap`]
//!   (`operator` = `Resource`/`NotResource`, `key` = the request pattern, `values` = the
//!   statement's patterns). The engine then evaluates concrete witness resources inside the
//!   pattern (the pattern with its wildcards filled by a character no ARN contains, then its
//!   intersection with each unconditional identity Allow pattern); one plainly allowed
//!   witness makes the answer [`Decision::Allowed`], with that witness's grants. So a
//!   pattern is never falsely denied (implicit deny only when no allow in some layer
//!   overlaps it; explicit deny only when a deny covers all of it) and never plainly allowed
//!   without proof; `ConditionallyAllowed` can remain where the exact answer would need the
//!   union of several patterns (e.g. an Allow and a Deny on the same `prod-*` part of
//!   `arn:aws:s3:::*`, or layers allowing different parts).
//! - Request resource `*` alone means "some resource of this action" but may also be the
//!   literal resource AWS evaluates for actions without resource-level permissions
//!   (`s3:ListAllMyBuckets`), which only `Resource: "*"` matches. So only statements with
//!   `Resource: "*"` (or no resource element) decide it; scoped `Resource` and any
//!   `NotResource` leave it `ConditionallyAllowed` (no witnesses are tried). Ask about `arn:aws:s3:::*`
//!   for "some bucket".
//!
//! **Policy variables** ("IAM policy elements: Variables and tags"), only in policies with
//! `Version: 2012-10-17` (otherwise `${…}` is literal text): substituted from the
//! [`Context`] when the key is there with one value (`${key, 'default'}` uses the default
//! when the key is absent or multivalued). Otherwise the variable is an unknown run of
//! characters (like `*`): a pattern that does not match even so does not apply; one that
//! would is *undecided* — for an Allow a conditional grant, for a Deny a deny that may
//! apply — reported as [`Undecided::PolicyVariable`]. (AWS says an unresolvable variable
//! "might" make the statement invalid, so that is undecided too.) Escapes `${*}` `${?}`
//! `${$}` are the literal characters; where a literal `*`/`?` would meet a wildcard match
//! the comparison is undecided.
//!
//! **Conditions** ([`Context`], "IAM JSON policy elements: Condition operators",
//! "…: Condition", "Single-valued vs. multivalued context keys"): String, Numeric, Date
//! (ISO 8601 and epoch seconds), Bool, BinaryEquals, IpAddress / NotIpAddress (IPv4 and
//! IPv6 CIDR), Arn operators (per ARN component), `Null`, the `IfExists` suffix and the
//! `ForAnyValue:` / `ForAllValues:` prefixes; operator names are read case-insensitively.
//! Values of one key are ORed, keys and operators ANDed; negated operators are true when
//! no value matches. Keys are case-insensitive. A key the context does not mention is
//! *unknown* (not absent): the condition is undecided, also for `Null`, `IfExists` and the
//! set prefixes. [`Context::with_absent`] / [`Context::closed`] declare keys absent: then
//! plain operators are false, negated ones true, `IfExists` true, `ForAllValues` true,
//! `ForAnyValue` false. An operator the engine does not know is undecided
//! ([`Undecided::UnsupportedOperator`]), never an error. An undecided Allow gives a
//! conditional grant; an undecided Deny over an otherwise allowed request gives
//! [`Decision::ConditionallyAllowed`] listing the deny's conditions.

pub mod actions;
pub mod capabilities;
mod condition;
#[cfg(test)]
mod conformance;
mod context;
mod document;
mod evaluate;
pub mod graph;
mod pattern;
pub mod principals;
pub mod trust;

pub use context::{Context, Lookup};
pub use document::*;
pub use evaluate::{
    CompiledPolicy, CompiledPolicySet, ConditionRef, Decision, Grant, Missing, NamedPolicy,
    PolicyKind, PolicySet, Request, StatementRef, Undecided, Verdict, evaluate, verdict,
};
pub use pattern::glob_match;
