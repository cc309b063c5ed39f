//! Would CloudTrail API-call events be caught?
//!
//! Two AWS mechanisms turn CloudTrail API calls into alerts, and this module
//! evaluates both offline, from the pattern text exactly as AWS returns it:
//!
//! * [`eventbridge`]: Amazon EventBridge rule event patterns (the rule's
//!   `EventPattern` JSON string), matched against the event as EventBridge
//!   delivers it on the default bus ("AWS API Call via CloudTrail").
//! * [`metric_filter`]: CloudWatch Logs metric filter patterns (the
//!   `filterPattern` string), matched against the CloudTrail record as it is
//!   written to a CloudTrail log group (as the CIS benchmark alarms do).
//!
//! [`samples`] holds realistic CloudTrail records for destructive calls and
//! IAM policy changes, to check rules and filters against.
//!
//! The module depends only on `serde_json` and std. Patterns are user data:
//! parsing never panics, it returns an error naming what is wrong and where.

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod conformance_metric_filter;
pub mod eventbridge;
pub mod metric_filter;
pub mod samples;
