//! DynamoDB: tables with deletion protection, point-in-time recovery and tags. The listing
//! gives names only, so each table costs three calls (describe, continuous backups, tags).

use aws_sdk_dynamodb::types::PointInTimeRecoveryStatus;

use super::clients::{Clients, failure, timestamp};
use crate::inventory::{CollectionError, DynamoDbTable, PointInTimeRecovery};

const SERVICE: &str = "dynamodb";

/// The region's tables, or `None` when they could not all be described: a partial list would
/// hide a table from every check.
pub async fn collect(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<DynamoDbTable>> {
    let client = &clients.dynamodb;
    let names = match client
        .list_tables()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(names) => names,
        Err(err) => {
            errors.push(failure(SERVICE, "ListTables", &err));
            return None;
        }
    };
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let described = match client.describe_table().table_name(&name).send().await {
            Ok(out) => out,
            Err(err) => {
                errors.push(failure(SERVICE, "DescribeTable", &err));
                return None;
            }
        };
        let Some(description) = described.table() else {
            errors.push(CollectionError {
                service: SERVICE.into(),
                operation: "DescribeTable".into(),
                message: format!("no description returned for table {name}"),
                ..Default::default()
            });
            return None;
        };
        let arn = description.table_arn().unwrap_or_default().to_owned();
        let point_in_time_recovery = match client
            .describe_continuous_backups()
            .table_name(&name)
            .send()
            .await
        {
            Ok(out) => out
                .continuous_backups_description()
                .and_then(|c| c.point_in_time_recovery_description())
                .map(|p| PointInTimeRecovery {
                    enabled: p.point_in_time_recovery_status()
                        == Some(&PointInTimeRecoveryStatus::Enabled),
                    recovery_period_days: p
                        .recovery_period_in_days()
                        .and_then(|d| u32::try_from(d).ok()),
                    latest_restorable_time: p.latest_restorable_date_time().and_then(timestamp),
                }),
            Err(err) => {
                errors.push(failure(SERVICE, "DescribeContinuousBackups", &err));
                None
            }
        };
        // A table has at most 50 tags: one page.
        let tags = match client
            .list_tags_of_resource()
            .resource_arn(&arn)
            .send()
            .await
        {
            Ok(out) => out
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(err) => {
                errors.push(failure(SERVICE, "ListTagsOfResource", &err));
                Default::default()
            }
        };
        tables.push(DynamoDbTable {
            status: description
                .table_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            deletion_protection: description.deletion_protection_enabled(),
            size_bytes: description
                .table_size_bytes()
                .and_then(|s| u64::try_from(s).ok()),
            replica_regions: description
                .replicas()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_owned))
                .collect(),
            point_in_time_recovery,
            tags,
            name,
            arn,
        });
    }
    Some(tables)
}
