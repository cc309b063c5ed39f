//! SEC002 workstation-prod-profile: the local AWS configuration gives whoever runs on the
//! machine — an agent included — credentials into production: static keys of a production
//! account, a role in one, or an IAM Identity Center assignment to one.

use serde_json::{Value, json};

use super::{account_env, account_label, credential_evidence, owner_evidence, unattributed_reason};
use crate::checks::scope::{env_evidence, unplaced};
use crate::checks::{Check, Ctx, Finding, Severity, Status};
use crate::classify::EnvClass;
use crate::inventory::{AwsProfile, ProblemKind, Snapshot, Workstation};

pub const CHECK: Check = Check {
    id: "SEC002",
    name: "workstation-prod-profile",
    catalogue: include_str!("../../../checks/sec/SEC002-workstation-prod-profile.toml"),
    run,
};

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let Some(workstation) = snapshot
        .workstation
        .as_ref()
        .filter(|w| w.aws_home.is_some())
    else {
        let mut finding = unplaced(snapshot, None, None, "aws configuration".to_owned());
        finding.status = Status::NotApplicable;
        finding.message = "out of scope: no AWS configuration was scanned (`ringfence scan`, or `audit --workspace PATH`, read ~/.aws unless --no-aws-home)".to_owned();
        return vec![finding];
    };
    if workstation.aws_home_absent {
        let home = workstation.aws_home.clone().unwrap_or_default();
        let mut finding = unplaced(snapshot, None, None, home.clone());
        finding.status = Status::NotApplicable;
        finding.message = format!(
            "out of scope: there is no AWS configuration folder {home} on this machine, so no profile to judge"
        );
        finding.evidence = json!({ "files": workstation.aws_files, "folder_exists": false });
        return vec![finding];
    }
    let mut out: Vec<Finding> = workstation
        .profiles
        .iter()
        .map(|p| judge(snapshot, ctx, workstation, p))
        .collect();
    for problem in workstation
        .problems
        .iter()
        .filter(|p| workstation.aws_files.contains(&p.path))
    {
        let mut finding = unplaced(snapshot, None, None, problem.path.clone());
        finding.message = match problem.kind {
            ProblemKind::Malformed => format!(
                "{} holds lines that are not AWS configuration ({}): the profiles it defines are unknown",
                problem.path, problem.detail
            ),
            _ => format!(
                "{} could not be read ({}): the profiles it defines are unknown",
                problem.path, problem.detail
            ),
        };
        if problem.kind == ProblemKind::Malformed {
            finding.remediation = Some(format!(
                "fix or remove the lines named in {} (a property belongs under a [profile NAME] or [default] header; `aws configure list-profiles` fails on a malformed file)",
                problem.path
            ));
        }
        finding.evidence = json!({ "problem": problem });
        out.push(finding);
    }
    if out.is_empty() {
        let home = workstation.aws_home.clone().unwrap_or_default();
        let mut finding = unplaced(snapshot, None, None, home.clone());
        finding.status = Status::Pass;
        finding.message = format!("the AWS configuration in {home} defines no profile");
        finding.evidence = json!({ "files": workstation.aws_files });
        out.push(finding);
    }
    out
}

/// One way a profile reaches an account.
struct Reach {
    /// `assumes role arn:…`, `holds static key AKIA…MPLE`.
    how: String,
    account: Option<String>,
    /// Why the account is unknown.
    unknown: Option<String>,
    evidence: Value,
}

fn reaches(profile: &AwsProfile, workstation: &Workstation, ctx: &Ctx) -> Vec<Reach> {
    let mut out = Vec::new();
    if let Some(key) = &profile.static_key {
        let how = format!("holds {} {}", key.kind.as_str(), key.fingerprint);
        match &key.owner {
            Some(owner) => out.push(Reach {
                how,
                account: Some(owner.account_id.clone()),
                unknown: None,
                evidence: json!({
                    "static_key": credential_evidence(key),
                    "owner": owner_evidence(owner, account_env(ctx, &owner.account_id)),
                }),
            }),
            None => out.push(Reach {
                how,
                account: None,
                unknown: Some(
                    if key.kind == crate::inventory::CredentialKind::AwsSecretKey {
                        "a secret access key with no key id".to_owned()
                    } else {
                        unattributed_reason(key, workstation.attributed_with_sts)
                    },
                ),
                evidence: json!({ "static_key": credential_evidence(key) }),
            }),
        }
    }
    if let Some(arn) = &profile.role_arn {
        let account = arn
            .split(':')
            .nth(4)
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned);
        out.push(Reach {
            how: format!("assumes role {arn}"),
            unknown: account
                .is_none()
                .then(|| format!("`{arn}` is not a role ARN")),
            account,
            evidence: json!({ "role_arn": arn, "source_profile": profile.source_profile }),
        });
    }
    if let Some(account) = &profile.sso_account_id {
        out.push(Reach {
            how: format!(
                "signs in through IAM Identity Center{}",
                profile
                    .sso_role_name
                    .as_deref()
                    .map_or(String::new(), |r| format!(" as {r}"))
            ),
            account: Some(account.clone()),
            unknown: None,
            evidence: json!({ "sso_account_id": account, "sso_role_name": profile.sso_role_name }),
        });
    }
    if profile.credential_process && out.is_empty() {
        out.push(Reach {
            how: "gets credentials from a credential_process command".to_owned(),
            account: None,
            unknown: Some("the scan does not run the command".to_owned()),
            evidence: json!({ "credential_process": true }),
        });
    }
    out
}

fn judge(
    snapshot: &Snapshot,
    ctx: &Ctx,
    workstation: &Workstation,
    profile: &AwsProfile,
) -> Finding {
    let name = &profile.name;
    let at = format!("{}:{}", profile.file, profile.line);
    let resource = format!("aws profile {name}");
    let reaches = reaches(profile, workstation, ctx);
    if reaches.is_empty() {
        let mut finding = unplaced(snapshot, None, None, resource);
        finding.status = Status::NotApplicable;
        finding.message =
            format!("out of scope: profile {name} ({at}) holds settings only, no credentials");
        finding.evidence = json!({ "file": profile.file, "line": profile.line });
        return finding;
    }
    // The most serious reach decides: production first, then what cannot be known.
    let judged: Vec<(Status, &Reach, String)> = reaches
        .iter()
        .map(|r| match &r.account {
            Some(account) => {
                let verdict = account_env(ctx, account);
                let label = account_label(snapshot, account, verdict.class);
                match verdict.class {
                    EnvClass::Prod | EnvClass::Management => (Status::Fail, r, format!("{} in account {label}", r.how)),
                    EnvClass::Nonprod => (Status::Pass, r, format!("{} in account {label}", r.how)),
                    EnvClass::Unclassified => (
                        Status::Unknown,
                        r,
                        format!(
                            "{} in account {label}, whose environment is unclassified ({}); declare it in ringfence.toml [environments]",
                            r.how, verdict.reason
                        ),
                    ),
                }
            }
            None => (
                Status::Unknown,
                r,
                format!("{}, whose account cannot be known: {}", r.how, r.unknown.as_deref().unwrap_or("not attributed")),
            ),
        })
        .collect();
    let (status, deciding, _) = judged
        .iter()
        .min_by_key(|(s, _, _)| s.urgency())
        .map(|(s, r, m)| (*s, *r, m.clone()))
        .unwrap_or((Status::Unknown, &reaches[0], String::new()));
    let account = deciding.account.as_deref();
    let verdict = account.map(|a| account_env(ctx, a));
    let mut finding = unplaced(snapshot, account, verdict, resource);
    finding.status = status;
    finding.message = format!(
        "profile {name} ({at}) {}",
        judged
            .iter()
            .filter(|(s, _, _)| *s == status)
            .map(|(_, _, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    finding.evidence = json!({
        "file": profile.file,
        "line": profile.line,
        "profile": name,
        "reaches": judged.iter().map(|(s, r, _)| json!({
            "how": r.how,
            "account_id": r.account,
            "environment": r.account.as_deref().map(|a| env_evidence(account_env(ctx, a))),
            "status": s,
            "detail": r.evidence,
        })).collect::<Vec<_>>(),
    });
    if status == Status::Unknown && account.is_none() {
        finding.lower_severity = Some(Severity::Medium);
    }
    if status == Status::Fail {
        finding.remediation = Some(remediation(profile, deciding));
    }
    finding
}

fn remediation(profile: &AwsProfile, reach: &Reach) -> String {
    let name = &profile.name;
    if reach.how.starts_with("holds") {
        format!(
            "remove the static keys of profile {name} from {file}; deactivate the key (aws iam update-access-key --access-key-id ACCESS_KEY_ID --status Inactive) and use short-lived credentials: `aws configure sso`",
            file = profile
                .static_key
                .as_ref()
                .map_or(profile.file.as_str(), |k| k.file.as_str())
        )
    } else {
        format!(
            "remove profile {name} from {} on machines where agents run, or keep production access on a separate machine or OS user; where a person needs it, require MFA on the role (a trust condition on aws:MultiFactorAuthPresent, `mfa_serial` in the profile) so that a process cannot assume it unattended",
            profile.file
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{
        AwsProfile, Confidence, CredentialKind, KeyOwner, KeySource, LocalCredential, Snapshot,
        Workstation,
    };

    fn profile(name: &str) -> AwsProfile {
        AwsProfile {
            name: name.into(),
            file: "home/.aws/config".into(),
            line: 4,
            role_arn: None,
            source_profile: None,
            sso_account_id: None,
            sso_role_name: None,
            credential_process: false,
            static_key: None,
        }
    }

    fn static_key(owner: Option<&str>) -> LocalCredential {
        LocalCredential {
            file: "home/.aws/credentials".into(),
            line: 2,
            kind: CredentialKind::AwsAccessKey,
            name: Some("aws_access_key_id".into()),
            fingerprint: "AKIA…MPLE".into(),
            confidence: Confidence::High,
            with_secret: Some(true),
            with_session_token: Some(false),
            owner: owner.map(|a| KeyOwner {
                account_id: a.into(),
                source: KeySource::GetAccessKeyInfo,
                user_arn: None,
            }),
            attribution_error: None,
            database: None,
            related_hosts: Vec::new(),
        }
    }

    fn estate_with(profiles: Vec<AwsProfile>) -> Snapshot {
        let mut snapshot = estate(|_| {});
        snapshot
            .accounts
            .extend(estate_in(NONPROD, |_| {}).accounts);
        snapshot.workstation = Some(Workstation {
            aws_home: Some("home/.aws".into()),
            profiles,
            ..Default::default()
        });
        snapshot
    }

    fn run(profiles: Vec<AwsProfile>) -> Vec<crate::checks::Finding> {
        run_check(&super::CHECK, &estate_with(profiles))
    }

    #[test]
    fn a_role_profile_into_production_fails() {
        let findings = run(vec![AwsProfile {
            role_arn: Some(format!("arn:aws:iam::{PROD}:role/Admin")),
            source_profile: Some("default".into()),
            ..profile("prod-admin")
        }]);
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.resource, "aws profile prod-admin");
        assert!(
            fail.message
                .contains("assumes role arn:aws:iam::222222222222:role/Admin in account 222222222222 (acme-prod, prod)"),
            "{}",
            fail.message
        );
        assert!(fail.remediation.as_deref().unwrap().contains("MFA"));
    }

    #[test]
    fn an_sso_profile_into_production_fails_and_into_staging_passes() {
        let sso = |account: &str| AwsProfile {
            sso_account_id: Some(account.into()),
            sso_role_name: Some("AdministratorAccess".into()),
            ..profile("sso")
        };
        only(&run(vec![sso(PROD)]), Status::Fail);
        only(&run(vec![sso(NONPROD)]), Status::Pass);
        only(&run(vec![sso("999999999999")]), Status::Unknown);
    }

    #[test]
    fn static_keys_are_judged_by_their_owner() {
        let with_key = |owner| AwsProfile {
            static_key: Some(static_key(owner)),
            ..profile("default")
        };
        let fail = run(vec![with_key(Some(PROD))]);
        assert!(
            only(&fail, Status::Fail)
                .message
                .contains("holds aws access key AKIA…MPLE")
        );
        only(&run(vec![with_key(Some(NONPROD))]), Status::Pass);
        let unknown = run(vec![with_key(None)]);
        let unknown = only(&unknown, Status::Unknown);
        assert!(
            unknown.message.contains("--attribute-keys"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn production_wins_over_everything_else_a_profile_reaches() {
        let findings = run(vec![AwsProfile {
            static_key: Some(static_key(Some(NONPROD))),
            role_arn: Some(format!("arn:aws:iam::{PROD}:role/Deploy")),
            ..profile("chain")
        }]);
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.evidence["reaches"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn settings_only_profiles_are_out_of_scope_and_credential_processes_unknown() {
        only(&run(vec![profile("settings")]), Status::NotApplicable);
        only(
            &run(vec![AwsProfile {
                credential_process: true,
                ..profile("vault")
            }]),
            Status::Unknown,
        );
    }

    #[test]
    fn an_unreadable_configuration_file_is_unknown_even_beside_readable_profiles() {
        use crate::inventory::{ProblemKind, ScanProblem};
        let mut snapshot = estate_with(vec![AwsProfile {
            sso_account_id: Some(NONPROD.into()),
            ..profile("dev")
        }]);
        if let Some(w) = &mut snapshot.workstation {
            w.aws_files = vec!["home/.aws/config".into(), "home/.aws/credentials".into()];
            w.problems = vec![ScanProblem {
                path: "home/.aws/credentials".into(),
                kind: ProblemKind::Unreadable,
                detail: "permission denied".into(),
            }];
        }
        let findings = run_check(&super::CHECK, &snapshot);
        assert_eq!(
            statuses(&findings),
            [
                (Status::Pass, "aws profile dev".to_owned()),
                (Status::Unknown, "home/.aws/credentials".to_owned())
            ]
        );
    }

    #[test]
    fn a_malformed_configuration_file_is_unknown() {
        // Before: malformed lines were dropped and the file read as clean.
        use crate::inventory::{ProblemKind, ScanProblem};
        let mut snapshot = estate_with(Vec::new());
        if let Some(w) = &mut snapshot.workstation {
            w.aws_files = vec!["home/.aws/config".into(), "home/.aws/credentials".into()];
            w.problems = vec![ScanProblem {
                path: "home/.aws/credentials".into(),
                kind: ProblemKind::Malformed,
                detail: "1 malformed line, where a credential may hide: line 1 (a property outside any section)".into(),
            }];
        }
        let findings = run_check(&super::CHECK, &snapshot);
        let unknown = only(&findings, Status::Unknown);
        assert!(
            unknown
                .message
                .contains("line 1 (a property outside any section)")
                && unknown.message.contains("profiles it defines are unknown"),
            "{}",
            unknown.message
        );
        assert_eq!(unknown.evidence["problem"]["kind"], "malformed");
    }

    #[test]
    fn no_aws_folder_is_not_applicable() {
        let mut snapshot = estate_with(Vec::new());
        if let Some(w) = &mut snapshot.workstation {
            w.aws_home_absent = true;
        }
        let na = only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable).clone();
        assert!(
            na.message.contains("no AWS configuration folder home/.aws"),
            "{}",
            na.message
        );
    }

    #[test]
    fn no_configuration_scanned_is_not_applicable_and_an_empty_one_passes() {
        let mut snapshot = estate_with(Vec::new());
        snapshot.workstation = None;
        only(&run_check(&super::CHECK, &snapshot), Status::NotApplicable);
        only(&run(Vec::new()), Status::Pass);
    }
}
