//! DEL006 s3-versioning: without versioning, a deleted or overwritten object in a production
//! bucket is gone. Object Lock and MFA delete, when present, are noted.

use serde_json::json;

use crate::checks::scope::{
    S3_BUCKETS, account_finding, account_not_collected, add_evidence, env_of, scoped,
};
use crate::checks::{Check, Ctx, Finding, Scoped, Status};
use crate::inventory::{BucketVersioning, Snapshot};

pub const CHECK: Check = Check {
    id: "DEL006",
    name: "s3-versioning",
    catalogue: include_str!("../../../checks/del/DEL006-s3-versioning.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let Some(buckets) = &account.s3_buckets else {
            out.extend(account_not_collected(snapshot, ctx, account, S3_BUCKETS));
            continue;
        };
        for bucket in buckets {
            let arn = format!("arn:aws:s3:::{}", bucket.name);
            let what = format!("s3 bucket {}", bucket.name);
            let region = Some(bucket.region.as_str());
            let verdict = env_of(ctx, &account.id, bucket.tags.as_ref());
            let verdict = match scoped(ctx, account, region, verdict, &arn, &what) {
                Scoped::Prod(verdict) => verdict,
                Scoped::Skip(finding) => {
                    out.push(*finding);
                    continue;
                }
            };
            let status = match bucket.versioning {
                Some(BucketVersioning::Enabled) => Status::Pass,
                Some(_) => Status::Fail,
                None => Status::Unknown,
            };
            let mut finding = account_finding(account, region, status, &verdict, &arn);
            let at = account.display_name();
            finding.message = match bucket.versioning {
                Some(BucketVersioning::Enabled) => format!("{what} in {at} (prod) is versioned"),
                Some(BucketVersioning::Suspended) => format!(
                    "{what} in {at} (prod) has versioning suspended: deleted and overwritten objects are no longer kept"
                ),
                Some(BucketVersioning::Unversioned) => format!(
                    "{what} in {at} (prod) is not versioned: a delete or overwrite cannot be undone"
                ),
                None => format!("versioning of {what} in {at} (prod) was not collected"),
            };
            add_evidence(&mut finding, "versioning", json!(bucket.versioning));
            add_evidence(&mut finding, "object_lock", json!(bucket.object_lock));
            add_evidence(&mut finding, "mfa_delete", json!(bucket.mfa_delete));
            if status == Status::Fail {
                finding.remediation = Some(format!(
                    "aws s3api put-bucket-versioning --bucket {} --versioning-configuration Status=Enabled",
                    bucket.name
                ));
            }
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{Bucket, BucketVersioning, Tags};

    fn bucket(name: &str, versioning: Option<BucketVersioning>) -> Bucket {
        Bucket {
            name: name.into(),
            region: REGION.into(),
            versioning,
            tags: Some(Tags::new()),
            ..Default::default()
        }
    }

    fn run_in(account: &str, buckets: Vec<Bucket>) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate_in(account, |_| {});
        snapshot.accounts[0].s3_buckets = Some(buckets);
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn versioned_bucket_passes_with_object_lock_noted() {
        let mut locked = bucket("ledger", Some(BucketVersioning::Enabled));
        locked.object_lock = Some(true);
        let pass = only(&run_in(PROD, vec![locked]), Status::Pass).clone();
        assert_eq!(pass.resource, "arn:aws:s3:::ledger");
        assert_eq!(pass.evidence["object_lock"], true);
    }

    #[test]
    fn suspended_and_unversioned_fail() {
        for versioning in [BucketVersioning::Suspended, BucketVersioning::Unversioned] {
            let findings = run_in(PROD, vec![bucket("ledger", Some(versioning))]);
            let fail = only(&findings, Status::Fail);
            assert!(
                fail.remediation
                    .as_deref()
                    .unwrap()
                    .contains("Status=Enabled")
            );
        }
    }

    #[test]
    fn unread_versioning_and_unlisted_buckets_are_unknown() {
        only(&run_in(PROD, vec![bucket("ledger", None)]), Status::Unknown);
        let mut snapshot = estate(|_| {});
        snapshot.errors.push(access_denied("s3", "ListBuckets"));
        let findings = run_check(&super::CHECK, &snapshot);
        assert_eq!(
            only(&findings, Status::Unknown).evidence["missing"],
            "s3:ListBuckets"
        );
    }

    #[test]
    fn nonprod_buckets_are_not_applicable_unless_their_tags_are_unknown() {
        only(
            &run_in(
                NONPROD,
                vec![bucket("scratch", Some(BucketVersioning::Unversioned))],
            ),
            Status::NotApplicable,
        );
        let mut untagged = bucket("scratch", Some(BucketVersioning::Unversioned));
        untagged.tags = None;
        let unknown = only(&run_in(NONPROD, vec![untagged]), Status::Unknown).clone();
        assert!(
            unknown.message.contains("unclassified"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn a_prod_tag_in_a_nonprod_account_puts_the_bucket_in_scope() {
        let mut tagged = bucket("exports", Some(BucketVersioning::Suspended));
        tagged.tags = Some(Tags::from([("env".into(), "prod".into())]));
        only(&run_in(NONPROD, vec![tagged]), Status::Fail);
    }
}
