//! REC — recovery objectives.

pub mod cross_region_recovery;
pub mod pitr_enabled;
pub mod rpo_met;
pub mod rto_met;

use std::borrow::Cow;

use serde_json::json;

use crate::checks::scope::{DYNAMODB_TABLES, Database, add_evidence};
use crate::checks::{Ctx, Finding, RegionScope, Scoped, Status};
use crate::classify::EnvVerdict;
use crate::inventory::{DynamoDbTable, Tags};

/// A production data store the recovery checks judge: an RDS database or a DynamoDB table.
#[derive(Clone, Copy)]
pub(crate) enum Store<'s> {
    Rds(Database<'s>),
    Table(&'s DynamoDbTable),
}

impl<'s> Store<'s> {
    pub fn arn(self) -> &'s str {
        match self {
            Store::Rds(db) => db.arn(),
            Store::Table(t) => &t.arn,
        }
    }

    pub fn id(self) -> &'s str {
        match self {
            Store::Rds(db) => db.id(),
            Store::Table(t) => &t.name,
        }
    }

    pub fn tags(self) -> &'s Tags {
        match self {
            Store::Rds(db) => db.tags(),
            Store::Table(t) => &t.tags,
        }
    }

    /// `db instance orders`, `dynamodb table carts`.
    pub fn what(self) -> String {
        match self {
            Store::Rds(db) => db.what(),
            Store::Table(t) => format!("dynamodb table {}", t.name),
        }
    }
}

/// The production data stores of a region, with their environment verdicts. Everything else
/// becomes a finding in `out`: lists not collected, non-production or unclassified stores,
/// and read replicas (a replica is rebuilt from its source, whose recovery is what counts).
pub(crate) fn prod_stores<'s, 'c>(
    scope: &RegionScope<'s>,
    ctx: &'c Ctx,
    out: &mut Vec<Finding>,
) -> Vec<(Store<'s>, Cow<'c, EnvVerdict>)> {
    let mut stores: Vec<Store> = scope
        .databases(ctx, out)
        .into_iter()
        .map(Store::Rds)
        .collect();
    match &scope.region.dynamodb_tables {
        None => out.extend(scope.not_collected(ctx, DYNAMODB_TABLES)),
        Some(tables) => stores.extend(tables.iter().map(Store::Table)),
    }
    let mut prod = Vec::new();
    for store in stores {
        let what = store.what();
        let verdict = match scope.classify(ctx, store.tags(), store.arn(), &what) {
            Scoped::Prod(verdict) => verdict,
            Scoped::Skip(finding) => {
                out.push(*finding);
                continue;
            }
        };
        let source = match store {
            Store::Rds(Database::Instance(i)) => i.read_replica_source.as_deref(),
            Store::Rds(Database::Cluster(c)) => c.replication_source.as_deref(),
            Store::Table(_) => None,
        };
        if let Some(source) = source {
            let mut finding = scope.finding(Status::NotApplicable, &verdict, store.arn());
            finding.message = format!(
                "out of scope: {what} in {} is a read replica of {source}; its source is judged",
                scope.where_()
            );
            add_evidence(&mut finding, "replication_source", json!(source));
            out.push(finding);
            continue;
        }
        prod.push((store, verdict));
    }
    prod
}

/// The region part of an ARN (`arn:aws:rds:eu-west-1:…` → `eu-west-1`).
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// A duration as people write it: `1h 30m`.
pub(crate) fn friendly(duration: jiff::SignedDuration) -> String {
    format!("{duration:#}")
}
