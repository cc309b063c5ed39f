//! The request context: condition keys and their values ("IAM JSON policy elements:
//! Condition", "AWS global condition context keys").
//!
//! Keys are case-insensitive (stored lower-cased). A key the caller did not mention is
//! **unknown**, not absent: conditions on it are undecided. The caller can declare a key
//! absent ([`Context::with_absent`]) or declare every unmentioned key absent
//! ([`Context::closed`]).

/// Condition keys (case-insensitive) and their values for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The keys set, each with the hash of its lower-cased name: a context holds a handful
    /// of keys, so a scan comparing hashes first beats any map.
    keys: Vec<Entry>,
    /// Every key not in `keys` is absent rather than unknown.
    closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    hash: u64,
    /// Lower-cased.
    key: String,
    /// `Some(values)` (present, never empty) or `None` (known to be absent).
    values: Option<Vec<String>>,
}

/// FNV-1a of the ASCII-lower-cased bytes of `key`.
pub(crate) fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What the context says about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Not known: the key may or may not be in the request, with any value.
    Unknown,
    /// Known not to be in the request (or present with no value).
    Absent,
    /// In the request with these values (never empty).
    Present(&'a [String]),
}

impl Context {
    /// An empty context: every key is unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `values` (a multivalued key such as `aws:TagKeys` takes several). An
    /// empty `values` means the key is absent, as AWS treats an empty multivalued key.
    pub fn with(mut self, key: &str, values: &[&str]) -> Self {
        let values = (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect());
        let key = key.to_ascii_lowercase();
        let hash = key_hash(&key);
        match self
            .keys
            .iter_mut()
            .find(|e| e.hash == hash && e.key == key)
        {
            Some(entry) => entry.values = values,
            None => self.keys.push(Entry { hash, key, values }),
        }
        self
    }

    /// Declares that `key` is not in the request (e.g. `aws:MultiFactorAuthPresent` for
    /// long-term access keys, `aws:username` for a role session).
    pub fn with_absent(self, key: &str) -> Self {
        self.with(key, &[])
    }

    /// Declares every key not set with [`with`](Self::with) / [`with_absent`](Self::with_absent)
    /// absent: for questions about one fully described request.
    pub fn closed(mut self) -> Self {
        self.closed = true;
        self
    }

    /// Sets the keys that follow from the calling principal's ARN:
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType` (`User` for
    /// `…:user/…`, `AssumedRole` for roles and role sessions) and, for IAM users,
    /// `aws:username` (which AWS leaves out of role sessions: set absent for roles). Keys
    /// that cannot be derived are left unknown.
    pub fn with_principal_arn(mut self, arn: &str) -> Self {
        self = self.with("aws:PrincipalArn", &[arn]);
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if let [_, _, _, _, account, resource] = parts.as_slice() {
            if !account.is_empty() {
                self = self.with("aws:PrincipalAccount", &[account]);
            }
            if let Some(path_and_name) = resource.strip_prefix("user/") {
                let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
                self = self
                    .with("aws:PrincipalType", &["User"])
                    .with("aws:username", &[name]);
            } else if resource.starts_with("role/") || resource.starts_with("assumed-role/") {
                self = self
                    .with("aws:PrincipalType", &["AssumedRole"])
                    .with_absent("aws:username");
            }
        }
        self
    }

    /// What the context says about `key` (any case).
    pub fn get(&self, key: &str) -> Lookup<'_> {
        self.get_hashed(key_hash(key), key)
    }

    /// [`get`](Self::get) with the key's [`key_hash`] computed beforehand.
    pub(crate) fn get_hashed(&self, hash: u64, key: &str) -> Lookup<'_> {
        let found = self
            .keys
            .iter()
            .find(|e| e.hash == hash && e.key.eq_ignore_ascii_case(key));
        match found {
            Some(Entry {
                values: Some(values),
                ..
            }) => Lookup::Present(values),
            Some(_) => Lookup::Absent,
            None if self.closed => Lookup::Absent,
            None => Lookup::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_unknown_unless_set() {
        let ctx = Context::new()
            .with("aws:MultiFactorAuthPresent", &["true"])
            .with_absent("aws:SourceIp");
        assert_eq!(
            ctx.get("AWS:multifactorauthpresent"),
            Lookup::Present(&["true".to_string()])
        );
        assert_eq!(ctx.get("aws:sourceip"), Lookup::Absent);
        assert_eq!(ctx.get("aws:RequestedRegion"), Lookup::Unknown);
        assert_eq!(
            ctx.clone().closed().get("aws:RequestedRegion"),
            Lookup::Absent
        );
    }

    #[test]
    fn principal_helpers() {
        let user = Context::new().with_principal_arn("arn:aws:iam::111122223333:user/ops/alice");
        assert_eq!(
            user.get("aws:username"),
            Lookup::Present(&["alice".to_string()])
        );
        assert_eq!(
            user.get("aws:PrincipalAccount"),
            Lookup::Present(&["111122223333".to_string()])
        );
        let role = Context::new().with_principal_arn("arn:aws:iam::111122223333:role/agent");
        assert_eq!(role.get("aws:username"), Lookup::Absent);
        let odd = Context::new().with_principal_arn("not-an-arn");
        assert_eq!(odd.get("aws:PrincipalAccount"), Lookup::Unknown);
    }
}
