//! SEC004 prod-iam-user-keys: an active access key of an IAM user in production is a
//! long-lived credential that works from anywhere until someone deactivates it — exactly what
//! ends up in a `.env` file an agent reads.

use serde_json::json;

use crate::checks::scope::{
    IAM_USERS, account_finding, account_not_collected, add_evidence, scoped,
};
use crate::checks::{Check, Ctx, Finding, Scoped, Status};
use crate::inventory::{AccessKey, Snapshot, redacted_key_id};

pub const CHECK: Check = Check {
    id: "SEC004",
    name: "prod-iam-user-keys",
    catalogue: include_str!("../../../checks/sec/SEC004-prod-iam-user-keys.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else {
            out.extend(account_not_collected(snapshot, ctx, account, IAM_USERS));
            continue;
        };
        let at = account.display_name();
        for user in &iam.users {
            let what = format!("iam user {}", user.name);
            let verdict = ctx.classes.resource(&account.id, &user.tags);
            let verdict = match scoped(ctx, account, None, verdict, &user.arn, &what) {
                Scoped::Prod(verdict) => verdict,
                Scoped::Skip(finding) => {
                    out.push(*finding);
                    continue;
                }
            };
            let env = verdict.class.as_str();
            let Some(keys) = &user.access_keys else {
                let mut finding =
                    account_finding(account, None, Status::Unknown, &verdict, &user.arn);
                finding.message = format!(
                    "access keys of {what} in {at} ({env}) were not collected (the credential report was not read)"
                );
                out.push(finding);
                continue;
            };
            let active: Vec<&AccessKey> = keys.iter().filter(|k| k.active).collect();
            let status = if active.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            };
            let mut finding = account_finding(account, None, status, &verdict, &user.arn);
            finding.message = if active.is_empty() {
                format!("{what} in {at} ({env}) has no active access key")
            } else {
                let oldest = active.iter().filter_map(|k| age_days(ctx, k)).max();
                format!(
                    "{what} in {at} ({env}) has {} active access key{}{}",
                    active.len(),
                    if active.len() == 1 { "" } else { "s" },
                    oldest.map_or(String::new(), |d| format!(", the oldest {d} days old"))
                )
            };
            let evidence: Vec<_> = active
                .iter()
                .map(|k| {
                    json!({
                        "id": k.id.as_deref().map(redacted_key_id),
                        "id_sha256": k.id_sha256,
                        "slot": k.slot,
                        "last_rotated": k.last_rotated,
                        "age_days": age_days(ctx, k),
                        "last_used": k.last_used,
                    })
                })
                .collect();
            add_evidence(&mut finding, "active_keys", json!(evidence));
            add_evidence(
                &mut finding,
                "console_password",
                json!(user.password_enabled),
            );
            if status == Status::Fail {
                finding.remediation = Some(format!(
                    "aws iam list-access-keys --user-name {name}; then for each key: aws iam update-access-key --user-name {name} --access-key-id KEY_ID --status Inactive, and once nothing breaks, aws iam delete-access-key --user-name {name} --access-key-id KEY_ID (give workloads a role, people IAM Identity Center)",
                    name = user.name
                ));
            }
            out.push(finding);
        }
    }
    out
}

/// Days from the key's creation (or last rotation) to the collection time.
fn age_days(ctx: &Ctx, key: &AccessKey) -> Option<i64> {
    key.last_rotated
        .map(|at| ctx.collected_at.duration_since(at).as_secs() / 86_400)
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{AccessKey, Iam, User};

    fn user(name: &str, keys: Option<Vec<AccessKey>>) -> User {
        User {
            name: name.into(),
            arn: format!("arn:aws:iam::{PROD}:user/{name}"),
            path: "/".into(),
            access_keys: keys,
            ..Default::default()
        }
    }

    fn key(active: bool) -> AccessKey {
        AccessKey {
            slot: Some(1),
            active,
            last_rotated: Some("2026-08-22T09:00:00Z".parse().unwrap()),
            ..Default::default()
        }
    }

    fn run_in(account: &str, users: Vec<User>) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate_in(account, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            users,
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn an_active_key_fails_with_its_age() {
        let findings = run_in(
            PROD,
            vec![user("deploy", Some(vec![key(true), key(false)]))],
        );
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message
                .contains("1 active access key, the oldest 90 days old"),
            "{}",
            fail.message
        );
        assert_eq!(fail.evidence["active_keys"][0]["age_days"], 90);
    }

    #[test]
    fn inactive_or_no_keys_pass() {
        let findings = run_in(
            PROD,
            vec![user("a", Some(vec![key(false)])), user("b", Some(vec![]))],
        );
        assert!(
            findings.iter().all(|f| f.status == Status::Pass),
            "{findings:#?}"
        );
    }

    #[test]
    fn unread_credential_report_and_unread_iam_are_unknown() {
        only(&run_in(PROD, vec![user("a", None)]), Status::Unknown);
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("iam", "GetAccountAuthorizationDetails"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }

    #[test]
    fn keys_in_the_management_account_are_judged_as_production_keys_are() {
        let mut snapshot = estate_in(UNCLASSIFIED, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            users: vec![user("root-automation", Some(vec![key(true)]))],
            ..Default::default()
        });
        in_organization(&mut snapshot, UNCLASSIFIED);
        let findings = run_check(&super::CHECK, &snapshot);
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message
                .contains("(management) has 1 active access key"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn nonprod_users_are_not_applicable() {
        only(
            &run_in(NONPROD, vec![user("dev", Some(vec![key(true)]))]),
            Status::NotApplicable,
        );
    }
}
