//! HIL002 ci-trust-pinned: a production role trusted by a CI OIDC provider (GitHub Actions,
//! GitLab, Terraform Cloud) must pin the token's subject to one repository and a protected
//! branch or environment. Without it, any repository on the platform — or any branch, or any
//! pull request — can assume the role and skip the human-approved pipeline.

use serde_json::json;

use crate::checks::scope::{
    IAM_ROLES, account_finding, account_not_collected, add_evidence, scoped,
};
use crate::checks::{Check, Ctx, Finding, Scoped, Status};
use crate::inventory::Snapshot;
use crate::policy::Effect;
use crate::policy::trust::{TrustEntry, Trustee, trust_entries};

pub const CHECK: Check = Check {
    id: "HIL002",
    name: "ci-trust-pinned",
    catalogue: include_str!("../../../checks/hil/HIL002-ci-trust-pinned.toml"),
    run,
};

/// How one allowed subject pattern pins the token.
#[derive(Debug, PartialEq, Eq)]
enum Pin {
    /// One repository (project, workspace) and a protected branch or environment.
    Pinned,
    /// Lets more in than one protected branch or environment of one repository: why.
    Loose(String),
    /// A subject format this version does not know (a customised claim): not judged.
    Unrecognised,
}

/// Judges one subject value of an issuer's `sub` condition.
fn pin(issuer: &str, subject: &str, wildcards: bool) -> Pin {
    let wild = |part: &str| wildcards && (part.contains('*') || part.contains('?'));
    if subject == "*" || (wildcards && subject.trim_matches('*').is_empty()) {
        return Pin::Loose("any subject".into());
    }
    match issuer {
        "token.actions.githubusercontent.com" => {
            // repo:OWNER/REPO:ref:refs/heads/BRANCH | repo:OWNER/REPO:environment:NAME
            let Some(rest) = subject.strip_prefix("repo:") else {
                return Pin::Unrecognised;
            };
            let Some((repo, context)) = rest.split_once(':') else {
                return Pin::Loose(if wild(rest) {
                    format!("`{subject}` admits any repository it matches, on any branch")
                } else {
                    format!("`{subject}` names no branch or environment")
                });
            };
            if wild(repo) || !repo.contains('/') {
                return Pin::Loose(format!("`{subject}` admits more than one repository"));
            }
            match context.split_once(':') {
                Some(("ref", r)) if r.starts_with("refs/heads/") && !wild(r) => Pin::Pinned,
                Some(("environment", e)) if !e.is_empty() && !wild(e) => Pin::Pinned,
                Some(("ref", r)) if r.starts_with("refs/tags/") => Pin::Loose(format!(
                    "`{subject}` admits a tag, which anyone with write access can push"
                )),
                _ if context == "pull_request" => Pin::Loose(format!(
                    "`{subject}` admits any pull request, including from forks of the workflow"
                )),
                _ if wild(context) => {
                    Pin::Loose(format!("`{subject}` admits any branch, tag or environment"))
                }
                _ => Pin::Unrecognised,
            }
        }
        "gitlab.com" => {
            // project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH
            let Some(rest) = subject.strip_prefix("project_path:") else {
                return Pin::Unrecognised;
            };
            let parts: Vec<&str> = rest.split(':').collect();
            match parts.as_slice() {
                [project, ..] if wild(project) || !project.contains('/') => {
                    Pin::Loose(format!("`{subject}` admits more than one project"))
                }
                [_, "ref_type", "branch", "ref", branch] if !wild(branch) => Pin::Pinned,
                [_, "ref_type", "tag", ..] => Pin::Loose(format!(
                    "`{subject}` admits a tag, which anyone with write access can push"
                )),
                _ if wildcards && rest.contains('*') => {
                    Pin::Loose(format!("`{subject}` admits any branch or tag"))
                }
                [_] => Pin::Loose(format!("`{subject}` names no branch")),
                _ => Pin::Unrecognised,
            }
        }
        "app.terraform.io" => {
            // organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE
            let parts: Vec<&str> = subject.split(':').collect();
            match parts.as_slice() {
                ["organization", org, "project", _, "workspace", ws, ..] => {
                    if wild(org) || wild(ws) {
                        Pin::Loose(format!("`{subject}` admits more than one workspace"))
                    } else {
                        Pin::Pinned
                    }
                }
                ["organization", ..] => Pin::Loose(format!("`{subject}` names no workspace")),
                _ => Pin::Unrecognised,
            }
        }
        _ => Pin::Unrecognised,
    }
}

/// What one trust statement for a CI issuer allows.
struct Judged {
    loose: Vec<String>,
    unrecognised: Vec<String>,
    subjects: Vec<String>,
}

fn judge_entry(entry: &TrustEntry, issuer: &str) -> Judged {
    let key = format!("{issuer}:sub");
    let mut judged = Judged {
        loose: Vec::new(),
        unrecognised: Vec::new(),
        subjects: Vec::new(),
    };
    // Only positive string operators restrict the subject; a negated one (StringNotLike)
    // admits everything it does not name.
    let restricting: Vec<(&str, &[String])> = entry
        .condition_values(&key)
        .into_iter()
        .filter(|(op, _)| {
            let op = op
                .rsplit(':')
                .next()
                .unwrap_or(op)
                .trim_end_matches("IfExists");
            matches!(op, "StringEquals" | "StringLike")
        })
        .collect();
    if restricting.is_empty() {
        judged.loose.push(format!(
            "no `{key}` condition: any repository on {issuer} can assume it"
        ));
        return judged;
    }
    for (operator, values) in restricting {
        let wildcards = operator.ends_with("StringLike");
        for value in values {
            judged.subjects.push(value.clone());
            match pin(issuer, value, wildcards) {
                Pin::Pinned => {}
                Pin::Loose(why) => judged.loose.push(why),
                Pin::Unrecognised => judged.unrecognised.push(value.clone()),
            }
        }
    }
    judged
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let issuers = &ctx.config.principals.ci_oidc_providers;
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let Some(iam) = &account.iam else {
            out.extend(account_not_collected(snapshot, ctx, account, IAM_ROLES));
            continue;
        };
        for role in &iam.roles {
            let entries = match trust_entries(&role.trust_policy) {
                Ok(entries) => entries,
                Err(err) => {
                    let verdict = ctx.classes.resource(&account.id, &role.tags);
                    let what = format!("iam role {}", role.name);
                    if let Scoped::Prod(verdict) =
                        scoped(ctx, account, None, verdict, &role.arn, &what)
                    {
                        let mut f =
                            account_finding(account, None, Status::Unknown, &verdict, &role.arn);
                        f.message = format!(
                            "trust policy of {what} in {} ({}) could not be read: {err}",
                            account.display_name(),
                            verdict.class.as_str()
                        );
                        out.push(f);
                    }
                    continue;
                }
            };
            let ci: Vec<(&TrustEntry, &str)> = entries
                .iter()
                .filter(|e| e.effect == Effect::Allow)
                .filter_map(|e| match &e.trustee {
                    Trustee::Oidc { issuer, .. } => issuers
                        .iter()
                        .find(|i| i.eq_ignore_ascii_case(issuer))
                        .map(|i| (e, i.as_str())),
                    _ => None,
                })
                .collect();
            if ci.is_empty() {
                continue;
            }
            let what = format!("iam role {}", role.name);
            let verdict = ctx.classes.resource(&account.id, &role.tags);
            let verdict = match scoped(ctx, account, None, verdict, &role.arn, &what) {
                Scoped::Prod(verdict) => verdict,
                Scoped::Skip(finding) => {
                    out.push(*finding);
                    continue;
                }
            };
            let mut loose = Vec::new();
            let mut unrecognised = Vec::new();
            let mut statements = Vec::new();
            for (entry, issuer) in &ci {
                let judged = judge_entry(entry, issuer);
                statements.push(json!({
                    "statement": entry.statement,
                    "sid": entry.sid,
                    "issuer": issuer,
                    "subjects": judged.subjects,
                    "audiences": entry
                        .condition_values(&format!("{issuer}:aud"))
                        .into_iter()
                        .flat_map(|(_, v)| v.iter().cloned())
                        .collect::<Vec<_>>(),
                }));
                loose.extend(judged.loose);
                unrecognised.extend(judged.unrecognised);
            }
            let at = account.display_name();
            let env = verdict.class.as_str();
            let (status, message) = if !loose.is_empty() {
                (
                    Status::Fail,
                    format!(
                        "{what} in {at} ({env}) trusts CI tokens it does not pin: {}",
                        loose.join("; ")
                    ),
                )
            } else if !unrecognised.is_empty() {
                (
                    Status::Unknown,
                    format!(
                        "{what} in {at} ({env}) trusts CI subjects in a format ringfence does not recognise ({}); check they name one repository and a protected branch or environment",
                        unrecognised.join(", ")
                    ),
                )
            } else {
                (
                    Status::Pass,
                    format!(
                        "{what} in {at} ({env}) trusts CI tokens of pinned repositories and protected branches or environments only"
                    ),
                )
            };
            let mut finding = account_finding(account, None, status, &verdict, &role.arn);
            finding.message = message;
            add_evidence(&mut finding, "ci_trust", json!(statements));
            if status == Status::Fail {
                finding.remediation = Some(format!(
                    "pin the subject in the trust policy of {}: e.g. \"StringEquals\": {{\"token.actions.githubusercontent.com:sub\": \"repo:ORG/REPO:environment:production\", \"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}} (aws iam update-assume-role-policy --role-name {} --policy-document file://trust.json), and protect that environment or branch",
                    role.name, role.name
                ));
            }
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Pin, pin};
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{Iam, Role};

    const GITHUB: &str = "token.actions.githubusercontent.com";

    fn role(trust: &str) -> Role {
        Role {
            name: "deploy".into(),
            arn: format!("arn:aws:iam::{PROD}:role/deploy"),
            path: "/".into(),
            trust_policy: trust.into(),
            ..Default::default()
        }
    }

    fn github_trust(condition: &str) -> String {
        format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{PROD}:oidc-provider/{GITHUB}"}},"Action":"sts:AssumeRoleWithWebIdentity"{condition}}}}}"#
        )
    }

    fn run_in(account: &str, roles: Vec<Role>) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate_in(account, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles,
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn subjects_are_judged_per_platform() {
        for (issuer, subject, wildcards, pinned) in [
            (GITHUB, "repo:acme/app:ref:refs/heads/main", true, true),
            (GITHUB, "repo:acme/app:environment:production", false, true),
            (GITHUB, "repo:acme/app:*", true, false),
            (GITHUB, "repo:acme/*:ref:refs/heads/main", true, false),
            (GITHUB, "repo:*", true, false),
            (GITHUB, "repo:acme/app:pull_request", false, false),
            (GITHUB, "repo:acme/app:ref:refs/tags/v1", false, false),
            (GITHUB, "repo:acme/app:ref:refs/heads/*", true, false),
            // A literal `*` under StringEquals matches only the text `*`.
            (GITHUB, "repo:acme/app:ref:refs/heads/*", false, true),
            (
                "gitlab.com",
                "project_path:acme/app:ref_type:branch:ref:main",
                false,
                true,
            ),
            (
                "gitlab.com",
                "project_path:acme/*:ref_type:branch:ref:main",
                true,
                false,
            ),
            ("gitlab.com", "project_path:acme/app", false, false),
            (
                "app.terraform.io",
                "organization:acme:project:infra:workspace:prod:run_phase:apply",
                false,
                true,
            ),
            (
                "app.terraform.io",
                "organization:acme:project:*:workspace:*:run_phase:*",
                true,
                false,
            ),
            (GITHUB, "*", true, false),
        ] {
            let verdict = pin(issuer, subject, wildcards);
            assert_eq!(
                verdict == Pin::Pinned,
                pinned,
                "{issuer} {subject}: {verdict:?}"
            );
        }
        assert_eq!(
            pin(GITHUB, "job_workflow_ref:acme/wf@main", false),
            Pin::Unrecognised
        );
    }

    #[test]
    fn a_pinned_trust_passes() {
        let trust = github_trust(&format!(
            r#","Condition":{{"StringEquals":{{"{GITHUB}:aud":"sts.amazonaws.com","{GITHUB}:sub":"repo:acme/app:environment:production"}}}}"#
        ));
        let findings = run_in(PROD, vec![role(&trust)]);
        let pass = only(&findings, Status::Pass);
        assert_eq!(
            pass.evidence["ci_trust"][0]["audiences"][0],
            "sts.amazonaws.com"
        );
    }

    #[test]
    fn no_subject_condition_or_a_wildcard_repository_fails() {
        let findings = run_in(PROD, vec![role(&github_trust(""))]);
        let fail = only(&findings, Status::Fail);
        assert!(fail.message.contains("any repository"), "{}", fail.message);
        let trust = github_trust(&format!(
            r#","Condition":{{"StringLike":{{"{GITHUB}:sub":"repo:*"}}}}"#
        ));
        only(&run_in(PROD, vec![role(&trust)]), Status::Fail);
        // A negated operator does not pin anything.
        let trust = github_trust(&format!(
            r#","Condition":{{"StringNotLike":{{"{GITHUB}:sub":"repo:evil/*"}}}}"#
        ));
        only(&run_in(PROD, vec![role(&trust)]), Status::Fail);
    }

    #[test]
    fn unreadable_trust_and_unknown_subject_formats_are_unknown() {
        only(&run_in(PROD, vec![role("{not json")]), Status::Unknown);
        let trust = github_trust(&format!(
            r#","Condition":{{"StringEquals":{{"{GITHUB}:sub":"job_workflow_ref:acme/wf/.github/workflows/deploy.yml@refs/heads/main"}}}}"#
        ));
        only(&run_in(PROD, vec![role(&trust)]), Status::Unknown);
        let mut snapshot = estate(|_| {});
        snapshot
            .errors
            .push(access_denied("iam", "GetAccountAuthorizationDetails"));
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }

    #[test]
    fn nonprod_roles_and_roles_without_ci_trust() {
        only(
            &run_in(NONPROD, vec![role(&github_trust(""))]),
            Status::NotApplicable,
        );
        let service = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
        assert!(run_in(PROD, vec![role(service)]).is_empty());
    }
}
