//! The snapshot file: a versioned, deterministic JSON form of the inventory.

use std::collections::BTreeSet;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Account, CollectionError, Organization, Region, Workstation};
use crate::error::Error;

/// The snapshot format this build writes. Readers accept the same major version and any
/// minor version up to their own.
pub const SNAPSHOT_SCHEMA_VERSION: &str = "1.1";

/// A saved inventory: everything evaluation needs, and nothing it computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// `MAJOR.MINOR` of the snapshot format.
    pub schema_version: String,
    /// Version of the tool that produced the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// When collection finished. Time-based checks (recovery points) are judged against it.
    pub collected_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    pub accounts: Vec<Account>,
    /// Calls that failed during collection.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
    /// API calls made by live collection, per service and operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionStats>,
    /// Credentials found on a developer machine (`ringfence scan`, `audit --workspace`);
    /// `None` when no workspace or AWS configuration was scanned. Since format 1.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation: Option<Workstation>,
}

/// What a live collection cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionStats {
    /// Wall time of the whole collection.
    pub wall_seconds: f64,
    pub services: Vec<ServiceStats>,
    pub operations: Vec<CallStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceStats {
    /// The service as in IAM actions (`ec2`, `rds` …).
    pub service: String,
    pub calls: u64,
    /// Attempts beyond the first, over all calls.
    pub retries: u64,
    /// Calls that failed after their retries.
    pub errors: u64,
    /// Duration of the service's calls, retries included, summed (calls run in parallel, so
    /// the sum can exceed the wall time).
    pub seconds: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallStats {
    pub service: String,
    pub operation: String,
    pub calls: u64,
    pub retries: u64,
    pub errors: u64,
    pub seconds: f64,
}

impl Snapshot {
    /// An empty snapshot of the current format.
    pub fn new(collected_at: Timestamp) -> Self {
        Snapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION.to_owned(),
            tool_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            collected_at,
            organization: None,
            accounts: Vec::new(),
            errors: Vec::new(),
            collection: None,
            workstation: None,
        }
    }

    /// Parses and validates a snapshot. `origin` names the file in error messages.
    ///
    /// Never panics, whatever the bytes.
    ///
    /// A UTF-8 byte-order mark is skipped (RFC 8259 allows a reader to ignore it; editors on
    /// Windows write one); a UTF-16 or UTF-32 file is refused, saying so.
    pub fn from_json(bytes: &[u8], origin: &str) -> Result<Self, Error> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.starts_with(b"\xFF\xFE")
            || bytes.starts_with(b"\xFE\xFF")
            || bytes.starts_with(b"\0\0\xFE\xFF")
        {
            return Err(Error::input(
                origin,
                "starts with a UTF-16 or UTF-32 byte-order mark: a snapshot is UTF-8 JSON; convert it (e.g. iconv -f UTF-16 -t UTF-8)",
            ));
        }
        let snapshot: Snapshot = match serde_json::from_slice(bytes) {
            Ok(snapshot) => snapshot,
            Err(err) => return Err(explain_parse_error(bytes, origin, err)),
        };
        if let Err(err) = super::unique_keys::check(bytes) {
            return Err(Error::input(
                format!("{origin}:{}:{}", err.line(), err.column()),
                strip_position(&err.to_string()),
            ));
        }
        check_version(&snapshot.schema_version, &version_origin(bytes, origin))?;
        snapshot.validate(origin)?;
        Ok(snapshot)
    }

    /// The snapshot as pretty JSON, with every list in a stable order.
    pub fn to_json(&self) -> String {
        let mut sorted = self.clone();
        sorted.normalize();
        // Serializing owned, well-formed data into a String cannot fail.
        serde_json::to_string_pretty(&sorted).unwrap_or_default()
    }

    /// Sorts every list by its natural key so that the same estate always serializes the same.
    pub fn normalize(&mut self) {
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        self.errors.sort();
        if let Some(org) = &mut self.organization {
            org.units.sort_by(|a, b| a.id.cmp(&b.id));
            if let Some(scps) = &mut org.service_control_policies {
                scps.sort_by(|a, b| a.id.cmp(&b.id));
            }
        }
        if let Some(workstation) = &mut self.workstation {
            workstation.normalize();
        }
        for account in &mut self.accounts {
            if let Some(iam) = &mut account.iam {
                iam.roles.sort_by(|a, b| a.arn.cmp(&b.arn));
                iam.users.sort_by(|a, b| a.arn.cmp(&b.arn));
                iam.groups.sort_by(|a, b| a.arn.cmp(&b.arn));
                iam.managed_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
                if let Some(providers) = &mut iam.oidc_providers {
                    providers.sort_by(|a, b| a.arn.cmp(&b.arn));
                }
            }
            if let Some(buckets) = &mut account.s3_buckets {
                buckets.sort_by(|a, b| a.name.cmp(&b.name));
            }
            if let Some(globals) = &mut account.rds_global_clusters {
                globals.sort_by(|a, b| a.arn.cmp(&b.arn));
            }
            for region in account.regions.iter_mut().flat_map(|r| r.values_mut()) {
                region.normalize();
            }
        }
    }

    fn validate(&self, origin: &str) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for (index, account) in self.accounts.iter().enumerate() {
            let at = format!("accounts[{index}].id");
            if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::input(
                    origin,
                    format!("{at}: `{}` is not a 12-digit AWS account id", account.id),
                ));
            }
            if !seen.insert(account.id.as_str()) {
                return Err(Error::input(
                    origin,
                    format!(
                        "{at}: account {} appears more than once; merge its data into one entry",
                        account.id
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Region {
    fn normalize(&mut self) {
        fn by<T, K: Ord>(list: &mut Option<Vec<T>>, key: impl Fn(&T) -> K) {
            if let Some(list) = list {
                list.sort_by_key(|item| key(item));
            }
        }
        by(&mut self.vpcs, |x| x.id.clone());
        by(&mut self.subnets, |x| x.id.clone());
        by(&mut self.route_tables, |x| x.id.clone());
        by(&mut self.security_groups, |x| x.id.clone());
        by(&mut self.vpc_peering_connections, |x| x.id.clone());
        by(&mut self.transit_gateways, |x| x.id.clone());
        by(&mut self.transit_gateway_attachments, |x| x.id.clone());
        by(&mut self.transit_gateway_route_tables, |x| x.id.clone());
        by(&mut self.vpn_connections, |x| x.id.clone());
        by(&mut self.ram_resource_shares, |x| x.arn.clone());
        by(&mut self.ec2_instances, |x| x.id.clone());
        by(&mut self.rds_instances, |x| x.id.clone());
        by(&mut self.rds_clusters, |x| x.id.clone());
        by(&mut self.dynamodb_tables, |x| x.name.clone());
        by(&mut self.cloudformation_stacks, |x| x.id.clone());
        by(&mut self.recycle_bin_rules, |x| x.id.clone());
        by(&mut self.cloudtrail_trails, |x| x.arn.clone());
        by(&mut self.eventbridge_rules, |x| x.arn.clone());
        by(&mut self.log_metric_filters, |x| {
            (x.log_group.clone(), x.name.clone())
        });
        by(&mut self.cloudwatch_alarms, |x| x.arn.clone());
    }
}

/// Accepts `1.x` up to this build's minor version.
fn check_version(version: &str, origin: &str) -> Result<(), Error> {
    let (ours_major, ours_minor) = parse_version(SNAPSHOT_SCHEMA_VERSION).unwrap_or((1, 0));
    match parse_version(version) {
        None => Err(Error::input(
            origin,
            format!(
                "schema_version: `{version}` is not a MAJOR.MINOR version such as `{SNAPSHOT_SCHEMA_VERSION}`"
            ),
        )),
        Some((major, _)) if major != ours_major => Err(Error::input(
            origin,
            format!(
                "schema_version: snapshot format {version} is not supported; this ringfence {} reads {ours_major}.x snapshots",
                env!("CARGO_PKG_VERSION")
            ),
        )),
        Some((_, minor)) if minor > ours_minor => Err(Error::input(
            origin,
            format!(
                "schema_version: snapshot format {version} was written by a newer ringfence; this one ({}) reads up to {SNAPSHOT_SCHEMA_VERSION}: upgrade ringfence",
                env!("CARGO_PKG_VERSION")
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// `origin:line:column` of the `schema_version` key, for version errors.
fn version_origin(bytes: &[u8], origin: &str) -> String {
    let needle = b"\"schema_version\"";
    match bytes.windows(needle.len()).position(|w| w == needle) {
        Some(offset) => {
            let before = &bytes[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = offset
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            format!("{origin}:{line}:{column}")
        }
        None => origin.to_owned(),
    }
}

fn parse_version(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Turns a serde error into a message with line, column, the JSON path and, where the failure
/// comes from a version mismatch, the version problem instead.
fn explain_parse_error(bytes: &[u8], origin: &str, err: serde_json::Error) -> Error {
    // A snapshot of another version fails to parse for reasons the version explains better.
    #[derive(Deserialize)]
    struct Peek {
        schema_version: Option<serde_json::Value>,
    }
    if let Ok(peek) = serde_json::from_slice::<Peek>(bytes) {
        match peek.schema_version {
            Some(serde_json::Value::String(version)) => {
                if let Err(version_err) = check_version(&version, &version_origin(bytes, origin)) {
                    return version_err;
                }
            }
            Some(other) => {
                return Error::input(
                    origin,
                    format!(
                        "schema_version: expected a string such as \"{SNAPSHOT_SCHEMA_VERSION}\", found {other}"
                    ),
                );
            }
            None => {}
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let path = match serde_path_to_error::deserialize::<_, Snapshot>(&mut deserializer) {
        Err(err) => err.path().to_string(),
        Ok(_) => String::new(),
    };
    let message = strip_position(&err.to_string());
    let location = format!("{origin}:{}:{}", err.line(), err.column());
    let detail = if path.is_empty() || path == "." {
        message
    } else {
        format!("{path}: {message}")
    };
    Error::Input {
        origin: location,
        message: detail,
    }
}

/// serde_json appends " at line L column C"; the location is given separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}
