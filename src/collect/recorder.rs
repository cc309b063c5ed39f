//! Every operation the collector sends passes through [`Recorder`]: it counts calls, attempts
//! and errors per operation, refuses any operation that is not a read before it is sent, and
//! refuses every call of a scope whose breaker is open (see [`super::breaker`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::time::Instant;

use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use super::breaker::Breaker;
use super::cause::{self, Connection};

/// Operation name prefixes that only read.
const READ_PREFIXES: &[&str] = &["Describe", "List", "Get", "Search", "Lookup"];
/// Reads that do not look like one: the IAM credential report is generated before it is read.
const READ_EXCEPTIONS: &[&str] = &["GenerateCredentialReport"];

/// Whether an operation only reads.
pub fn is_read_only(operation: &str) -> bool {
    READ_PREFIXES.iter().any(|p| operation.starts_with(p)) || READ_EXCEPTIONS.contains(&operation)
}

/// The IAM policy the audit role needs, as shipped in `deploy/`.
pub const AUDIT_POLICY: &str = include_str!("../../deploy/ringfence-audit-policy.json");

/// The actions of [`AUDIT_POLICY`]: the only ones the collector sends (besides
/// `sts:GetCallerIdentity`, which needs no permission).
pub fn audit_policy_actions() -> &'static BTreeSet<String> {
    static ACTIONS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        // Compiled in and checked by the tests: a parse failure is a build defect.
        let policy: serde_json::Value = serde_json::from_str(AUDIT_POLICY).unwrap_or_default();
        policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["Action"].as_array().into_iter().flatten())
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect()
    });
    &ACTIONS
}

/// The IAM action an operation needs (`s3` `ListBuckets` → `s3:ListAllMyBuckets`), or `None`
/// for one that needs no permission.
pub fn iam_action(service: &str, operation: &str) -> Option<String> {
    match (service, operation) {
        ("sts", "GetCallerIdentity") => None,
        ("s3", "ListBuckets") => Some("s3:ListAllMyBuckets".to_owned()),
        ("s3", "GetObjectLockConfiguration") => {
            Some("s3:GetBucketObjectLockConfiguration".to_owned())
        }
        _ => Some(format!("{service}:{operation}")),
    }
}

/// The IAM action prefix of a service as the SDK names it (`EC2` → `ec2`,
/// `CloudWatch Logs` → `logs`, `EventBridge` → `events`).
pub fn iam_prefix(sdk_service: &str) -> String {
    match sdk_service.to_lowercase().as_str() {
        "cloudwatch logs" => "logs".to_owned(),
        "eventbridge" => "events".to_owned(),
        other => other.replace(' ', ""),
    }
}

/// Counts for one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OperationCount {
    pub calls: u64,
    pub attempts: u64,
    pub errors: u64,
    /// Summed duration of the calls, retries and backoff included.
    pub seconds: f64,
}

/// When a call started, kept in the call's config bag.
#[derive(Debug, Clone, Copy)]
struct CallStart(Instant);

impl Storable for CallStart {
    type Storer = StoreReplace<Self>;
}

/// What was sent, by (service, operation). Shared by every client of a collection.
#[derive(Debug, Default)]
pub struct CallLog {
    counts: Mutex<BTreeMap<(String, String), OperationCount>>,
}

impl CallLog {
    fn update(&self, cfg: &ConfigBag, change: impl FnOnce(&mut OperationCount)) {
        let (service, operation) = match cfg.load::<Metadata>() {
            Some(m) => (m.service().to_owned(), m.name().to_owned()),
            None => ("unknown".to_owned(), "unknown".to_owned()),
        };
        if let Ok(mut counts) = self.counts.lock() {
            change(counts.entry((service, operation)).or_default());
        }
    }

    /// A copy of the counts, by (service, operation).
    pub fn snapshot(&self) -> BTreeMap<(String, String), OperationCount> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// A call the breaker refused: not counted as sent.
#[derive(Debug, Clone, Copy)]
struct NotSentMark;

impl Storable for NotSentMark {
    type Storer = StoreReplace<Self>;
}

/// The interceptor installed on every client the collector builds.
#[derive(Debug, Clone)]
pub struct Recorder {
    log: Arc<CallLog>,
    /// The breaker of the client's scope; `None` for calls outside any scope (the caller's
    /// identity, the organization's accounts).
    breaker: Option<Breaker>,
}

impl Recorder {
    pub fn new(log: &Arc<CallLog>) -> Self {
        Recorder {
            log: log.clone(),
            breaker: None,
        }
    }

    pub fn scoped(log: &Arc<CallLog>, breaker: Breaker) -> Self {
        Recorder {
            log: log.clone(),
            breaker: Some(breaker),
        }
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "ringfence-read-only-recorder"
    }

    // The operation's metadata is in the bag from serialization on (client interceptors'
    // `read_before_execution` runs before the operation configuration is applied).
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_default();
        if let Some(breaker) = &self.breaker
            && let Err(not_sent) = breaker.check()
        {
            cfg.interceptor_state().store_put(NotSentMark);
            return Err(not_sent.into());
        }
        self.log.update(cfg, |c| c.calls += 1);
        cfg.interceptor_state().store_put(CallStart(Instant::now()));
        if !is_read_only(&operation) {
            return Err(format!(
                "ringfence refuses to send {operation}: it only sends read operations"
            )
            .into());
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // A call in flight when its scope's breaker opened is not retried.
        if let Some(breaker) = &self.breaker {
            breaker.check()?;
        }
        self.log.update(cfg, |c| c.attempts += 1);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(breaker) = &self.breaker else {
            return Ok(());
        };
        if context.response().is_some() {
            breaker.answered();
        } else if let Some(Err(err)) = context.output_or_error()
            && let Some(connection) = failed_connection(err)
        {
            breaker.failed(connection);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<NotSentMark>().is_some() {
            return Ok(());
        }
        let failed = matches!(context.output_or_error(), Some(Err(_)));
        let elapsed = cfg
            .load::<CallStart>()
            .map_or(0.0, |start| start.0.elapsed().as_secs_f64());
        self.log.update(cfg, |c| {
            c.seconds += elapsed;
            if failed {
                c.errors += 1;
            }
        });
        Ok(())
    }
}

/// The connection failure of a failed attempt: a connector error that touched the network
/// (refused, reset, DNS, connect timeout) or the attempt's own timeout.
fn failed_connection(
    err: &aws_smithy_runtime_api::client::orchestrator::OrchestratorError<
        aws_smithy_runtime_api::client::interceptors::context::Error,
    >,
) -> Option<Connection> {
    if err.is_timeout_error() {
        return Some(Connection::TimedOut { after: None });
    }
    let connector = err.as_connector_error()?;
    cause::connection(connector)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_policy_only_reads_and_the_template_carries_it() {
        let actions = audit_policy_actions();
        assert!(actions.len() > 40, "{actions:?}");
        for action in actions {
            let (service, operation) = action.split_once(':').unwrap();
            assert!(
                !service.is_empty() && is_read_only(operation),
                "{action} is not a read"
            );
            assert!(
                !operation.contains('*'),
                "{action}: no wildcards, least privilege"
            );
        }
        let template: serde_json::Value = serde_json::from_str(include_str!(
            "../../deploy/ringfence-audit-role.template.json"
        ))
        .unwrap();
        let policy: serde_json::Value = serde_json::from_str(AUDIT_POLICY).unwrap();
        assert_eq!(
            template["Resources"]["AuditRole"]["Properties"]["Policies"][0]["PolicyDocument"],
            policy
        );
    }

    #[test]
    fn every_call_site_in_the_collector_is_in_the_audit_policy() {
        // Each call the collector makes names its operation where it records a failure.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/collect");
        let mut named = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // collect/local reads files, not AWS.
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let service = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("const SERVICE: &str = \"")
                        .and_then(|r| r.strip_suffix("\";"))
                })
                .map(str::to_owned);
            for (index, _) in text.match_indices("failure(") {
                let rest = &text[index + "failure(".len()..];
                let mut parts = rest.splitn(3, ',');
                let (Some(svc), Some(op)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let op = op.trim().trim_matches('"');
                let svc = svc.trim().trim_matches('"');
                let svc = if svc == "SERVICE" {
                    service.clone().unwrap_or_default()
                } else {
                    svc.to_owned()
                };
                if op.chars().next().is_some_and(char::is_uppercase) {
                    named.insert((svc, op.to_owned()));
                }
            }
        }
        assert!(named.len() > 30, "{named:?}");
        for (service, operation) in named {
            let action = iam_action(&service, &operation).unwrap();
            assert!(
                audit_policy_actions().contains(&action),
                "{action} is called but not in deploy/ringfence-audit-policy.json"
            );
        }
    }

    #[test]
    fn only_reads_pass() {
        use super::is_read_only;
        for op in [
            "DescribeInstances",
            "ListRoles",
            "GetAccountAuthorizationDetails",
            "SearchTransitGatewayRoutes",
            "GenerateCredentialReport",
        ] {
            assert!(is_read_only(op), "{op}");
        }
        for op in [
            "DeleteDBInstance",
            "ModifyInstanceAttribute",
            "CreateRole",
            "PutRolePolicy",
            "TerminateInstances",
            "AssumeRole",
        ] {
            assert!(!is_read_only(op), "{op}");
        }
    }
}
