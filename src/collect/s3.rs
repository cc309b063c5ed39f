//! S3: buckets (a global listing) with versioning, MFA delete, Object Lock and tags, each read
//! from the bucket's own region.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_s3::types::{BucketVersioningStatus, MfaDeleteStatus, ObjectLockEnabled};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::clients::{AccountSession, failure};
use super::recorder::CallLog;
use crate::inventory::{Bucket, BucketVersioning, CollectionError};

const SERVICE: &str = "s3";

pub async fn collect(
    session: &AccountSession,
    log: &Arc<CallLog>,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<Bucket>> {
    let home = session.s3_client(log, session.home_region());
    let listed = match home
        .list_buckets()
        .max_buckets(1000)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(pages) => pages,
        Err(err) => {
            errors.push(failure(SERVICE, "ListBuckets", &err));
            return None;
        }
    };
    let mut clients: BTreeMap<String, aws_sdk_s3::Client> = BTreeMap::new();
    let mut buckets = Vec::new();
    for bucket in listed.iter().flat_map(|page| page.buckets()) {
        let Some(name) = bucket.name() else { continue };
        let region = match bucket.bucket_region() {
            Some(region) => region.to_owned(),
            None => match home.get_bucket_location().bucket(name).send().await {
                // An empty location constraint is us-east-1.
                Ok(out) => out
                    .location_constraint()
                    .map(|c| c.as_str())
                    .filter(|c| !c.is_empty())
                    .unwrap_or("us-east-1")
                    .to_owned(),
                Err(err) => {
                    errors.push(failure(SERVICE, "GetBucketLocation", &err));
                    buckets.push(Bucket {
                        name: name.to_owned(),
                        region: String::new(),
                        ..Default::default()
                    });
                    continue;
                }
            },
        };
        let client = clients
            .entry(region.clone())
            .or_insert_with(|| session.s3_client(log, &region));
        let mut item = Bucket {
            name: name.to_owned(),
            region,
            ..Default::default()
        };
        match client.get_bucket_versioning().bucket(name).send().await {
            Ok(out) => {
                item.versioning = Some(match out.status() {
                    Some(BucketVersioningStatus::Enabled) => BucketVersioning::Enabled,
                    Some(BucketVersioningStatus::Suspended) => BucketVersioning::Suspended,
                    _ => BucketVersioning::Unversioned,
                });
                item.mfa_delete = Some(out.mfa_delete() == Some(&MfaDeleteStatus::Enabled));
            }
            Err(err) => errors.push(failure(SERVICE, "GetBucketVersioning", &err)),
        }
        match client
            .get_object_lock_configuration()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) => {
                item.object_lock = Some(
                    out.object_lock_configuration()
                        .and_then(|c| c.object_lock_enabled())
                        == Some(&ObjectLockEnabled::Enabled),
                );
            }
            Err(err) if err.code() == Some("ObjectLockConfigurationNotFoundError") => {
                item.object_lock = Some(false)
            }
            Err(err) => errors.push(failure(SERVICE, "GetObjectLockConfiguration", &err)),
        }
        match client.get_bucket_tagging().bucket(name).send().await {
            Ok(out) => {
                item.tags = Some(
                    out.tag_set()
                        .iter()
                        .map(|t| (t.key().to_owned(), t.value().to_owned()))
                        .collect(),
                )
            }
            Err(err) if err.code() == Some("NoSuchTagSet") => item.tags = Some(Default::default()),
            Err(err) => errors.push(failure(SERVICE, "GetBucketTagging", &err)),
        }
        buckets.push(item);
    }
    Some(buckets)
}
