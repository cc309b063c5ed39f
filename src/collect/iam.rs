//! IAM: principals and policies from `GetAccountAuthorizationDetails` (one paginated bulk call),
//! session limits from `ListRoles`, users' keys and passwords from the credential report, and
//! the OIDC providers.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;

use aws_sdk_iam::types::{AttachedPolicy, PolicyDetail, Tag};

use super::clients::{Clients, failure, timestamp};
use crate::inventory::{
    AccessKey, CollectionError, Group, Iam, InlinePolicy, ManagedPolicy, OidcProvider, Role, Tags,
    User, key_id_digest, redacted_key_id,
};

const SERVICE: &str = "iam";

/// The account's IAM, or `None` when the bulk call failed. Failures of the credential report
/// or OIDC providers leave those fields `None` and are recorded.
pub async fn collect(clients: &Clients, errors: &mut Vec<CollectionError>) -> Option<Iam> {
    let client = &clients.iam;
    let pages = match client
        .get_account_authorization_details()
        .max_items(1000)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(pages) => pages,
        Err(err) => {
            errors.push(failure(SERVICE, "GetAccountAuthorizationDetails", &err));
            return None;
        }
    };
    let mut iam = Iam::default();
    for page in &pages {
        for role in page.role_detail_list() {
            iam.roles.push(Role {
                name: role.role_name().unwrap_or_default().to_owned(),
                arn: role.arn().unwrap_or_default().to_owned(),
                id: role.role_id().map(str::to_owned),
                path: role.path().unwrap_or("/").to_owned(),
                trust_policy: role
                    .assume_role_policy_document()
                    .unwrap_or_default()
                    .to_owned(),
                inline_policies: inline(role.role_policy_list()),
                attached_policies: attached(role.attached_managed_policies()),
                permissions_boundary: role
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_owned),
                max_session_duration: None,
                tags: tags(role.tags()),
                last_used: role
                    .role_last_used()
                    .and_then(|u| u.last_used_date())
                    .and_then(timestamp),
                instance_profiles: Some(
                    role.instance_profile_list()
                        .iter()
                        .map(|p| p.arn().to_owned())
                        .collect(),
                ),
            });
        }
        for user in page.user_detail_list() {
            iam.users.push(User {
                name: user.user_name().unwrap_or_default().to_owned(),
                arn: user.arn().unwrap_or_default().to_owned(),
                path: user.path().unwrap_or("/").to_owned(),
                inline_policies: inline(user.user_policy_list()),
                attached_policies: attached(user.attached_managed_policies()),
                groups: user.group_list().to_vec(),
                permissions_boundary: user
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_owned),
                tags: tags(user.tags()),
                ..Default::default()
            });
        }
        for group in page.group_detail_list() {
            iam.groups.push(Group {
                name: group.group_name().unwrap_or_default().to_owned(),
                arn: group.arn().unwrap_or_default().to_owned(),
                inline_policies: inline(group.group_policy_list()),
                attached_policies: attached(group.attached_managed_policies()),
            });
        }
        for policy in page.policies() {
            let default = policy
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version());
            iam.managed_policies.push(ManagedPolicy {
                arn: policy.arn().unwrap_or_default().to_owned(),
                name: policy.policy_name().unwrap_or_default().to_owned(),
                document: default
                    .and_then(|v| v.document())
                    .unwrap_or_default()
                    .to_owned(),
                default_version_id: policy.default_version_id().map(str::to_owned),
            });
        }
    }

    // GetAccountAuthorizationDetails does not carry a role's maximum session duration.
    match client
        .list_roles()
        .max_items(1000)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(roles) => {
            let limits: BTreeMap<&str, i32> = roles
                .iter()
                .filter_map(|r| r.max_session_duration().map(|d| (r.arn(), d)))
                .collect();
            for role in &mut iam.roles {
                role.max_session_duration = limits
                    .get(role.arn.as_str())
                    .and_then(|d| u32::try_from(*d).ok());
            }
        }
        Err(err) => errors.push(failure(SERVICE, "ListRoles", &err)),
    }

    match credential_report(client).await {
        Ok(rows) => {
            for user in &mut iam.users {
                if let Some(row) = rows.get(&user.arn) {
                    user.password_enabled = Some(row.password_enabled);
                    user.mfa_active = Some(row.mfa_active);
                    user.access_keys = Some(row.keys.clone());
                }
            }
        }
        Err(error) => errors.push(error),
    }

    // The credential report knows keys by slot only; their ids (which attribute a key found on
    // a workstation to its user) come from ListAccessKeys, asked only for users that have keys.
    let with_keys: Vec<usize> = iam
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.access_keys.as_ref().is_some_and(|k| !k.is_empty()))
        .map(|(i, _)| i)
        .collect();
    let listed: Vec<_> = futures::stream::iter(with_keys.into_iter().map(|i| {
        let name = iam.users[i].name.clone();
        async move {
            let result = client
                .list_access_keys()
                .user_name(&name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await;
            (i, result)
        }
    }))
    .buffer_unordered(4)
    .collect()
    .await;
    for (i, result) in listed {
        match result {
            Ok(metadata) => {
                let ids: Vec<(String, Option<jiff::Timestamp>)> = metadata
                    .iter()
                    .filter_map(|m| {
                        m.access_key_id()
                            .map(|id| (id.to_owned(), m.create_date().and_then(timestamp)))
                    })
                    .collect();
                if let Some(keys) = &mut iam.users[i].access_keys {
                    name_keys(keys, &ids);
                }
            }
            Err(err) => errors.push(failure(SERVICE, "ListAccessKeys", &err)),
        }
    }

    iam.oidc_providers = match oidc_providers(client).await {
        Ok(providers) => Some(providers),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    Some(iam)
}

/// Gives the credential report's keys their ids: a key is the listed key created when the
/// report says the slot was last rotated (to the second); a key left unmatched takes a listed
/// id no other key took only when exactly one is left, so an id is never guessed.
pub(crate) fn name_keys(keys: &mut [AccessKey], listed: &[(String, Option<jiff::Timestamp>)]) {
    let mut taken = vec![false; listed.len()];
    for key in keys.iter_mut() {
        let Some(rotated) = key.last_rotated else {
            continue;
        };
        if let Some(j) = (0..listed.len()).find(|&j| {
            !taken[j]
                && listed[j]
                    .1
                    .is_some_and(|c| c.as_second() == rotated.as_second())
        }) {
            taken[j] = true;
            name_key(key, &listed[j].0);
        }
    }
    let unnamed: Vec<usize> = (0..keys.len()).filter(|&k| keys[k].id.is_none()).collect();
    let free: Vec<usize> = (0..listed.len()).filter(|&j| !taken[j]).collect();
    if let ([k], [j]) = (unnamed.as_slice(), free.as_slice()) {
        name_key(&mut keys[*k], &listed[*j].0);
    }
}

/// Keeps a key's id redacted, and its digest for matching.
fn name_key(key: &mut AccessKey, id: &str) {
    key.id = Some(redacted_key_id(id));
    key.id_sha256 = Some(key_id_digest(id));
}

fn inline(list: &[PolicyDetail]) -> Vec<InlinePolicy> {
    list.iter()
        .map(|p| InlinePolicy {
            name: p.policy_name().unwrap_or_default().to_owned(),
            document: p.policy_document().unwrap_or_default().to_owned(),
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<String> {
    list.iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect()
}

fn tags(list: &[Tag]) -> Tags {
    list.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// A user's row of the credential report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReportRow {
    pub password_enabled: bool,
    pub mfa_active: bool,
    pub keys: Vec<AccessKey>,
}

async fn credential_report(
    client: &aws_sdk_iam::Client,
) -> Result<BTreeMap<String, ReportRow>, CollectionError> {
    // The report is generated asynchronously: ask, then read until it is ready.
    let mut attempt = 0;
    loop {
        client
            .generate_credential_report()
            .send()
            .await
            .map_err(|err| failure(SERVICE, "GenerateCredentialReport", &err))?;
        match client.get_credential_report().send().await {
            Ok(report) => {
                let content = report
                    .content()
                    .map(|b| b.as_ref().to_vec())
                    .unwrap_or_default();
                return parse_credential_report(&String::from_utf8_lossy(&content)).map_err(
                    |message| CollectionError {
                        service: SERVICE.into(),
                        operation: "GetCredentialReport".into(),
                        message,
                        ..Default::default()
                    },
                );
            }
            Err(err) => {
                use aws_smithy_types::error::metadata::ProvideErrorMetadata;
                let not_ready = matches!(
                    err.code(),
                    Some("ReportInProgress" | "ReportNotPresent" | "ReportExpired")
                );
                if !not_ready || attempt >= 9 {
                    return Err(failure(SERVICE, "GetCredentialReport", &err));
                }
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
        }
    }
}

/// Parses the credential report CSV into rows by user ARN.
pub(crate) fn parse_credential_report(csv: &str) -> Result<BTreeMap<String, ReportRow>, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or("the credential report is empty")?
        .split(',')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("the credential report has no `{name}` column"))
    };
    let arn = column("arn")?;
    let password = column("password_enabled")?;
    let mfa = column("mfa_active")?;
    let mut keys = Vec::new();
    for slot in 1..=2u8 {
        keys.push((
            slot,
            column(&format!("access_key_{slot}_active"))?,
            column(&format!("access_key_{slot}_last_rotated"))?,
            column(&format!("access_key_{slot}_last_used_date"))?,
        ));
    }
    let mut rows = BTreeMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let get = |i: usize| fields.get(i).copied().unwrap_or("");
        if get(0) == "<root_account>" {
            continue;
        }
        let when = |i: usize| get(i).parse::<jiff::Timestamp>().ok();
        let row = ReportRow {
            password_enabled: get(password) == "true",
            mfa_active: get(mfa) == "true",
            keys: keys
                .iter()
                .filter(|(_, active, rotated, _)| {
                    get(*active) == "true" || when(*rotated).is_some()
                })
                .map(|(slot, active, rotated, used)| AccessKey {
                    id: None,
                    id_sha256: None,
                    slot: Some(*slot),
                    active: get(*active) == "true",
                    last_rotated: when(*rotated),
                    last_used: when(*used),
                })
                .collect(),
        };
        rows.insert(get(arn).to_owned(), row);
    }
    Ok(rows)
}

async fn oidc_providers(
    client: &aws_sdk_iam::Client,
) -> Result<Vec<OidcProvider>, CollectionError> {
    let list = client
        .list_open_id_connect_providers()
        .send()
        .await
        .map_err(|err| failure(SERVICE, "ListOpenIDConnectProviders", &err))?;
    let mut providers = Vec::new();
    for arn in list
        .open_id_connect_provider_list()
        .iter()
        .filter_map(|p| p.arn())
    {
        let provider = client
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|err| failure(SERVICE, "GetOpenIDConnectProvider", &err))?;
        providers.push(OidcProvider {
            arn: arn.to_owned(),
            url: provider
                .url()
                .unwrap_or_default()
                .trim_start_matches("https://")
                .to_owned(),
            client_ids: provider.client_id_list().to_vec(),
        });
    }
    Ok(providers)
}

#[cfg(test)]
mod tests {
    use super::parse_credential_report;

    #[test]
    fn parses_the_credential_report() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::222222222222:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
ci,arn:aws:iam::222222222222:user/ci,2023-02-14T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2023-02-14T10:00:00+00:00,2026-11-19T22:14:00+00:00,eu-west-1,rds,false,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let rows = parse_credential_report(csv).unwrap();
        assert_eq!(rows.len(), 1);
        let ci = &rows["arn:aws:iam::222222222222:user/ci"];
        assert!(!ci.password_enabled);
        assert_eq!(ci.keys.len(), 2);
        assert!(ci.keys[0].active && !ci.keys[1].active);
        assert_eq!(
            ci.keys[0].last_used.unwrap().to_string(),
            "2026-11-19T22:14:00Z"
        );
        assert!(parse_credential_report("").is_err());
        assert!(
            parse_credential_report("user,arn\n")
                .unwrap_err()
                .contains("password_enabled")
        );
    }
}

#[cfg(test)]
mod key_ids {
    use super::name_keys;
    use crate::inventory::AccessKey;

    fn key(slot: u8, rotated: &str) -> AccessKey {
        AccessKey {
            slot: Some(slot),
            active: true,
            last_rotated: Some(rotated.parse().unwrap()),
            ..Default::default()
        }
    }

    fn listed(id: &str, created: &str) -> (String, Option<jiff::Timestamp>) {
        (id.to_owned(), Some(created.parse().unwrap()))
    }

    #[test]
    fn keys_are_named_by_creation_time_whatever_the_order() {
        let mut keys = vec![
            key(1, "2024-01-01T00:00:00Z"),
            key(2, "2025-06-01T12:00:00Z"),
        ];
        name_keys(
            &mut keys,
            &[
                listed("AKIAI44QH8DHBEXAMPLE", "2025-06-01T12:00:00.400Z"),
                listed("AKIAIOSFODNN7EXAMPLE", "2024-01-01T00:00:00Z"),
            ],
        );
        assert_eq!(keys[0].id.as_deref(), Some("AKIA…MPLE"));
        assert_eq!(
            keys[0].id_sha256.as_deref(),
            Some(crate::inventory::key_id_digest("AKIAIOSFODNN7EXAMPLE").as_str())
        );
        assert_eq!(
            keys[1].id_sha256.as_deref(),
            Some(crate::inventory::key_id_digest("AKIAI44QH8DHBEXAMPLE").as_str())
        );
    }

    #[test]
    fn a_single_leftover_is_named_and_an_ambiguous_pair_is_not() {
        let mut keys = vec![key(1, "2024-01-01T00:00:00Z")];
        name_keys(
            &mut keys,
            &[listed("AKIAIOSFODNN7EXAMPLE", "2023-12-31T00:00:00Z")],
        );
        assert_eq!(
            keys[0].id_sha256.as_deref(),
            Some(crate::inventory::key_id_digest("AKIAIOSFODNN7EXAMPLE").as_str())
        );

        let mut keys = vec![
            key(1, "2024-01-01T00:00:00Z"),
            key(2, "2024-02-01T00:00:00Z"),
        ];
        name_keys(
            &mut keys,
            &[
                listed("AKIAIOSFODNN7EXAMPLE", "2023-12-31T00:00:00Z"),
                listed("AKIAI44QH8DHBEXAMPLE", "2023-12-30T00:00:00Z"),
            ],
        );
        assert!(keys.iter().all(|k| k.id.is_none()), "{keys:?}");
    }
}
