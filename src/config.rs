//! `ringfence.toml`: what is production, who is an agent, recovery targets, waivers.
//!
//! Every setting is optional; [`Config::default`] is what an absent file means, and
//! [`TEMPLATE`] (written by `ringfence init`) spells out every default.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use jiff::SignedDuration;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::inventory::Tags;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_PATH: &str = "ringfence.toml";

/// The commented template `ringfence init` writes: every setting at its default.
pub const TEMPLATE: &str = include_str!("config_template.toml");

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub environments: Environments,
    pub principals: Principals,
    pub recovery: Recovery,
    pub deletion: Deletion,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Waiver>,
}

/// What an account that no rule classifies is taken to be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultEnvironment {
    /// Reported as unclassified; checks that need to know report `unknown` for it.
    #[default]
    Unclassified,
    Prod,
    Nonprod,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Environments {
    pub default: DefaultEnvironment,
    /// Account ids that are production, whatever their name.
    pub prod_accounts: Vec<String>,
    pub nonprod_accounts: Vec<String>,
    /// Account-name globs (case-insensitive), e.g. `acme-live-*`.
    pub prod_account_names: Vec<String>,
    pub nonprod_account_names: Vec<String>,
    /// Organizational units (id `ou-…` or name) whose accounts, at any depth, are production.
    pub prod_ous: Vec<String>,
    pub nonprod_ous: Vec<String>,
    /// Words that mark an account name, OU name or tag value as production.
    pub prod_words: Vec<String>,
    pub nonprod_words: Vec<String>,
    /// Tag keys (case-insensitive) whose value classifies a resource or account.
    pub tag_keys: Vec<String>,
}

impl Default for Environments {
    fn default() -> Self {
        Environments {
            default: DefaultEnvironment::Unclassified,
            prod_accounts: Vec::new(),
            nonprod_accounts: Vec::new(),
            prod_account_names: Vec::new(),
            nonprod_account_names: Vec::new(),
            prod_ous: Vec::new(),
            nonprod_ous: Vec::new(),
            prod_words: strings(&["prod", "production", "prd"]),
            nonprod_words: strings(&[
                "dev",
                "development",
                "test",
                "testing",
                "qa",
                "staging",
                "stage",
                "stg",
                "sandbox",
                "nonprod",
                "preprod",
                "uat",
            ]),
            tag_keys: strings(&["env", "environment", "stage"]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Principals {
    /// Tag key whose value (`agent`, `ci`, `human`) declares a principal's kind.
    pub kind_tag: String,
    /// Principal ARNs (globs) that are agents, CI or humans, whatever else they look like.
    pub agent_arns: Vec<String>,
    pub ci_arns: Vec<String>,
    pub human_arns: Vec<String>,
    /// Service principals that mark a role trusting them as an agent role.
    pub agent_service_principals: Vec<String>,
    /// Role and user name globs (case-insensitive) that mark agents.
    pub agent_name_globs: Vec<String>,
    /// OIDC issuers whose trust marks a role as CI.
    pub ci_oidc_providers: Vec<String>,
    /// Service principals whose trust marks a role as CI.
    pub ci_service_principals: Vec<String>,
    /// Role name globs of human sign-in roles.
    pub human_role_globs: Vec<String>,
}

impl Default for Principals {
    fn default() -> Self {
        Principals {
            kind_tag: "ringfence:kind".to_owned(),
            agent_arns: Vec::new(),
            ci_arns: Vec::new(),
            human_arns: Vec::new(),
            agent_service_principals: strings(&["bedrock.amazonaws.com"]),
            agent_name_globs: strings(&[
                "*agent*",
                "*llm*",
                "*copilot*",
                "*cursor*",
                "*claude*",
                "*codex*",
            ]),
            ci_oidc_providers: strings(&[
                "token.actions.githubusercontent.com",
                "gitlab.com",
                "app.terraform.io",
            ]),
            ci_service_principals: strings(&[
                "codebuild.amazonaws.com",
                "codepipeline.amazonaws.com",
            ]),
            human_role_globs: strings(&["AWSReservedSSO_*"]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Recovery {
    /// Recovery point objective: the most data, in time, a restore may lose.
    #[serde(with = "friendly_duration")]
    pub rpo: SignedDuration,
    /// Recovery time objective: how long a restore may take.
    #[serde(with = "friendly_duration")]
    pub rto: SignedDuration,
    /// Minimum automated backup retention.
    pub min_retention_days: u32,
    /// Assumed restore throughput for the restore-time estimate.
    pub restore_throughput_mib_per_sec: u32,
    /// Fixed time added to every restore estimate (provisioning, DNS, checks).
    #[serde(with = "friendly_duration")]
    pub restore_overhead: SignedDuration,
    /// Per-resource targets; the first that matches wins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<RecoveryTarget>,
}

impl Default for Recovery {
    fn default() -> Self {
        Recovery {
            rpo: SignedDuration::from_hours(1),
            rto: SignedDuration::from_hours(4),
            min_retention_days: 7,
            restore_throughput_mib_per_sec: 100,
            restore_overhead: SignedDuration::from_mins(20),
            targets: Vec::new(),
        }
    }
}

/// The recovery objectives that apply to one resource, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objectives {
    pub rpo: SignedDuration,
    pub rto: SignedDuration,
    /// `default`, or the target that set them: `recovery.targets[0] (tag tier=critical)`.
    pub source: String,
}

impl Recovery {
    /// The objectives of a resource: the first target matching its ARN, identifier or tags
    /// sets what it sets; the defaults fill in the rest.
    pub fn objectives(&self, arn: &str, id: &str, tags: &Tags) -> Objectives {
        let matching = self.targets.iter().enumerate().find(|(_, target)| {
            match (&target.resource, &target.tag) {
                (Some(pattern), _) => {
                    glob(pattern).is_ok_and(|g| g.is_match(arn) || g.is_match(id))
                }
                (None, Some(tag)) => tag.split_once('=').is_some_and(|(key, value)| {
                    tags.iter()
                        .any(|(k, v)| k.eq_ignore_ascii_case(key) && v == value)
                }),
                (None, None) => false,
            }
        });
        match matching {
            None => Objectives {
                rpo: self.rpo,
                rto: self.rto,
                source: "default".to_owned(),
            },
            Some((index, target)) => Objectives {
                rpo: target.rpo.unwrap_or(self.rpo),
                rto: target.rto.unwrap_or(self.rto),
                source: match (&target.resource, &target.tag) {
                    (Some(pattern), _) => format!("recovery.targets[{index}] (resource {pattern})"),
                    (_, tag) => format!(
                        "recovery.targets[{index}] (tag {})",
                        tag.as_deref().unwrap_or_default()
                    ),
                },
            },
        }
    }
}

/// Soft-delete expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Deletion {
    /// Minimum Recycle Bin retention for EBS snapshots and AMIs, in days.
    pub recycle_bin_min_retention_days: u32,
}

impl Default for Deletion {
    fn default() -> Self {
        Deletion {
            recycle_bin_min_retention_days: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryTarget {
    /// Resource ARN or identifier glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// `key=value`: resources carrying this tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_friendly_duration"
    )]
    pub rpo: Option<SignedDuration>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_friendly_duration"
    )]
    pub rto: Option<SignedDuration>,
}

/// An accepted risk: findings of `check` on resources matching `resource` are waived until
/// `expires` (inclusive, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub check: String,
    /// Glob on the finding's resource (ARN or identifier).
    pub resource: String,
    pub reason: String,
    /// `expires = 2027-03-31` (a TOML date) or `expires = "2027-03-31"`.
    #[serde(deserialize_with = "date_or_text")]
    pub expires: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A calendar date written as a TOML local date or as a `YYYY-MM-DD` string.
fn date_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    use serde::de::Error as _;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(deserializer).map_err(|_| {
        D::Error::custom("expected a date such as 2027-03-31 (YYYY-MM-DD, quoted or not)")
    })? {
        Written::Text(text) => text,
        Written::Toml(datetime) => match (datetime.date, datetime.time, datetime.offset) {
            (Some(date), None, None) => date.to_string(),
            _ => {
                return Err(D::Error::custom(format!(
                    "`{datetime}`: expected a date without a time, such as 2027-03-31 (a waiver expires at the end of that UTC day)"
                )));
            }
        },
    };
    text.trim().parse::<Date>().map_err(|err| {
        D::Error::custom(format!(
            "`{text}`: expected a date such as 2027-03-31 (YYYY-MM-DD): {err}"
        ))
    })
}

impl Config {
    /// Loads the configuration: `path` when given (it must exist), else `ringfence.toml` in
    /// the working directory when present, else the defaults.
    pub fn load(
        path: Option<&Path>,
        known_checks: &[&str],
    ) -> Result<(Config, Option<String>), Error> {
        let (path, required) = match path {
            Some(path) => (path, true),
            None => (Path::new(DEFAULT_PATH), false),
        };
        let origin = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Config::default(), None));
            }
            Err(err) => return Err(Error::io(origin, err)),
        };
        let config = Config::parse(&text, &origin, known_checks)?;
        Ok((config, Some(origin)))
    }

    /// Parses and validates configuration text; errors name the file, line and key.
    pub fn parse(text: &str, origin: &str, known_checks: &[&str]) -> Result<Config, Error> {
        // Editors on Windows may begin a file with a UTF-8 byte-order mark; it means nothing.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let config: Config = toml::from_str(text).map_err(|err| {
            let position = err
                .span()
                .map(|span| line_col(text, span.start))
                .map(|(line, col)| format!("{origin}:{line}:{col}"))
                .unwrap_or_else(|| origin.to_owned());
            let key = key_path(text);
            let message = err.message().trim_end().to_owned();
            match key {
                Some(key) => Error::input(position, format!("{key}: {message}")),
                None => Error::input(position, message),
            }
        })?;
        config.validate(text, origin, known_checks)?;
        Ok(config)
    }

    fn validate(&self, text: &str, origin: &str, known_checks: &[&str]) -> Result<(), Error> {
        // Named at the line and column of the value, as parse errors are.
        let bad = |key: String, message: String| {
            let at = locate(text, &key)
                .map(|(line, col)| format!("{origin}:{line}:{col}"))
                .unwrap_or_else(|| origin.to_owned());
            Error::input(at, format!("{key}: {message}"))
        };
        let env = &self.environments;
        for (key, ids) in [
            ("prod_accounts", &env.prod_accounts),
            ("nonprod_accounts", &env.nonprod_accounts),
        ] {
            for (index, id) in ids.iter().enumerate() {
                if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(
                        format!("environments.{key}[{index}]"),
                        format!(
                            "`{id}` is not a 12-digit account id (use prod_account_names for name patterns)"
                        ),
                    ));
                }
            }
        }
        for id in &env.prod_accounts {
            if env.nonprod_accounts.contains(id) {
                return Err(bad(
                    "environments.nonprod_accounts".to_owned(),
                    format!("account {id} is listed as both prod and nonprod"),
                ));
            }
        }
        for ou in &env.prod_ous {
            if env
                .nonprod_ous
                .iter()
                .any(|other| other.eq_ignore_ascii_case(ou))
            {
                return Err(bad(
                    "environments.nonprod_ous".to_owned(),
                    format!("OU {ou} is listed as both prod and nonprod"),
                ));
            }
        }
        let globs = [
            ("environments.prod_account_names", &env.prod_account_names),
            (
                "environments.nonprod_account_names",
                &env.nonprod_account_names,
            ),
            ("principals.agent_arns", &self.principals.agent_arns),
            ("principals.ci_arns", &self.principals.ci_arns),
            ("principals.human_arns", &self.principals.human_arns),
            (
                "principals.agent_name_globs",
                &self.principals.agent_name_globs,
            ),
            (
                "principals.human_role_globs",
                &self.principals.human_role_globs,
            ),
        ];
        for (key, patterns) in globs {
            for (index, pattern) in patterns.iter().enumerate() {
                glob(pattern).map_err(|message| bad(format!("{key}[{index}]"), message))?;
            }
        }
        let rec = &self.recovery;
        for (key, value) in [("rpo", rec.rpo), ("rto", rec.rto)] {
            if value <= SignedDuration::ZERO {
                return Err(bad(
                    format!("recovery.{key}"),
                    "must be a positive duration such as \"1h\"".into(),
                ));
            }
        }
        if rec.restore_overhead < SignedDuration::ZERO {
            return Err(bad(
                "recovery.restore_overhead".into(),
                "must not be negative".into(),
            ));
        }
        if rec.restore_throughput_mib_per_sec == 0 {
            return Err(bad(
                "recovery.restore_throughput_mib_per_sec".into(),
                "must be at least 1".into(),
            ));
        }
        for (index, target) in rec.targets.iter().enumerate() {
            let key = format!("recovery.targets[{index}]");
            match (&target.resource, &target.tag) {
                (None, None) => {
                    return Err(bad(
                        key,
                        "needs `resource` (a glob) or `tag` (key=value)".into(),
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(bad(key, "give either `resource` or `tag`, not both".into()));
                }
                (Some(pattern), None) => {
                    glob(pattern).map_err(|message| bad(format!("{key}.resource"), message))?;
                }
                (None, Some(tag)) if !tag.contains('=') => {
                    return Err(bad(
                        format!("{key}.tag"),
                        format!("`{tag}` is not of the form key=value"),
                    ));
                }
                (None, Some(_)) => {}
            }
            if target.rpo.is_none() && target.rto.is_none() {
                return Err(bad(key, "sets neither `rpo` nor `rto`".into()));
            }
            for (name, value) in [("rpo", target.rpo), ("rto", target.rto)] {
                if value.is_some_and(|v| v <= SignedDuration::ZERO) {
                    return Err(bad(
                        format!("{key}.{name}"),
                        "must be a positive duration".into(),
                    ));
                }
            }
        }
        if self.deletion.recycle_bin_min_retention_days == 0 {
            return Err(bad(
                "deletion.recycle_bin_min_retention_days".into(),
                "must be at least 1 (Recycle Bin keeps resources 1 to 365 days)".into(),
            ));
        }
        for (index, waiver) in self.waivers.iter().enumerate() {
            let key = format!("waivers[{index}]");
            if !known_checks
                .iter()
                .any(|id| id.eq_ignore_ascii_case(&waiver.check))
            {
                return Err(bad(
                    format!("{key}.check"),
                    format!(
                        "`{}` is not a check id; `ringfence checks list` shows them",
                        waiver.check
                    ),
                ));
            }
            glob(&waiver.resource).map_err(|message| bad(format!("{key}.resource"), message))?;
            if waiver.reason.trim().is_empty() {
                return Err(bad(
                    format!("{key}.reason"),
                    "a waiver needs a reason".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A case-insensitive glob matcher, or a message saying what is wrong with the pattern.
pub fn glob(pattern: &str) -> Result<GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map(|g: Glob| g.compile_matcher())
        .map_err(|err| format!("`{pattern}` is not a valid glob: {}", err.kind()))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The line and column of the value at `key` (`recovery.targets[0].tag`), if the text has it.
fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut span = root.span();
    let mut value: Option<&toml::de::DeValue> = None;
    for segment in key.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        let table = match value {
            None => root.get_ref(),
            Some(value) => value.as_table()?,
        };
        let entry = table.get(name)?;
        span = entry.span();
        value = Some(entry.get_ref());
        for index in indexes
            .split(['[', ']'])
            .filter(|i| !i.is_empty())
            .map(str::parse::<usize>)
        {
            let item = value?.as_array()?.get(index.ok()?)?;
            span = item.span();
            value = Some(item.get_ref());
        }
    }
    Some(line_col(text, span.start))
}

/// The dotted path of the key that failed, found by deserializing the parsed table again.
fn key_path(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let value = toml::Value::Table(table);
    match serde_path_to_error::deserialize::<_, Config>(value) {
        Err(err) => {
            let path = err.path().to_string();
            (path != ".").then_some(path)
        }
        Ok(_) => None,
    }
}

mod friendly_duration {
    use jiff::SignedDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &SignedDuration, se: S) -> Result<S::Ok, S::Error> {
        jiff::fmt::serde::duration::friendly::compact::required(value, se)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<SignedDuration, D::Error> {
        SignedDuration::deserialize(de)
    }
}

mod optional_friendly_duration {
    use jiff::SignedDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<SignedDuration>,
        se: S,
    ) -> Result<S::Ok, S::Error> {
        jiff::fmt::serde::duration::friendly::compact::optional(value, se)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        de: D,
    ) -> Result<Option<SignedDuration>, D::Error> {
        Option::<SignedDuration>::deserialize(de)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKS: &[&str] = &["DEL002", "REC001"];

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, "ringfence.toml", CHECKS).map_err(|e| e.to_string())
    }

    #[test]
    fn the_template_holds_every_setting_at_its_default() {
        assert_eq!(parse(TEMPLATE).unwrap(), Config::default());
        // Not only equal after defaults fill the gaps: every key is spelled out.
        let template: toml::Table = toml::from_str(TEMPLATE).unwrap();
        let defaults = toml::Table::try_from(Config::default()).unwrap();
        assert_eq!(template, defaults);
    }

    #[test]
    fn an_empty_file_is_the_default() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_named_with_their_position() {
        let err = parse("[environments]\nprod_acounts = [\"222222222222\"]\n").unwrap_err();
        assert!(err.starts_with("ringfence.toml:2:1: "), "{err}");
        assert!(err.contains("prod_acounts"), "{err}");
    }

    #[test]
    fn wrong_types_name_the_key_path() {
        let err = parse("[recovery]\nmin_retention_days = \"seven\"\n").unwrap_err();
        assert!(err.contains("recovery.min_retention_days"), "{err}");
        assert!(err.starts_with("ringfence.toml:2:"), "{err}");
        let err = parse("[recovery]\nrpo = \"soon\"\n").unwrap_err();
        assert!(err.contains("recovery.rpo"), "{err}");
    }

    #[test]
    fn semantic_errors_name_the_line_and_column() {
        for (text, at) in [
            (
                "# accounts\n[environments]\nprod_accounts = [\"222222222222\", \"prod\"]",
                "ringfence.toml:3:34",
            ),
            (
                "[principals]\nci_arns = []\nagent_name_globs = [\n  \"ok-*\",\n  \"[a\",\n]",
                "ringfence.toml:5:3",
            ),
            (
                "[recovery]\n\nrestore_throughput_mib_per_sec = 0",
                "ringfence.toml:3:34",
            ),
            (
                "[[waivers]]\ncheck = \"XYZ999\"\nresource = \"*\"\nreason = \"r\"\nexpires = 2027-01-01",
                "ringfence.toml:2:9",
            ),
        ] {
            let err = Config::parse(text, "ringfence.toml", &crate::checks::ids())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(at), "{text:?} gave {err}");
        }
    }

    #[test]
    fn semantic_errors_name_the_key() {
        for (text, key) in [
            (
                "[environments]\nprod_accounts = [\"prod\"]",
                "environments.prod_accounts[0]",
            ),
            (
                "[environments]\nprod_accounts = [\"222222222222\"]\nnonprod_accounts = [\"222222222222\"]",
                "environments.nonprod_accounts",
            ),
            (
                "[environments]\nprod_ous = [\"Live\"]\nnonprod_ous = [\"live\"]",
                "environments.nonprod_ous",
            ),
            (
                "[principals]\nagent_name_globs = [\"[a\"]",
                "principals.agent_name_globs[0]",
            ),
            ("[recovery]\nrto = \"0s\"", "recovery.rto"),
            (
                "[recovery]\nrestore_throughput_mib_per_sec = 0",
                "recovery.restore_throughput_mib_per_sec",
            ),
            ("[[recovery.targets]]\nrpo = \"5m\"", "recovery.targets[0]"),
            (
                "[[recovery.targets]]\ntag = \"tier\"\nrpo = \"5m\"",
                "recovery.targets[0].tag",
            ),
            (
                "[[waivers]]\ncheck = \"XYZ999\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"2027-01-01\"",
                "waivers[0].check",
            ),
            (
                "[[waivers]]\ncheck = \"DEL002\"\nresource = \"*\"\nreason = \" \"\nexpires = \"2027-01-01\"",
                "waivers[0].reason",
            ),
            (
                "[[waivers]]\ncheck = \"DEL002\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"next year\"",
                "waivers[0].expires",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(key), "{text:?} gave {err}");
        }
    }

    #[test]
    fn durations_and_waivers_parse() {
        let config = parse(
            "[recovery]\nrpo = \"15m\"\nrto = \"1h 30m\"\n[[recovery.targets]]\nresource = \"arn:aws:rds:*:db:orders*\"\nrto = \"30m\"\n\
             [[waivers]]\ncheck = \"del002\"\nresource = \"arn:aws:rds:*:db:legacy-*\"\nreason = \"decommissioning\"\nexpires = \"2027-03-31\"\nowner = \"platform\"\n",
        )
        .unwrap();
        assert_eq!(config.recovery.rpo, SignedDuration::from_mins(15));
        assert_eq!(config.recovery.rto, SignedDuration::from_mins(90));
        assert_eq!(
            config.recovery.targets[0].rto,
            Some(SignedDuration::from_mins(30))
        );
        assert_eq!(config.waivers[0].expires, jiff::civil::date(2027, 3, 31));
        let bare = "\u{feff}[[waivers]]\ncheck = \"DEL002\"\nresource = \"*\"\nreason = \"r\"\nexpires = 2027-03-31\n";
        let config = Config::parse(bare, "ringfence.toml", &crate::checks::ids()).unwrap();
        assert_eq!(config.waivers[0].expires, jiff::civil::date(2027, 3, 31));
        let timed = bare.replace("2027-03-31", "2027-03-31T12:00:00Z");
        let err = Config::parse(&timed, "ringfence.toml", &crate::checks::ids()).unwrap_err();
        assert!(err.to_string().contains("without a time"), "{err}");
    }

    #[test]
    fn objectives_come_from_the_first_matching_target() {
        let config = parse(
            "[recovery]\nrpo = \"2h\"\n[[recovery.targets]]\ntag = \"Tier=critical\"\nrto = \"30m\"\n\
             [[recovery.targets]]\nresource = \"orders-*\"\nrpo = \"5m\"\nrto = \"1h\"\n",
        )
        .unwrap();
        let rec = &config.recovery;
        let none = Tags::new();
        let default = rec.objectives("arn:aws:rds:eu-west-1:1:db:billing", "billing", &none);
        assert_eq!(
            (default.rpo, default.rto, default.source.as_str()),
            (
                SignedDuration::from_hours(2),
                SignedDuration::from_hours(4),
                "default"
            )
        );
        // By identifier; the unset objective keeps its default.
        let orders = rec.objectives("arn:aws:rds:eu-west-1:1:db:orders-eu", "orders-eu", &none);
        assert_eq!(
            (orders.rpo, orders.rto),
            (SignedDuration::from_mins(5), SignedDuration::from_hours(1))
        );
        assert_eq!(orders.source, "recovery.targets[1] (resource orders-*)");
        // By tag (key case-insensitive), and the first match wins.
        let tags = Tags::from([("tier".to_owned(), "critical".to_owned())]);
        let both = rec.objectives("arn:aws:rds:eu-west-1:1:db:orders-eu", "orders-eu", &tags);
        assert_eq!(
            (both.rpo, both.rto),
            (SignedDuration::from_hours(2), SignedDuration::from_mins(30))
        );
    }

    #[test]
    fn recycle_bin_retention_is_configurable_and_positive() {
        let config = parse("[deletion]\nrecycle_bin_min_retention_days = 30\n").unwrap();
        assert_eq!(config.deletion.recycle_bin_min_retention_days, 30);
        let err = parse("[deletion]\nrecycle_bin_min_retention_days = 0\n").unwrap_err();
        assert!(
            err.contains("deletion.recycle_bin_min_retention_days"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let err = Config::load(Some(&missing), CHECKS).unwrap_err();
        assert!(err.to_string().contains("nope.toml"), "{err}");
    }
}
