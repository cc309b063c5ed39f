//! Estates for the LOG checks' tests: an organization whose management account owns the
//! organization trail, a production member and a non-production member.

use std::collections::BTreeMap;

pub use crate::checks::testing::{NONPROD, PROD, REGION};
use crate::checks::testing::{estate_in, run_check};
use crate::checks::{Check, Finding};
use crate::inventory::{
    Account, ClassicEventSelector, CloudTrailTrail, Region, Snapshot, TrailSelectors,
};

pub const MANAGEMENT: &str = "111111111111";
pub const TRAIL_ARN: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-audit";
pub const LOG_GROUP: &str = "arn:aws:logs:us-east-1:111111111111:log-group:org-audit:*";

/// The organization trail, complete with status and selectors.
pub fn org_trail(multi_region: bool, logging: bool, read_write: &str) -> CloudTrailTrail {
    CloudTrailTrail {
        name: "org-audit".into(),
        arn: TRAIL_ARN.into(),
        home_region: "us-east-1".into(),
        multi_region,
        organization_trail: true,
        log_file_validation: true,
        cloudwatch_logs_log_group_arn: Some(LOG_GROUP.into()),
        is_logging: Some(logging),
        event_selectors: Some(TrailSelectors {
            classic: vec![ClassicEventSelector {
                read_write_type: read_write.into(),
                include_management_events: true,
                ..Default::default()
            }],
            advanced: vec![],
        }),
        ..Default::default()
    }
}

/// The copy of a trail a member account sees: no status, no selectors.
pub fn shadow(trail: &CloudTrailTrail) -> CloudTrailTrail {
    CloudTrailTrail {
        is_logging: None,
        event_selectors: None,
        ..trail.clone()
    }
}

/// A region where every logging list was collected, empty.
pub fn logging_collected(r: &mut Region) {
    r.cloudtrail_trails = Some(vec![]);
    r.eventbridge_rules = Some(vec![]);
    r.log_metric_filters = Some(vec![]);
    r.cloudwatch_alarms = Some(vec![]);
}

/// Management account (owning `trail` in us-east-1), the production member (seeing its
/// shadow in eu-west-1 and us-east-1) and a non-production member.
pub fn org_estate(trail: CloudTrailTrail) -> Snapshot {
    let seen = shadow(&trail);
    let mut snapshot = estate_in(PROD, |r| {
        logging_collected(r);
        r.cloudtrail_trails = Some(vec![seen.clone()]);
    });
    let mut us_east = Region::default();
    logging_collected(&mut us_east);
    us_east.cloudtrail_trails = Some(vec![seen.clone()]);
    if let Some(regions) = &mut snapshot.accounts[0].regions {
        regions.insert("us-east-1".into(), us_east);
    }
    let mut home = Region::default();
    logging_collected(&mut home);
    home.cloudtrail_trails = Some(vec![trail]);
    snapshot.accounts.insert(
        0,
        Account {
            id: MANAGEMENT.into(),
            name: Some("acme-management".into()),
            regions: Some(BTreeMap::from([("us-east-1".to_owned(), home)])),
            ..Default::default()
        },
    );
    let nonprod = estate_in(NONPROD, |r| {
        logging_collected(r);
        r.cloudtrail_trails = Some(vec![seen]);
    });
    snapshot.accounts.extend(nonprod.accounts);
    snapshot
}

/// One production account with one region (`REGION`) shaped by `shape`.
pub fn prod_only(shape: impl FnOnce(&mut Region)) -> Snapshot {
    estate_in(PROD, |r| {
        logging_collected(r);
        shape(r);
    })
}

pub fn run(check: &Check, snapshot: &Snapshot) -> Vec<Finding> {
    run_check(check, snapshot)
}

/// The first finding about the production account (in `REGION` when regional).
pub fn prod_finding(findings: &[Finding]) -> &Finding {
    findings
        .iter()
        .find(|f| {
            f.account.as_deref() == Some(PROD) && f.region.as_deref().is_none_or(|r| r == REGION)
        })
        .unwrap_or_else(|| panic!("no finding for the production account: {findings:#?}"))
}
