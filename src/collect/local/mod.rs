//! Credentials on a developer's disk: env files in workspace folders, and the profiles of the
//! local AWS configuration.
//!
//! An AI coding assistant reads the whole workspace it is given, so a production token in a
//! local `.env` becomes the agent's token. This module finds such credentials and reports them
//! redacted; attributing access keys to accounts and judging what was found is left to the
//! checks.
//!
//! Secrets never leave this module. A [`LocalCredential`] carries a redacted fingerprint
//! (`AKIA…MPLE`, `postgres://app:****@db.example.com/app`, `API_TOKEN=ghp_…`), a
//! [`ScanProblem`] a path and a reason (never content), and errors name paths only. The one
//! value kept whole is an access key id, which attribution needs: it lives in a [`KeyId`],
//! which is never serialized and whose `Debug` is redacted.
//!
//! Which files are read: [`ENV_FILE_PATTERNS`], outside [`ALWAYS_SKIPPED_DIRS`] and
//! [`DEPENDENCY_DIRS`]; `.gitignore` and the like are not honoured (a git-ignored `.env` is
//! exactly the risk).
//!
//! # What is detected
//!
//! Each line is searched on its own; line numbers are 1-based. An assignment is `KEY=VALUE`,
//! `export KEY=VALUE`, `KEY: VALUE` (YAML, compose `environment:` maps) or `- KEY=VALUE` (compose
//! lists, the item possibly quoted as a whole), the value optionally quoted, an unquoted value
//! ending at a ` #` comment. A commented-out line (`# AWS_SECRET_ACCESS_KEY=…`) is searched like
//! any other: the secret is still on disk, where an agent reads it.
//!
//! Detected, in this order:
//!
//! 1. Access key ids (`AKIA`, `ASIA`, `ABIA`, `ACCA`, `A3T…` and 16 base-32 characters) anywhere
//!    in a line, each once per file (its first line). An id whose last 16 characters are one
//!    repeated character (`AKIAXXXXXXXXXXXXXXXX`) is a placeholder. The finding says whether the
//!    file also holds a secret access key and a session token.
//! 2. Secret access keys: 40 characters of `[A-Za-z0-9/+]`, with both upper- and lower-case
//!    letters (an all-hex value such as a GitHub client secret is not one), assigned to a name
//!    containing `SECRET` (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`, JSON
//!    `"SecretAccessKey": "…"`). With a key id in the file the secret is part of that key's
//!    finding; without one it is reported on its own.
//! 3. Database URLs with a password (postgres, mysql, mongodb(+srv), redis, amqp, mssql, …, also
//!    `jdbc:` and `scheme+driver:` forms), from the user info (`user:password@`, the last `@`
//!    before the host) or from a `password=`/`pwd=` parameter (JDBC). Only the first host of a
//!    host list is kept; the password and the query string never are.
//! 4. Generic secrets: a value assigned to a name (case-insensitive, `-`, `.` and camelCase
//!    read as `_`) that ends with `_SECRET`, `_TOKEN`, `_API_KEY`, `_APIKEY`, `_PRIVATE_KEY`,
//!    `_PASSWD` or `_PWD` (or is `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY`, `PASSWD`), or
//!    contains `PASSWORD` or `SECRET` — unless the name ends with a suffix naming something
//!    other than the secret (`_ARN`, `_NAME`, `_ID`, `_FILE`, `_PATH`, `_LENGTH`, `_TTL` …).
//!    Skipped when the value is a placeholder, an ARN, a number shorter than 8 digits, a YAML
//!    block marker or alias, or already part of a finding of kinds 1–3 on the same line; a
//!    session token (`*SESSION_TOKEN*`, `AWS_SECURITY_TOKEN`) is part of an access key's
//!    finding when the file holds a key id. The finding lists the hosts named in the file
//!    (`*HOST` values, URL hosts).
//!
//! Each value is reported once per file, at its first line. A "name" that looks like a value
//! (long with mixed case and digits, more than four digits, a key id) is never shown as a name.
//!
//! A value is a placeholder ([`is_placeholder`]) when it is empty; made only of `x`, `*`, `.`,
//! `-`, `_` or `#`; `<…>`; holds `{{`, `${`, `$(` or `%(…)s`; is a `$NAME` reference; holds
//! `...`/`…`; is one of a few words (`changeme`, `password`, `secret`, `example`, `dummy`,
//! `placeholder`, `todo`, `tbd`, `null`, `none`, `true`, `false` …); or holds `your-`/`your_`
//! or starts with `my-`/`my_`/`replace-`/`insert-`. A value that holds `EXAMPLE` among other
//! characters is not a placeholder: AWS's documented example key `AKIAIOSFODNN7EXAMPLE` is
//! still reported, so that documentation copied into a repository is noticed too.

mod aws_config;
mod detect;
mod read;
mod redact;
#[cfg(test)]
mod tests;
mod walk;

use std::path::{Path, PathBuf};

use crate::inventory::{
    AwsProfile, Confidence, CredentialKind, LocalCredential, MAX_PROBLEMS, ProblemKind,
    ScanProblem, ScanStats,
};

pub use detect::is_placeholder;
pub use redact::{redact_key_id, redact_secret};

/// Candidate files larger than this are not read.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1024 * 1024;

/// File names searched for credentials, matched case-insensitively against the file name only
/// (`ScanOptions::include` adds more). A root given as a single file is searched whatever its
/// name.
///
/// Every pattern holds `env` or `compose`: the walker checks for those before matching globs,
/// which keeps the cost of the many files that are not candidates low.
pub const ENV_FILE_PATTERNS: &[&str] = &[
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    ".flaskenv",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose*.yml",
    "compose*.yaml",
];

/// Folders never entered: version-control internals.
pub const ALWAYS_SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Dependency, cache and build-output folders, not entered unless
/// `ScanOptions::include_dependencies` is set (matched exactly against the folder name). A
/// folder holding a `pyvenv.cfg` (a Python virtualenv, often named `.env` or `env`) is skipped
/// too. What these folders hold is either someone else's code or a copy of the workspace's own.
pub const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".gradle",
    ".terraform",
    ".terragrunt-cache",
    ".serverless",
    ".aws-sam",
    "cdk.out",
    "dist",
    "build",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".parcel-cache",
    ".cache",
    "Pods",
    "Carthage",
];

/// How a workspace scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Candidate files larger than this are skipped and counted (default
    /// [`DEFAULT_MAX_FILE_BYTES`], 1 MiB).
    pub max_file_bytes: u64,
    /// Also enter dependency and build folders ([`DEPENDENCY_DIRS`]). Version-control folders
    /// ([`ALWAYS_SKIPPED_DIRS`]) are skipped regardless.
    pub include_dependencies: bool,
    /// Extra gitignore-style patterns of folders or files to skip, matched against paths
    /// relative to each root (`fixtures/`, `**/testdata`, `*.example`). Skipped folders are
    /// counted in `skipped_dirs`.
    pub exclude: Vec<String>,
    /// Extra glob patterns of file names to treat as env files (`*.tfvars`), matched
    /// case-insensitively against the file name.
    pub include: Vec<String>,
    /// Walker threads; 0 = available parallelism.
    pub threads: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            include_dependencies: false,
            exclude: Vec::new(),
            include: Vec::new(),
            threads: 0,
        }
    }
}

/// A full access key id, kept only to attribute the key to its account. It is never
/// serialized, and its `Debug` shows the redacted form (`AKIA…MPLE`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn new(id: &str) -> KeyId {
        KeyId(id.to_owned())
    }

    /// The full id, for attribution (the inventory's access keys, `sts:GetAccessKeyInfo`).
    /// Never write it to any output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `AKIA…MPLE`.
    pub fn redacted(&self) -> String {
        redact_key_id(&self.0)
    }

    /// A temporary key (`ASIA…`), issued by STS with a session token.
    pub fn is_temporary(&self) -> bool {
        self.0.starts_with("ASIA")
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A credential found, with (for AWS access keys) the full key id kept for attribution only.
#[derive(Debug, Clone)]
pub struct Found {
    pub credential: LocalCredential,
    pub key_id: Option<KeyId>,
}

/// A profile found in the AWS configuration, with its static key's id for attribution.
#[derive(Debug, Clone)]
pub struct FoundProfile {
    pub profile: AwsProfile,
    pub key_id: Option<KeyId>,
}

/// What a scan found and what it skipped.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub stats: ScanStats,
    /// At most [`MAX_PROBLEMS`] entries, sorted; `stats` counts all of them.
    pub problems: Vec<ScanProblem>,
    /// Sorted by file, line, kind and fingerprint.
    pub found: Vec<Found>,
    /// Sorted by name.
    pub profiles: Vec<FoundProfile>,
}

/// Scans workspace folders for env files and the credentials in them.
///
/// Fails (with a message naming the path) only when a root does not exist, is neither a folder
/// nor a file, or an `exclude`/`include` pattern is not a valid glob; anything else (unreadable
/// files and folders, symbolic-link loops, oversized or binary files) is counted in
/// [`Scanned::stats`], listed in [`Scanned::problems`], and never stops the scan. A root may be
/// a single file, which is searched whatever its name.
pub fn scan_workspaces(roots: &[PathBuf], options: &ScanOptions) -> Result<Scanned, String> {
    walk::scan(roots, options)
}

/// Reads the AWS shared `config` and `credentials` files. A missing file is not an error (it
/// holds nothing); one that cannot be read is a problem. Keys found here are reported in the
/// profiles, never in [`Scanned::found`].
pub fn scan_aws_config(config: &Path, credentials: &Path, max_file_bytes: u64) -> Scanned {
    aws_config::scan(config, credentials, max_file_bytes)
}

/// A credential with everything but where it is and what it is left empty.
fn credential(
    file: &str,
    line: u32,
    kind: CredentialKind,
    name: Option<&str>,
    fingerprint: String,
    confidence: Confidence,
) -> LocalCredential {
    LocalCredential {
        file: file.to_owned(),
        line,
        kind,
        name: name.map(str::to_owned),
        fingerprint,
        confidence,
        with_secret: None,
        with_session_token: None,
        owner: None,
        attribution_error: None,
        database: None,
        related_hosts: Vec::new(),
    }
}

/// What one walker thread (or the AWS configuration reader) found, merged at the end.
#[derive(Default)]
struct Tally {
    stats: ScanStats,
    problems: Vec<ScanProblem>,
    found: Vec<Found>,
}

impl Tally {
    fn problem(&mut self, path: &str, kind: ProblemKind, detail: String) {
        self.problems.push(ScanProblem {
            path: path.to_owned(),
            kind,
            detail,
        });
    }

    fn merge(&mut self, other: Tally) {
        self.stats.add(&other.stats);
        self.problems.extend(other.problems);
        self.found.extend(other.found);
    }

    /// Sorts everything, caps the problems listed, and adds the profiles.
    fn finish(self, max_file_bytes: u64, mut profiles: Vec<FoundProfile>) -> Scanned {
        let Tally {
            mut stats,
            mut problems,
            mut found,
        } = self;
        stats.max_file_bytes = max_file_bytes;
        problems.sort();
        problems.dedup();
        problems.truncate(MAX_PROBLEMS);
        found.sort_by(|a, b| {
            let (a, b) = (&a.credential, &b.credential);
            (&a.file, a.line, a.kind, &a.fingerprint).cmp(&(
                &b.file,
                b.line,
                b.kind,
                &b.fingerprint,
            ))
        });
        profiles.sort_by(|a, b| a.profile.name.cmp(&b.profile.name));
        Scanned {
            stats,
            problems,
            found,
            profiles,
        }
    }
}
