//! What a scan of a developer machine found: credentials in workspace files and profiles in the
//! local AWS configuration.
//!
//! Nothing here ever holds a secret value. A credential is known by its file, line, kind and a
//! redacted fingerprint (`AKIA…MPLE`, `postgres://app:****@db.example.com/app`); an access key
//! id is attributed to its account while scanning and then kept only in redacted form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The result of `ringfence scan` (or `audit --workspace`), attributed to accounts where it could be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workstation {
    /// The workspace roots scanned, as given on the command line.
    #[serde(default)]
    pub workspaces: Vec<String>,
    /// The AWS configuration directory read (`~/.aws`), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_home: Option<String>,
    /// The default AWS configuration folder (`~/.aws`) does not exist: the machine holds no
    /// AWS profile there. (A folder named with `--aws-home` must exist.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aws_home_absent: bool,
    /// The AWS configuration files read (or looked for: a missing file holds no profile).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_files: Vec<String>,
    /// How keys were attributed: always by the inventory's IAM users; also by
    /// `sts:GetAccessKeyInfo` when `--attribute-keys` was given.
    #[serde(default)]
    pub attributed_with_sts: bool,
    /// What the workspace walk saw and skipped (the AWS configuration files are not counted).
    pub stats: ScanStats,
    /// Credentials found in files, each once.
    #[serde(default)]
    pub credentials: Vec<LocalCredential>,
    /// Profiles of the local AWS configuration.
    #[serde(default)]
    pub profiles: Vec<AwsProfile>,
    /// Files the scan could not read, or read only in part (path and reason, never content).
    /// At most [`MAX_PROBLEMS`] are listed; `stats` counts all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ScanProblem>,
}

/// How many problems are listed by path; the counts in [`ScanStats`] are always complete.
pub const MAX_PROBLEMS: usize = 100;

/// What the scan walked and what it had to skip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanStats {
    /// Files the walker visited.
    pub files_seen: u64,
    /// Files whose name makes them candidates (env files, AWS config files).
    pub candidate_files: u64,
    /// Candidate files read and searched.
    pub files_read: u64,
    /// Dependency and build folders not entered (`node_modules`, `target`, `.git` …).
    pub skipped_dirs: u64,
    /// Candidate files over `max_file_bytes`, not read.
    pub skipped_large: u64,
    /// Candidate files holding NUL bytes, not searched.
    pub skipped_binary: u64,
    /// Candidate files or folders that could not be read (permissions, vanished).
    pub unreadable: u64,
    /// Candidate files that are not valid UTF-8 (searched with invalid bytes replaced).
    pub non_utf8: u64,
    /// Symbolic links that lead back into their own ancestry, not followed.
    pub symlink_loops: u64,
    /// Symbolic links to folders outside the workspace, not followed (a link to `/` or `~`
    /// would otherwise walk the whole machine). Linked files are read wherever they are.
    #[serde(default)]
    pub links_outside: u64,
    /// The size limit applied, in bytes.
    pub max_file_bytes: u64,
}

/// A file the scan could not read, or read only in part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanProblem {
    pub path: String,
    pub kind: ProblemKind,
    /// Why, without any of the file's content (e.g. `permission denied`, `2.4 MiB`).
    pub detail: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Unreadable,
    TooLarge,
    Binary,
    NonUtf8,
    SymlinkLoop,
    /// Read, but with lines the parser could not understand (an AWS configuration file): what
    /// they hold is unknown.
    Malformed,
}

/// What kind of credential a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A long-lived access key (`AKIA…`).
    AwsAccessKey,
    /// A temporary access key (`ASIA…`), normally with a session token.
    AwsTemporaryKey,
    /// A secret access key with no access key id in the same file.
    AwsSecretKey,
    /// A database URL with an embedded password.
    DatabaseUrl,
    /// A value assigned to a name such as `*_SECRET`, `*_TOKEN`, `*PASSWORD*`.
    GenericSecret,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::AwsAccessKey => "aws access key",
            CredentialKind::AwsTemporaryKey => "aws temporary access key",
            CredentialKind::AwsSecretKey => "aws secret access key",
            CredentialKind::DatabaseUrl => "database url",
            CredentialKind::GenericSecret => "secret",
        }
    }
}

/// How sure the scan is that a value is a real credential.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Recognised by its format (an access key id, a URL with a password).
    High,
    /// Recognised only by the name it is assigned to.
    Low,
}

/// A credential found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalCredential {
    /// The file, as reached from the scanned root.
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    pub kind: CredentialKind,
    /// The variable or key it is assigned to (`DATABASE_URL`, `aws_access_key_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A redacted form that identifies the credential without revealing it.
    pub fingerprint: String,
    pub confidence: Confidence,
    /// For an access key: whether its secret access key is in the same file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_secret: Option<bool>,
    /// For an access key: whether a session token is in the same file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_session_token: Option<bool>,
    /// For an access key: the account that owns it, when it could be attributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<KeyOwner>,
    /// For an access key: why `sts:GetAccessKeyInfo` could not attribute it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution_error: Option<String>,
    /// For a database URL: where it connects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseTarget>,
    /// Hosts named in the same file (values of `*HOST*` names, hosts of URLs): where a generic
    /// secret is most likely used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_hosts: Vec<String>,
}

/// The account an access key belongs to, and how that was learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyOwner {
    pub account_id: String,
    pub source: KeySource,
    /// The IAM user holding the key, when the inventory matched it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_arn: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The key id matched an IAM user's key in the inventory (`iam:ListAccessKeys`).
    Inventory,
    /// `sts:GetAccessKeyInfo` named the account.
    GetAccessKeyInfo,
}

/// Where a database URL connects (the password is never kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseTarget {
    /// `postgres`, `mysql`, `mongodb+srv` …
    pub scheme: String,
    /// Lower-cased host name or address.
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A profile of the local AWS configuration (`~/.aws/config` and `~/.aws/credentials`, merged
/// by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwsProfile {
    pub name: String,
    /// Where the profile is first defined.
    pub file: String,
    pub line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_role_name: Option<String>,
    /// Credentials come from an external command, which the scan does not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential_process: bool,
    /// Static keys of the profile (`aws_access_key_id` with its secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_key: Option<LocalCredential>,
}

impl ScanStats {
    /// Adds another scan's counts to these (the size limit stays this one's).
    pub fn add(&mut self, other: &ScanStats) {
        // Destructured so that a new counter cannot be forgotten here.
        let ScanStats {
            files_seen,
            candidate_files,
            files_read,
            skipped_dirs,
            skipped_large,
            skipped_binary,
            unreadable,
            non_utf8,
            symlink_loops,
            links_outside,
            max_file_bytes: _,
        } = other;
        self.files_seen += files_seen;
        self.candidate_files += candidate_files;
        self.files_read += files_read;
        self.skipped_dirs += skipped_dirs;
        self.skipped_large += skipped_large;
        self.skipped_binary += skipped_binary;
        self.unreadable += unreadable;
        self.non_utf8 += non_utf8;
        self.symlink_loops += symlink_loops;
        self.links_outside += links_outside;
    }
}

impl Workstation {
    /// Sorts every list so that the same scan always serializes the same.
    pub fn normalize(&mut self) {
        self.credentials.sort_by(|a, b| {
            (&a.file, a.line, a.kind, &a.fingerprint).cmp(&(
                &b.file,
                b.line,
                b.kind,
                &b.fingerprint,
            ))
        });
        self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        self.problems.sort();
    }
}

/// An access key id as ringfence shows it: the first and last four characters
/// (`AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`); anything shorter than 12 characters becomes `****`
/// so that most of it stays hidden. Ids are never printed whole.
pub fn redacted_key_id(id: &str) -> String {
    if id.contains('…') {
        // Already redacted.
        return id.to_owned();
    }
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 12 {
        return "****".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The SHA-256 of an access key id, in hex: how the inventory keeps IAM users' key ids, so that
/// a key found on a workstation can be matched to its user without any snapshot or report
/// holding the id itself. (An id has 80 random bits: its digest cannot be reversed.)
pub fn key_id_digest(id: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(id.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}
