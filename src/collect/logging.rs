//! Audit logging and alerting: CloudTrail trails with status and selectors, EventBridge rules
//! with their targets, CloudWatch Logs metric filters and CloudWatch alarms.

use super::clients::{Clients, failure};
use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, ClassicEventSelector, CloudTrailTrail,
    CloudWatchAlarm, CollectionError, EventBridgeRule, LogMetricFilter, MetricRef, Region,
    TrailSelectors,
};

#[derive(Default)]
pub struct LoggingData {
    trails: Option<Vec<CloudTrailTrail>>,
    rules: Option<Vec<EventBridgeRule>>,
    filters: Option<Vec<LogMetricFilter>>,
    alarms: Option<Vec<CloudWatchAlarm>>,
}

impl LoggingData {
    pub fn apply(self, region: &mut Region) {
        region.cloudtrail_trails = self.trails;
        region.eventbridge_rules = self.rules;
        region.log_metric_filters = self.filters;
        region.cloudwatch_alarms = self.alarms;
    }
}

/// The region's trails, EventBridge rules, metric filters and alarms.
///
/// The four services are asked side by side, each a group of calls holding one of the
/// `--concurrency` permits: one service that hangs costs its own breaker's time, not the
/// others'.
pub async fn collect(clients: &Clients, errors: &mut Vec<CollectionError>) -> LoggingData {
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (trails, rules, filters, alarms) = futures::join!(
        clients.group("cloudtrail", "trails", trails(clients, &mut a)),
        clients.group("events", "rules", rules(clients, &mut b)),
        clients.group("logs", "metric filters", metric_filters(clients, &mut c)),
        clients.group("cloudwatch", "alarms", alarms(clients, &mut d)),
    );
    errors.extend(a.into_iter().chain(b).chain(c).chain(d));
    LoggingData {
        trails,
        rules,
        filters,
        alarms,
    }
}

/// Trails visible in the region, with the status and selectors of those whose home is here
/// (a multi-region trail is read once, in its home region; shadow copies elsewhere are listed
/// without them).
async fn trails(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<CloudTrailTrail>> {
    let client = &clients.cloudtrail;
    let out = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(out) => out,
        Err(err) => {
            errors.push(failure("cloudtrail", "DescribeTrails", &err));
            return None;
        }
    };
    let mut trails = Vec::new();
    for trail in out.trail_list() {
        let arn = trail.trail_arn().unwrap_or_default().to_owned();
        let home_region = trail.home_region().unwrap_or_default().to_owned();
        let mut item = CloudTrailTrail {
            name: trail.name().unwrap_or_default().to_owned(),
            arn: arn.clone(),
            home_region: home_region.clone(),
            multi_region: trail.is_multi_region_trail().unwrap_or(false),
            organization_trail: trail.is_organization_trail().unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
            s3_bucket: trail.s3_bucket_name().map(str::to_owned),
            cloudwatch_logs_log_group_arn: trail
                .cloud_watch_logs_log_group_arn()
                .map(str::to_owned),
            kms_key_id: trail.kms_key_id().map(str::to_owned),
            is_logging: None,
            event_selectors: None,
        };
        if home_region == clients.region {
            match client.get_trail_status().name(&arn).send().await {
                Ok(status) => item.is_logging = status.is_logging(),
                Err(err) => errors.push(failure("cloudtrail", "GetTrailStatus", &err)),
            }
            match client.get_event_selectors().trail_name(&arn).send().await {
                Ok(selectors) => {
                    item.event_selectors = Some(TrailSelectors {
                        classic: selectors
                            .event_selectors()
                            .iter()
                            .map(|s| ClassicEventSelector {
                                read_write_type: s
                                    .read_write_type()
                                    .map_or("All", |t| t.as_str())
                                    .to_owned(),
                                include_management_events: s
                                    .include_management_events()
                                    .unwrap_or(true),
                                exclude_management_event_sources: s
                                    .exclude_management_event_sources()
                                    .to_vec(),
                            })
                            .collect(),
                        advanced: selectors
                            .advanced_event_selectors()
                            .iter()
                            .map(|s| AdvancedEventSelector {
                                name: s.name().map(str::to_owned),
                                field_selectors: s
                                    .field_selectors()
                                    .iter()
                                    .map(|f| AdvancedFieldSelector {
                                        field: f.field().to_owned(),
                                        equals: f.equals().to_vec(),
                                        not_equals: f.not_equals().to_vec(),
                                        starts_with: f.starts_with().to_vec(),
                                        not_starts_with: f.not_starts_with().to_vec(),
                                        ends_with: f.ends_with().to_vec(),
                                        not_ends_with: f.not_ends_with().to_vec(),
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                }
                Err(err) => errors.push(failure("cloudtrail", "GetEventSelectors", &err)),
            }
        }
        trails.push(item);
    }
    Some(trails)
}

/// Rules of the default event bus, each with its targets.
async fn rules(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<EventBridgeRule>> {
    let client = &clients.events;
    let mut rules = Vec::new();
    let mut token = None;
    loop {
        let out = match client
            .list_rules()
            .limit(100)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) => {
                errors.push(failure("events", "ListRules", &err));
                return None;
            }
        };
        for rule in out.rules() {
            let name = rule.name().unwrap_or_default().to_owned();
            let mut targets = Some(Vec::new());
            let mut target_token = None;
            loop {
                match client
                    .list_targets_by_rule()
                    .rule(&name)
                    .limit(100)
                    .set_next_token(target_token.take())
                    .send()
                    .await
                {
                    Ok(page) => {
                        if let Some(list) = &mut targets {
                            list.extend(page.targets().iter().map(|t| t.arn().to_owned()));
                        }
                        target_token = page.next_token().map(str::to_owned);
                        if target_token.is_none() {
                            break;
                        }
                    }
                    Err(err) => {
                        errors.push(failure("events", "ListTargetsByRule", &err));
                        targets = None;
                        break;
                    }
                }
            }
            rules.push(EventBridgeRule {
                name,
                arn: rule.arn().unwrap_or_default().to_owned(),
                event_bus: rule.event_bus_name().unwrap_or("default").to_owned(),
                state: rule
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                event_pattern: rule.event_pattern().map(str::to_owned),
                schedule_expression: rule.schedule_expression().map(str::to_owned),
                targets,
            });
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Some(rules);
        }
    }
}

async fn metric_filters(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<LogMetricFilter>> {
    match clients
        .logs
        .describe_metric_filters()
        .limit(50)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(filters) => Some(
            filters
                .iter()
                .map(|f| LogMetricFilter {
                    name: f.filter_name().unwrap_or_default().to_owned(),
                    log_group: f.log_group_name().unwrap_or_default().to_owned(),
                    pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                    metrics: f
                        .metric_transformations()
                        .iter()
                        .map(|m| MetricRef {
                            namespace: m.metric_namespace().to_owned(),
                            name: m.metric_name().to_owned(),
                        })
                        .collect(),
                })
                .collect(),
        ),
        Err(err) => {
            errors.push(failure("logs", "DescribeMetricFilters", &err));
            None
        }
    }
}

async fn alarms(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<CloudWatchAlarm>> {
    match clients
        .cloudwatch
        .describe_alarms()
        .max_records(100)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(pages) => Some(
            pages
                .iter()
                .flat_map(|p| p.metric_alarms())
                .map(|a| CloudWatchAlarm {
                    name: a.alarm_name().unwrap_or_default().to_owned(),
                    arn: a.alarm_arn().unwrap_or_default().to_owned(),
                    metric: match (a.namespace(), a.metric_name()) {
                        (Some(namespace), Some(name)) => Some(MetricRef {
                            namespace: namespace.to_owned(),
                            name: name.to_owned(),
                        }),
                        _ => None,
                    },
                    state: a
                        .state_value()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    actions_enabled: a.actions_enabled().unwrap_or(false),
                    alarm_actions: a.alarm_actions().to_vec(),
                })
                .collect(),
        ),
        Err(err) => {
            errors.push(failure("cloudwatch", "DescribeAlarms", &err));
            None
        }
    }
}
