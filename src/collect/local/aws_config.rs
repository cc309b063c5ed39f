//! The AWS shared configuration (`~/.aws/config`) and credentials (`~/.aws/credentials`) files.
//!
//! Parsed here, line by line, rather than with the SDK's profile parser: the scan needs the
//! line of every profile and key, must not stop at anything the SDK would reject, and must
//! never quote the files in an error (they hold secrets). Nothing here produces an error: a line
//! that is not understood is skipped, and counted: a file with malformed lines (a property
//! outside any section, an unclosed `[section`, a line that is neither a section, a property
//! nor a comment) becomes one [`ProblemKind::Malformed`] problem naming the lines, never their
//! content — a credential may hide in them, so the profiles of that file are unknown.
//!
//! The rules follow the SDK's: in `config`, `[default]` and `[profile NAME]` are profiles,
//! `[sso-session …]`, `[services …]` and other prefixed sections are skipped, and an unprefixed
//! `[NAME]` other than `default` is ignored (the SDK ignores it too); in `credentials`, `[NAME]`
//! is a profile and a prefixed section is ignored. Lines starting with `#` or `;` are comments,
//! as is the rest of a property line after ` #` or ` ;`; indented lines continue a property or
//! hold sub-properties and are skipped. Keys are lower-cased. Profiles with the same name are
//! merged, the credentials file's values winning over the config file's.

use std::collections::BTreeMap;
use std::path::Path;

use super::{FoundProfile, KeyId, Tally, credential, detect, read, redact_key_id, redact_secret};
use crate::inventory::{AwsProfile, Confidence, CredentialKind, ProblemKind};

pub(super) fn scan(config: &Path, credentials: &Path, max_bytes: u64) -> super::Scanned {
    let mut tally = Tally::default();
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    for (path, kind) in [(config, Kind::Config), (credentials, Kind::Credentials)] {
        // A missing file holds nothing; anything else that goes wrong is a problem.
        let metadata = std::fs::metadata(path);
        if metadata
            .as_ref()
            .is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound)
        {
            continue;
        }
        tally.stats.files_seen += 1;
        tally.stats.candidate_files += 1;
        let shown = path.display().to_string();
        // Opening a pipe would block, and a folder's size is not a file's.
        let not_a_file = match &metadata {
            Ok(m) if m.is_dir() => Some("is a directory"),
            Ok(m) if !m.is_file() => Some("not a regular file"),
            _ => None,
        };
        if let Some(detail) = not_a_file {
            tally.stats.unreadable += 1;
            tally.problem(&shown, ProblemKind::Unreadable, detail.to_owned());
            continue;
        }
        if let Some(text) = read::read_candidate(path, &shown, max_bytes, &mut tally) {
            let malformed = parse(&text, &shown, kind, &mut profiles);
            if let Some(detail) = describe_malformed(&malformed) {
                tally.problem(&shown, ProblemKind::Malformed, detail);
            }
        }
    }
    let found = profiles
        .into_iter()
        .map(|(name, p)| p.finish(name))
        .collect();
    tally.finish(max_bytes, found)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Config,
    Credentials,
}

/// A property value and where it was set. Holds secrets: never printed.
struct Property {
    value: String,
    file: String,
    line: u32,
}

/// A profile as read so far.
struct Profile {
    file: String,
    line: u32,
    properties: BTreeMap<String, Property>,
}

/// The profile a section header opens, or `None` for a section that is not a profile.
fn profile_name(header: &str, kind: Kind) -> Option<&str> {
    let header = header.trim();
    let (prefix, name) = match header.split_once([' ', '\t']) {
        Some((prefix, name)) => (Some(prefix.trim()), name.trim()),
        None => (None, header),
    };
    if name.is_empty() {
        return None;
    }
    match (kind, prefix) {
        (Kind::Config, Some("profile")) => Some(name),
        (Kind::Config, None) if name == "default" => Some(name),
        (Kind::Credentials, None) => Some(name),
        _ => None,
    }
}

/// The line without a trailing comment; in a property line `#` and `;` start a comment only
/// after a blank.
fn strip_comment(line: &str, needs_blank: bool) -> &str {
    let mut previous_blank = false;
    for (index, c) in line.char_indices() {
        if (c == '#' || c == ';') && (previous_blank || !needs_blank) {
            return line[..index].trim();
        }
        previous_blank = c == ' ' || c == '\t';
    }
    line.trim()
}

/// A line the parser did not understand: its number and what is wrong, never its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Malformed {
    line: u32,
    why: &'static str,
}

/// How many malformed lines a problem names by number.
const NAMED_LINES: usize = 10;

/// `3 malformed lines: line 1 (a property outside any section), line 4 (…) …`.
fn describe_malformed(malformed: &[Malformed]) -> Option<String> {
    if malformed.is_empty() {
        return None;
    }
    let named: Vec<String> = malformed
        .iter()
        .take(NAMED_LINES)
        .map(|m| format!("line {} ({})", m.line, m.why))
        .collect();
    let more = malformed.len().saturating_sub(named.len());
    Some(format!(
        "{} malformed line{}, where a credential may hide: {}{}",
        malformed.len(),
        if malformed.len() == 1 { "" } else { "s" },
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

/// Reads the profiles of one file into `profiles`; returns the lines it could not read.
fn parse(
    text: &str,
    file: &str,
    kind: Kind,
    profiles: &mut BTreeMap<String, Profile>,
) -> Vec<Malformed> {
    let mut malformed = Vec::new();
    let mut current: Option<String> = None;
    // Whether a section header has been read: properties before the first one belong to no
    // profile (the SDK rejects them).
    let mut in_section = false;
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() || line.starts_with(['#', ';']) || line.starts_with([' ', '\t']) {
            continue;
        }
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
                // The lines that follow belong to a section nobody can name: what they hold
                // is unknown, which this one problem already says.
                malformed.push(Malformed {
                    line: number,
                    why: "an unclosed section header",
                });
                current = None;
                in_section = true;
                continue;
            };
            in_section = true;
            current = profile_name(inner, kind).map(str::to_owned);
            if let Some(name) = &current {
                profiles.entry(name.clone()).or_insert_with(|| Profile {
                    file: file.to_owned(),
                    line: number,
                    properties: BTreeMap::new(),
                });
            }
            continue;
        }
        let Some((key, value)) = strip_comment(line, true).split_once('=') else {
            malformed.push(Malformed {
                line: number,
                why: "neither a section, a property nor a comment",
            });
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            malformed.push(Malformed {
                line: number,
                why: "a property without a name",
            });
            continue;
        }
        if !in_section {
            malformed.push(Malformed {
                line: number,
                why: "a property outside any section",
            });
            continue;
        }
        let Some(profile) = current.as_ref().and_then(|name| profiles.get_mut(name)) else {
            continue;
        };
        profile.properties.insert(
            key,
            Property {
                value: value.trim().to_owned(),
                file: file.to_owned(),
                line: number,
            },
        );
    }
    malformed
}

/// An access key id as the SDK accepts it: 16 to 128 upper-case letters and digits.
fn is_key_id(value: &str) -> bool {
    (16..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl Profile {
    fn value(&self, key: &str) -> Option<&Property> {
        self.properties
            .get(key)
            .filter(|p| !detect::is_placeholder(&p.value))
    }

    fn text(&self, key: &str) -> Option<String> {
        self.value(key).map(|p| p.value.clone())
    }

    fn finish(self, name: String) -> FoundProfile {
        let key = self
            .value("aws_access_key_id")
            .filter(|p| is_key_id(&p.value));
        let secret = self.value("aws_secret_access_key");
        let token = self
            .value("aws_session_token")
            .or_else(|| self.value("aws_security_token"));
        let (static_key, key_id) = match (key, secret) {
            (Some(key), _) => {
                let id = KeyId::new(&key.value);
                let kind = if id.is_temporary() {
                    CredentialKind::AwsTemporaryKey
                } else {
                    CredentialKind::AwsAccessKey
                };
                let mut credential = credential(
                    &key.file,
                    key.line,
                    kind,
                    Some("aws_access_key_id"),
                    redact_key_id(&key.value),
                    Confidence::High,
                );
                credential.with_secret = Some(secret.is_some());
                credential.with_session_token = Some(token.is_some());
                (Some(credential), Some(id))
            }
            (None, Some(secret)) => {
                let credential = credential(
                    &secret.file,
                    secret.line,
                    CredentialKind::AwsSecretKey,
                    Some("aws_secret_access_key"),
                    redact_secret(&secret.value),
                    Confidence::High,
                );
                (Some(credential), None)
            }
            (None, None) => (None, None),
        };
        let profile = AwsProfile {
            role_arn: self.text("role_arn"),
            source_profile: self.text("source_profile"),
            sso_account_id: self.text("sso_account_id"),
            sso_role_name: self.text("sso_role_name"),
            credential_process: self.value("credential_process").is_some(),
            static_key,
            name,
            file: self.file,
            line: self.line,
        };
        FoundProfile { profile, key_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headers() {
        assert_eq!(profile_name("default", Kind::Config), Some("default"));
        assert_eq!(profile_name("profile prod", Kind::Config), Some("prod"));
        assert_eq!(profile_name("profile  prod ", Kind::Config), Some("prod"));
        assert_eq!(
            profile_name("profile default", Kind::Config),
            Some("default")
        );
        assert_eq!(profile_name("prod", Kind::Config), None);
        assert_eq!(profile_name("sso-session corp", Kind::Config), None);
        assert_eq!(profile_name("services local", Kind::Config), None);
        assert_eq!(profile_name("prod", Kind::Credentials), Some("prod"));
        assert_eq!(profile_name("profile prod", Kind::Credentials), None);
        assert_eq!(profile_name("", Kind::Credentials), None);
    }

    fn malformed_of(text: &str, kind: Kind) -> (Vec<Malformed>, Vec<String>) {
        let mut profiles = BTreeMap::new();
        let malformed = parse(text, "config", kind, &mut profiles);
        (malformed, profiles.into_keys().collect())
    }

    #[test]
    fn malformed_lines_are_counted_never_dropped() {
        // Before: every one of these lines was skipped silently.
        let text = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
                    [default]\n\
                    region = eu-west-1\n\
                    aws_access_key_id AKIAIOSFODNN7EXAMPLE\n\
                    = x\n\
                    [profile prod\n\
                    role_arn = arn:aws:iam::222222222222:role/admin\n";
        let (malformed, profiles) = malformed_of(text, Kind::Config);
        let lines: Vec<(u32, &str)> = malformed.iter().map(|m| (m.line, m.why)).collect();
        assert_eq!(
            lines,
            [
                (1, "a property outside any section"),
                (4, "neither a section, a property nor a comment"),
                (5, "a property without a name"),
                (6, "an unclosed section header"),
            ]
        );
        assert_eq!(profiles, ["default"]);
        let detail = describe_malformed(&malformed).unwrap();
        assert!(detail.starts_with("4 malformed lines, where a credential may hide: line 1 (a property outside any section)"), "{detail}");
        assert!(
            !detail.contains("EXAMPLE") && !detail.contains("wJal"),
            "{detail}"
        );
    }

    #[test]
    fn well_formed_files_have_no_malformed_lines() {
        let text = "# c\n; c\n[sso-session corp]\nsso_region = eu-west-1\n[services local]\ns3 =\n  endpoint_url = http://localhost\n[default] # c\nregion = eu-west-1\n\n[ignored]\nx = y\n";
        assert_eq!(malformed_of(text, Kind::Config).0, []);
        assert_eq!(describe_malformed(&[]), None);
    }

    #[test]
    fn comments() {
        assert_eq!(strip_comment("a = b # c", true), "a = b");
        assert_eq!(strip_comment("a = b;c", true), "a = b;c");
        assert_eq!(strip_comment("[default] ; c", false), "[default]");
        assert_eq!(strip_comment("[default]#c", false), "[default]");
    }
}
