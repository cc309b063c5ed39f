//! Builders shared by the checks' unit tests.

use std::collections::BTreeMap;

use crate::checks::{Check, Ctx, Finding, Status};
use crate::classify::Classification;
use crate::config::Config;
use crate::inventory::{Account, CollectionError, Region, Snapshot};

pub const PROD: &str = "222222222222";
pub const NONPROD: &str = "333333333333";
pub const UNCLASSIFIED: &str = "444444444444";
pub const REGION: &str = "eu-west-1";

/// An identity policy that allows `sts:AssumeRole` on every role.
pub const ASSUME_ANY: &str =
    r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}"#;

/// A trust policy that lets the AWS principal `principal` (an ARN) assume the role.
pub fn trusts(principal: &str) -> String {
    format!(
        r#"{{"Statement":{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}}}"#
    )
}

/// Makes `account` the management account of an organization the snapshot belongs to.
pub fn in_organization(snapshot: &mut Snapshot, management: &str) {
    snapshot.organization = Some(crate::inventory::Organization {
        id: "o-example".into(),
        management_account_id: management.into(),
        ..Default::default()
    });
}

/// A snapshot holding one account (`PROD`, `NONPROD` or `UNCLASSIFIED`) with one region
/// shaped by `shape`.
pub fn estate_in(account_id: &str, shape: impl FnOnce(&mut Region)) -> Snapshot {
    let name = match account_id {
        PROD => "acme-prod",
        NONPROD => "acme-staging",
        _ => "acme-shared",
    };
    let mut region = Region::default();
    shape(&mut region);
    let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
    snapshot.accounts.push(Account {
        id: account_id.into(),
        name: Some(name.into()),
        regions: Some(BTreeMap::from([(REGION.to_owned(), region)])),
        ..Default::default()
    });
    snapshot
}

/// A snapshot with one production account.
pub fn estate(shape: impl FnOnce(&mut Region)) -> Snapshot {
    estate_in(PROD, shape)
}

pub fn access_denied(service: &str, operation: &str) -> CollectionError {
    CollectionError {
        account_id: Some(PROD.into()),
        region: Some(REGION.into()),
        service: service.into(),
        operation: operation.into(),
        code: Some("AccessDenied".into()),
        message: "User is not authorized".into(),
    }
}

pub fn run_check(check: &Check, snapshot: &Snapshot) -> Vec<Finding> {
    run_check_with(check, snapshot, &Config::default())
}

pub fn run_check_with(check: &Check, snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let classes = Classification::new(snapshot, config);
    let principals = crate::policy::principals::Principals::new(snapshot);
    let ctx = Ctx {
        config,
        classes: &classes,
        principals: &principals,
        collected_at: snapshot.collected_at,
        judges_management: check.entry().judges_management,
    };
    (check.run)(snapshot, &ctx)
}

pub fn statuses(findings: &[Finding]) -> Vec<(Status, String)> {
    findings
        .iter()
        .map(|f| (f.status, f.resource.clone()))
        .collect()
}

/// The one finding, asserting it has `status`.
pub fn only(findings: &[Finding], status: Status) -> &Finding {
    assert_eq!(findings.len(), 1, "expected one finding, got {findings:#?}");
    assert_eq!(findings[0].status, status, "{findings:#?}");
    &findings[0]
}
