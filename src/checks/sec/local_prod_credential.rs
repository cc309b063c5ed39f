//! SEC001 local-prod-credential: a credential in a workspace file that reaches production. An
//! AI coding assistant reads the whole workspace, hidden and git-ignored files included: a
//! production key in a `.env` becomes the agent's key.

use serde_json::json;

use super::{
    Endpoints, account_env, account_label, credential_evidence, is_local_host, owner_evidence,
    place, unattributed_reason,
};
use crate::checks::scope::{add_evidence, env_evidence, unplaced};
use crate::checks::{Check, Ctx, Finding, Severity, Status};
use crate::classify::EnvClass;
use crate::inventory::{CredentialKind, LocalCredential, Snapshot, Workstation};

pub const CHECK: Check = Check {
    id: "SEC001",
    name: "local-prod-credential",
    catalogue: include_str!("../../../checks/sec/SEC001-local-prod-credential.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let Some(workstation) = &snapshot.workstation else {
        return vec![not_scanned(snapshot)];
    };
    if workstation.workspaces.is_empty() {
        return vec![not_scanned(snapshot)];
    }
    let endpoints = Endpoints::new(snapshot);
    let mut out: Vec<Finding> = workstation
        .credentials
        .iter()
        .map(|c| judge(snapshot, ctx, workstation, &endpoints, c))
        .collect();
    let stats = &workstation.stats;
    let skipped = stats.skipped_large + stats.skipped_binary + stats.unreadable;
    if skipped > 0 {
        let mut finding = unplaced(snapshot, None, None, workstation.workspaces.join(", "));
        finding.message = format!(
            "{skipped} env files of {} could not be searched ({} over the {} byte limit, {} binary, {} unreadable): what they hold is unknown",
            workstation.workspaces.join(", "),
            stats.skipped_large,
            stats.max_file_bytes,
            stats.skipped_binary,
            stats.unreadable
        );
        finding.evidence = json!({ "stats": stats, "problems": workstation.problems });
        out.push(finding);
    } else if out.is_empty() {
        let mut finding = unplaced(snapshot, None, None, workstation.workspaces.join(", "));
        finding.status = Status::Pass;
        finding.message = format!(
            "no credential in the {} env files of {} ({} files seen)",
            stats.files_read,
            workstation.workspaces.join(", "),
            stats.files_seen
        );
        finding.evidence = json!({ "stats": stats });
        out.push(finding);
    }
    out
}

fn not_scanned(snapshot: &Snapshot) -> Finding {
    let mut finding = unplaced(snapshot, None, None, "workspace".to_owned());
    finding.status = Status::NotApplicable;
    finding.message =
        "out of scope: no workspace was scanned (`ringfence scan PATH`, or `audit --workspace PATH`)"
            .to_owned();
    finding
}

fn judge(
    snapshot: &Snapshot,
    ctx: &Ctx,
    workstation: &Workstation,
    endpoints: &Endpoints,
    credential: &LocalCredential,
) -> Finding {
    let resource = format!("{}:{}", credential.file, credential.line);
    let at = place(credential);
    let what = format!("{} {}", credential.kind.as_str(), credential.fingerprint);
    match credential.kind {
        CredentialKind::AwsAccessKey | CredentialKind::AwsTemporaryKey => {
            let Some(owner) = &credential.owner else {
                let mut finding = unplaced(snapshot, None, None, resource);
                finding.lower_severity = Some(Severity::Medium);
                finding.message = format!(
                    "{what} in {at} could not be attributed to an account: {}",
                    unattributed_reason(credential, workstation.attributed_with_sts)
                );
                finding.evidence = json!({ "credential": credential_evidence(credential) });
                finding.remediation = Some(remove_key(credential));
                return finding;
            };
            let verdict = account_env(ctx, &owner.account_id);
            let mut finding = unplaced(snapshot, Some(&owner.account_id), Some(verdict), resource);
            let holder = owner
                .user_arn
                .as_deref()
                .and_then(|arn| arn.rsplit_once(":user/"))
                .map_or(String::new(), |(_, user)| format!("iam user {user} of "));
            let secret = match (credential.with_secret, credential.with_session_token) {
                (Some(true), Some(true)) => ", with its secret and session token",
                (Some(true), _) => ", with its secret",
                (Some(false), _) => ", without its secret in the same file",
                (None, _) => "",
            };
            let account = account_label(snapshot, &owner.account_id, verdict.class);
            (finding.status, finding.message) = match verdict.class {
                EnvClass::Prod | EnvClass::Management => (
                    Status::Fail,
                    format!("{what} in {at} belongs to {holder}account {account}{secret}"),
                ),
                EnvClass::Nonprod => (
                    Status::Pass,
                    format!("{what} in {at} belongs to {holder}account {account}"),
                ),
                EnvClass::Unclassified => (
                    Status::Unknown,
                    format!(
                        "{what} in {at} belongs to {holder}account {account}, whose environment is unclassified ({}); declare it in ringfence.toml [environments]",
                        verdict.reason
                    ),
                ),
            };
            finding.evidence = json!({
                "credential": credential_evidence(credential),
                "owner": owner_evidence(owner, verdict),
            });
            if finding.status == Status::Fail {
                finding.remediation = Some(remove_key(credential));
            }
            finding
        }
        CredentialKind::AwsSecretKey => {
            let mut finding = unplaced(snapshot, None, None, resource);
            finding.lower_severity = Some(Severity::Medium);
            finding.message = format!(
                "{what} in {at} has no access key id beside it, so its account cannot be known"
            );
            finding.evidence = json!({ "credential": credential_evidence(credential) });
            finding.remediation = Some(format!(
                "remove the secret from {}; if it is live, find its key in IAM (aws iam list-access-keys) and deactivate it",
                credential.file
            ));
            finding
        }
        CredentialKind::DatabaseUrl => {
            let host = credential
                .database
                .as_ref()
                .map(|d| d.host.as_str())
                .unwrap_or_default();
            let mut finding = judge_host(snapshot, ctx, endpoints, host, resource, &what, &at);
            add_evidence(&mut finding, "credential", credential_evidence(credential));
            add_evidence(&mut finding, "database", json!(credential.database));
            if finding.status == Status::Unknown {
                finding.lower_severity = Some(Severity::Medium);
            }
            if finding.status == Status::Fail {
                finding.remediation = Some(remove_db_secret(credential, &finding));
            }
            finding
        }
        CredentialKind::GenericSecret => {
            let mut judged: Vec<Finding> = credential
                .related_hosts
                .iter()
                .map(|h| judge_host(snapshot, ctx, endpoints, h, resource.clone(), &what, &at))
                .collect();
            // The most serious reach decides: a production host beside the secret fails it.
            judged.sort_by_key(|f| f.status.urgency());
            // A host in the same file is weak evidence: it can show the secret reaches
            // production, never that it does not. A secret beside only local or
            // non-production hosts stays unknown.
            let mut finding = match judged.into_iter().next() {
                Some(mut f) if f.status == Status::Pass => {
                    f.status = Status::Unknown;
                    f.message = format!(
                        "{what} in {at} is of unknown reach: the only hosts beside it ({}) do not reach production, but the secret is only named `{}`, so what it unlocks cannot be known; remove it from the workspace, or waive it if it is local",
                        credential.related_hosts.join(", "),
                        credential.name.as_deref().unwrap_or("?")
                    );
                    f
                }
                Some(mut f) => {
                    f.message = format!(
                        "{} (judged by the host beside it: the secret is only named `{}`)",
                        f.message,
                        credential.name.as_deref().unwrap_or("?")
                    );
                    f
                }
                None => {
                    let mut f = unplaced(snapshot, None, None, resource);
                    f.message = format!(
                        "{what} in {at} is of unknown reach: no host beside it says where it is used; remove it from the workspace, or waive it if it is local"
                    );
                    f.evidence = json!({});
                    f
                }
            };
            add_evidence(&mut finding, "credential", credential_evidence(credential));
            add_evidence(
                &mut finding,
                "related_hosts",
                json!(credential.related_hosts),
            );
            if finding.status == Status::Unknown {
                finding.lower_severity = Some(Severity::Low);
            }
            if finding.status == Status::Fail {
                finding.lower_severity = Some(Severity::High);
                finding.remediation = Some(remove_db_secret(credential, &finding));
            }
            finding
        }
    }
}

/// Judges a credential by the host it is used with.
fn judge_host(
    snapshot: &Snapshot,
    ctx: &Ctx,
    endpoints: &Endpoints,
    host: &str,
    resource: String,
    what: &str,
    at: &str,
) -> Finding {
    if let Some(owner) = endpoints.owner(host) {
        let verdict = ctx.classes.resource(owner.account, owner.tags);
        let mut finding = unplaced(snapshot, Some(owner.account), Some(&verdict), resource);
        finding.region = Some(owner.region.to_owned());
        let target = format!(
            "{} in {} {}",
            owner.what,
            account_label(snapshot, owner.account, verdict.class),
            owner.region
        );
        (finding.status, finding.message) = match verdict.class {
            EnvClass::Prod | EnvClass::Management => {
                (Status::Fail, format!("{what} in {at} connects to {target}"))
            }
            EnvClass::Nonprod => (Status::Pass, format!("{what} in {at} connects to {target}")),
            EnvClass::Unclassified => (
                Status::Unknown,
                format!(
                    "{what} in {at} connects to {target}, whose environment is unclassified ({})",
                    verdict.reason
                ),
            ),
        };
        finding.evidence = json!({
            "host": host,
            "endpoint_of": { "resource": owner.arn, "environment": env_evidence(&verdict) },
        });
        return finding;
    }
    if let Some(account) = endpoints.account_by_suffix(host) {
        let verdict = account_env(ctx, account);
        let mut finding = unplaced(snapshot, Some(account), Some(verdict), resource);
        let label = account_label(snapshot, account, verdict.class);
        (finding.status, finding.message) = match verdict.class {
            EnvClass::Prod | EnvClass::Management => (
                Status::Fail,
                format!(
                    "{what} in {at} connects to {host}, an RDS endpoint of account {label} whose database is not in the inventory"
                ),
            ),
            EnvClass::Nonprod => (
                Status::Pass,
                format!("{what} in {at} connects to an RDS endpoint of account {label}"),
            ),
            EnvClass::Unclassified => (
                Status::Unknown,
                format!(
                    "{what} in {at} connects to an RDS endpoint of account {label}, whose environment is unclassified"
                ),
            ),
        };
        finding.evidence = json!({
            "host": host,
            "endpoint_account": { "account_id": account, "environment": env_evidence(verdict),
                "matched_by": "the account-and-region part of the RDS host name" },
        });
        return finding;
    }
    let mut finding = unplaced(snapshot, None, None, resource);
    if is_local_host(host) {
        finding.status = Status::Pass;
        finding.message = format!("{what} in {at} connects to {host}, a local host");
    } else {
        finding.status = Status::Unknown;
        finding.message = format!(
            "{what} in {at} connects to {host}, which is not an RDS endpoint in the inventory, so its environment cannot be known"
        );
    }
    finding.evidence = json!({ "host": host });
    finding
}

fn remove_key(credential: &LocalCredential) -> String {
    let user = credential
        .owner
        .as_ref()
        .and_then(|o| o.user_arn.as_deref())
        .and_then(|arn| arn.rsplit('/').next())
        .unwrap_or("USER_NAME");
    match credential.kind {
        CredentialKind::AwsTemporaryKey => format!(
            "remove the session credentials from {}; they expire, but until then they act for their role: revoke the role's active sessions (IAM console → Roles → Revoke active sessions) if anything else may have read them, and use `aws sso login` or a role profile instead of copying credentials into files",
            credential.file
        ),
        _ => format!(
            "remove the key from {file}; anything that read the workspace may hold it, so deactivate it — `aws iam list-access-keys --user-name {user}` shows the key {fingerprint}, then `aws iam update-access-key --user-name {user} --access-key-id ACCESS_KEY_ID --status Inactive` — and delete it once nothing breaks; use short-lived credentials instead (`aws sso login`, a role profile)",
            file = credential.file,
            fingerprint = credential.fingerprint
        ),
    }
}

fn remove_db_secret(credential: &LocalCredential, finding: &Finding) -> String {
    let target = finding.evidence["endpoint_of"]["resource"]
        .as_str()
        .unwrap_or("the database");
    format!(
        "remove the password from {}; rotate it, since anything that read the workspace may hold it (for {target}: aws rds modify-db-instance or modify-db-cluster with --manage-master-user-password, or the application user's ALTER USER … PASSWORD); work against a non-production copy, or connect with IAM database authentication tokens that expire in 15 minutes",
        credential.file
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{
        Confidence, CredentialKind, DatabaseTarget, Endpoint, KeyOwner, KeySource, LocalCredential,
        RdsInstance, Snapshot, Workstation,
    };

    pub(crate) fn credential(kind: CredentialKind) -> LocalCredential {
        LocalCredential {
            file: "ws/.env".into(),
            line: 3,
            kind,
            name: Some("AWS_ACCESS_KEY_ID".into()),
            fingerprint: "AKIA…MPLE".into(),
            confidence: Confidence::High,
            with_secret: Some(true),
            with_session_token: None,
            owner: None,
            attribution_error: None,
            database: None,
            related_hosts: Vec::new(),
        }
    }

    fn key_of(account: &str) -> LocalCredential {
        LocalCredential {
            owner: Some(KeyOwner {
                account_id: account.into(),
                source: KeySource::Inventory,
                user_arn: Some(format!("arn:aws:iam::{account}:user/deploy")),
            }),
            ..credential(CredentialKind::AwsAccessKey)
        }
    }

    fn db_url(host: &str) -> LocalCredential {
        LocalCredential {
            name: Some("DATABASE_URL".into()),
            fingerprint: format!("postgres://app:****@{host}/app"),
            with_secret: None,
            database: Some(DatabaseTarget {
                scheme: "postgres".into(),
                host: host.into(),
                port: None,
                database: Some("app".into()),
                user: Some("app".into()),
            }),
            ..credential(CredentialKind::DatabaseUrl)
        }
    }

    const PROD_HOST: &str = "legacy.c9akciq32.eu-west-1.rds.amazonaws.com";

    /// A production account with one database, and a staging account.
    fn estate_with(credentials: Vec<LocalCredential>) -> Snapshot {
        let mut snapshot = estate(|r| {
            r.rds_instances = Some(vec![RdsInstance {
                id: "legacy".into(),
                arn: format!("arn:aws:rds:{REGION}:{PROD}:db:legacy"),
                endpoint: Some(Endpoint {
                    address: PROD_HOST.into(),
                    port: Some(5432),
                }),
                ..Default::default()
            }]);
        });
        snapshot
            .accounts
            .extend(estate_in(NONPROD, |_| {}).accounts);
        snapshot.workstation = Some(Workstation {
            workspaces: vec!["ws".into()],
            credentials,
            ..Default::default()
        });
        snapshot
    }

    fn run(credentials: Vec<LocalCredential>) -> Vec<crate::checks::Finding> {
        run_check(&super::CHECK, &estate_with(credentials))
    }

    #[test]
    fn a_key_of_a_production_account_fails() {
        let findings = run(vec![key_of(PROD)]);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message
                .contains("belongs to iam user deploy of account 222222222222 (acme-prod, prod)"),
            "{}",
            fail.message
        );
        assert_eq!(fail.resource, "ws/.env:3");
        assert_eq!(fail.evidence["owner"]["source"], "inventory");
        assert!(
            fail.remediation
                .as_deref()
                .unwrap()
                .contains("update-access-key")
        );
    }

    #[test]
    fn a_key_of_a_staging_account_passes() {
        only(&run(vec![key_of(NONPROD)]), Status::Pass);
    }

    #[test]
    fn an_unattributed_key_is_unknown_at_lower_severity_never_a_pass() {
        let findings = run(vec![credential(CredentialKind::AwsAccessKey)]);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("--attribute-keys"),
            "{}",
            unknown.message
        );
        assert_eq!(
            unknown.lower_severity,
            Some(crate::checks::Severity::Medium)
        );
    }

    #[test]
    fn a_key_of_an_account_outside_the_snapshot_is_unknown_unless_declared() {
        let findings = run(vec![key_of("999999999999")]);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("unclassified"),
            "{}",
            unknown.message
        );

        let mut config = crate::config::Config::default();
        config.environments.prod_accounts = vec!["999999999999".into()];
        let findings = run_check_with(
            &super::CHECK,
            &estate_with(vec![key_of("999999999999")]),
            &config,
        );
        only(&findings, Status::Fail);
    }

    #[test]
    fn a_database_url_is_judged_by_its_host() {
        let fail = run(vec![db_url(PROD_HOST)]);
        let fail = only(&fail, Status::Fail);
        assert!(
            fail.message.contains(
                "connects to db instance legacy in 222222222222 (acme-prod, prod) eu-west-1"
            ),
            "{}",
            fail.message
        );
        // Another database of the same account and region: known by the host's suffix.
        let sibling = run(vec![db_url("other.c9akciq32.eu-west-1.rds.amazonaws.com")]);
        assert!(
            only(&sibling, Status::Fail)
                .message
                .contains("not in the inventory")
        );
        only(&run(vec![db_url("localhost")]), Status::Pass);
        let unknown = run(vec![db_url("db.example.com")]);
        only(&unknown, Status::Unknown);
    }

    #[test]
    fn a_generic_secret_is_judged_by_the_hosts_beside_it() {
        let secret = |hosts: &[&str]| LocalCredential {
            kind: CredentialKind::GenericSecret,
            name: Some("DB_PASSWORD".into()),
            fingerprint: "DB_PASSWORD=****".into(),
            confidence: Confidence::Low,
            with_secret: None,
            related_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            ..credential(CredentialKind::GenericSecret)
        };
        only(&run(vec![secret(&["localhost", PROD_HOST])]), Status::Fail);
        // Before: a pass, "connects to localhost, a local host". A host beside a secret is
        // weak evidence: it never clears it.
        let beside_local = run(vec![secret(&["localhost"])]);
        let unknown = only(&beside_local, Status::Unknown);
        assert!(
            unknown.message.contains("unknown reach")
                && unknown.message.contains("(localhost)")
                && unknown.message.contains("`DB_PASSWORD`"),
            "{}",
            unknown.message
        );
        assert_eq!(unknown.lower_severity, Some(crate::checks::Severity::Low));
        let unknown = run(vec![secret(&[])]);
        let unknown = only(&unknown, Status::Unknown);
        assert_eq!(unknown.lower_severity, Some(crate::checks::Severity::Low));
    }

    #[test]
    fn no_scan_is_not_applicable_and_an_empty_scan_passes_only_when_nothing_was_skipped() {
        let mut snapshot = estate_with(Vec::new());
        snapshot.workstation = None;
        only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable);

        only(&run(Vec::new()), Status::Pass);

        let mut snapshot = estate_with(Vec::new());
        if let Some(w) = &mut snapshot.workstation {
            w.stats.unreadable = 1;
        }
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }
}
