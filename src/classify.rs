//! Classification: which accounts and resources are production, which principals are agents,
//! CI, humans or other — each with the reason, so a report can show why.

use std::borrow::Cow;
use std::collections::BTreeMap;

use globset::GlobMatcher;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{self, Config, DefaultEnvironment};
use crate::inventory::{Account, Environment, Snapshot, Tags};
use crate::policy::{Effect, PolicyDocument};

/// The environment class of an account or resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EnvClass {
    Prod,
    /// The Organizations management account: the most privileged account of the organization,
    /// judged with production's identity, logging and segregation checks.
    Management,
    Nonprod,
    Unclassified,
}

impl EnvClass {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvClass::Prod => "prod",
            EnvClass::Management => "management",
            EnvClass::Nonprod => "nonprod",
            EnvClass::Unclassified => "unclassified",
        }
    }
}

impl From<Environment> for EnvClass {
    fn from(env: Environment) -> Self {
        match env {
            Environment::Prod => EnvClass::Prod,
            Environment::Nonprod => EnvClass::Nonprod,
        }
    }
}

/// Account ids that the workstation's keys and profiles lead to.
fn workstation_accounts(snapshot: &Snapshot) -> Vec<String> {
    let Some(workstation) = &snapshot.workstation else {
        return Vec::new();
    };
    let keys = workstation
        .credentials
        .iter()
        .chain(
            workstation
                .profiles
                .iter()
                .filter_map(|p| p.static_key.as_ref()),
        )
        .filter_map(|c| c.owner.as_ref().map(|o| o.account_id.clone()));
    let profiles = workstation.profiles.iter().flat_map(|p| {
        [
            p.sso_account_id.clone(),
            p.role_arn
                .as_deref()
                .and_then(|arn| arn.split(':').nth(4))
                .map(str::to_owned),
        ]
        .into_iter()
        .flatten()
    });
    keys.chain(profiles).collect()
}

/// An environment class and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVerdict {
    pub class: EnvClass,
    pub reason: String,
}

/// What kind of principal an IAM role or user is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Agent,
    Ci,
    Human,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalVerdict {
    pub kind: PrincipalKind,
    pub reason: String,
    /// The trust policy could not be parsed: trust-based rules were not applied.
    pub trust_error: Option<String>,
    /// The trust policy could not be read and nothing declared or named the role an agent:
    /// it may be one (by trusting an agent service principal), so the agent checks judge it
    /// as possibly an agent (`unknown`) rather than leaving it out.
    pub possibly_agent: bool,
}

/// The classification of everything in a snapshot.
#[derive(Debug)]
pub struct Classification {
    accounts: BTreeMap<String, EnvVerdict>,
    principals: BTreeMap<String, PrincipalVerdict>,
    words: Words,
    unknown_account: EnvVerdict,
}

impl Classification {
    pub fn new(snapshot: &Snapshot, config: &Config) -> Classification {
        let words = Words::new(config);
        let mut rules = AccountRules::new(config);
        rules.management = snapshot
            .organization
            .as_ref()
            .map(|o| o.management_account_id.clone());
        let mut accounts: BTreeMap<String, EnvVerdict> = snapshot
            .accounts
            .iter()
            .map(|account| (account.id.clone(), rules.classify(account, &words)))
            .collect();
        // Accounts a workstation's credentials lead to may lie outside the snapshot: the
        // configuration's account lists still classify them.
        for id in workstation_accounts(snapshot) {
            if let std::collections::btree_map::Entry::Vacant(entry) = accounts.entry(id) {
                let bare = Account {
                    id: entry.key().clone(),
                    ..Default::default()
                };
                let verdict = rules.classify(&bare, &words);
                if verdict.class != EnvClass::Unclassified {
                    entry.insert(verdict);
                }
            }
        }
        let principal_rules = PrincipalRules::new(config);
        let mut principals = BTreeMap::new();
        for account in &snapshot.accounts {
            let Some(iam) = &account.iam else { continue };
            for role in &iam.roles {
                principals.insert(role.arn.clone(), principal_rules.role(role));
            }
            for user in &iam.users {
                principals.insert(user.arn.clone(), principal_rules.user(user));
            }
        }
        Classification {
            accounts,
            principals,
            words,
            unknown_account: EnvVerdict {
                class: EnvClass::Unclassified,
                reason: "account is not in the snapshot".to_owned(),
            },
        }
    }

    /// The environment of an account.
    pub fn account(&self, account_id: &str) -> &EnvVerdict {
        self.accounts
            .get(account_id)
            .unwrap_or(&self.unknown_account)
    }

    /// All account verdicts, by account id.
    pub fn accounts(&self) -> &BTreeMap<String, EnvVerdict> {
        &self.accounts
    }

    /// The environment of a resource: its environment tag when it has a recognised one, else
    /// its account's environment.
    pub fn resource(&self, account_id: &str, tags: &Tags) -> Cow<'_, EnvVerdict> {
        match self.words.classify_tags(tags) {
            Some(verdict) => Cow::Owned(verdict),
            None => Cow::Borrowed(self.account(account_id)),
        }
    }

    /// The kind of an IAM role or user, by ARN.
    pub fn principal(&self, arn: &str) -> Option<&PrincipalVerdict> {
        self.principals.get(arn)
    }

    /// All principal verdicts, by ARN.
    pub fn principals(&self) -> &BTreeMap<String, PrincipalVerdict> {
        &self.principals
    }
}

/// Word and tag rules shared by accounts and resources.
#[derive(Debug)]
struct Words {
    prod: Vec<String>,
    nonprod: Vec<String>,
    tag_keys: Vec<String>,
}

enum WordMatch {
    One(EnvClass, String),
    Both(String, String),
    None,
}

impl Words {
    fn new(config: &Config) -> Words {
        let lower = |list: &[String]| list.iter().map(|w| normalize(w)).collect();
        Words {
            prod: lower(&config.environments.prod_words),
            nonprod: lower(&config.environments.nonprod_words),
            tag_keys: config
                .environments
                .tag_keys
                .iter()
                .map(|k| k.to_lowercase())
                .collect(),
        }
    }

    /// Which class the words of `text` point at.
    fn classify(&self, text: &str) -> WordMatch {
        let normalized = normalize(text);
        let mut prod = None;
        let mut nonprod = None;
        for word in normalized
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if prod.is_none() && self.prod.iter().any(|w| w == word) {
                prod = Some(word.to_owned());
            }
            if nonprod.is_none() && self.nonprod.iter().any(|w| w == word) {
                nonprod = Some(word.to_owned());
            }
        }
        match (prod, nonprod) {
            (Some(p), None) => WordMatch::One(EnvClass::Prod, p),
            (None, Some(n)) => WordMatch::One(EnvClass::Nonprod, n),
            (Some(p), Some(n)) => WordMatch::Both(p, n),
            (None, None) => WordMatch::None,
        }
    }

    fn classify_tags(&self, tags: &Tags) -> Option<EnvVerdict> {
        if tags.is_empty() {
            return None;
        }
        for (key, value) in tags {
            if !self.tag_keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                continue;
            }
            if let WordMatch::One(class, _) = self.classify(value) {
                return Some(EnvVerdict {
                    class,
                    reason: format!("tag {key}={value}"),
                });
            }
        }
        None
    }
}

/// Lowercases and joins the two-word spellings of `nonprod` and `preprod`.
fn normalize(text: &str) -> String {
    let mut lower = text.to_lowercase();
    for (from, to) in [
        ("non-prod", "nonprod"),
        ("non_prod", "nonprod"),
        ("non prod", "nonprod"),
        ("pre-prod", "preprod"),
        ("pre_prod", "preprod"),
        ("pre prod", "preprod"),
    ] {
        if lower.contains(from) {
            lower = lower.replace(from, to);
        }
    }
    lower
}

struct AccountRules<'c> {
    config: &'c Config,
    prod_names: Vec<(String, GlobMatcher)>,
    nonprod_names: Vec<(String, GlobMatcher)>,
    /// The organization's management account, from Organizations.
    management: Option<String>,
}

impl<'c> AccountRules<'c> {
    fn new(config: &'c Config) -> Self {
        let compile = |list: &[String]| {
            list.iter()
                .filter_map(|p| config::glob(p).ok().map(|g| (p.clone(), g)))
                .collect()
        };
        AccountRules {
            config,
            prod_names: compile(&config.environments.prod_account_names),
            nonprod_names: compile(&config.environments.nonprod_account_names),
            management: None,
        }
    }

    fn classify(&self, account: &Account, words: &Words) -> EnvVerdict {
        let env = &self.config.environments;
        let verdict = |class, reason: String| EnvVerdict { class, reason };
        if env.prod_accounts.contains(&account.id) {
            return verdict(
                EnvClass::Prod,
                "listed in environments.prod_accounts".into(),
            );
        }
        if env.nonprod_accounts.contains(&account.id) {
            return verdict(
                EnvClass::Nonprod,
                "listed in environments.nonprod_accounts".into(),
            );
        }
        // Explicit account lists win; otherwise the management account is its own class,
        // whatever its name or OU says.
        if self.management.as_deref() == Some(account.id.as_str()) {
            return verdict(
                EnvClass::Management,
                "the organization's management account (from Organizations)".into(),
            );
        }
        if let Some(name) = &account.name {
            for (class, globs, key) in [
                (EnvClass::Prod, &self.prod_names, "prod_account_names"),
                (
                    EnvClass::Nonprod,
                    &self.nonprod_names,
                    "nonprod_account_names",
                ),
            ] {
                if let Some((pattern, _)) = globs.iter().find(|(_, g)| g.is_match(name)) {
                    return verdict(
                        class,
                        format!("name `{name}` matches environments.{key} `{pattern}`"),
                    );
                }
            }
        }
        // The deepest OU listed in the configuration decides.
        for unit in account.ou_path.iter().rev() {
            let listed = |list: &[String]| {
                list.iter()
                    .any(|x| x == &unit.id || x.eq_ignore_ascii_case(&unit.name))
            };
            if listed(&env.prod_ous) {
                return verdict(
                    EnvClass::Prod,
                    format!(
                        "in OU {} ({}), listed in environments.prod_ous",
                        unit.name, unit.id
                    ),
                );
            }
            if listed(&env.nonprod_ous) {
                return verdict(
                    EnvClass::Nonprod,
                    format!(
                        "in OU {} ({}), listed in environments.nonprod_ous",
                        unit.name, unit.id
                    ),
                );
            }
        }
        if let Some(tagged) = words.classify_tags(&account.tags) {
            return verdict(tagged.class, format!("account {}", tagged.reason));
        }
        if let Some(declared) = account.environment {
            return verdict(
                declared.into(),
                "environment declared in the snapshot".into(),
            );
        }
        let mut conflicts = Vec::new();
        if let Some(name) = &account.name {
            match words.classify(name) {
                WordMatch::One(class, word) => {
                    return verdict(
                        class,
                        format!("account name `{name}` contains the word `{word}`"),
                    );
                }
                WordMatch::Both(p, n) => {
                    conflicts.push(format!("name `{name}` holds both `{p}` and `{n}`"))
                }
                WordMatch::None => {}
            }
        }
        for unit in account.ou_path.iter().rev() {
            match words.classify(&unit.name) {
                WordMatch::One(class, word) => {
                    return verdict(
                        class,
                        format!(
                            "OU `{}` on the account's path contains the word `{word}`",
                            unit.name
                        ),
                    );
                }
                WordMatch::Both(p, n) => {
                    conflicts.push(format!("OU `{}` holds both `{p}` and `{n}`", unit.name))
                }
                WordMatch::None => {}
            }
        }
        let detail = if conflicts.is_empty() {
            "no environment rule matched its name, OU path or tags".to_owned()
        } else {
            format!("ambiguous: {}", conflicts.join("; "))
        };
        match env.default {
            DefaultEnvironment::Unclassified => verdict(EnvClass::Unclassified, detail),
            DefaultEnvironment::Prod => verdict(
                EnvClass::Prod,
                format!("{detail}; environments.default = \"prod\""),
            ),
            DefaultEnvironment::Nonprod => verdict(
                EnvClass::Nonprod,
                format!("{detail}; environments.default = \"nonprod\""),
            ),
        }
    }
}

struct PrincipalRules<'c> {
    config: &'c Config,
    agent_arns: Vec<(String, GlobMatcher)>,
    ci_arns: Vec<(String, GlobMatcher)>,
    human_arns: Vec<(String, GlobMatcher)>,
    agent_names: Vec<(String, GlobMatcher)>,
    human_roles: Vec<(String, GlobMatcher)>,
}

impl<'c> PrincipalRules<'c> {
    fn new(config: &'c Config) -> Self {
        let compile = |list: &[String]| {
            list.iter()
                .filter_map(|p| config::glob(p).ok().map(|g| (p.clone(), g)))
                .collect()
        };
        let p = &config.principals;
        PrincipalRules {
            config,
            agent_arns: compile(&p.agent_arns),
            ci_arns: compile(&p.ci_arns),
            human_arns: compile(&p.human_arns),
            agent_names: compile(&p.agent_name_globs),
            human_roles: compile(&p.human_role_globs),
        }
    }

    /// Explicit ARNs, then the kind tag.
    fn declared(&self, arn: &str, tags: &Tags) -> Option<PrincipalVerdict> {
        for (kind, globs, key) in [
            (PrincipalKind::Agent, &self.agent_arns, "agent_arns"),
            (PrincipalKind::Ci, &self.ci_arns, "ci_arns"),
            (PrincipalKind::Human, &self.human_arns, "human_arns"),
        ] {
            if let Some((pattern, _)) = globs.iter().find(|(_, g)| g.is_match(arn)) {
                return Some(verdict(
                    kind,
                    format!("matches principals.{key} `{pattern}`"),
                ));
            }
        }
        let tag_key = &self.config.principals.kind_tag;
        let value = tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(tag_key))
            .map(|(_, v)| v);
        let kind = match value.map(|v| v.to_lowercase()).as_deref() {
            Some("agent") => PrincipalKind::Agent,
            Some("ci") => PrincipalKind::Ci,
            Some("human") => PrincipalKind::Human,
            Some("other") => PrincipalKind::Other,
            _ => return None,
        };
        Some(verdict(
            kind,
            format!("tag {tag_key}={}", value.map_or("", |v| v.as_str())),
        ))
    }

    fn agent_name(&self, name: &str) -> Option<PrincipalVerdict> {
        self.agent_names
            .iter()
            .find(|(_, g)| g.is_match(name))
            .map(|(pattern, _)| {
                verdict(
                    PrincipalKind::Agent,
                    format!("name `{name}` matches principals.agent_name_globs `{pattern}`"),
                )
            })
    }

    fn role(&self, role: &crate::inventory::Role) -> PrincipalVerdict {
        let trust = PolicyDocument::parse(&role.trust_policy);
        let mut verdict = self.role_kind(role, &trust);
        if let Err(err) = &trust {
            if verdict.kind != PrincipalKind::Other {
                verdict.reason =
                    format!("{}; trust policy could not be read: {err}", verdict.reason);
            }
            verdict.trust_error = Some(err.to_string());
            // A declaration (explicit ARN or kind tag) is authoritative; a name or nothing
            // is not: the unread trust may name an agent service principal, which would
            // have made it an agent before the name rules were asked.
            verdict.possibly_agent = verdict.kind != PrincipalKind::Agent
                && self.declared(&role.arn, &role.tags).is_none();
        }
        verdict
    }

    fn role_kind(
        &self,
        role: &crate::inventory::Role,
        trust: &Result<PolicyDocument, crate::policy::PolicyError>,
    ) -> PrincipalVerdict {
        if let Some(v) = self.declared(&role.arn, &role.tags) {
            return v;
        }
        let p = &self.config.principals;
        if let Ok(doc) = trust {
            const ASSUME: [&str; 3] = [
                "sts:AssumeRole",
                "sts:AssumeRoleWithWebIdentity",
                "sts:AssumeRoleWithSAML",
            ];
            let mut services = Vec::new();
            let mut issuers = Vec::new();
            let trusting = doc.statements.iter().filter(|s| {
                s.effect == Effect::Allow && ASSUME.iter().any(|a| s.matches_action(a))
            });
            for principal in trusting.filter_map(|s| s.principal.as_ref()) {
                services.extend(principal.service.iter().map(String::as_str));
                issuers.extend(principal.oidc_issuers());
            }
            if let Some(service) = services.iter().find(|s| {
                p.agent_service_principals
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(s))
            }) {
                return verdict(
                    PrincipalKind::Agent,
                    format!("trusts the agent service principal {service}"),
                );
            }
            if let Some(issuer) = issuers.iter().find(|i| {
                p.ci_oidc_providers
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(i))
            }) {
                return verdict(
                    PrincipalKind::Ci,
                    format!("trusts the CI OIDC provider {issuer}"),
                );
            }
            if let Some(service) = services.iter().find(|s| {
                p.ci_service_principals
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(s))
            }) {
                return verdict(
                    PrincipalKind::Ci,
                    format!("trusts the CI service principal {service}"),
                );
            }
        }
        if let Some(v) = self.agent_name(&role.name) {
            return v;
        }
        if let Some((pattern, _)) = self
            .human_roles
            .iter()
            .find(|(_, g)| g.is_match(&role.name))
        {
            return verdict(
                PrincipalKind::Human,
                format!("name matches principals.human_role_globs `{pattern}`"),
            );
        }
        let mut other = verdict(PrincipalKind::Other, "no principal rule matched".into());
        if let Err(err) = trust {
            other.reason =
                format!("no principal rule matched; trust policy could not be read: {err}");
        }
        other
    }

    fn user(&self, user: &crate::inventory::User) -> PrincipalVerdict {
        if let Some(v) = self.declared(&user.arn, &user.tags) {
            return v;
        }
        if let Some(v) = self.agent_name(&user.name) {
            return v;
        }
        match user.password_enabled {
            Some(true) => verdict(
                PrincipalKind::Human,
                "IAM user with a console password".into(),
            ),
            Some(false) => verdict(
                PrincipalKind::Other,
                "IAM user without a console password".into(),
            ),
            None => verdict(
                PrincipalKind::Other,
                "IAM user; console access unknown (no credential report)".into(),
            ),
        }
    }
}

fn verdict(kind: PrincipalKind, reason: String) -> PrincipalVerdict {
    PrincipalVerdict {
        kind,
        reason,
        trust_error: None,
        possibly_agent: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{OrgUnitRef, Role, User};

    fn account(id: &str, name: &str, ous: &[(&str, &str)]) -> Account {
        Account {
            id: id.into(),
            name: Some(name.into()),
            ou_path: ous
                .iter()
                .map(|(id, name)| OrgUnitRef {
                    id: (*id).into(),
                    name: (*name).into(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn classify(accounts: Vec<Account>, config: &Config) -> Classification {
        let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
        snapshot.accounts = accounts;
        Classification::new(&snapshot, config)
    }

    fn class_of(name: &str) -> EnvClass {
        classify(vec![account("111111111111", name, &[])], &Config::default())
            .account("111111111111")
            .class
    }

    #[test]
    fn account_names_are_matched_by_whole_words() {
        assert_eq!(class_of("acme-prod"), EnvClass::Prod);
        assert_eq!(class_of("ACME_Production_EU"), EnvClass::Prod);
        assert_eq!(class_of("acme-staging"), EnvClass::Nonprod);
        assert_eq!(class_of("acme-non-prod"), EnvClass::Nonprod);
        assert_eq!(class_of("acme-pre-prod"), EnvClass::Nonprod);
        // "product" and "produce" hold "prod" but not as a word.
        assert_eq!(class_of("product-analytics"), EnvClass::Unclassified);
        // Both kinds of word: ambiguous, never guessed.
        let classes = classify(
            vec![account("111111111111", "prod-sandbox", &[])],
            &Config::default(),
        );
        assert_eq!(
            classes.account("111111111111").class,
            EnvClass::Unclassified
        );
        assert!(classes.account("111111111111").reason.contains("ambiguous"));
    }

    #[test]
    fn the_ou_path_classifies_when_the_name_does_not() {
        let classes = classify(
            vec![account(
                "111111111111",
                "payments",
                &[
                    ("r-1", "Root"),
                    ("ou-1", "Workloads"),
                    ("ou-2", "Production"),
                ],
            )],
            &Config::default(),
        );
        let verdict = classes.account("111111111111");
        assert_eq!(verdict.class, EnvClass::Prod);
        assert!(
            verdict.reason.contains("OU `Production`"),
            "{}",
            verdict.reason
        );
    }

    #[test]
    fn configuration_wins_over_heuristics() {
        let mut config = Config::default();
        config.environments.nonprod_accounts = vec!["111111111111".into()];
        config.environments.prod_ous = vec!["ou-live".into()];
        config.environments.prod_account_names = vec!["acme-live-*".into()];
        let classes = classify(
            vec![
                account("111111111111", "acme-prod", &[]),
                account("222222222222", "acme-dev-tools", &[("ou-live", "Live")]),
                account("333333333333", "ACME-LIVE-eu", &[]),
            ],
            &config,
        );
        assert_eq!(classes.account("111111111111").class, EnvClass::Nonprod);
        assert_eq!(classes.account("222222222222").class, EnvClass::Prod);
        assert_eq!(classes.account("333333333333").class, EnvClass::Prod);
        assert!(
            classes
                .account("333333333333")
                .reason
                .contains("acme-live-*")
        );
    }

    #[test]
    fn the_management_account_is_its_own_class_unless_an_account_list_says_otherwise() {
        let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
        snapshot.accounts = vec![
            account("111111111111", "acme-root", &[]),
            account("222222222222", "acme-prod", &[]),
        ];
        snapshot.organization = Some(crate::inventory::Organization {
            id: "o-example".into(),
            management_account_id: "111111111111".into(),
            ..Default::default()
        });
        let classes = Classification::new(&snapshot, &Config::default());
        let verdict = classes.account("111111111111");
        assert_eq!(verdict.class, EnvClass::Management);
        assert!(
            verdict.reason.contains("management account"),
            "{}",
            verdict.reason
        );
        assert_eq!(classes.account("222222222222").class, EnvClass::Prod);
        // Its name, OU and tags do not decide, even when they say prod…
        snapshot.accounts[0].name = Some("acme-prod-payer".into());
        let classes = Classification::new(&snapshot, &Config::default());
        assert_eq!(classes.account("111111111111").class, EnvClass::Management);
        // …but an explicit account list does.
        let mut config = Config::default();
        config.environments.prod_accounts = vec!["111111111111".into()];
        let classes = Classification::new(&snapshot, &config);
        assert_eq!(classes.account("111111111111").class, EnvClass::Prod);
    }

    #[test]
    fn default_environment_applies_only_to_unmatched_accounts() {
        let mut config = Config::default();
        config.environments.default = DefaultEnvironment::Prod;
        let classes = classify(
            vec![
                account("111111111111", "payments", &[]),
                account("222222222222", "dev", &[]),
            ],
            &config,
        );
        assert_eq!(classes.account("111111111111").class, EnvClass::Prod);
        assert!(
            classes
                .account("111111111111")
                .reason
                .contains("environments.default")
        );
        assert_eq!(classes.account("222222222222").class, EnvClass::Nonprod);
    }

    #[test]
    fn resource_tags_override_the_account() {
        let classes = classify(
            vec![account("111111111111", "acme-staging", &[])],
            &Config::default(),
        );
        let tags = Tags::from([("Environment".to_owned(), "Production".to_owned())]);
        let verdict = classes.resource("111111111111", &tags);
        assert_eq!(verdict.class, EnvClass::Prod);
        assert_eq!(verdict.reason, "tag Environment=Production");
        let other = Tags::from([("env".to_owned(), "shared".to_owned())]);
        assert_eq!(
            classes.resource("111111111111", &other).class,
            EnvClass::Nonprod
        );
    }

    fn role(name: &str, trust: &str) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::111111111111:role/{name}"),
            trust_policy: trust.into(),
            ..Default::default()
        }
    }

    fn kinds(roles: Vec<Role>, users: Vec<User>) -> Vec<(String, PrincipalKind)> {
        let mut acct = account("111111111111", "acme-prod", &[]);
        acct.iam = Some(crate::inventory::Iam {
            roles,
            users,
            ..Default::default()
        });
        let classes = classify(vec![acct], &Config::default());
        classes
            .principals()
            .iter()
            .map(|(arn, v)| (arn.rsplit('/').next().unwrap().to_owned(), v.kind))
            .collect()
    }

    #[test]
    fn principals_are_classified_by_trust_name_and_tag() {
        let service = |s: &str| {
            format!(
                r#"{{"Statement":{{"Effect":"Allow","Principal":{{"Service":"{s}"}},"Action":"sts:AssumeRole"}}}}"#
            )
        };
        let github = r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
        let mut tagged = role("web", &service("ec2.amazonaws.com"));
        tagged.tags.insert("ringfence:kind".into(), "agent".into());
        let got = kinds(
            vec![
                role("support-bot", &service("bedrock.amazonaws.com")),
                role("deploy", github),
                role("build", &service("codebuild.amazonaws.com")),
                role("my-claude-helper", &service("ec2.amazonaws.com")),
                role("AWSReservedSSO_Admin_123", &service("ec2.amazonaws.com")),
                role("api", &service("ec2.amazonaws.com")),
                role("broken", "{not json"),
                tagged,
            ],
            vec![
                User {
                    name: "alice".into(),
                    arn: "arn:aws:iam::111111111111:user/alice".into(),
                    password_enabled: Some(true),
                    ..Default::default()
                },
                User {
                    name: "svc".into(),
                    arn: "arn:aws:iam::111111111111:user/svc".into(),
                    password_enabled: Some(false),
                    ..Default::default()
                },
            ],
        );
        let expected = [
            ("AWSReservedSSO_Admin_123", PrincipalKind::Human),
            ("api", PrincipalKind::Other),
            ("broken", PrincipalKind::Other),
            ("build", PrincipalKind::Ci),
            ("deploy", PrincipalKind::Ci),
            ("my-claude-helper", PrincipalKind::Agent),
            ("support-bot", PrincipalKind::Agent),
            ("web", PrincipalKind::Agent),
            ("alice", PrincipalKind::Human),
            ("svc", PrincipalKind::Other),
        ];
        assert_eq!(got, expected.map(|(n, k)| (n.to_owned(), k)));
    }

    #[test]
    fn an_unreadable_trust_policy_is_recorded() {
        let mut acct = account("111111111111", "acme-prod", &[]);
        acct.iam = Some(crate::inventory::Iam {
            roles: vec![role("broken", "{not json")],
            ..Default::default()
        });
        let classes = classify(vec![acct], &Config::default());
        let verdict = classes
            .principal("arn:aws:iam::111111111111:role/broken")
            .unwrap();
        assert!(verdict.trust_error.is_some());
        assert!(verdict.reason.contains("trust policy could not be read"));
        assert!(verdict.possibly_agent);
    }

    #[test]
    fn an_unreadable_trust_policy_leaves_only_declared_kinds_certain() {
        let mut acct = account("111111111111", "acme-prod", &[]);
        let mut tagged = role("deployer", "");
        tagged.tags = [("ringfence:kind".to_owned(), "ci".to_owned())].into();
        acct.iam = Some(crate::inventory::Iam {
            roles: vec![
                role("support-agent", "{not json"),
                role("AWSReservedSSO_Admin_1", "{not json"),
                tagged,
                role(
                    "readable",
                    r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
                ),
            ],
            ..Default::default()
        });
        let classes = classify(vec![acct], &Config::default());
        let of = |name: &str| {
            let v = classes
                .principal(&format!("arn:aws:iam::111111111111:role/{name}"))
                .unwrap();
            (v.kind, v.possibly_agent, v.trust_error.is_some())
        };
        // An agent by name stays one, its trust error recorded.
        assert_eq!(of("support-agent"), (PrincipalKind::Agent, false, true));
        // A human by name may still trust an agent service principal.
        assert_eq!(
            of("AWSReservedSSO_Admin_1"),
            (PrincipalKind::Human, true, true)
        );
        // A declared kind is authoritative.
        assert_eq!(of("deployer"), (PrincipalKind::Ci, false, true));
        assert_eq!(of("readable"), (PrincipalKind::Other, false, false));
    }
}
