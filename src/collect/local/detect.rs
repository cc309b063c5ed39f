//! Finding credentials in the text of one file. The rules, and what counts as a placeholder,
//! are described in the parent module's documentation.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Found, KeyId, credential, redact_key_id, redact_secret};
use crate::inventory::{Confidence, CredentialKind, DatabaseTarget};

/// Issued key ids use the base32 alphabet (`[A-Z2-7]`), but AWS's own documentation examples
/// (`AKIAI44QH8DHBEXAMPLE`) do not: the wider alphabet, as common scanners use, misses neither.
static KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?-u:\b)")
        .expect("the key id pattern is valid")
});

/// A name holding `secret`, then `=` or `:`, then 40 characters of the secret key alphabet.
/// Quotes around the name and the value may be escaped (`\"`), as inside a double-quoted
/// dotenv value or a JSON document held in a string.
static AWS_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([a-z0-9_.-]*secret[a-z0-9_.-]*)(?:\\?["'])?[ \t]*[=:][ \t]*(?:\\?["']){0,3}([a-z0-9/+]{40})(?:[^a-z0-9/+=]|$)"#,
    )
    .expect("the secret key pattern is valid")
});

static SESSION_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:session_?token|security_token)["']?[ \t]*[=:][ \t]*["']?([^\s"'`#]+)"#)
        .expect("the session token pattern is valid")
});

/// Groups: 1 `jdbc:`, 2 scheme, 3 `+driver`, 4 the rest of the URL.
static DATABASE_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)(jdbc:)?(postgres|postgresql|postgis|mysql|mariadb|mongodb|redis|rediss|amqps|amqp|mssql|sqlserver|oracle|cockroachdb|clickhouse)(\+[a-z0-9_]+)?://([^\s"'`<>]*)"#,
    )
    .expect("the database URL pattern is valid")
});

static ANY_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)[a-z][a-z0-9+.-]*://([^\s"'`<>]*)"#)
        .expect("the URL pattern is valid")
});

/// Searches one file's text. `file` is the path shown in findings.
pub(super) fn scan_text(file: &str, text: &str) -> Vec<Found> {
    let mut state = FileState::default();
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        state.line(number, line);
    }
    let mut found = state.finish(file);
    found.sort_by(|a, b| {
        let (a, b) = (&a.credential, &b.credential);
        (a.line, a.kind, &a.fingerprint).cmp(&(b.line, b.kind, &b.fingerprint))
    });
    found
}

/// A value found on a line. Holds secret text: never printed, never kept past the file.
struct Hit<'t> {
    line: u32,
    name: Option<&'t str>,
    value: &'t str,
    /// A session token: part of an access key's finding when the file holds one.
    token: bool,
}

struct UrlHit<'t> {
    line: u32,
    name: Option<&'t str>,
    target: DatabaseTarget,
    fingerprint: String,
}

/// What one file holds so far.
#[derive(Default)]
struct FileState<'t> {
    keys: Vec<Hit<'t>>,
    secrets: Vec<Hit<'t>>,
    urls: Vec<UrlHit<'t>>,
    generic: Vec<Hit<'t>>,
    seen: HashSet<(u8, &'t str, &'t str)>,
    session_token: bool,
    hosts: BTreeSet<String>,
}

impl<'t> FileState<'t> {
    /// `true` the first time `kind`/`name`/`value` is seen in the file.
    fn first(&mut self, kind: u8, name: &'t str, value: &'t str) -> bool {
        self.seen.insert((kind, name, value))
    }

    fn line(&mut self, number: u32, line: &'t str) {
        // Byte ranges of the line already part of a key, secret or URL finding.
        let mut covered: Vec<Range<usize>> = Vec::new();

        for m in KEY_ID.find_iter(line) {
            let id = m.as_str();
            covered.push(m.range());
            if is_placeholder_key_id(id) || !self.first(0, "", id) {
                continue;
            }
            self.keys.push(Hit {
                line: number,
                name: name_before(line, m.start()),
                value: id,
                token: false,
            });
        }

        if contains_ignore_case(line, b"secret") {
            for caps in AWS_SECRET.captures_iter(line) {
                let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
                    continue;
                };
                if !looks_like_secret_key(value.as_str()) {
                    continue;
                }
                covered.push(value.range());
                if self.first(1, "", value.as_str()) {
                    self.secrets.push(Hit {
                        line: number,
                        name: Some(name.as_str()).filter(|n| is_plausible_name(n)),
                        value: value.as_str(),
                        token: false,
                    });
                }
            }
        }

        let mut tokens: Vec<Range<usize>> = Vec::new();
        if contains_ignore_case(line, b"token") {
            for value in SESSION_TOKEN.captures_iter(line).filter_map(|c| c.get(1)) {
                if !is_placeholder(value.as_str()) {
                    self.session_token = true;
                    tokens.push(value.range());
                }
            }
        }

        if line.contains("://") {
            for caps in DATABASE_URL.captures_iter(line) {
                let Some(url) = database_url(&caps) else {
                    continue;
                };
                let Some(whole) = caps.get(0) else { continue };
                covered.push(whole.range());
                if self.first(2, "", whole.as_str()) {
                    self.urls.push(UrlHit {
                        line: number,
                        name: name_before(line, whole.start()),
                        target: url.0,
                        fingerprint: url.1,
                    });
                }
            }
            for caps in ANY_URL.captures_iter(line) {
                if let Some(host) = caps.get(1).and_then(|rest| url_host(rest.as_str())) {
                    self.hosts.insert(host);
                }
            }
        }

        let Some(assignment) = parse_assignment(line) else {
            return;
        };
        let name = &line[assignment.name.clone()];
        let value = &line[assignment.value.clone()];
        // A value assigned to an AWS secret key's own name is that secret whatever its shape
        // (escaped quotes inside a double-quoted value, a value the pattern above missed):
        // never downgraded to a generic secret.
        let unquoted = strip_escaped_quotes(value);
        if is_aws_secret_name(name) {
            if !is_placeholder(unquoted)
                && !covered.iter().any(|r| overlaps(r, &assignment.value))
                && self.first(1, "", unquoted)
            {
                self.secrets.push(Hit {
                    line: number,
                    name: Some(name),
                    value: unquoted,
                    token: false,
                });
            }
            return;
        }
        let secret_name = is_secret_name(name);
        if !secret_name && is_host_name(name) {
            if let Some(host) = host_value(value) {
                self.hosts.insert(host);
            }
            return;
        }
        if secret_name
            && !is_placeholder(value)
            && !is_other_value(value, assignment.yaml)
            && !covered.iter().any(|r| overlaps(r, &assignment.value))
            && self.first(3, name, value)
        {
            self.generic.push(Hit {
                line: number,
                name: Some(name),
                value,
                token: tokens.iter().any(|r| overlaps(r, &assignment.value)),
            });
        }
    }

    fn finish(self, file: &str) -> Vec<Found> {
        let mut found = Vec::new();
        let with_secret = !self.secrets.is_empty();
        for key in &self.keys {
            let id = KeyId::new(key.value);
            let kind = if id.is_temporary() {
                CredentialKind::AwsTemporaryKey
            } else {
                CredentialKind::AwsAccessKey
            };
            let mut credential = credential(
                file,
                key.line,
                kind,
                key.name,
                redact_key_id(key.value),
                Confidence::High,
            );
            credential.with_secret = Some(with_secret);
            credential.with_session_token = Some(self.session_token);
            found.push(Found {
                credential,
                key_id: Some(id),
            });
        }
        if self.keys.is_empty() {
            for secret in &self.secrets {
                let credential = credential(
                    file,
                    secret.line,
                    CredentialKind::AwsSecretKey,
                    secret.name,
                    redact_secret(secret.value),
                    Confidence::High,
                );
                found.push(Found {
                    credential,
                    key_id: None,
                });
            }
        }
        for url in self.urls {
            let mut credential = credential(
                file,
                url.line,
                CredentialKind::DatabaseUrl,
                url.name,
                url.fingerprint,
                Confidence::High,
            );
            credential.database = Some(url.target);
            found.push(Found {
                credential,
                key_id: None,
            });
        }
        let hosts: Vec<String> = self.hosts.into_iter().collect();
        for secret in &self.generic {
            if secret.token && !self.keys.is_empty() {
                continue;
            }
            let name = secret.name.unwrap_or_default();
            let mut credential = credential(
                file,
                secret.line,
                CredentialKind::GenericSecret,
                secret.name,
                format!("{name}={}", redact_secret(secret.value)),
                Confidence::Low,
            );
            credential.related_hosts = hosts.clone();
            found.push(Found {
                credential,
                key_id: None,
            });
        }
        found
    }
}

/// Whether `value` only stands in for a real value (see the module documentation). Public for
/// the checks and tests; it never needs to see anything but the value.
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty()
        || value == "\"\""
        || value == "''"
        || value
            .chars()
            .all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '-' | '_' | '#' | '•'))
    {
        return true;
    }
    if (value.starts_with('<') && value.ends_with('>'))
        || value.contains("{{")
        || value.contains("${")
        || value.contains("$(")
        || (value.contains("%(") && value.contains(")s"))
        || value.contains("...")
        || value.contains('…')
        || is_variable_reference(value)
    {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "change-this",
        "change_this",
        "replaceme",
        "replace-me",
        "replace_me",
        "password",
        "passwd",
        "secret",
        "example",
        "dummy",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "null",
        "nil",
        "none",
        "undefined",
        "true",
        "false",
        "redacted",
        "empty",
        "n/a",
    ];
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    if lower.contains("example") {
        return false;
    }
    lower.contains("your-")
        || lower.contains("your_")
        || ["my-", "my_", "replace-", "replace_", "insert-", "insert_"]
            .iter()
            .any(|prefix| lower.starts_with(prefix))
}

/// `$NAME`: a shell variable reference.
fn is_variable_reference(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('$') else {
        return false;
    };
    let mut chars = rest.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `AKIAXXXXXXXXXXXXXXXX` and the like: the 16 characters after the prefix are all the same.
fn is_placeholder_key_id(id: &str) -> bool {
    let tail = &id.as_bytes()[4..];
    tail.iter().all(|b| *b == tail[0])
}

/// A 40-character value that is a secret access key rather than a hex digest: AWS secrets mix
/// upper- and lower-case letters.
fn looks_like_secret_key(value: &str) -> bool {
    value.bytes().any(|b| b.is_ascii_uppercase())
        && value.bytes().any(|b| b.is_ascii_lowercase())
        && !is_placeholder(value)
}

/// Values under a secret-looking name that are not secrets: ARNs (a Secrets Manager secret's
/// name, not its value), short numbers (lengths, durations), YAML block markers and aliases.
fn is_other_value(value: &str, yaml: bool) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("arn:")
        || (value.len() < 8 && value.bytes().all(|b| b.is_ascii_digit()))
        || ["yes", "no", "on", "off"].contains(&lower.as_str())
        || (yaml
            && (matches!(value, "|" | ">" | "|-" | ">-" | "|+" | ">+")
                || value.starts_with('*')
                || value.starts_with('&')))
}

/// `DB_PASSWORD`, `dbPassword`, `db-password` and `db.password` all read `DB_PASSWORD`.
fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '-' || c == '.' {
            out.push('_');
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Names whose value is a secret (see the module documentation).
fn is_secret_name(name: &str) -> bool {
    let name = normalize_name(name);
    const NOT_THE_SECRET: &[&str] = &[
        "_ARN",
        "_NAME",
        "_ID",
        "_IDS",
        "_FILE",
        "_PATH",
        "_DIR",
        "_LENGTH",
        "_TTL",
        "_EXPIRY",
        "_EXPIRES",
        "_EXPIRES_IN",
        "_ENABLED",
        "_REGION",
        "_VERSION",
        "_HEADER",
        "_TYPE",
    ];
    if NOT_THE_SECRET.iter().any(|suffix| name.ends_with(suffix)) {
        return false;
    }
    const SUFFIXES: &[&str] = &[
        "_SECRET",
        "_TOKEN",
        "_API_KEY",
        "_APIKEY",
        "_PRIVATE_KEY",
        "_PASSWD",
        "_PWD",
    ];
    SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
        || ["TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "PASSWD"].contains(&name.as_str())
        || name.contains("PASSWORD")
        || name.contains("SECRET")
}

/// `AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`, `SecretAccessKey`, `AWS_SECRET_KEY`: names
/// whose value is an AWS secret access key.
fn is_aws_secret_name(name: &str) -> bool {
    let name = normalize_name(name);
    name.ends_with("SECRET_ACCESS_KEY")
        || name == "AWS_SECRET_KEY"
        || name.ends_with("_AWS_SECRET_KEY")
}

/// A value without the escaped quotes (`\"`, `\'`) that wrap it inside a quoted string.
fn strip_escaped_quotes(value: &str) -> &str {
    let mut value = value.trim();
    loop {
        let before = value;
        for quote in ["\\\"", "\\'", "\"", "'"] {
            if let Some(rest) = value.strip_prefix(quote) {
                value = rest;
            }
            if let Some(rest) = value.strip_suffix(quote) {
                value = rest;
            }
        }
        if value == before {
            return value;
        }
    }
}

/// Names whose value is a host: `DB_HOST`, `PGHOST`, `DATABASE_HOST_PRIMARY`, `REDIS_HOSTNAME`
/// (not `ALLOWED_HOSTS`, nor `GHOST_URL`).
fn is_host_name(name: &str) -> bool {
    let name = normalize_name(name);
    name.ends_with("HOST")
        || name.ends_with("HOSTNAME")
        || name
            .split('_')
            .any(|part| part == "HOST" || part == "HOSTNAME")
}

/// A host name or IPv4 address (port dropped, lower-cased), or `None`.
fn host_value(value: &str) -> Option<String> {
    let host = match value.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => value,
    };
    is_host_like(host).then(|| host.to_ascii_lowercase())
}

fn is_host_like(host: &str) -> bool {
    let bytes = host.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 253
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && bytes.iter().any(|b| b.is_ascii_alphabetic() || *b == b'.')
}

/// The parts of a URL after `scheme://`. The user info ends at the last `@` before any `?`, so
/// a password may hold `@`, `/`, `:` or `#`.
struct UrlParts<'a> {
    userinfo: Option<&'a str>,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: &'a str,
}

fn split_url(rest: &str) -> UrlParts<'_> {
    let before_query = &rest[..rest.find('?').unwrap_or(rest.len())];
    let (userinfo, after) = match before_query.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let authority_end = after.find(['/', '?', '#', ';']).unwrap_or(after.len());
    let first = after[..authority_end].split(',').next().unwrap_or_default();
    let (host, port) = split_host_port(first);
    let tail = &after[authority_end..];
    let (path, query) = match tail.strip_prefix('/') {
        Some(path) => {
            let end = path.find(['?', '#', ';']).unwrap_or(path.len());
            (&path[..end], &path[end..])
        }
        None => ("", tail),
    };
    let query = query.split('#').next().unwrap_or_default();
    let query = query.trim_start_matches(['?', ';']);
    UrlParts {
        userinfo,
        host,
        port,
        path,
        query,
    }
}

fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(close) => (
                &authority[..=close],
                authority[close + 1..].strip_prefix(':'),
            ),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// The host of a URL (`https://user:pw@api.example.com/x` → `api.example.com`), if it looks like
/// one.
fn url_host(rest: &str) -> Option<String> {
    let host = split_url(rest).host.to_ascii_lowercase();
    (is_host_like(&host) || (host.starts_with('[') && host.ends_with(']'))).then_some(host)
}

/// A database URL with a password: where it connects, and its fingerprint.
fn database_url(caps: &Captures<'_>) -> Option<(DatabaseTarget, String)> {
    let base = caps.get(2)?.as_str().to_ascii_lowercase();
    let scheme = match caps.get(3).map(|d| d.as_str().to_ascii_lowercase()) {
        Some(driver) if driver == "+srv" => format!("{base}+srv"),
        _ => base,
    };
    let parts = split_url(caps.get(4)?.as_str());
    let (mut user, mut password) = match parts.userinfo {
        Some(userinfo) => match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        },
        None => ("", None),
    };
    let mut database = (!parts.path.is_empty()).then_some(parts.path);
    for param in parts.query.split(['&', ';']) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "password" | "pwd" if password.is_none_or(str::is_empty) => password = Some(value),
            "user" | "username" | "uid" | "user id" if user.is_empty() => user = value,
            "databasename" | "database" if database.is_none() => database = Some(value),
            _ => {}
        }
    }
    let password = password?;
    if password.is_empty() || is_placeholder(password) {
        return None;
    }
    let user = percent_encoding::percent_decode_str(user)
        .decode_utf8_lossy()
        .into_owned();
    let host = parts.host.to_ascii_lowercase();
    let port = parts.port.and_then(|p| p.parse::<u16>().ok());
    let mut fingerprint = format!("{scheme}://{user}:****@{host}");
    if let Some(port) = port {
        fingerprint.push_str(&format!(":{port}"));
    }
    if let Some(database) = database {
        fingerprint.push('/');
        fingerprint.push_str(database);
    }
    let target = DatabaseTarget {
        scheme,
        host,
        port,
        database: database.map(str::to_owned),
        user: (!user.is_empty()).then_some(user),
    };
    Some((target, fingerprint))
}

/// An assignment on a line: byte ranges of the name and the value (quotes excluded).
#[derive(Debug, PartialEq, Eq)]
struct Assignment {
    name: Range<usize>,
    value: Range<usize>,
    /// Written `KEY: VALUE`.
    yaml: bool,
}

/// Whether a name looks like a variable name rather than a value: names are shown in findings,
/// so anything that might be a token (long, mixed case and digits, or many digits) is not
/// taken as one.
fn is_plausible_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let mixed = bytes.iter().any(|b| b.is_ascii_uppercase())
        && bytes.iter().any(|b| b.is_ascii_lowercase())
        && digits > 0;
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && digits <= 4
        && !(mixed && bytes.len() >= 16)
        && !KEY_ID.is_match(name)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn skip_blank(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Parses `[# ][- ]["]export KEY=VALUE`, `KEY: VALUE`, `"KEY": "VALUE"` (see the module
/// documentation).
fn parse_assignment(line: &str) -> Option<Assignment> {
    let bytes = line.as_bytes();
    let mut end = bytes.len();
    let mut i = skip_blank(bytes, 0, end);
    while i < end && bytes[i] == b'#' {
        i += 1;
    }
    i = skip_blank(bytes, i, end);
    // A YAML list item, possibly quoted as a whole: `- "KEY=VALUE"`.
    if bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
        i = skip_blank(bytes, i + 1, end);
        if let Some(&quote @ (b'"' | b'\'')) = bytes.get(i)
            && let Some(close) = line[i + 1..].rfind(quote as char)
        {
            end = i + 1 + close;
            i += 1;
        }
    }
    if line[i..end].starts_with("export") && matches!(bytes.get(i + 6), Some(b' ' | b'\t')) {
        i = skip_blank(bytes, i + 6, end);
    }
    let name_quote = match bytes.get(i) {
        Some(&quote @ (b'"' | b'\'')) if i < end => {
            i += 1;
            Some(quote)
        }
        _ => None,
    };
    let name_start = i;
    if !(i < end && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_')) {
        return None;
    }
    while i < end && is_name_byte(bytes[i]) {
        i += 1;
    }
    let name = name_start..i;
    if !is_plausible_name(&line[name.clone()]) {
        return None;
    }
    if let Some(quote) = name_quote {
        if bytes.get(i) != Some(&quote) {
            return None;
        }
        i += 1;
    }
    i = skip_blank(bytes, i, end);
    if i >= end {
        return None;
    }
    let yaml = match bytes[i] {
        b'=' => false,
        // `KEY: VALUE` needs the blank; `host:5432` and `redis://` are not assignments.
        b':' if i + 1 == end || matches!(bytes[i + 1], b' ' | b'\t') => true,
        _ => return None,
    };
    i = skip_blank(bytes, i + 1, end);
    let value = match bytes.get(i) {
        Some(&quote @ (b'"' | b'\'')) if i < end => {
            let start = i + 1;
            let mut j = start;
            let mut close = None;
            while j < end {
                if quote == b'"' && bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if bytes[j] == quote {
                    close = Some(j);
                    break;
                }
                j += 1;
            }
            start..close.unwrap_or(end).min(end)
        }
        _ => {
            // An unquoted value ends at a ` #` comment.
            let mut stop = end;
            let mut k = i;
            while k + 1 < end {
                if matches!(bytes[k], b' ' | b'\t') && bytes[k + 1] == b'#' {
                    stop = k;
                    break;
                }
                k += 1;
            }
            while stop > i && bytes[stop - 1].is_ascii_whitespace() {
                stop -= 1;
            }
            i..stop
        }
    };
    Some(Assignment { name, value, yaml })
}

/// The name a value at `start` is assigned to: `NAME=`, `NAME: `, `"NAME": "`, with optional
/// quotes and blanks around the separator.
fn name_before(line: &str, start: usize) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut i = start;
    if i > 0 && matches!(bytes[i - 1], b'"' | b'\'') {
        i -= 1;
    }
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || !matches!(bytes[i - 1], b'=' | b':') {
        return None;
    }
    i -= 1;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i > 0 && matches!(bytes[i - 1], b'"' | b'\'') {
        i -= 1;
    }
    let end = i;
    while i > 0 && is_name_byte(bytes[i - 1]) {
        i -= 1;
    }
    Some(&line[i..end]).filter(|name| is_plausible_name(name))
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// ASCII case-insensitive substring test; `needle` is lower-case.
pub(super) fn contains_ignore_case(haystack: &str, needle: &[u8]) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<Found> {
        scan_text("ws/.env", text)
    }

    fn kinds(found: &[Found]) -> Vec<(u32, CredentialKind)> {
        found
            .iter()
            .map(|f| (f.credential.line, f.credential.kind))
            .collect()
    }

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn access_key_with_its_secret_and_token() {
        let text = format!(
            "AWS_ACCESS_KEY_ID={KEY}\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLE\n"
        );
        let found = scan(&text);
        assert_eq!(found.len(), 1, "the secret is part of the key's finding");
        let c = &found[0].credential;
        assert_eq!(c.kind, CredentialKind::AwsAccessKey);
        assert_eq!(c.confidence, Confidence::High);
        assert_eq!(c.fingerprint, "AKIA…MPLE");
        assert_eq!(c.name.as_deref(), Some("AWS_ACCESS_KEY_ID"));
        assert_eq!(c.line, 1);
        assert_eq!(c.with_secret, Some(true));
        assert_eq!(c.with_session_token, Some(true));
        assert_eq!(found[0].key_id.as_ref().map(KeyId::expose), Some(KEY));
    }

    #[test]
    fn aws_secrets_with_escaped_quotes_stay_aws_secrets() {
        // Before: the pattern stopped at `\"`, and the value fell to the generic rule (low
        // confidence, judged by whatever host was in the file).
        let middle = r#"AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG\"bPxRfiCYEXAMPLEKEY""#;
        let wrapped = format!(r#"AWS_SECRET_ACCESS_KEY="\"{SECRET}\"""#);
        let json_in_string = format!(r#"CREDS="{{\"SecretAccessKey\": \"{SECRET}\"}}""#);
        for text in [middle.to_owned(), wrapped, json_in_string] {
            let found = scan(&format!("{text}\nAPI_URL=http://localhost:8080\n"));
            assert_eq!(
                kinds(&found),
                vec![(1, CredentialKind::AwsSecretKey)],
                "{text}"
            );
            let c = &found[0].credential;
            assert_eq!(c.confidence, Confidence::High);
            assert!(
                !c.fingerprint.contains('"') && !c.fingerprint.contains('\\'),
                "{}",
                c.fingerprint
            );
            assert!(!c.fingerprint.contains("EXAMPLEKEY"), "{}", c.fingerprint);
        }
        // With its key id in the file, the secret is part of the key's finding.
        let found = scan(&format!("AWS_ACCESS_KEY_ID={KEY}\n{middle}\n"));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::AwsAccessKey)]);
        assert_eq!(found[0].credential.with_secret, Some(true));
        // Placeholders under the name are still not credentials.
        assert!(scan(r#"AWS_SECRET_ACCESS_KEY="\"\"""#).is_empty());
        assert!(scan("AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}").is_empty());
    }

    #[test]
    fn temporary_key_without_secret_or_with_a_placeholder_token() {
        let found = scan(
            "AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\nAWS_SESSION_TOKEN=${AWS_SESSION_TOKEN}\n",
        );
        let c = &found[0].credential;
        assert_eq!(c.kind, CredentialKind::AwsTemporaryKey);
        assert_eq!(c.with_secret, Some(false));
        assert_eq!(c.with_session_token, Some(false));
        assert!(found[0].key_id.as_ref().is_some_and(KeyId::is_temporary));
    }

    #[test]
    fn key_ids_anywhere_once_per_file() {
        let text = format!(
            "# the deploy key is {KEY}, see below\nAWS_ACCESS_KEY_ID=\"{KEY}\"\nOTHER=AKIAI44QH8DHBEXAMPLE K2=AKIAIOSFODNN7EXAMPLF\n"
        );
        let found = scan(&text);
        assert_eq!(
            kinds(&found),
            vec![
                (1, CredentialKind::AwsAccessKey),
                (3, CredentialKind::AwsAccessKey),
                (3, CredentialKind::AwsAccessKey)
            ]
        );
        assert_eq!(found[0].credential.name, None, "not an assignment");
        // AWS's documentation example AKIAI44QH8DHBEXAMPLE is not base-32 (`8`): found anyway.
        let names: Vec<Option<&str>> = found[1..]
            .iter()
            .map(|f| f.credential.name.as_deref())
            .collect();
        assert!(
            names.contains(&Some("OTHER")) && names.contains(&Some("K2")),
            "{names:?}"
        );
    }

    #[test]
    fn key_id_boundaries_and_placeholders() {
        assert!(scan(&format!("X=x{KEY}")).is_empty());
        assert!(scan(&format!("X={KEY}9")).is_empty());
        assert!(scan("AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX").is_empty());
        assert!(scan("AWS_ACCESS_KEY_ID=akiaiosfodnn7example").is_empty());
        assert_eq!(scan(&format!("x: '{KEY}'")).len(), 1);
        assert_eq!(scan("k=A3T0IOSFODNN7EXAMPLE").len(), 1);
        assert_eq!(scan("k=A3TXIOSFODNN7EXAMP").len(), 0, "one character short");
    }

    #[test]
    fn secret_without_key_id() {
        let found = scan(&format!(
            "export AWS_SECRET_ACCESS_KEY='{SECRET}' # prod\nAWS_SECRET_ACCESS_KEY={SECRET}\n"
        ));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::AwsSecretKey)]);
        let c = &found[0].credential;
        assert_eq!(c.fingerprint, "wJal…");
        assert_eq!(c.name.as_deref(), Some("AWS_SECRET_ACCESS_KEY"));
        assert!(found[0].key_id.is_none());
        // JSON form.
        let json = scan(&format!("{{\"SecretAccessKey\": \"{SECRET}\"}}"));
        assert_eq!(kinds(&json), vec![(1, CredentialKind::AwsSecretKey)]);
    }

    #[test]
    fn hex_or_short_secrets_are_generic() {
        let found = scan("GITHUB_CLIENT_SECRET=0123456789abcdef0123456789abcdef01234567\n");
        assert_eq!(kinds(&found), vec![(1, CredentialKind::GenericSecret)]);
        let found = scan(&format!("API_SECRET={}\n", &SECRET[..39]));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::GenericSecret)]);
        // Under the AWS secret key's own name, a value is that secret whatever its shape (an
        // AWS SDK reads it as one): never downgraded to a low-confidence generic secret.
        let found = scan(&format!("AWS_SECRET_ACCESS_KEY={}\n", &SECRET[..39]));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::AwsSecretKey)]);
    }

    #[test]
    fn database_urls() {
        let found = scan(
            "DATABASE_URL=postgres://app:s3cr3t-Passw0rd-EXAMPLE@DB.Example.com:5432/app?sslmode=require&x=1\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let c = &found[0].credential;
        assert_eq!(c.kind, CredentialKind::DatabaseUrl);
        assert_eq!(c.name.as_deref(), Some("DATABASE_URL"));
        assert_eq!(c.fingerprint, "postgres://app:****@db.example.com:5432/app");
        assert_eq!(
            c.database,
            Some(DatabaseTarget {
                scheme: "postgres".into(),
                host: "db.example.com".into(),
                port: Some(5432),
                database: Some("app".into()),
                user: Some("app".into()),
            })
        );
    }

    fn target(line: &str) -> Option<DatabaseTarget> {
        let found = scan(line);
        found
            .iter()
            .find(|f| f.credential.kind == CredentialKind::DatabaseUrl)
            .and_then(|f| f.credential.database.clone())
    }

    #[test]
    fn database_url_forms() {
        // A password holding `@`, `:` and `/`.
        let t = target("DB=mysql://root:p@ss:w/rd@10.0.0.5/shop").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("10.0.0.5", None));
        assert_eq!(t.database.as_deref(), Some("shop"));
        assert_eq!(t.user.as_deref(), Some("root"));
        // JDBC, with the password in the user info or in parameters.
        let t = target("url=jdbc:postgresql://app:Hunter2Hunter2@pg.internal:5433/orders").unwrap();
        assert_eq!(t.scheme, "postgresql");
        let t =
            target("url=jdbc:mysql://db.internal/orders?user=app&password=Hunter2Hunter2").unwrap();
        assert_eq!(
            (t.scheme.as_str(), t.user.as_deref(), t.database.as_deref()),
            ("mysql", Some("app"), Some("orders"))
        );
        let t = target(
            "url=jdbc:sqlserver://sql.internal:1433;databaseName=erp;user=sa;password=Hunter2Hunter2",
        )
        .unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.database.as_deref()),
            ("sql.internal", Some(1433), Some("erp"))
        );
        // mongodb+srv, several hosts, a driver suffix.
        let t = target("MONGO_URL=mongodb+srv://svc:Hunter2Hunter2@cluster0.abcde.mongodb.net/prod?retryWrites=true").unwrap();
        assert_eq!(
            (t.scheme.as_str(), t.host.as_str()),
            ("mongodb+srv", "cluster0.abcde.mongodb.net")
        );
        let t = target("M=mongodb://u:Hunter2Hunter2@h1.example.com:27017,h2.example.com:27017/db")
            .unwrap();
        assert_eq!((t.host.as_str(), t.port), ("h1.example.com", Some(27017)));
        let t =
            target("SQLALCHEMY_DATABASE_URI=postgresql+psycopg2://u:Hunter2Hunter2@pg/db").unwrap();
        assert_eq!(t.scheme, "postgresql");
        // Redis with only a password.
        let found = scan("REDIS_URL=redis://:Hunter2Hunter2@cache.example.com:6379/0");
        let c = &found[0].credential;
        assert_eq!(c.fingerprint, "redis://:****@cache.example.com:6379/0");
        assert_eq!(c.database.as_ref().unwrap().user, None);
        // Percent-encoded user.
        let t = target("U=postgres://app%40corp:Hunter2Hunter2@pg/db").unwrap();
        assert_eq!(t.user.as_deref(), Some("app@corp"));
    }

    #[test]
    fn database_urls_without_a_real_password() {
        for line in [
            "DATABASE_URL=postgres://app@db.example.com/app",
            "DATABASE_URL=postgres://app:@db.example.com/app",
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.example.com/app",
            "DATABASE_URL=postgres://app:$PASS@db.example.com/app",
            "DATABASE_URL=postgres://app:<password>@db.example.com/app",
            "DATABASE_URL=postgres://app:password@localhost/app",
            "DATABASE_URL=postgres://db.example.com/app?user=app",
            "HOMEPAGE=https://user:Hunter2Hunter2@example.com/",
        ] {
            let found = scan(line);
            assert!(
                found
                    .iter()
                    .all(|f| f.credential.kind != CredentialKind::DatabaseUrl),
                "{line}: {found:?}"
            );
        }
    }

    #[test]
    fn generic_secrets() {
        let text = "\
STRIPE_SECRET=sk_live_51HhEXAMPLEEXAMPLE
GITHUB_TOKEN=\"ghp_EXAMPLE0123456789\"
openaiApiKey: sk-EXAMPLE-0123456789
DB_PASSWORD=hunter2 # local only
SIGNING_PRIVATE_KEY='-----BEGIN PRIVATE KEY-----'
SMTP_PWD=Hunter2Hunter2
";
        let found = scan(text);
        let got: Vec<&str> = found
            .iter()
            .map(|f| f.credential.fingerprint.as_str())
            .collect();
        assert_eq!(
            got,
            vec![
                "STRIPE_SECRET=sk_l…",
                "GITHUB_TOKEN=ghp_…",
                "openaiApiKey=sk-E…",
                "DB_PASSWORD=****",
                "SIGNING_PRIVATE_KEY=----…",
                "SMTP_PWD=****",
            ]
        );
        assert!(
            found
                .iter()
                .all(|f| f.credential.confidence == Confidence::Low
                    && f.credential.kind == CredentialKind::GenericSecret)
        );
    }

    #[test]
    fn generic_secret_misses() {
        for line in [
            "API_TOKEN=",
            "API_TOKEN=\"\"",
            "API_TOKEN=xxxxxxxx",
            "API_TOKEN=********",
            "API_TOKEN=<your token>",
            "API_TOKEN={{ api_token }}",
            "API_TOKEN=${API_TOKEN}",
            "API_TOKEN=$API_TOKEN",
            "API_TOKEN=$(cat /run/secrets/token)",
            "PASSWORD=%(password)s",
            "DB_PASSWORD=changeme",
            "DB_PASSWORD=Change-Me",
            "SECRET=secret",
            "API_TOKEN=TODO",
            "API_TOKEN=null",
            "FEATURE_SECRET=true",
            "API_TOKEN=your-api-token",
            "API_TOKEN=your_api_token_here",
            "API_TOKEN=my-token",
            "API_TOKEN=sk-...",
            "DB_PASSWORD_FILE=/run/secrets/db_password",
            "JWT_SECRET_EXPIRES_IN=3600",
            "SESSION_SECRET_LENGTH=64",
            "SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db",
            "DB_SECRET_NAME=prod/db",
            "PASSWORD_MIN=8",
            "PWD=/home/me",
            "TOKEN_URL=https://auth.example.com/token",
            "DB_PASSWORD: |",
            "password: *default_password",
            "VAULT_TOKEN  ",
        ] {
            assert!(scan(line).is_empty(), "{line}: {:?}", scan(line));
        }
    }

    #[test]
    fn placeholders() {
        for value in [
            "",
            " ",
            "\"\"",
            "xxx",
            "XXXX",
            "***",
            "...",
            "---",
            "___",
            "<secret>",
            "{{x}}",
            "${X}",
            "$X",
            "$_x1",
            "%(pw)s",
            "changeme",
            "CHANGEME",
            "change-me",
            "changethis",
            "password",
            "secret",
            "example",
            "EXAMPLE",
            "dummy",
            "placeholder",
            "todo",
            "tbd",
            "null",
            "None",
            "true",
            "False",
            "your-key",
            "YOUR_KEY_HERE",
            "my-secret",
            "abc...xyz",
            "abc…",
        ] {
            assert!(is_placeholder(value), "{value:?}");
        }
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "s3cr3t-Passw0rd-EXAMPLE",
            "hunter2",
            "$2b$10$abcdefghijklmnopqrstuv",
            "p$ss",
            "password1",
            "myself",
            "x1",
        ] {
            assert!(!is_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn commented_lines_are_reported() {
        let found = scan(&format!(
            "# AWS_SECRET_ACCESS_KEY={SECRET}\n#DB_PASSWORD=Hunter2Hunter2\n"
        ));
        assert_eq!(
            kinds(&found),
            vec![
                (1, CredentialKind::AwsSecretKey),
                (2, CredentialKind::GenericSecret)
            ]
        );
    }

    #[test]
    fn compose_maps_and_lists() {
        let text = format!(
            "services:
  api:
    environment:
      AWS_ACCESS_KEY_ID: {KEY}
      AWS_SECRET_ACCESS_KEY: \"{SECRET}\"
      DB_HOST: Postgres.Internal:5432
      API_TOKEN: 'tok_0123456789abcdef'
  worker:
    environment:
      - DATABASE_URL=postgres://w:Hunter2Hunter2@pg.internal/jobs
      - \"WORKER_SECRET=Hunter2Hunter2 with spaces\"
      - QUEUE_PASSWORD=${{QUEUE_PASSWORD}}
"
        );
        let found = scan(&text);
        assert_eq!(
            kinds(&found),
            vec![
                (4, CredentialKind::AwsAccessKey),
                (7, CredentialKind::GenericSecret),
                (10, CredentialKind::DatabaseUrl),
                (11, CredentialKind::GenericSecret),
            ],
            "{found:?}"
        );
        assert_eq!(found[0].credential.with_secret, Some(true));
        assert_eq!(
            found[0].credential.name.as_deref(),
            Some("AWS_ACCESS_KEY_ID")
        );
        assert_eq!(found[1].credential.fingerprint, "API_TOKEN=tok_…");
        assert_eq!(found[3].credential.name.as_deref(), Some("WORKER_SECRET"));
        assert_eq!(found[3].credential.fingerprint, "WORKER_SECRET=Hunt…");
        assert_eq!(
            found[1].credential.related_hosts,
            vec!["pg.internal".to_owned(), "postgres.internal".to_owned()]
        );
        assert!(found[0].credential.related_hosts.is_empty());
    }

    #[test]
    fn several_findings_on_one_line() {
        let found = scan(&format!(
            "run: docker run -e AWS_ACCESS_KEY_ID={KEY} -e DATABASE_URL=mysql://u:Hunter2Hunter2@db/app -e K2=ASIAIOSFODNN7EXAMPLE"
        ));
        assert_eq!(
            kinds(&found),
            vec![
                (1, CredentialKind::AwsAccessKey),
                (1, CredentialKind::AwsTemporaryKey),
                (1, CredentialKind::DatabaseUrl)
            ]
        );
        assert_eq!(found[1].credential.name.as_deref(), Some("K2"));
    }

    #[test]
    fn a_secret_line_already_reported_is_not_generic_again() {
        // The URL is the finding; `SECRET_DSN` is not reported a second time.
        let found = scan("SECRET_DSN=postgres://u:Hunter2Hunter2@db/app");
        assert_eq!(kinds(&found), vec![(1, CredentialKind::DatabaseUrl)]);
        let found = scan(&format!("MY_SECRET_KEY_ID={KEY}"));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::AwsAccessKey)]);
    }

    #[test]
    fn related_hosts() {
        let found = scan(
            "PGHOST=PG.example.com\nDATABASE_HOST=10.1.2.3:5432\nALLOWED_HOSTS=a.com\nGHOST_API_KEY=0123456789abcdefEXAMPLE\nAPI=https://api.example.com/v1\nX_HOST=${HOST}\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].credential.related_hosts,
            vec!["10.1.2.3", "api.example.com", "pg.example.com"]
        );
    }

    #[test]
    fn assignments() {
        fn a(line: &str) -> Option<(&str, &str)> {
            parse_assignment(line).map(|a| (&line[a.name], &line[a.value]))
        }
        assert_eq!(a("KEY=value"), Some(("KEY", "value")));
        assert_eq!(a("  export KEY = \"va lue\" # c"), Some(("KEY", "va lue")));
        assert_eq!(a("KEY=value # comment"), Some(("KEY", "value")));
        assert_eq!(a("KEY=val#ue"), Some(("KEY", "val#ue")));
        assert_eq!(a("KEY='it''s'"), Some(("KEY", "it")));
        assert_eq!(a(r#"KEY="a\"b""#), Some(("KEY", r#"a\"b"#)));
        assert_eq!(a("KEY=\"unterminated"), Some(("KEY", "unterminated")));
        assert_eq!(a("key: value"), Some(("key", "value")));
        assert_eq!(a("\"key\": \"value\","), Some(("key", "value")));
        assert_eq!(a("- KEY=value"), Some(("KEY", "value")));
        assert_eq!(a("- 'KEY=value'"), Some(("KEY", "value")));
        assert_eq!(a("# KEY=value"), Some(("KEY", "value")));
        assert_eq!(a("exported=1"), Some(("exported", "1")));
        assert_eq!(a("environment:"), Some(("environment", "")));
        assert_eq!(a("host:5432"), None);
        assert_eq!(a("redis://x"), None);
        assert_eq!(a("just some words"), None);
        assert_eq!(a("=value"), None);
        assert_eq!(a(""), None);
        assert_eq!(a("-"), None);
        assert_eq!(a("- \""), None);
    }

    #[test]
    fn names() {
        for name in [
            "DB_PASSWORD",
            "dbPassword",
            "db-password",
            "db.password",
            "API_TOKEN",
            "accessToken",
            "STRIPE_API_KEY",
            "apiKey",
            "APIKEY",
            "X_APIKEY",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
            "SSH_PRIVATE_KEY",
            "MYSQL_PWD",
            "LDAP_PASSWD",
            "TOKEN",
            "client_secret",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PWD",
            "OLDPWD",
            "TOKEN_URL",
            "API_KEY_ID",
            "SECRET_ARN",
            "PASSWORD_FILE",
            "DB_USER",
            "KEY",
            "MONKEY",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
        assert!(is_host_name("PGHOST") && is_host_name("db_host") && is_host_name("dbHost"));
        assert!(is_host_name("DATABASE_HOST_PRIMARY") && is_host_name("REDIS_HOSTNAME"));
        assert!(!is_host_name("ALLOWED_HOSTS") && !is_host_name("GHOST_URL"));
    }

    #[test]
    fn names_that_look_like_values_are_not_shown() {
        let found = scan(&format!("ghp_Ab3dEf6hIj9kLm2nOp5q:{KEY}\n"));
        assert_eq!(found[0].credential.name, None);
        let found = scan(&format!("x ghp_Ab3dEf6hIj9kLm2nOp5qSecret={SECRET}\n"));
        assert_eq!(kinds(&found), vec![(1, CredentialKind::AwsSecretKey)]);
        assert_eq!(found[0].credential.name, None);
        let found = scan("s3cr3t_Passw0rd_9876=Hunter2Hunter2\n");
        assert!(found.is_empty(), "{found:?}");
        assert!(is_plausible_name("AWS_SECRET_ACCESS_KEY") && is_plausible_name("s3Bucket"));
        assert!(is_plausible_name("db.password") && is_plausible_name("OAUTH2_CLIENT_SECRET"));
        assert!(!is_plausible_name(KEY) && !is_plausible_name("abc123456"));
    }

    #[test]
    fn session_tokens() {
        // Reported as a generic secret only when no access key id is in the file.
        let found = scan("AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE\n");
        assert_eq!(kinds(&found), vec![(1, CredentialKind::GenericSecret)]);
        // The JSON `aws sts assume-role` prints.
        let found = scan(&format!(
            "{{\"Credentials\": {{\n\"AccessKeyId\": \"ASIAIOSFODNN7EXAMPLE\",\n\"SecretAccessKey\": \"{SECRET}\",\n\"SessionToken\": \"IQoJb3JpZ2luX2VjEXAMPLE\"\n}}}}"
        ));
        assert_eq!(kinds(&found), vec![(2, CredentialKind::AwsTemporaryKey)]);
        assert_eq!(found[0].credential.name.as_deref(), Some("AccessKeyId"));
        assert_eq!(found[0].credential.with_secret, Some(true));
        assert_eq!(found[0].credential.with_session_token, Some(true));
    }

    #[test]
    fn line_numbers_count_crlf_and_empty_lines() {
        let found = scan("A=1\r\n\r\n\r\nAPI_TOKEN=tok_0123456789abcdef\r\n");
        assert_eq!(kinds(&found), vec![(4, CredentialKind::GenericSecret)]);
        assert_eq!(found[0].credential.fingerprint, "API_TOKEN=tok_…");
    }
}
