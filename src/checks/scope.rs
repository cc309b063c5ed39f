//! Helpers that every resource check shares: walking accounts and regions, deciding scope,
//! and turning missing data into `unknown` findings.

use std::borrow::Cow;

use serde_json::{Value, json};

use super::{Ctx, Finding, Severity, Status};
use crate::classify::{EnvClass, EnvVerdict};
use crate::inventory::{Account, Region, Snapshot, Tags};

/// One collected region of one account.
pub(crate) struct RegionScope<'s> {
    pub account: &'s Account,
    pub name: &'s str,
    pub region: &'s Region,
    snapshot: &'s Snapshot,
}

/// The collected regions of every account. An account whose regions could not be collected
/// at all yields no region but an `unknown` finding, unless it is non-production.
pub(crate) fn regions<'s>(snapshot: &'s Snapshot, ctx: &Ctx, out: &mut Vec<Finding>) -> Vec<RegionScope<'s>> {
    let mut scopes = Vec::new();
    for account in &snapshot.accounts {
        match &account.regions {
            Some(regions) => scopes.extend(regions.iter().map(|(name, region)| RegionScope {
                account,
                name,
                region,
                snapshot,
            })),
            None => {
                let verdict = ctx.classes.account(&account.id);
                if verdict.class != EnvClass::Nonprod {
                    let errors = errors_for(snapshot, &account.id, None, None);
                    let mut finding = blank(account, None, verdict, format!("arn:aws:::{}", account.id));
                    finding.status = Status::Unknown;
                    finding.message = format!(
                        "account {} ({}) could not be collected: {}",
                        account.display_name(),
                        verdict.class.as_str(),
                        first_error(&errors)
                    );
                    finding.evidence = json!({ "environment": env_evidence(verdict), "errors": errors });
                    out.push(finding);
                }
            }
        }
    }
    scopes
}

/// Whether a resource is in scope: production resources are; the others become findings.
pub(crate) enum Scoped<'a> {
    /// A production resource: judge it.
    Prod(Cow<'a, EnvVerdict>),
    /// Not production (`not_applicable`) or of unknown environment (`unknown`).
    Skip(Finding),
}

impl<'s> RegionScope<'s> {
    /// Classifies a resource (`what` names it in messages, e.g. `db instance orders`).
    pub fn classify<'c>(&self, ctx: &'c Ctx, tags: &Tags, resource: &str, what: &str) -> Scoped<'c> {
        let verdict = ctx.classes.resource(&self.account.id, tags);
        match verdict.class {
            EnvClass::Prod => Scoped::Prod(verdict),
            EnvClass::Nonprod => {
                let mut finding = self.finding(Status::NotApplicable, &verdict, resource);
                finding.message = format!("out of scope: {what} in {} is nonprod", self.where_());
                Scoped::Skip(finding)
            }
            EnvClass::Unclassified => {
                let mut finding = self.finding(Status::Unknown, &verdict, resource);
                finding.message = format!(
                    "environment of {what} in {} is unclassified; declare it in ringfence.toml [environments]",
                    self.where_()
                );
                Scoped::Skip(finding)
            }
        }
    }

    /// A finding about a resource of this region, with the environment in its evidence.
    pub fn finding(&self, status: Status, verdict: &EnvVerdict, resource: &str) -> Finding {
        let mut finding = blank(self.account, Some(self.name), verdict, resource.to_owned());
        finding.status = status;
        finding.evidence = json!({ "environment": env_evidence(verdict) });
        finding
    }

    /// `account-name (123456789012) us-east-1`, for messages.
    pub fn where_(&self) -> String {
        format!("{} {}", self.account.display_name(), self.name)
    }

    /// An `unknown` finding for a list that was not collected in this region, when the
    /// account may hold production resources; `None` for non-production accounts.
    pub fn not_collected(&self, ctx: &Ctx, service: &str, operation: &str, what: &str) -> Option<Finding> {
        let verdict = ctx.classes.account(&self.account.id);
        if verdict.class == EnvClass::Nonprod {
            return None;
        }
        let errors = errors_for(self.snapshot, &self.account.id, Some(self.name), Some(service));
        let resource = format!("arn:aws:{service}:{}:{}", self.name, self.account.id);
        let mut finding = self.finding(Status::Unknown, verdict, &resource);
        finding.message = format!("{what} in {} were not collected: {}", self.where_(), first_error(&errors));
        finding.evidence = json!({
            "environment": env_evidence(verdict),
            "missing": format!("{service}:{operation}"),
            "errors": errors,
        });
        Some(finding)
    }
}

/// Adds `key: value` to a finding's evidence object.
pub(crate) fn add_evidence(finding: &mut Finding, key: &str, value: Value) {
    if let Value::Object(map) = &mut finding.evidence {
        map.insert(key.to_owned(), value);
    }
}

fn blank(account: &Account, region: Option<&str>, verdict: &EnvVerdict, resource: String) -> Finding {
    Finding {
        check_id: String::new(),
        status: Status::Unknown,
        severity: Severity::Low,
        account: Some(account.id.clone()),
        account_name: account.name.clone(),
        region: region.map(str::to_owned),
        environment: Some(verdict.class),
        resource,
        message: String::new(),
        evidence: Value::Null,
        remediation: None,
        waiver: None,
    }
}

fn env_evidence(verdict: &EnvVerdict) -> Value {
    json!({ "class": verdict.class, "reason": verdict.reason })
}

fn errors_for(snapshot: &Snapshot, account: &str, region: Option<&str>, service: Option<&str>) -> Vec<String> {
    snapshot
        .errors
        .iter()
        .filter(|e| {
            e.account_id.as_deref().is_none_or(|a| a == account)
                && match (e.region.as_deref(), region) {
                    (Some(mine), Some(asked)) => mine == asked,
                    _ => true,
                }
                && service.is_none_or(|s| e.service == s)
        })
        .map(|e| e.summary())
        .collect()
}

fn first_error(errors: &[String]) -> String {
    match errors {
        [] => "no collection error was recorded (the snapshot omits this data)".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}
