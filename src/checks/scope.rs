//! Helpers that every resource check shares: walking accounts and regions, deciding scope,
//! and turning missing data into `unknown` findings.

use std::borrow::Cow;

use serde_json::{Value, json};

use super::{Ctx, Finding, Judged, Severity, Status};
use crate::classify::{EnvClass, EnvVerdict};
use crate::inventory::{Account, CollectionError, RdsCluster, RdsInstance, Region, Snapshot, Tags};

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
                if ctx.may_judge(verdict.class) {
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
        scoped(ctx, self.account, Some(self.name), verdict, resource, what)
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
                        "{what} in {} ({}) belongs to db cluster {cluster}, which is not in the snapshot",
                        self.where_(),
                        verdict.class.as_str()
                    );
                    add_evidence(&mut finding, "cluster_id", json!(cluster));
                    out.push(finding);
                }
            }
        }
        out
    }

    /// The databases of this region that are judged as a whole: clusters, and instances that
    /// are not cluster members (a member is judged through its cluster). Lists that were not
    /// collected and members whose cluster is missing become findings in `out`.
    pub fn databases(&self, ctx: &Ctx, out: &mut Vec<Finding>) -> Vec<Database<'s>> {
        out.extend(self.orphaned_members(ctx));
        let mut dbs = Vec::new();
        match &self.region.rds_clusters {
            None => out.extend(self.not_collected(ctx, RDS_CLUSTERS)),
            Some(clusters) => dbs.extend(clusters.iter().map(Database::Cluster)),
        }
        match &self.region.rds_instances {
            None => out.extend(self.not_collected(ctx, RDS_INSTANCES)),
            Some(instances) => dbs.extend(
                instances
                    .iter()
                    .filter(|i| i.cluster_id.is_none())
                    .map(Database::Instance),
            ),
        }
        dbs
    }

    /// A finding about a resource of this region, with the environment in its evidence.
    pub fn finding(&self, status: Status, verdict: &EnvVerdict, resource: &str) -> Finding {
        let mut finding = blank(self.account, Some(self.name), verdict, resource.to_owned());
        finding.status = status;
        finding.evidence = json!({ "environment": env_evidence(verdict) });
        finding
    }

    /// Judges a production resource by one boolean attribute: `pass` when it has its safe
    /// value, `fail` when not, `unknown` when it was not collected.
    pub fn judge_flag(&self, ctx: &Ctx, flag: Flag) -> Finding {
        let verdict = match self.classify(ctx, flag.tags, flag.arn, &flag.what) {
            Scoped::Prod(verdict) => verdict,
            Scoped::Skip(finding) => return *finding,
        };
        let status = match flag.value {
            Some(value) if value == flag.safe_when => Status::Pass,
            Some(_) => Status::Fail,
            None => Status::Unknown,
        };
        let mut finding = self.finding(status, &verdict, flag.arn);
        let (what, at, env) = (&flag.what, self.where_(), verdict.class.as_str());
        finding.message = match status {
            Status::Pass => format!("{what} in {at} ({env}) {}", flag.pass),
            Status::Fail => format!("{what} in {at} ({env}) {}", flag.fail),
            _ => format!(
                "{} of {what} in {at} ({env}) was not collected",
                flag.attribute.replace('_', " ")
            ),
        };
        add_evidence(&mut finding, flag.attribute, json!(flag.value));
        if status == Status::Fail {
            finding.remediation = Some(flag.remediation);
        }
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
        if !ctx.may_judge(verdict.class) {
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
        finding.message = format!(
            "{what} in {} were not collected ({})",
            self.where_(),
            cause(&errors)
        );
        finding.evidence = json!({
            "environment": env_evidence(verdict),
            "missing": format!("{service}:{operation}"),
            "errors": errors.iter().map(|e| e.summary()).collect::<Vec<_>>(),
        });
        Some(finding)
    }
}

/// An RDS database judged as a whole: a DB cluster, or a DB instance outside any cluster.
#[derive(Clone, Copy)]
pub(crate) enum Database<'s> {
    Instance(&'s RdsInstance),
    Cluster(&'s RdsCluster),
}

impl<'s> Database<'s> {
    /// `instance` or `cluster`, as in the CLI's `modify-db-…` commands.
    pub fn kind(self) -> &'static str {
        match self {
            Database::Instance(_) => "instance",
            Database::Cluster(_) => "cluster",
        }
    }

    pub fn id(self) -> &'s str {
        match self {
            Database::Instance(i) => &i.id,
            Database::Cluster(c) => &c.id,
        }
    }

    pub fn arn(self) -> &'s str {
        match self {
            Database::Instance(i) => &i.arn,
            Database::Cluster(c) => &c.arn,
        }
    }

    pub fn tags(self) -> &'s Tags {
        match self {
            Database::Instance(i) => &i.tags,
            Database::Cluster(c) => &c.tags,
        }
    }

    pub fn engine(self) -> &'s str {
        match self {
            Database::Instance(i) => &i.engine,
            Database::Cluster(c) => &c.engine,
        }
    }

    /// `db instance orders`, for messages.
    pub fn what(self) -> String {
        format!("db {} {}", self.kind(), self.id())
    }

    /// The CLI command that modifies it: `aws rds modify-db-instance --db-instance-identifier orders`.
    pub fn modify_command(self) -> String {
        format!(
            "aws rds modify-db-{kind} --db-{kind}-identifier {}",
            self.id(),
            kind = self.kind()
        )
    }
}

/// A resource judged by one boolean attribute (see [`RegionScope::judge_flag`]).
pub(crate) struct Flag<'a> {
    /// Names the resource in messages: `ec2 instance i-0abc`.
    pub what: String,
    pub arn: &'a str,
    pub tags: &'a Tags,
    /// The evidence key, snake_case: `termination_protection`.
    pub attribute: &'static str,
    pub value: Option<bool>,
    /// The value that passes.
    pub safe_when: bool,
    /// The end of the message when it passes: `has termination protection`.
    pub pass: &'static str,
    /// The end of the message when it fails.
    pub fail: &'static str,
    pub remediation: String,
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

/// Puts a resource of `verdict`'s environment in scope (production, and the management account
/// for a check that judges it) or turns it into a `not_applicable` (non-production, or the
/// management account for the others) or `unknown` (unclassified) finding.
pub(crate) fn scoped<'c>(
    ctx: &Ctx,
    account: &Account,
    region: Option<&str>,
    verdict: Cow<'c, EnvVerdict>,
    resource: &str,
    what: &str,
) -> Scoped<'c> {
    let at = match region {
        Some(region) => format!("{} {region}", account.display_name()),
        None => account.display_name().to_owned(),
    };
    match ctx.judges(verdict.class) {
        Judged::Yes => Scoped::Prod(verdict),
        Judged::OutOfScope => {
            let mut finding =
                account_finding(account, region, Status::NotApplicable, &verdict, resource);
            finding.message = out_of_scope(what, &at, verdict.class);
            Scoped::Skip(Box::new(finding))
        }
        Judged::Unclassified => {
            let mut finding = account_finding(account, region, Status::Unknown, &verdict, resource);
            finding.message = format!(
                "environment of {what} in {at} is unclassified; declare it in ringfence.toml [environments]"
            );
            Scoped::Skip(Box::new(finding))
        }
    }
}

/// `out of scope: db instance x in acme-staging eu-west-1 is nonprod`, or the same of the
/// management account, which resource checks leave to the identity, logging and segregation
/// checks.
/// `what` may be empty: `out of scope: acme-staging eu-west-1 is nonprod`.
pub(crate) fn out_of_scope(what: &str, at: &str, class: EnvClass) -> String {
    let subject = if what.is_empty() {
        at.to_owned()
    } else {
        format!("{what} in {at}")
    };
    match class {
        EnvClass::Management => format!(
            "out of scope: {subject} is in the organization's management account, which this check does not judge (it should run no workloads)"
        ),
        other => format!("out of scope: {subject} is {}", other.as_str()),
    }
}

/// A finding about an account, or a resource outside any region's lists (S3 buckets, IAM
/// users), with the environment in its evidence.
pub(crate) fn account_finding(
    account: &Account,
    region: Option<&str>,
    status: Status,
    verdict: &EnvVerdict,
    resource: &str,
) -> Finding {
    let mut finding = blank(account, region, verdict, resource.to_owned());
    finding.status = status;
    finding.evidence = json!({ "environment": env_evidence(verdict) });
    finding
}

/// An `unknown` finding for account-wide data (IAM, S3) that was not collected, or `None` for
/// a non-production account. `service:operation` names the call that reads it.
pub(crate) fn account_not_collected(
    snapshot: &Snapshot,
    ctx: &Ctx,
    account: &Account,
    missing: Missing,
) -> Option<Finding> {
    let verdict = ctx.classes.account(&account.id);
    if !ctx.may_judge(verdict.class) {
        return None;
    }
    let mut errors = errors_for(
        snapshot,
        &account.id,
        None,
        Some((missing.service, missing.operation)),
    );
    if errors.is_empty() {
        // The account itself may not have been reachable (AssumeRole denied).
        errors = errors_for(snapshot, &account.id, None, None);
    }
    let resource = format!(
        "arn:aws:{}::{}:{}",
        missing.service, account.id, missing.resource
    );
    let mut finding = account_finding(account, None, Status::Unknown, verdict, &resource);
    finding.message = format!(
        "{} in {} were not collected ({})",
        missing.what,
        account.display_name(),
        cause(&errors)
    );
    finding.evidence = json!({
        "environment": env_evidence(verdict),
        "missing": format!("{}:{}", missing.service, missing.operation),
        "errors": errors.iter().map(|e| e.summary()).collect::<Vec<_>>(),
    });
    Some(finding)
}

/// The environment of a resource whose tags may not have been read: a resource in a
/// non-production account whose tags are unknown might be tagged production, so it is
/// unclassified rather than guessed.
pub(crate) fn env_of<'c>(ctx: &'c Ctx, account: &str, tags: Option<&Tags>) -> Cow<'c, EnvVerdict> {
    match tags {
        Some(tags) => ctx.classes.resource(account, tags),
        None => {
            let verdict = ctx.classes.account(account);
            if matches!(verdict.class, EnvClass::Prod | EnvClass::Management) {
                Cow::Borrowed(verdict)
            } else {
                Cow::Owned(EnvVerdict {
                    class: EnvClass::Unclassified,
                    reason: format!(
                        "its tags were not read, and its account is {} ({})",
                        verdict.class.as_str(),
                        verdict.reason
                    ),
                })
            }
        }
    }
}

/// A finding about something outside the accounts' lists (a file on a workstation), placed in
/// `account` when it is known.
pub(crate) fn unplaced(
    snapshot: &Snapshot,
    account: Option<&str>,
    verdict: Option<&EnvVerdict>,
    resource: String,
) -> Finding {
    let name = account.and_then(|id| {
        snapshot
            .accounts
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.name.clone())
    });
    Finding {
        check_id: String::new(),
        status: Status::Unknown,
        severity: Severity::Low,
        account: account.map(str::to_owned),
        account_name: name,
        region: None,
        environment: verdict.map(|v| v.class),
        resource,
        message: String::new(),
        evidence: json!({}),
        remediation: None,
        waiver: None,
        lower_severity: None,
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
        lower_severity: None,
    }
}

pub(crate) fn env_evidence(verdict: &EnvVerdict) -> Value {
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

/// Why a list is missing, in a few words: the first error's code and call.
fn cause(errors: &[&CollectionError]) -> String {
    match errors.first() {
        Some(e) => format!(
            "{} on {}:{}",
            e.code.as_deref().unwrap_or("error"),
            e.service,
            e.operation
        ),
        None => "the snapshot holds no data and no error for them".to_owned(),
    }
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
pub(crate) const EC2_INSTANCES: Missing = Missing {
    service: "ec2",
    operation: "DescribeInstances",
    what: "EC2 instances",
    resource: "instance/*",
};
pub(crate) const CFN_STACKS: Missing = Missing {
    service: "cloudformation",
    operation: "DescribeStacks",
    what: "CloudFormation stacks",
    resource: "stack/*",
};
pub(crate) const S3_BUCKETS: Missing = Missing {
    service: "s3",
    operation: "ListBuckets",
    what: "S3 buckets",
    resource: "*",
};
pub(crate) const IAM_USERS: Missing = Missing {
    service: "iam",
    operation: "GetAccountAuthorizationDetails",
    what: "IAM users",
    resource: "user/*",
};
pub(crate) const RECYCLE_BIN_RULES: Missing = Missing {
    service: "rbin",
    operation: "ListRules",
    what: "Recycle Bin rules",
    resource: "rule/*",
};
pub(crate) const TRAILS: Missing = Missing {
    service: "cloudtrail",
    operation: "DescribeTrails",
    what: "CloudTrail trails",
    resource: "trail/*",
};
pub(crate) const IAM_ROLES: Missing = Missing {
    service: "iam",
    operation: "GetAccountAuthorizationDetails",
    what: "IAM roles",
    resource: "role/*",
};
