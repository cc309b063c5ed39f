//! SEC — no production secrets on workstations.

pub mod local_prod_credential;
pub mod prod_db_password_managed;
pub mod prod_iam_user_keys;
pub mod workstation_prod_profile;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::checks::Ctx;
use crate::checks::scope::env_evidence;
use crate::classify::{EnvClass, EnvVerdict};
use crate::inventory::{KeyOwner, LocalCredential, Snapshot, Tags};

/// `222222222222 (acme-prod, prod)`; `999999999999 (prod)` for an account outside the snapshot
/// that the configuration classifies; no class for an unclassified account.
fn account_label(snapshot: &Snapshot, id: &str, class: EnvClass) -> String {
    match snapshot
        .accounts
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.name.as_deref())
    {
        // An unclassified account's message says so at more length.
        Some(name) if class == EnvClass::Unclassified => format!("{id} ({name})"),
        Some(name) => format!("{id} ({name}, {})", class.as_str()),
        None if class == EnvClass::Unclassified => id.to_owned(),
        None => format!("{id} ({})", class.as_str()),
    }
}

/// Where a credential sits: `ws/app/.env:3 (DATABASE_URL)`.
fn place(credential: &LocalCredential) -> String {
    match &credential.name {
        Some(name) if !credential.fingerprint.starts_with(name.as_str()) => {
            format!("{}:{} ({name})", credential.file, credential.line)
        }
        _ => format!("{}:{}", credential.file, credential.line),
    }
}

/// The evidence every workstation finding carries about its credential (never its value).
fn credential_evidence(credential: &LocalCredential) -> Value {
    json!({
        "file": credential.file,
        "line": credential.line,
        "kind": credential.kind,
        "name": credential.name,
        "fingerprint": credential.fingerprint,
        "confidence": credential.confidence,
        "with_secret": credential.with_secret,
        "with_session_token": credential.with_session_token,
    })
}

fn owner_evidence(owner: &KeyOwner, verdict: &EnvVerdict) -> Value {
    json!({
        "account_id": owner.account_id,
        "source": owner.source,
        "user_arn": owner.user_arn,
        "environment": env_evidence(verdict),
    })
}

/// Why an access key could not be attributed, and what would attribute it.
fn unattributed_reason(credential: &LocalCredential, with_sts: bool) -> String {
    match (&credential.attribution_error, with_sts) {
        (Some(error), _) => format!(
            "it is not a key of any IAM user in the inventory and sts:GetAccessKeyInfo failed ({error})"
        ),
        (None, true) => "it is not a key of any IAM user in the inventory and sts:GetAccessKeyInfo named no account".to_owned(),
        (None, false) => "it is not a key of any IAM user in the inventory; --attribute-keys asks sts:GetAccessKeyInfo (it sends the key id, never the secret)".to_owned(),
    }
}

/// What an RDS endpoint in the inventory belongs to.
struct EndpointOwner<'s> {
    account: &'s str,
    region: &'s str,
    /// `db instance legacy-billing`, `db cluster payments`.
    what: String,
    arn: &'s str,
    tags: &'s Tags,
}

/// The RDS endpoints of the inventory by host name, and the account-and-region part of each
/// (`c9akciq32.eu-west-1.rds.amazonaws.com`), which names the account even for a database
/// that is not (or no longer) in the inventory.
struct Endpoints<'s> {
    hosts: BTreeMap<String, EndpointOwner<'s>>,
    suffixes: BTreeMap<String, &'s str>,
}

impl<'s> Endpoints<'s> {
    fn new(snapshot: &'s Snapshot) -> Self {
        let mut hosts = BTreeMap::new();
        let mut suffixes = BTreeMap::new();
        for account in &snapshot.accounts {
            for (region_name, region) in account.regions.iter().flatten() {
                let mut add = |address: &str, what: String, arn: &'s str, tags: &'s Tags| {
                    let host = address.trim_end_matches('.').to_ascii_lowercase();
                    if let Some(suffix) = rds_suffix(&host) {
                        suffixes.insert(suffix.to_owned(), account.id.as_str());
                    }
                    hosts.insert(
                        host,
                        EndpointOwner {
                            account: &account.id,
                            region: region_name,
                            what,
                            arn,
                            tags,
                        },
                    );
                };
                for db in region.rds_instances.iter().flatten() {
                    if let Some(endpoint) = &db.endpoint {
                        add(
                            &endpoint.address,
                            format!("db instance {}", db.id),
                            &db.arn,
                            &db.tags,
                        );
                    }
                }
                for cluster in region.rds_clusters.iter().flatten() {
                    for endpoint in [&cluster.endpoint, &cluster.reader_endpoint]
                        .into_iter()
                        .flatten()
                    {
                        add(
                            &endpoint.address,
                            format!("db cluster {}", cluster.id),
                            &cluster.arn,
                            &cluster.tags,
                        );
                    }
                }
            }
        }
        Endpoints { hosts, suffixes }
    }

    fn owner(&self, host: &str) -> Option<&EndpointOwner<'s>> {
        self.hosts.get(host)
    }

    /// The account whose RDS endpoints share this host's account-and-region part.
    fn account_by_suffix(&self, host: &str) -> Option<&'s str> {
        rds_suffix(host).and_then(|s| self.suffixes.get(s).copied())
    }
}

/// `name.c9akciq32.eu-west-1.rds.amazonaws.com` → `c9akciq32.eu-west-1.rds.amazonaws.com`
/// (`name.cluster-c9akciq32…` and `name.cluster-ro-c9akciq32…` give the same part).
fn rds_suffix(host: &str) -> Option<&str> {
    if !host.ends_with(".rds.amazonaws.com") && !host.ends_with(".rds.amazonaws.com.cn") {
        return None;
    }
    let (_, rest) = host.split_once('.')?;
    let rest = rest
        .strip_prefix("cluster-ro-")
        .or_else(|| rest.strip_prefix("cluster-custom-"))
        .or_else(|| rest.strip_prefix("cluster-"))
        .unwrap_or(rest);
    Some(rest)
}

/// A host that is this machine or a container beside it: `localhost`, loopback addresses,
/// `host.docker.internal`, `*.localhost`, `*.local`, and single-label names such as `db` (a
/// compose service). Such a database is not production, whatever its password.
fn is_local_host(host: &str) -> bool {
    let host = host.trim_matches(|c| c == '[' || c == ']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback() || ip.is_unspecified();
    }
    host == "localhost"
        || host == "host.docker.internal"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || (!host.is_empty() && !host.contains('.') && !host.contains(':'))
}

/// The environment of the account an access key, role or SSO assignment leads to.
fn account_env<'c>(ctx: &'c Ctx, account: &str) -> &'c EnvVerdict {
    ctx.classes.account(account)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rds_suffixes_name_the_account_and_region_part() {
        use super::rds_suffix;
        assert_eq!(
            rds_suffix("legacy.c9akciq32.eu-west-1.rds.amazonaws.com"),
            Some("c9akciq32.eu-west-1.rds.amazonaws.com")
        );
        assert_eq!(
            rds_suffix("payments.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com"),
            Some("c9akciq32.eu-west-1.rds.amazonaws.com")
        );
        assert_eq!(rds_suffix("db.example.com"), None);
    }

    #[test]
    fn local_hosts() {
        use super::is_local_host;
        for host in [
            "localhost",
            "127.0.0.1",
            "::1",
            "[::1]",
            "0.0.0.0",
            "db",
            "postgres",
            "host.docker.internal",
            "api.localhost",
            "mac.local",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "10.0.1.5",
            "db.example.com",
            "legacy.c9akciq32.eu-west-1.rds.amazonaws.com",
            "",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
    }
}
