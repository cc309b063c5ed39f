//! Trust policies: who may assume a role.
//!
//! A role's trust (assume-role) policy names its trustees: AWS accounts (`…:root`, which
//! delegates to that account's own IAM policies), individual roles and users, `*`, service
//! principals, and federated identity providers (OIDC, SAML). This module reads a trust policy
//! into [`TrustEntry`] values and answers whether a given principal is trusted — yes, no, or
//! only under conditions this module cannot decide — always with the statement that says so.
//!
//! Semantics follow the IAM User Guide ("IAM JSON policy elements: Principal", "Policy
//! evaluation logic" for role trust policies, and "Creating a role for web identity or OpenID
//! Connect Federation"). Deny statements in trust policies are honoured: a decided Deny wins,
//! an undecidable one makes the trust conditional.

use std::collections::BTreeMap;

use super::{Effect, PolicyDocument, PolicyError, Statement, wildcard_match};

/// The actions that assume a role.
pub const ASSUME_ACTIONS: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

/// Who a trust statement names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trustee {
    /// `"Principal": "*"` or `{"AWS": "*"}`: any AWS principal of any account.
    Anyone,
    /// An account (`123456789012` or `arn:aws:iam::123456789012:root`): any principal of that
    /// account whose own IAM policies allow the assume.
    Account(String),
    /// One IAM role or user (or an assumed-role session), by ARN.
    Principal(String),
    /// An AWS service principal (`ec2.amazonaws.com`).
    Service(String),
    /// An OIDC provider: the issuer host and path (`token.actions.githubusercontent.com`).
    Oidc {
        provider_arn: String,
        issuer: String,
    },
    /// A SAML provider (or another federated principal), by ARN or name.
    Saml(String),
}

impl Trustee {
    fn parse_aws(id: &str) -> Trustee {
        if id == "*" {
            return Trustee::Anyone;
        }
        if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            return Trustee::Account(id.to_owned());
        }
        match id.strip_suffix(":root").and_then(|a| a.rsplit(':').next()) {
            Some(account) if id.starts_with("arn:") => Trustee::Account(account.to_owned()),
            _ => Trustee::Principal(id.to_owned()),
        }
    }

    /// The trustee in words, for evidence: `account 123456789012`, `principal arn:…`, `*` …
    pub fn describe(&self) -> String {
        match self {
            Trustee::Anyone => "* (any AWS principal)".to_owned(),
            Trustee::Account(a) => format!("account {a}"),
            Trustee::Principal(p) => format!("principal {p}"),
            Trustee::Service(s) => format!("service {s}"),
            Trustee::Oidc { issuer, .. } => format!("oidc {issuer}"),
            Trustee::Saml(p) => format!("saml {p}"),
        }
    }

    /// The account a trustee belongs to, where it names one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Trustee::Account(account) => Some(account),
            Trustee::Principal(arn)
            | Trustee::Oidc {
                provider_arn: arn, ..
            } => arn.split(':').nth(4).filter(|a| !a.is_empty()),
            Trustee::Saml(arn) => arn.split(':').nth(4).filter(|a| !a.is_empty()),
            Trustee::Anyone | Trustee::Service(_) => None,
        }
    }
}

/// One trustee of one statement of a trust policy.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustEntry {
    pub trustee: Trustee,
    pub effect: Effect,
    /// The statement's index in the policy and its `Sid`, for evidence.
    pub statement: usize,
    pub sid: Option<String>,
    /// The assume actions the statement covers (of [`ASSUME_ACTIONS`] and `sts:TagSession` etc.).
    pub actions: Vec<String>,
    /// operator → key → values, as written.
    pub conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl TrustEntry {
    /// Values a condition gives for `key` (case-insensitive), under any operator, with the
    /// operator: `[("StringLike", ["repo:acme/app:ref:refs/heads/main"])]`.
    pub fn condition_values(&self, key: &str) -> Vec<(&str, &[String])> {
        self.conditions
            .iter()
            .flat_map(|(operator, keys)| {
                keys.iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(move |(_, values)| (operator.as_str(), values.as_slice()))
            })
            .collect()
    }

    /// Whether the statement carries any condition at all.
    pub fn is_conditioned(&self) -> bool {
        self.conditions.values().any(|keys| !keys.is_empty())
    }
}

/// The trustees of a trust policy, one entry per trustee per statement that covers an assume
/// action. `NotPrincipal` statements are read as their complement: an `Allow` with
/// `NotPrincipal` trusts [`Trustee::Anyone`] (except those listed), which is what matters for
/// risk.
pub fn trust_entries(trust_policy: &str) -> Result<Vec<TrustEntry>, PolicyError> {
    let document = PolicyDocument::parse(trust_policy)?;
    let mut entries = Vec::new();
    for (index, statement) in document.statements.iter().enumerate() {
        let actions: Vec<String> = ASSUME_ACTIONS
            .iter()
            .filter(|a| statement.matches_action(a))
            .map(|a| (*a).to_owned())
            .collect();
        if actions.is_empty() {
            continue;
        }
        for trustee in trustees(statement) {
            entries.push(TrustEntry {
                trustee,
                effect: statement.effect,
                statement: index,
                sid: statement.sid.clone(),
                actions: actions.clone(),
                conditions: statement.condition.clone(),
            });
        }
    }
    Ok(entries)
}

fn trustees(statement: &Statement) -> Vec<Trustee> {
    if statement.not_principal.is_some() {
        return vec![Trustee::Anyone];
    }
    let Some(principal) = &statement.principal else {
        return Vec::new();
    };
    if principal.any {
        return vec![Trustee::Anyone];
    }
    let mut out: Vec<Trustee> = principal
        .aws
        .iter()
        .map(|id| Trustee::parse_aws(id))
        .collect();
    out.extend(
        principal
            .service
            .iter()
            .map(|s| Trustee::Service(s.clone())),
    );
    for federated in &principal.federated {
        out.push(match federated.split_once(":oidc-provider/") {
            Some((_, issuer)) => Trustee::Oidc {
                provider_arn: federated.clone(),
                issuer: issuer.to_owned(),
            },
            // `cognito-identity.amazonaws.com`, `accounts.google.com` … are OIDC issuers too.
            None if !federated.starts_with("arn:") => Trustee::Oidc {
                provider_arn: federated.clone(),
                issuer: federated.clone(),
            },
            None => Trustee::Saml(federated.clone()),
        });
    }
    out
}

/// Whether a trust policy lets one AWS principal assume the role.
#[derive(Debug, Clone, PartialEq)]
pub enum TrustVerdict {
    /// Trusted, by these entries (conditions, if any, are decided true or absent).
    Trusted(Vec<TrustEntry>),
    /// Trusted only if conditions hold that depend on the request (external id, source IP,
    /// MFA, tags …): the entries, conditions included.
    Conditional(Vec<TrustEntry>),
    NotTrusted,
    /// A Deny entry with no condition names the principal.
    Denied(TrustEntry),
}

/// Whether the trust `entries` admit the IAM principal `principal_arn` of `account` to call
/// `sts:AssumeRole`. Account trust (`…:root`) counts: the account's own IAM policies must then
/// also allow the call, which the caller checks with the policy engine.
pub fn admits(entries: &[TrustEntry], principal_arn: &str, account: &str) -> TrustVerdict {
    let names = |e: &TrustEntry| match &e.trustee {
        Trustee::Anyone => true,
        Trustee::Account(a) => a == account,
        Trustee::Principal(p) => p == principal_arn || wildcard_match(p, principal_arn),
        _ => false,
    };
    let applicable = |e: &&TrustEntry| e.actions.iter().any(|a| a == "sts:AssumeRole") && names(e);
    if let Some(deny) = entries
        .iter()
        .filter(applicable)
        .find(|e| e.effect == Effect::Deny && !e.is_conditioned())
    {
        return TrustVerdict::Denied(deny.clone());
    }
    let allows: Vec<TrustEntry> = entries
        .iter()
        .filter(applicable)
        .filter(|e| e.effect == Effect::Allow)
        .cloned()
        .collect();
    let conditional_deny = entries
        .iter()
        .filter(applicable)
        .any(|e| e.effect == Effect::Deny);
    if allows.is_empty() {
        TrustVerdict::NotTrusted
    } else if conditional_deny || allows.iter().all(TrustEntry::is_conditioned) {
        TrustVerdict::Conditional(allows)
    } else {
        TrustVerdict::Trusted(allows.into_iter().filter(|e| !e.is_conditioned()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(policy: &str) -> Vec<TrustEntry> {
        trust_entries(policy).unwrap()
    }

    #[test]
    fn reads_every_trustee_form() {
        let policy = r#"{"Statement":[
            {"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root",
              "arn:aws:iam::333333333333:role/ci"]},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::444444444444:oidc-provider/token.actions.githubusercontent.com"},
              "Action":"sts:AssumeRoleWithWebIdentity",
              "Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}},
            {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::444444444444:saml-provider/okta"},"Action":"sts:AssumeRoleWithSAML"},
            {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}]}"#;
        let trustees: Vec<Trustee> = entries(policy).into_iter().map(|e| e.trustee).collect();
        assert_eq!(
            trustees,
            [
                Trustee::Account("111111111111".into()),
                Trustee::Account("222222222222".into()),
                Trustee::Principal("arn:aws:iam::333333333333:role/ci".into()),
                Trustee::Service("ec2.amazonaws.com".into()),
                Trustee::Oidc {
                    provider_arn: "arn:aws:iam::444444444444:oidc-provider/token.actions.githubusercontent.com".into(),
                    issuer: "token.actions.githubusercontent.com".into()
                },
                Trustee::Saml("arn:aws:iam::444444444444:saml-provider/okta".into()),
                Trustee::Anyone,
            ]
        );
        assert_eq!(
            Trustee::Principal("arn:aws:iam::333333333333:role/ci".into()).account(),
            Some("333333333333")
        );
    }

    #[test]
    fn oidc_subjects_are_readable() {
        let policy = r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
            "Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],
            "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
                         "StringLike":{"Token.Actions.GithubUserContent.com:sub":["repo:acme/app:ref:refs/heads/main"]}}}}"#;
        let entry = &entries(policy)[0];
        assert_eq!(
            entry.condition_values("token.actions.githubusercontent.com:sub"),
            [(
                "StringLike",
                ["repo:acme/app:ref:refs/heads/main".to_owned()].as_slice()
            )]
        );
        assert_eq!(entry.actions, ["sts:AssumeRoleWithWebIdentity"]);
    }

    #[test]
    fn admits_by_arn_account_or_anyone() {
        let role = "arn:aws:iam::333333333333:role/dev";
        let by_arn = entries(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{{"AWS":"{role}"}},"Action":"sts:AssumeRole"}}}}"#
        ));
        assert!(matches!(
            admits(&by_arn, role, "333333333333"),
            TrustVerdict::Trusted(_)
        ));
        assert_eq!(
            admits(
                &by_arn,
                "arn:aws:iam::333333333333:role/other",
                "333333333333"
            ),
            TrustVerdict::NotTrusted
        );
        let by_account = entries(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sts:AssumeRole"}}"#,
        );
        assert!(matches!(
            admits(&by_account, role, "333333333333"),
            TrustVerdict::Trusted(_)
        ));
        assert_eq!(
            admits(&by_account, role, "444444444444"),
            TrustVerdict::NotTrusted
        );
        let anyone = entries(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#,
        );
        assert!(matches!(
            admits(&anyone, role, "999999999999"),
            TrustVerdict::Trusted(_)
        ));
    }

    #[test]
    fn conditions_and_denies() {
        let external_id = entries(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"sts:AssumeRole",
                "Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}"#,
        );
        assert!(matches!(
            admits(
                &external_id,
                "arn:aws:iam::333333333333:role/a",
                "333333333333"
            ),
            TrustVerdict::Conditional(_)
        ));
        let denied = entries(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"AWS":"333333333333"},"Action":"sts:*"}]}"#,
        );
        assert!(matches!(
            admits(&denied, "arn:aws:iam::333333333333:role/a", "333333333333"),
            TrustVerdict::Denied(_)
        ));
        assert!(matches!(
            admits(&denied, "arn:aws:iam::444444444444:role/a", "444444444444"),
            TrustVerdict::Trusted(_)
        ));
        let maybe_denied = entries(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole",
                 "Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-acme"}}}]}"#,
        );
        assert!(matches!(
            admits(
                &maybe_denied,
                "arn:aws:iam::444444444444:role/a",
                "444444444444"
            ),
            TrustVerdict::Conditional(_)
        ));
    }

    #[test]
    fn not_principal_allows_are_read_as_anyone_and_malformed_policies_are_errors() {
        let policy = r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}}"#;
        assert_eq!(entries(policy)[0].trustee, Trustee::Anyone);
        assert!(trust_entries(r#"{"Statement":"nope"}"#).is_err());
        assert!(trust_entries("not json").is_err());
    }
}
