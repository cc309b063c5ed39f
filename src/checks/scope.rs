//! Helpers that every resource check shares: walking accounts and regions, deciding scope,
//! and turning missing data into `unknown` findings.

use std::borrow::Cow;

use serde_json::{Value, json};

use super::{Ctx, Finding, Severity, Status};
use crate::classify::{EnvClass, EnvVerdict};
use crate::inventory::{Account, CollectionError, Region, Snapshot, Tags};

/// One collected region of one account.
pub(crate) struct RegionScope<'s> {
    pub account: &'s Account,
    pub name: &'s str,
    pub region: &'s Region,
    snapshot: &'s Snapshot,
}

/// The collected regions of every account. An account whose regions could not be collected
/// at all yields no region but an `unknown` finding, unless it is non-production.
pub(crate) fn regions<'s>(
    snapshot: &'s Snapshot,
    ctx: &Ctx,
    out: &mut Vec<Finding>,
) -> Vec<RegionScope<'s>> {
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
                    let mut finding =
                        blank(account, None, verdict, format!("arn:aws:::{}", account.id));
                    finding.status = Status::Unknown;
                    finding.message = format!(
                        "account {} ({}) could not be collected: {}",
                        account.display_name(),
                        verdict.class.as_str(),
                        first_error(&errors)
                    );
                    finding.evidence = json!({
                        "environment": env_evidence(verdict),
                        "errors": errors.iter().map(|e| e.summary()).collect::<Vec<_>>(),
                    });
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
    Skip(Box<Finding>),
}

impl<'s> RegionScope<'s> {
    /// Classifies a resource (`what` names it in messages, e.g. `db instance orders`).
    pub fn classify<'c>(
        &self,
        ctx: &'c Ctx,
        tags: &Tags,
        resource: &str,
        what: &str,
    ) -> Scoped<'c> {
        let verdict = ctx.classes.resource(&self.account.id, tags);
        match verdict.class {
            EnvClass::Prod => Scoped::Prod(verdict),
            EnvClass::Nonprod => {
                let mut finding = self.finding(Status::NotApplicable, &verdict, resource);
                finding.message = format!("out of scope: {what} in {} is nonprod", self.where_());
                Scoped::Skip(Box::new(finding))
            }
            EnvClass::Unclassified => {
                let mut finding = self.finding(Status::Unknown, &verdict, resource);
                finding.message = format!(
                    "environment of {what} in {} is unclassified; declare it in ringfence.toml [environments]",
                    self.where_()
                );
                Scoped::Skip(Box::new(finding))
            }
        }
    }

    /// Findings for cluster members whose cluster is missing from the collected clusters: they
    /// are judged through their cluster, so without it they are `unknown` (a partial listing
    /// must not pass silently). Nothing when clusters were not collected at all: that is
    /// reported once by [`RegionScope::not_collected`].
    pub fn orphaned_members(&self, ctx: &Ctx) -> Vec<Finding> {
        let (Some(instances), Some(clusters)) =
            (&self.region.rds_instances, &self.region.rds_clusters)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for instance in instances {
            let Some(cluster) = &instance.cluster_id else {
                continue;
            };
            if clusters.iter().any(|c| &c.id == cluster) {
                continue;
            }
            let what = format!("db instance {}", instance.id);
            match self.classify(ctx, &instance.tags, &instance.arn, &what) {
                Scoped::Skip(finding) => out.push(*finding),
                Scoped::Prod(verdict) => {
                    let mut finding = self.finding(Status::Unknown, &verdict, &instance.arn);
                    finding.message = format!(
                        "{what} in {} (prod) belongs to db cluster {cluster}, which is not in the snapshot",
                        self.where_()
                    );
                    add_evidence(&mut finding, "cluster_id", json!(cluster));
                    out.push(finding);
                }
            }
        }
        out
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
    /// `resource` is the wildcard ARN of what is missing, e.g. `db:*` for RDS instances.
    pub fn not_collected(&self, ctx: &Ctx, missing: Missing) -> Option<Finding> {
        let verdict = ctx.classes.account(&self.account.id);
        if verdict.class == EnvClass::Nonprod {
            return None;
        }
        let Missing {
            service,
            operation,
            what,
            resource,
        } = missing;
        let errors = errors_for(
            self.snapshot,
            &self.account.id,
            Some(self.name),
            Some((service, operation)),
        );
        let arn = format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.name, self.account.id
        );
        let mut finding = self.finding(Status::Unknown, verdict, &arn);
        let cause = match errors.first() {
            Some(e) => format!(
                "{} on {}:{}",
                e.code.as_deref().unwrap_or("error"),
                e.service,
                e.operation
            ),
            None => "the snapshot holds no data and no error for them".to_owned(),
        };
        finding.message = format!("{what} in {} were not collected ({cause})", self.where_());
        finding.evidence = json!({
            "environment": env_evidence(verdict),
            "missing": format!("{service}:{operation}"),
            "errors": errors.iter().map(|e| e.summary()).collect::<Vec<_>>(),
        });
        Some(finding)
    }
}

/// A list the snapshot does not hold.
pub(crate) struct Missing {
    /// The service, as in ARNs and error records (`rds`).
    pub service: &'static str,
    /// The call that reads it (`DescribeDBInstances`).
    pub operation: &'static str,
    /// Plural, for messages (`RDS DB instances`).
    pub what: &'static str,
    /// The resource part of the wildcard ARN (`db:*`).
    pub resource: &'static str,
}

/// Adds `key: value` to a finding's evidence object.
pub(crate) fn add_evidence(finding: &mut Finding, key: &str, value: Value) {
    if let Value::Object(map) = &mut finding.evidence {
        map.insert(key.to_owned(), value);
    }
}

fn blank(
    account: &Account,
    region: Option<&str>,
    verdict: &EnvVerdict,
    resource: String,
) -> Finding {
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

/// Collection errors that explain missing data: those of the operation first, then any other
/// error of the service in the same account and region.
fn errors_for<'s>(
    snapshot: &'s Snapshot,
    account: &str,
    region: Option<&str>,
    call: Option<(&str, &str)>,
) -> Vec<&'s CollectionError> {
    let mut errors: Vec<&CollectionError> = snapshot
        .errors
        .iter()
        .filter(|e| {
            e.account_id.as_deref().is_none_or(|a| a == account)
                && match (e.region.as_deref(), region) {
                    (Some(mine), Some(asked)) => mine == asked,
                    _ => true,
                }
                && call.is_none_or(|(service, _)| e.service == service)
        })
        .collect();
    if let Some((_, operation)) = call {
        errors.sort_by_key(|e| e.operation != operation);
    }
    errors
}

fn first_error(errors: &[&CollectionError]) -> String {
    match errors {
        [] => "no collection error was recorded (the snapshot omits this data)".to_owned(),
        [one] => one.summary(),
        [first, rest @ ..] => format!("{} (and {} more)", first.summary(), rest.len()),
    }
}

pub(crate) const RDS_INSTANCES: Missing = Missing {
    service: "rds",
    operation: "DescribeDBInstances",
    what: "RDS DB instances",
    resource: "db:*",
};
pub(crate) const RDS_CLUSTERS: Missing = Missing {
    service: "rds",
    operation: "DescribeDBClusters",
    what: "RDS DB clusters",
    resource: "cluster:*",
};
pub(crate) const DYNAMODB_TABLES: Missing = Missing {
    service: "dynamodb",
    operation: "ListTables",
    what: "DynamoDB tables",
    resource: "table/*",
};
