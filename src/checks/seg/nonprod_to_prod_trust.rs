//! SEG003 nonprod-to-prod-trust: no production role can be assumed from non-production —
//! directly (its trust policy names a non-production account or principal), through a chain
//! of roles (a dev role that can assume a CI role that can assume a production role), or by
//! anyone (`*` without conditions).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::checks::scope::{IAM_ROLES, account_finding, account_not_collected, add_evidence};
use crate::checks::{Check, Ctx, Finding, Judged, Status};
use crate::classify::EnvClass;
use crate::inventory::Snapshot;
use crate::policy::Effect;
use crate::policy::graph::{Hop, TrustGraph, chain};
use crate::policy::trust::{TrustEntry, Trustee};

pub const CHECK: Check = Check {
    id: "SEG003",
    name: "nonprod-to-prod-trust",
    catalogue: include_str!("../../../checks/seg/SEG003-nonprod-to-prod-trust.toml"),
    run,
};

fn entry_evidence(entry: &TrustEntry) -> Value {
    json!({
        "statement": entry.statement,
        "sid": entry.sid,
        "trustee": entry.trustee.describe(),
        "conditions": entry.conditions,
    })
}

fn hop_evidence(hop: &Hop) -> Value {
    json!({
        "from": hop.from,
        "to": hop.to,
        "trusted_by": hop.entries.iter().map(entry_evidence).collect::<Vec<_>>(),
        "conditional": hop.conditional,
    })
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let graph = TrustGraph::new(snapshot, ctx.principals);
    let nonprod = |account: &str| ctx.classes.account(account).class == EnvClass::Nonprod;
    // Every non-production principal, and non-production accounts whose IAM was not read
    // (any of their principals may be allowed).
    let mut starts: Vec<(String, String)> = ctx
        .principals
        .by_arn
        .values()
        .filter(|p| nonprod(&p.account))
        .map(|p| (p.arn.clone(), p.account.clone()))
        .collect();
    starts.extend(
        snapshot
            .accounts
            .iter()
            .filter(|a| a.iam.is_none() && nonprod(&a.id))
            .map(|a| (a.id.clone(), a.id.clone())),
    );
    let reached = graph.reach(&starts);
    // Roles that a role with an unreadable trust policy can assume: anyone, non-production
    // included, may stand behind it.
    let possibly = graph.possibly_reached();
    let collected: BTreeSet<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();

    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else {
            out.extend(account_not_collected(snapshot, ctx, account, IAM_ROLES));
            continue;
        };
        let verdict = ctx.classes.account(&account.id);
        if ctx.judges(verdict.class) != Judged::Yes {
            continue;
        }
        let at = account.display_name();
        let env = verdict.class.as_str();
        for role in &iam.roles {
            let what = format!("iam role {} in {at} ({env})", role.name);
            let mut finding = account_finding(account, None, Status::Pass, verdict, &role.arn);
            let entries = match graph.trust_of(&role.arn) {
                Some(Ok(entries)) => entries,
                Some(Err(err)) => {
                    finding.status = Status::Unknown;
                    finding.message = format!("trust policy of {what} could not be read: {err}");
                    out.push(finding);
                    continue;
                }
                None => continue,
            };
            let allows = entries.iter().filter(|e| e.effect == Effect::Allow);
            let mut failures = Vec::new();
            let mut unknowns = Vec::new();
            let mut external = Vec::new();
            for entry in allows {
                let trusted_account = match &entry.trustee {
                    Trustee::Anyone if !entry.is_conditioned() => {
                        failures.push(
                            "it trusts any AWS principal (`*`) without conditions".to_owned(),
                        );
                        external.push(entry_evidence(entry));
                        continue;
                    }
                    Trustee::Anyone => {
                        external.push(entry_evidence(entry));
                        continue;
                    }
                    Trustee::Account(a) => a.as_str(),
                    Trustee::Principal(_) => match entry.trustee.account() {
                        Some(a) => a,
                        None => continue,
                    },
                    _ => continue,
                };
                if trusted_account == account.id {
                    continue;
                }
                external.push(entry_evidence(entry));
                let class = ctx.classes.account(trusted_account);
                match class.class {
                    EnvClass::Nonprod => failures.push(format!(
                        "it trusts {} of non-production account {}",
                        match &entry.trustee {
                            Trustee::Principal(p) => format!("principal {p}"),
                            _ => "every principal".to_owned(),
                        },
                        ctx_name(snapshot, trusted_account)
                    )),
                    // The management account is no non-production trust: it is judged as
                    // production is, and its own roles by this check.
                    EnvClass::Prod | EnvClass::Management => {}
                    EnvClass::Unclassified if !collected.contains(trusted_account) => unknowns
                        .push(format!(
                            "it trusts account {trusted_account}, which is not in the snapshot"
                        )),
                    EnvClass::Unclassified => unknowns.push(format!(
                        "it trusts account {}, whose environment is unclassified",
                        ctx_name(snapshot, trusted_account)
                    )),
                }
            }
            let path = chain(&reached, &role.arn);
            if let Some(first) = path.first() {
                let steps: Vec<&str> = std::iter::once(first.from.as_str())
                    .chain(path.iter().map(|h| h.to.as_str()))
                    .collect();
                failures.push(format!(
                    "non-production principals reach it: {}{}",
                    steps.join(" → "),
                    if path.iter().any(|h| h.conditional) {
                        " (conditionally)"
                    } else {
                        ""
                    }
                ));
                add_evidence(
                    &mut finding,
                    "chain",
                    json!(path.iter().map(|h| hop_evidence(h)).collect::<Vec<_>>()),
                );
            }
            if path.is_empty()
                && let Some(why) = possibly.why(&role.arn)
            {
                unknowns.push(format!(
                    "whether non-production principals reach it is unknown: {why}"
                ));
                if let Some(evidence) = possibly.evidence(&role.arn) {
                    add_evidence(&mut finding, "unreadable_trust", evidence);
                }
            }
            if failures.is_empty() && unknowns.is_empty() && external.is_empty() {
                // Trusted only within its account, or by services and identity providers.
                continue;
            }
            add_evidence(&mut finding, "external_trust", json!(external));
            if !failures.is_empty() {
                finding.status = Status::Fail;
                finding.message = format!(
                    "{what} can be assumed from non-production: {}",
                    failures.join("; ")
                );
                finding.remediation = Some(format!(
                    "remove the non-production trustees from the trust policy (aws iam update-assume-role-policy --role-name {} --policy-document file://trust.json); give non-production its own roles in non-production accounts, and deploy to production only from a CI role trusted by a protected branch",
                    role.name
                ));
            } else if !unknowns.is_empty() {
                finding.status = Status::Unknown;
                finding.message = format!("{what}: {}", unknowns.join("; "));
            } else {
                finding.message = format!(
                    "{what} is trusted outside its account only by production or under conditions"
                );
            }
            out.push(finding);
        }
    }
    out
}

fn ctx_name(snapshot: &Snapshot, account: &str) -> String {
    match snapshot.accounts.iter().find(|a| a.id == account) {
        Some(a) => format!("{} ({account})", a.display_name()),
        None => account.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{Account, Iam, InlinePolicy, Role, Snapshot};

    fn role(account: &str, name: &str, trust: &str, inline: Option<&str>) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::{account}:role/{name}"),
            path: "/".into(),
            trust_policy: trust.into(),
            inline_policies: inline
                .map(|doc| {
                    vec![InlinePolicy {
                        name: "p".into(),
                        document: doc.into(),
                    }]
                })
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    /// Production, non-production and an unclassified shared account, with these roles.
    fn estate_with(prod: Vec<Role>, nonprod: Vec<Role>, shared: Vec<Role>) -> Snapshot {
        let mut snapshot = estate_in(PROD, |_| {});
        let mut add = |id: &str, name: &str, roles: Vec<Role>| {
            snapshot.accounts.push(Account {
                id: id.into(),
                name: Some(name.into()),
                regions: Some(BTreeMap::new()),
                iam: Some(Iam {
                    roles,
                    ..Default::default()
                }),
                ..Default::default()
            })
        };
        add(NONPROD, "acme-staging", nonprod);
        add(UNCLASSIFIED, "acme-shared", shared);
        snapshot.accounts[0].iam = Some(Iam {
            roles: prod,
            ..Default::default()
        });
        snapshot
    }

    fn prod_role_finding(findings: &[crate::checks::Finding]) -> &crate::checks::Finding {
        findings
            .iter()
            .find(|f| f.resource.contains(&format!("{PROD}:role/deploy")))
            .unwrap_or_else(|| panic!("{findings:#?}"))
    }

    #[test]
    fn direct_trust_of_a_nonprod_account_fails() {
        let snapshot = estate_with(
            vec![role(
                PROD,
                "deploy",
                &trusts(&format!("arn:aws:iam::{NONPROD}:root")),
                None,
            )],
            vec![],
            vec![],
        );
        let findings = run_check(&super::CHECK, &snapshot);
        let fail = prod_role_finding(&findings);
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        assert!(
            fail.message.contains("non-production account acme-staging"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn trusting_the_management_account_is_no_nonprod_trust_and_its_roles_are_judged() {
        // acme-shared is the management account here: a production role trusting it passes,
        // where trusting an unclassified account would be unknown.
        let mut snapshot = estate_with(
            vec![role(
                PROD,
                "deploy",
                &trusts(&format!("arn:aws:iam::{UNCLASSIFIED}:root")),
                None,
            )],
            vec![],
            vec![role(
                UNCLASSIFIED,
                "org-admin",
                &trusts(&format!("arn:aws:iam::{NONPROD}:root")),
                None,
            )],
        );
        assert_eq!(
            prod_role_finding(&run_check(&super::CHECK, &snapshot)).status,
            Status::Unknown
        );
        in_organization(&mut snapshot, UNCLASSIFIED);
        let findings = run_check(&super::CHECK, &snapshot);
        assert_eq!(
            prod_role_finding(&findings).status,
            Status::Pass,
            "{findings:#?}"
        );
        // The management account's own role that trusts staging fails.
        let admin = findings
            .iter()
            .find(|f| f.resource.ends_with(":role/org-admin"))
            .unwrap_or_else(|| panic!("{findings:#?}"));
        assert_eq!(admin.status, Status::Fail, "{admin:#?}");
        assert!(admin.message.contains("(management)"), "{}", admin.message);
    }

    #[test]
    fn a_chain_through_a_shared_role_fails_with_every_hop() {
        let snapshot = estate_with(
            vec![role(
                PROD,
                "deploy",
                &trusts(&format!("arn:aws:iam::{UNCLASSIFIED}:role/ci")),
                None,
            )],
            vec![role(
                NONPROD,
                "dev",
                &trusts("arn:aws:iam::111111111111:root"),
                Some(ASSUME_ANY),
            )],
            vec![role(
                UNCLASSIFIED,
                "ci",
                &trusts(&format!("arn:aws:iam::{NONPROD}:role/dev")),
                Some(ASSUME_ANY),
            )],
        );
        let findings = run_check(&super::CHECK, &snapshot);
        let fail = prod_role_finding(&findings);
        assert_eq!(fail.status, Status::Fail, "{fail:#?}");
        let chain = fail.evidence["chain"].as_array().unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0]["from"], format!("arn:aws:iam::{NONPROD}:role/dev"));
        assert_eq!(chain[1]["to"], format!("arn:aws:iam::{PROD}:role/deploy"));
        assert_eq!(
            chain[1]["trusted_by"][0]["trustee"],
            format!("principal arn:aws:iam::{UNCLASSIFIED}:role/ci")
        );
    }

    #[test]
    fn no_chain_when_the_middle_role_may_not_assume_onwards() {
        let snapshot = estate_with(
            vec![role(
                PROD,
                "deploy",
                &trusts(&format!("arn:aws:iam::{UNCLASSIFIED}:role/ci")),
                None,
            )],
            vec![role(
                NONPROD,
                "dev",
                &trusts("arn:aws:iam::111111111111:root"),
                Some(ASSUME_ANY),
            )],
            // ci is trusted by dev but its own policies allow no sts:AssumeRole.
            vec![role(
                UNCLASSIFIED,
                "ci",
                &trusts(&format!("arn:aws:iam::{NONPROD}:role/dev")),
                None,
            )],
        );
        let findings = run_check(&super::CHECK, &snapshot);
        // The trust of an unclassified account is unknown, not a pass.
        let unknown = prod_role_finding(&findings);
        assert_eq!(unknown.status, Status::Unknown, "{unknown:#?}");
        assert!(unknown.evidence.get("chain").is_none());
    }

    #[test]
    fn anyone_without_conditions_fails_with_conditions_is_reported() {
        let open = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#;
        let findings = run_check(
            &super::CHECK,
            &estate_with(vec![role(PROD, "deploy", open, None)], vec![], vec![]),
        );
        let fail = prod_role_finding(&findings);
        assert_eq!(fail.status, Status::Fail);
        assert!(
            fail.message.contains("without conditions"),
            "{}",
            fail.message
        );
        let org_only = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-example"}}}}"#;
        let findings = run_check(
            &super::CHECK,
            &estate_with(vec![role(PROD, "deploy", org_only, None)], vec![], vec![]),
        );
        assert_eq!(prod_role_finding(&findings).status, Status::Pass);
    }

    #[test]
    fn production_trustees_pass_and_local_roles_are_not_reported() {
        let snapshot = estate_with(
            vec![
                role(
                    PROD,
                    "deploy",
                    &trusts(&format!("arn:aws:iam::{PROD}:role/ci")),
                    None,
                ),
                role(
                    PROD,
                    "ci",
                    r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
                    None,
                ),
            ],
            vec![],
            vec![],
        );
        assert!(run_check(&super::CHECK, &snapshot).is_empty());
        let mut other_prod = estate_with(
            vec![role(
                PROD,
                "deploy",
                &trusts("arn:aws:iam::555555555555:role/ci"),
                None,
            )],
            vec![],
            vec![],
        );
        other_prod.accounts.push(Account {
            id: "555555555555".into(),
            name: Some("acme-data-prod".into()),
            regions: Some(BTreeMap::new()),
            iam: Some(Iam::default()),
            ..Default::default()
        });
        let findings = run_check(&super::CHECK, &other_prod);
        assert_eq!(prod_role_finding(&findings).status, Status::Pass);
    }

    #[test]
    fn a_role_reached_through_an_unreadable_trust_is_unknown() {
        // `deploy` trusts only `hop` of its own account, whose trust cannot be read.
        let deploy = role(
            PROD,
            "deploy",
            &trusts(&format!("arn:aws:iam::{PROD}:role/hop")),
            None,
        );
        let findings = run_check(
            &super::CHECK,
            &estate_with(
                vec![deploy.clone(), role(PROD, "hop", "{", Some(ASSUME_ANY))],
                vec![],
                vec![],
            ),
        );
        let deploy_finding = findings
            .iter()
            .find(|f| f.resource == deploy.arn)
            .expect("a finding for deploy");
        assert_eq!(
            deploy_finding.status,
            Status::Unknown,
            "{deploy_finding:#?}"
        );
        assert!(
            deploy_finding.message.contains(&format!(
                "it can be assumed from arn:aws:iam::{PROD}:role/hop, whose trust policy could not be read"
            )),
            "{}",
            deploy_finding.message
        );
        // With `hop` trusted by a service only, nothing reaches `deploy` from outside.
        let service = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
        let findings = run_check(
            &super::CHECK,
            &estate_with(
                vec![deploy.clone(), role(PROD, "hop", service, Some(ASSUME_ANY))],
                vec![],
                vec![],
            ),
        );
        assert!(
            findings.iter().all(|f| f.resource != deploy.arn),
            "{findings:#?}"
        );
    }

    #[test]
    fn unreadable_trust_and_external_accounts_are_unknown() {
        let findings = run_check(
            &super::CHECK,
            &estate_with(vec![role(PROD, "deploy", "{", None)], vec![], vec![]),
        );
        assert_eq!(prod_role_finding(&findings).status, Status::Unknown);
        let findings = run_check(
            &super::CHECK,
            &estate_with(
                vec![role(
                    PROD,
                    "deploy",
                    &trusts("arn:aws:iam::999999999999:root"),
                    None,
                )],
                vec![],
                vec![],
            ),
        );
        let unknown = prod_role_finding(&findings);
        assert_eq!(unknown.status, Status::Unknown);
        assert!(
            unknown.message.contains("not in the snapshot"),
            "{}",
            unknown.message
        );
    }
}
