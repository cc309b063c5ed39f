//! LOG — audit logging and concrete alerts.
//!
//! The four checks share two analyses: which trails cover an account ([`coverage`]), and
//! which sample CloudTrail events an account's alerts would catch ([`alerts`]).

pub mod cloudtrail_integrity;
pub mod cloudtrail_multi_region;
pub mod destructive_call_alert;
pub mod iam_change_alert;
#[cfg(test)]
mod testing;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::checks::scope::{TRAILS, account_finding, account_not_collected, add_evidence, scoped};
use crate::checks::{Ctx, Finding, Scoped, Status};
use crate::classify::EnvVerdict;
use crate::events::eventbridge::EventPattern;
use crate::events::metric_filter::FilterPattern;
use crate::events::samples::SampleEvent;
use crate::inventory::{Account, CloudTrailTrail, Region, Snapshot};

/// A production account, or the finding that says why it is not judged.
pub(crate) fn prod_account<'c>(
    snapshot: &Snapshot,
    ctx: &'c Ctx,
    account: &Account,
) -> Result<std::borrow::Cow<'c, EnvVerdict>, Option<Box<Finding>>> {
    let verdict = std::borrow::Cow::Borrowed(ctx.classes.account(&account.id));
    let resource = format!("arn:aws:::{}", account.id);
    let name = account.display_name();
    match scoped(ctx, account, None, verdict, &resource, "account") {
        Scoped::Prod(verdict) if account.regions.is_some() => Ok(verdict),
        Scoped::Prod(_) => Err(account_not_collected(snapshot, ctx, account, TRAILS).map(Box::new)),
        Scoped::Skip(mut finding) => {
            finding.message = match finding.status {
                Status::NotApplicable => format!(
                    "out of scope: account {name} is {}",
                    ctx.classes.account(&account.id).class.as_str()
                ),
                _ => format!(
                    "environment of account {name} is unclassified; declare it in ringfence.toml [environments]"
                ),
            };
            Err(Some(finding))
        }
    }
}

/// How one trail fares as the audit trail of an account.
pub(crate) struct TrailView<'s> {
    pub trail: &'s CloudTrailTrail,
    /// `Some(true)`: logging, multi-region, management events read and write.
    /// `Some(false)`: one of those is missing (see `problems`). `None`: not all was read.
    pub qualifies: Option<bool>,
    pub problems: Vec<String>,
}

impl TrailView<'_> {
    /// Whether the trail may deliver the write events of `region` to its log group: it is
    /// not known to be off, covers the region, and does not exclude write management events.
    pub fn delivers(&self, region: &str) -> bool {
        let t = self.trail;
        t.is_logging != Some(false)
            && (t.multi_region || t.home_region == region)
            && (t.event_selectors.is_none() || management_events(t).1)
    }

    pub fn evidence(&self) -> Value {
        json!({
            "arn": self.trail.arn,
            "home_region": self.trail.home_region,
            "organization_trail": self.trail.organization_trail,
            "multi_region": self.trail.multi_region,
            "is_logging": self.trail.is_logging,
            "management_events": self.trail.event_selectors.as_ref().map(|_| management_events(self.trail)),
            "log_file_validation": self.trail.log_file_validation,
            "cloudwatch_logs_log_group_arn": self.trail.cloudwatch_logs_log_group_arn,
            "problems": self.problems,
        })
    }
}

/// The trails that cover an account: its own and the organization trails it can see, each
/// in its most complete copy (status and selectors are read in the trail's home region of
/// the owning account). `None` when no region's trails were collected.
pub(crate) fn coverage<'s>(
    snapshot: &'s Snapshot,
    account: &'s Account,
) -> Option<Vec<TrailView<'s>>> {
    let regions = account.regions.as_ref()?;
    let lists: Vec<&Vec<CloudTrailTrail>> = regions
        .values()
        .filter_map(|r| r.cloudtrail_trails.as_ref())
        .collect();
    if lists.is_empty() {
        return None;
    }
    let mut by_arn: BTreeMap<&str, &CloudTrailTrail> = BTreeMap::new();
    for trail in lists.into_iter().flatten() {
        let owner = trail.arn.split(':').nth(4).unwrap_or_default();
        if owner != account.id && !trail.organization_trail {
            continue;
        }
        by_arn.entry(&trail.arn).or_insert(trail);
    }
    Some(
        by_arn
            .into_values()
            .map(|trail| view(most_complete(snapshot, trail)))
            .collect(),
    )
}

/// The copy of a trail with the most detail anywhere in the snapshot.
fn most_complete<'s>(snapshot: &'s Snapshot, trail: &'s CloudTrailTrail) -> &'s CloudTrailTrail {
    let detail = |t: &CloudTrailTrail| {
        u8::from(t.is_logging.is_some()) + u8::from(t.event_selectors.is_some())
    };
    snapshot
        .accounts
        .iter()
        .filter_map(|a| a.regions.as_ref())
        .flat_map(|regions| regions.values())
        .filter_map(|r| r.cloudtrail_trails.as_ref())
        .flatten()
        .filter(|t| t.arn == trail.arn)
        .max_by_key(|t| detail(t))
        .unwrap_or(trail)
}

fn view(trail: &CloudTrailTrail) -> TrailView<'_> {
    let mut problems = Vec::new();
    let mut undecided = false;
    match trail.is_logging {
        Some(true) => {}
        Some(false) => problems.push("not logging".to_owned()),
        None => undecided = true,
    }
    if !trail.multi_region {
        problems.push("single-region".to_owned());
    }
    // AWS always answers with at least the default selector; an empty answer says nothing.
    let selectors = trail
        .event_selectors
        .as_ref()
        .filter(|s| !(s.classic.is_empty() && s.advanced.is_empty()));
    match selectors.map(|_| management_events(trail)) {
        Some((true, true)) => {}
        Some((read, write)) => problems.push(match (read, write) {
            (false, false) => "records no management events".to_owned(),
            (true, false) => "records read-only management events only".to_owned(),
            _ => "records write-only management events only".to_owned(),
        }),
        None => undecided = true,
    }
    let qualifies = if !problems.is_empty() {
        Some(false)
    } else if undecided {
        None
    } else {
        Some(true)
    };
    TrailView {
        trail,
        qualifies,
        problems,
    }
}

/// Whether a trail's selectors record management events that are read-only, and that are
/// writes: `(read, write)`.
fn management_events(trail: &CloudTrailTrail) -> (bool, bool) {
    let Some(selectors) = &trail.event_selectors else {
        return (false, false);
    };
    let (mut read, mut write) = (false, false);
    for s in selectors
        .classic
        .iter()
        .filter(|s| s.include_management_events)
    {
        match s.read_write_type.as_str() {
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            _ => (read, write) = (true, true),
        }
    }
    for s in &selectors.advanced {
        let field = |name: &str| s.field_selectors.iter().find(|f| f.field == name);
        let management =
            field("eventCategory").is_some_and(|f| f.equals.iter().any(|v| v == "Management"));
        if !management {
            continue;
        }
        match field("readOnly").map(|f| f.equals.as_slice()) {
            Some([only]) if only == "true" => read = true,
            Some([only]) if only == "false" => write = true,
            _ => (read, write) = (true, true),
        }
    }
    (read, write)
}

/// An account-level finding with the trails in evidence.
pub(crate) fn trail_finding(
    account: &Account,
    verdict: &EnvVerdict,
    status: Status,
    message: String,
    trails: &[TrailView],
) -> Finding {
    let resource = format!("arn:aws:::{}", account.id);
    let mut finding = account_finding(account, None, status, verdict, &resource);
    finding.message = message;
    add_evidence(
        &mut finding,
        "trails",
        json!(trails.iter().map(TrailView::evidence).collect::<Vec<_>>()),
    );
    finding
}

/// What the alerts of one account and region make of a set of sample events.
pub(crate) struct AlertVerdict {
    /// Sample event name → the alerts that catch it (empty: none does).
    pub caught_by: BTreeMap<&'static str, Vec<String>>,
    /// Reasons the picture may be incomplete: alerts that may exist but could not be judged.
    pub gaps: Vec<String>,
    /// Patterns that could not be parsed, with the error.
    pub unparsed: Vec<Value>,
}

impl AlertVerdict {
    pub fn uncaught(&self) -> Vec<&'static str> {
        self.caught_by
            .iter()
            .filter(|(_, by)| by.is_empty())
            .map(|(name, _)| *name)
            .collect()
    }

    /// `pass` when every event is caught; `fail` when one is not and the picture is
    /// complete; `unknown` otherwise.
    pub fn status(&self) -> Status {
        if self.uncaught().is_empty() {
            Status::Pass
        } else if self.gaps.is_empty() && self.unparsed.is_empty() {
            Status::Fail
        } else {
            Status::Unknown
        }
    }

    pub fn add_to(&self, finding: &mut Finding) {
        add_evidence(finding, "uncaught_events", json!(self.uncaught()));
        add_evidence(finding, "caught_by", json!(self.caught_by));
        if !self.gaps.is_empty() {
            add_evidence(finding, "not_judged", json!(self.gaps));
        }
        if !self.unparsed.is_empty() {
            add_evidence(finding, "unparsed_patterns", json!(self.unparsed));
        }
    }
}

/// Judges which `samples` the alerts would catch: enabled rules with targets on the default
/// bus of `rules_region` (EventBridge receives CloudTrail events in the region of the call),
/// and metric filters with an alarm that has an action, on the log groups of `trails`.
/// `rules_region` is `None` when the region was not collected: the caller records that gap.
pub(crate) fn alerts(
    snapshot: &Snapshot,
    rules_region: Option<(&str, &Region)>,
    trails: &[&CloudTrailTrail],
    samples: &[SampleEvent],
) -> AlertVerdict {
    let mut verdict = AlertVerdict {
        caught_by: samples.iter().map(|s| (s.name, Vec::new())).collect(),
        gaps: Vec::new(),
        unparsed: Vec::new(),
    };
    match rules_region {
        // The caller says why the rules are missing.
        None => {}
        Some((name, region)) => match &region.eventbridge_rules {
            None => verdict
                .gaps
                .push(format!("EventBridge rules in {name} were not collected")),
            Some(rules) => {
                let rules = rules
                    .iter()
                    .filter(|r| r.event_bus == "default" && r.state.starts_with("ENABLED"));
                for rule in rules {
                    let Some(text) = &rule.event_pattern else {
                        continue;
                    };
                    let pattern = match EventPattern::parse(text) {
                        Ok(pattern) => pattern,
                        Err(err) => {
                            verdict
                                .unparsed
                                .push(json!({ "rule": rule.arn, "error": err.0 }));
                            continue;
                        }
                    };
                    let caught: Vec<&SampleEvent> = samples
                        .iter()
                        .filter(|s| pattern.matches(&s.envelope()))
                        .collect();
                    if caught.is_empty() {
                        continue;
                    }
                    match &rule.targets {
                        Some(targets) if !targets.is_empty() => {
                            for sample in caught {
                                verdict
                                    .caught_by
                                    .entry(sample.name)
                                    .or_default()
                                    .push(format!("eventbridge rule {}", rule.arn));
                            }
                        }
                        Some(_) => {}
                        None => verdict.gaps.push(format!(
                            "the targets of rule {} were not collected",
                            rule.arn
                        )),
                    }
                }
            }
        },
    }
    for trail in trails {
        let Some(group_arn) = &trail.cloudwatch_logs_log_group_arn else {
            continue;
        };
        judge_log_group(snapshot, group_arn, samples, &mut verdict);
    }
    for by in verdict.caught_by.values_mut() {
        by.sort();
        by.dedup();
    }
    verdict.gaps.sort();
    verdict.gaps.dedup();
    verdict
}

/// Metric filters on one log group, and the alarms on their metrics.
fn judge_log_group(
    snapshot: &Snapshot,
    group_arn: &str,
    samples: &[SampleEvent],
    verdict: &mut AlertVerdict,
) {
    // arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*
    let parts: Vec<&str> = group_arn.splitn(7, ':').collect();
    let (Some(region), Some(account), Some(name)) = (parts.get(3), parts.get(4), parts.get(6))
    else {
        verdict
            .gaps
            .push(format!("log group ARN {group_arn} could not be read"));
        return;
    };
    let name = name.strip_suffix(":*").unwrap_or(name);
    let region_data = snapshot
        .accounts
        .iter()
        .find(|a| a.id == *account)
        .and_then(|a| a.regions.as_ref())
        .and_then(|r| r.get(*region));
    let (Some(filters), Some(alarms)) = (
        region_data.and_then(|r| r.log_metric_filters.as_ref()),
        region_data.and_then(|r| r.cloudwatch_alarms.as_ref()),
    ) else {
        verdict.gaps.push(format!(
            "metric filters and alarms of log group {name} ({account} {region}) were not collected"
        ));
        return;
    };
    for filter in filters.iter().filter(|f| f.log_group == name) {
        let pattern = match FilterPattern::parse(&filter.pattern) {
            Ok(pattern) => pattern,
            Err(err) => {
                verdict.unparsed.push(json!({
                    "metric_filter": format!("{name}/{}", filter.name),
                    "error": err.0,
                }));
                continue;
            }
        };
        let alarmed: Vec<&str> = alarms
            .iter()
            .filter(|a| {
                a.actions_enabled
                    && !a.alarm_actions.is_empty()
                    && a.metric
                        .as_ref()
                        .is_some_and(|m| filter.metrics.contains(m))
            })
            .map(|a| a.name.as_str())
            .collect();
        if alarmed.is_empty() {
            continue;
        }
        for sample in samples.iter().filter(|s| pattern.matches(&s.record)) {
            verdict
                .caught_by
                .entry(sample.name)
                .or_default()
                .push(format!(
                    "metric filter {name}/{} with alarm {}",
                    filter.name,
                    alarmed.join(", ")
                ));
        }
    }
}
