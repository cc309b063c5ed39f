//! PRV005 prod-admin-vaulted: administrator rights in production are vaulted — held only by
//! roles that CI or a break-glass process assumes, never by an IAM user with long-lived keys,
//! never by an agent, and not reachable from either through a chain of roles.

use serde_json::json;

use crate::checks::agents::holds_all;
use crate::checks::scope::{IAM_USERS, account_finding, account_not_collected, add_evidence};
use crate::checks::{Check, Ctx, Finding, Judged, Status};
use crate::classify::PrincipalKind;
use crate::inventory::Snapshot;
use crate::policy::capabilities::class;
use crate::policy::graph::{TrustGraph, chain};

pub const CHECK: Check = Check {
    id: "PRV005",
    name: "prod-admin-vaulted",
    catalogue: include_str!("../../../checks/prv/PRV005-prod-admin-vaulted.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let admin = &class("admin").actions;
    let is_agent = |arn: &str| {
        ctx.classes
            .principal(arn)
            .is_some_and(|v| v.kind == PrincipalKind::Agent)
    };
    // Who must never hold production admin: agents, and IAM users with active keys (or whose
    // keys were not read, which the findings then report as unknown).
    let mut risky: Vec<(String, String)> = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else { continue };
        for user in &iam.users {
            let keyed = user
                .access_keys
                .as_ref()
                .is_none_or(|keys| keys.iter().any(|k| k.active));
            if keyed || is_agent(&user.arn) {
                risky.push((user.arn.clone(), account.id.clone()));
            }
        }
        for role in iam.roles.iter().filter(|r| is_agent(&r.arn)) {
            risky.push((role.arn.clone(), account.id.clone()));
        }
    }
    let graph = TrustGraph::new(snapshot, ctx.principals);
    let reached = graph.reach(&risky);
    // Roles whose trust could not be read may be assumed by anyone, agents and keyed users
    // included, and so may every role they can assume.
    let possibly = graph.possibly_reached();
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else {
            out.extend(account_not_collected(snapshot, ctx, account, IAM_USERS));
            continue;
        };
        let verdict = ctx.classes.account(&account.id);
        if ctx.judges(verdict.class) != Judged::Yes {
            continue;
        }
        let at = account.display_name();
        let env = verdict.class.as_str();
        let principals = iam
            .roles
            .iter()
            .map(|r| (r.arn.as_str(), r.name.as_str(), true))
            .chain(
                iam.users
                    .iter()
                    .map(|u| (u.arn.as_str(), u.name.as_str(), false)),
            );
        for (arn, name, is_role) in principals {
            let Some(principal) = ctx.principals.get(arn) else {
                continue;
            };
            if !holds_all(principal, admin) {
                continue;
            }
            let what = format!(
                "admin-equivalent {} {name} in {at} ({env})",
                if is_role { "role" } else { "user" }
            );
            let mut finding = account_finding(account, None, Status::Pass, verdict, arn);
            let user = iam.users.iter().find(|u| u.arn == arn);
            let path = chain(&reached, arn);
            (finding.status, finding.message) = if is_agent(arn) {
                (Status::Fail, format!("{what} is an agent"))
            } else if let Some(keys) = user.map(|u| u.access_keys.as_ref()) {
                match keys {
                    None => (
                        Status::Unknown,
                        format!("{what}: whether it has active access keys was not collected"),
                    ),
                    Some(keys) if keys.iter().any(|k| k.active) => (
                        Status::Fail,
                        format!("{what} has active long-lived access keys"),
                    ),
                    Some(_) => (Status::Pass, format!("{what} has no active access key")),
                }
            } else if let Some(first) = path.first() {
                let steps: Vec<&str> = std::iter::once(first.from.as_str())
                    .chain(path.iter().map(|h| h.to.as_str()))
                    .collect();
                add_evidence(
                    &mut finding,
                    "chain",
                    json!(path.iter().map(|h| json!({ "from": h.from, "to": h.to, "conditional": h.conditional })).collect::<Vec<_>>()),
                );
                let from_agent = is_agent(&first.from);
                (
                    Status::Fail,
                    format!(
                        "{what} can be reached by {}: {}",
                        if from_agent {
                            "an agent"
                        } else {
                            "an IAM user with long-lived keys"
                        },
                        steps.join(" → ")
                    ),
                )
            } else if let Some(why) = possibly.why(arn) {
                if let Some(evidence) = possibly.evidence(arn) {
                    add_evidence(&mut finding, "unreadable_trust", evidence);
                }
                let maybe_agent = ctx.classes.principal(arn).is_some_and(|v| v.possibly_agent);
                (
                    Status::Unknown,
                    format!(
                        "{what}{}: whether agents or IAM users with keys can reach it is unknown: {why}",
                        if maybe_agent { " may be an agent" } else { "" }
                    ),
                )
            } else {
                (
                    Status::Pass,
                    format!("{what} is reachable neither by agents nor by IAM users with keys"),
                )
            };
            if finding.status == Status::Fail {
                finding.remediation = Some(format!(
                    "keep administrator access in roles assumed only through SSO with MFA, CI from a protected branch, or a break-glass process; remove it from {name} (or remove the agents and keyed users from the trust that reaches it)"
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
    use crate::inventory::{AccessKey, Iam, InlinePolicy, Role, User};

    const ADMIN: &str = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    const SSO_TRUST: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::222222222222:saml-provider/AWSSSO"},"Action":"sts:AssumeRoleWithSAML"}}"#;

    fn role(name: &str, trust: &str, policy: &str) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::{PROD}:role/{name}"),
            path: "/".into(),
            trust_policy: trust.into(),
            inline_policies: vec![InlinePolicy {
                name: "p".into(),
                document: policy.into(),
            }],
            ..Default::default()
        }
    }

    fn user(name: &str, policy: &str, keys: Option<bool>) -> User {
        User {
            name: name.into(),
            arn: format!("arn:aws:iam::{PROD}:user/{name}"),
            path: "/".into(),
            inline_policies: vec![InlinePolicy {
                name: "p".into(),
                document: policy.into(),
            }],
            access_keys: keys.map(|active| {
                vec![AccessKey {
                    slot: Some(1),
                    active,
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }
    }

    fn run_with(roles: Vec<Role>, users: Vec<User>) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate(|_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles,
            users,
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn an_sso_admin_role_passes() {
        only(
            &run_with(vec![role("Admin", SSO_TRUST, ADMIN)], vec![]),
            Status::Pass,
        );
    }

    #[test]
    fn an_admin_user_with_keys_fails_and_unread_keys_are_unknown() {
        only(
            &run_with(vec![], vec![user("ops", ADMIN, Some(true))]),
            Status::Fail,
        );
        only(
            &run_with(vec![], vec![user("ops", ADMIN, Some(false))]),
            Status::Pass,
        );
        only(
            &run_with(vec![], vec![user("ops", ADMIN, None)]),
            Status::Unknown,
        );
    }

    #[test]
    fn an_admin_role_reachable_from_a_keyed_user_fails_with_the_chain() {
        let trust = trusts(&format!("arn:aws:iam::{PROD}:user/ci"));
        let findings = run_with(
            vec![role("Admin", &trust, ADMIN)],
            vec![user("ci", ASSUME_ANY, Some(true))],
        );
        let fail = only(&findings, Status::Fail);
        assert!(
            fail.message.contains("IAM user with long-lived keys"),
            "{}",
            fail.message
        );
        assert_eq!(
            fail.evidence["chain"][0]["from"],
            format!("arn:aws:iam::{PROD}:user/ci")
        );
    }

    #[test]
    fn an_admin_role_with_an_unreadable_trust_policy_is_unknown() {
        // Before: "reachable neither by agents nor by IAM users with keys" (pass).
        let findings = run_with(vec![role("Admin", "{not json", ADMIN)], vec![]);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains("role Admin")
                && unknown.message.contains("may be an agent")
                && unknown.message.contains(
                    "trust policy of arn:aws:iam::222222222222:role/Admin could not be read"
                ),
            "{}",
            unknown.message
        );
        assert_eq!(
            unknown.evidence["unreadable_trust"]["role"],
            format!("arn:aws:iam::{PROD}:role/Admin")
        );
        // Declared break-glass by tag: not possibly an agent, but who reaches it is unknown.
        let mut declared = role("BreakGlass", "", ADMIN);
        declared.tags = [("ringfence:kind".to_owned(), "human".to_owned())].into();
        let unknown = only(&run_with(vec![declared], vec![]), Status::Unknown).clone();
        assert!(
            !unknown.message.contains("may be an agent"),
            "{}",
            unknown.message
        );
        assert!(
            unknown.message.contains("could not be read"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn an_admin_role_reachable_through_an_unreadable_trust_is_unknown() {
        // Admin trusts only the `hop` role; `hop`'s own trust cannot be read, so anyone may
        // be behind it.
        let trust = trusts(&format!("arn:aws:iam::{PROD}:role/hop"));
        let read = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
        let findings = run_with(
            vec![role("Admin", &trust, ADMIN), role("hop", "{not json", read)],
            vec![],
        );
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown.message.contains(&format!(
                "it can be assumed from arn:aws:iam::{PROD}:role/hop, whose trust policy could not be read"
            )),
            "{}",
            unknown.message
        );
        assert_eq!(
            unknown.evidence["unreadable_trust"]["chain"][0]["to"],
            format!("arn:aws:iam::{PROD}:role/Admin")
        );
        // With a readable trust on `hop` (SSO), the admin role passes.
        let findings = run_with(
            vec![role("Admin", &trust, ADMIN), role("hop", SSO_TRUST, read)],
            vec![],
        );
        only(&findings, Status::Pass);
    }

    #[test]
    fn non_admins_and_nonprod_are_not_reported() {
        let read = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
        assert!(run_with(vec![role("Reader", SSO_TRUST, read)], vec![]).is_empty());
        let mut snapshot = estate_in(NONPROD, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            users: vec![user("ops", ADMIN, Some(true))],
            ..Default::default()
        });
        assert!(run_check(&super::CHECK, &snapshot).is_empty());
    }
}
