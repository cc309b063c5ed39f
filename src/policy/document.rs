use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// A parsed IAM policy document ("IAM JSON policy element reference").
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// `Version` (`2012-10-17` enables policy variables; absent means `2008-10-17`).
    pub version: Option<String>,
    /// `Statement`, always as a list (a single object becomes one statement).
    pub statements: Vec<Statement>,
}

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`.
    Deny,
}

/// One statement. Exactly one of `action` / `not_action` is non-empty in a parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` (resource-based and trust policies).
    pub principal: Option<Principal>,
    /// `NotPrincipal`.
    pub not_principal: Option<Principal>,
    /// `Action` patterns.
    pub action: Vec<String>,
    /// `NotAction` patterns.
    pub not_action: Vec<String>,
    /// `Resource` patterns (empty: the element is absent).
    pub resource: Vec<String>,
    /// `NotResource` patterns.
    pub not_resource: Vec<String>,
    /// operator → condition key → values (numbers and booleans as their JSON text).
    pub condition: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// `Principal` / `NotPrincipal`: `"*"` or a map of principal kinds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principal {
    /// `"Principal": "*"` (or `{"AWS": "*"}`): anyone.
    pub any: bool,
    /// `AWS`: account ids, account root ARNs, user and role ARNs.
    pub aws: Vec<String>,
    /// `Service`: service principals such as `ec2.amazonaws.com`.
    pub service: Vec<String>,
    /// `Federated`: identity-provider ARNs or names.
    pub federated: Vec<String>,
    /// `CanonicalUser`: S3 canonical user ids.
    pub canonical_user: Vec<String>,
}

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed policy document: {0}")]
pub struct PolicyError(pub String);

impl PolicyDocument {
    /// Parses a document as AWS returns it: plain JSON, or percent-encoded JSON (as
    /// `GetAccountAuthorizationDetails` returns it, RFC 3986: `%7B`, `%2A`, `%20`; a `+` is a
    /// literal plus). Plain JSON is tried first. Should a percent-decoded text only be JSON
    /// when `+` is read as a space (form encoding by another tool), that reading is used.
    /// A JSON string holding a document (double-encoded) is unwrapped once.
    ///
    /// Malformed input is an error, never an empty policy: not JSON, no `Statement`, a
    /// statement without `Effect`, with both or neither of `Action`/`NotAction`, with both
    /// `Resource` and `NotResource` (or `Principal` and `NotPrincipal`), unknown elements,
    /// and values of the wrong JSON type. JSON numbers and booleans in value positions become
    /// their text (`5`, `true`).
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
        Self::parse_depth(text, 0)
    }

    fn parse_depth(text: &str, depth: u8) -> Result<PolicyDocument, PolicyError> {
        let text = text.trim_start_matches('\u{feff}');
        let value: Value = match strict(text) {
            Ok(value) => value,
            Err(plain_err) => {
                let decoded = percent_encoding::percent_decode_str(text)
                    .decode_utf8()
                    .map_err(|_| {
                        PolicyError(format!(
                            "not JSON ({plain_err}) and not percent-encoded UTF-8"
                        ))
                    })?;
                if decoded == text {
                    return Err(PolicyError(format!("not JSON: {plain_err}")));
                }
                match strict(&decoded) {
                    Ok(value) => value,
                    Err(err) => {
                        let spaced = text.replace('+', "%20");
                        let form = percent_encoding::percent_decode_str(&spaced).decode_utf8();
                        match form.ok().and_then(|f| strict(&f).ok()) {
                            Some(value) if text.contains('+') => value,
                            _ => {
                                return Err(PolicyError(format!(
                                    "not JSON after percent-decoding: {err}"
                                )));
                            }
                        }
                    }
                }
            }
        };
        match value {
            Value::String(inner) if depth == 0 => Self::parse_depth(&inner, 1),
            value => Self::from_value(value),
        }
    }

    fn from_value(value: Value) -> Result<PolicyDocument, PolicyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Raw {
            version: Option<String>,
            #[serde(default)]
            statement: Option<Value>,
        }
        if !value.is_object() {
            return Err(PolicyError(format!(
                "a policy document must be a JSON object, found {}",
                kind(&value)
            )));
        }
        let raw: Raw = serde_json::from_value(value).map_err(|err| PolicyError(err.to_string()))?;
        let statements = match raw.statement {
            None => return Err(PolicyError("no Statement".into())),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(Statement::from_value)
                .collect::<Result<_, _>>()?,
            Some(item @ Value::Object(_)) => vec![Statement::from_value(item)?],
            Some(other) => {
                return Err(PolicyError(format!(
                    "Statement must be an object or array, found {}",
                    kind(&other)
                )));
            }
        };
        Ok(PolicyDocument {
            version: raw.version,
            statements,
        })
    }
}

/// JSON with no key named twice in one object. Which of two equal keys AWS honours is not
/// documented, so such a document is malformed here, and what depends on it is unknown.
fn strict(text: &str) -> Result<Value, serde_json::Error> {
    let value = serde_json::from_str(text)?;
    crate::inventory::unique_keys::check(text.as_bytes())?;
    Ok(value)
}

impl Statement {
    fn from_value(value: Value) -> Result<Statement, PolicyError> {
        let Value::Object(map) = value else {
            return Err(PolicyError("a statement must be an object".into()));
        };
        let mut statement = Statement {
            sid: None,
            effect: Effect::Allow,
            principal: None,
            not_principal: None,
            action: Vec::new(),
            not_action: Vec::new(),
            resource: Vec::new(),
            not_resource: Vec::new(),
            condition: BTreeMap::new(),
        };
        let mut effect = None;
        let mut has = Seen::default();
        for (key, value) in map {
            has.mark(&key);
            match key.as_str() {
                "Sid" => statement.sid = Some(scalar(&value, "Sid")?),
                "Effect" => {
                    effect = Some(match scalar(&value, "Effect")?.as_str() {
                        "Allow" => Effect::Allow,
                        "Deny" => Effect::Deny,
                        other => {
                            return Err(PolicyError(format!(
                                "Effect must be Allow or Deny, found `{other}`"
                            )));
                        }
                    })
                }
                "Principal" => statement.principal = Some(Principal::from_value(&value)?),
                "NotPrincipal" => statement.not_principal = Some(Principal::from_value(&value)?),
                "Action" => statement.action = string_list(&value, "Action")?,
                "NotAction" => statement.not_action = string_list(&value, "NotAction")?,
                "Resource" => statement.resource = string_list(&value, "Resource")?,
                "NotResource" => statement.not_resource = string_list(&value, "NotResource")?,
                "Condition" => statement.condition = condition(&value)?,
                other => return Err(PolicyError(format!("unknown statement element `{other}`"))),
            }
        }
        statement.effect = effect.ok_or_else(|| PolicyError("a statement has no Effect".into()))?;
        if !(has["Action"] ^ has["NotAction"]) {
            return Err(PolicyError(
                "a statement must have exactly one of Action and NotAction".into(),
            ));
        }
        if has["Resource"] && has["NotResource"] {
            return Err(PolicyError(
                "a statement cannot have both Resource and NotResource".into(),
            ));
        }
        if has["Principal"] && has["NotPrincipal"] {
            return Err(PolicyError(
                "a statement cannot have both Principal and NotPrincipal".into(),
            ));
        }
        Ok(statement)
    }

    /// Whether one of the statement's `Action` patterns matches `action` (case-insensitive,
    /// `*` and `?` wildcards). `NotAction` statements match every action they do not list.
    pub fn matches_action(&self, action: &str) -> bool {
        if !self.not_action.is_empty() {
            return !self.not_action.iter().any(|p| wildcard_match(p, action));
        }
        self.action.iter().any(|p| wildcard_match(p, action))
    }
}

impl Principal {
    fn from_value(value: &Value) -> Result<Principal, PolicyError> {
        let mut principal = Principal::default();
        match value {
            Value::String(s) if s == "*" => principal.any = true,
            Value::Object(map) => {
                for (kind, ids) in map {
                    let ids = string_list(ids, kind)?;
                    let list = match kind.as_str() {
                        "AWS" => &mut principal.aws,
                        "Service" => &mut principal.service,
                        "Federated" => &mut principal.federated,
                        "CanonicalUser" => &mut principal.canonical_user,
                        other => {
                            return Err(PolicyError(format!("unknown principal kind `{other}`")));
                        }
                    };
                    list.extend(ids);
                }
                if principal.aws.iter().any(|id| id == "*") {
                    principal.any = true;
                }
            }
            other => {
                return Err(PolicyError(format!(
                    "Principal must be \"*\" or an object, found {}",
                    kind(other)
                )));
            }
        }
        Ok(principal)
    }

    /// OIDC issuers of `Federated` OIDC-provider ARNs, e.g. `token.actions.githubusercontent.com`.
    pub fn oidc_issuers(&self) -> impl Iterator<Item = &str> {
        self.federated
            .iter()
            .filter_map(|arn| arn.split_once(":oidc-provider/").map(|(_, issuer)| issuer))
    }
}

/// Case-insensitive match of an IAM pattern with `*` (any run) and `?` (one character), as
/// `Action` elements are matched ("IAM JSON policy elements: Action"). ASCII case folding;
/// does not allocate.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    super::pattern::glob_match(pattern, text, true)
}

/// Which statement elements were present.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn mark(&mut self, key: &str) {
        self.0.push(key.to_string());
    }
}

impl std::ops::Index<&str> for Seen {
    type Output = bool;
    fn index(&self, key: &str) -> &bool {
        if self.0.iter().any(|k| k == key) {
            &true
        } else {
            &false
        }
    }
}

/// The JSON type of a value, for error messages (never the value itself, which may be huge).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn scalar(value: &Value, what: &str) -> Result<String, PolicyError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(PolicyError(format!(
            "{what} must be a string, found {}",
            kind(other)
        ))),
    }
}

fn string_list(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::Array(items) => items.iter().map(|item| scalar(item, what)).collect(),
        other => Ok(vec![scalar(other, what)?]),
    }
}

fn condition(
    value: &Value,
) -> Result<BTreeMap<String, BTreeMap<String, Vec<String>>>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(PolicyError("Condition must be an object".into()));
    };
    let mut out = BTreeMap::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else {
            return Err(PolicyError(format!(
                "Condition operator {operator} must map keys to values"
            )));
        };
        let mut entries = BTreeMap::new();
        for (key, values) in keys {
            entries.insert(key.clone(), string_list(values, key)?);
        }
        out.insert(operator.clone(), entries);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percent_encoded_documents_and_keeps_plus_signs() {
        let text = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2B%22%2C%22Resource%22%3A%22*%22%7D%7D";
        let doc = PolicyDocument::parse(text).unwrap();
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].action, vec!["s3:Get+"]);
    }

    #[test]
    fn parses_every_principal_form() {
        let doc = PolicyDocument::parse(
            r#"{"Statement":[
                {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","222222222222"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"},"Bool":{"aws:SecureTransport":true}}}
            ]}"#,
        )
        .unwrap();
        let p: Vec<_> = doc
            .statements
            .iter()
            .map(|s| s.principal.clone().unwrap())
            .collect();
        assert!(p[0].any);
        assert_eq!(p[1].aws.len(), 2);
        assert_eq!(p[1].service, vec!["ec2.amazonaws.com"]);
        assert_eq!(
            p[2].oidc_issuers().collect::<Vec<_>>(),
            vec!["token.actions.githubusercontent.com"]
        );
        assert_eq!(
            doc.statements[2].condition["Bool"]["aws:SecureTransport"],
            vec!["true"]
        );
    }

    #[test]
    fn malformed_documents_are_errors_not_empty_policies() {
        for text in [
            "",
            "{",
            "%7B",
            r#"{"Statement":"x"}"#,
            r#"{"Statement":[{"Action":"*"}]}"#,
            r#"{"Version":"2012-10-17"}"#,
        ] {
            assert!(PolicyDocument::parse(text).is_err(), "{text} parsed");
        }
    }

    #[test]
    fn a_key_named_twice_makes_a_document_malformed() {
        // The second Effect would turn a Deny into an Allow with last-one-wins JSON reading.
        let twice =
            r#"{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        let encoded = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D";
        for text in [twice, encoded] {
            let err = PolicyDocument::parse(text).unwrap_err();
            assert!(err.to_string().contains("appears twice"), "{err}");
        }
        PolicyDocument::parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
            .unwrap();
    }

    #[test]
    fn malformed_statements_are_errors() {
        for text in [
            r#"[]"#,
            r#""just a string""#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}]}"#,
            r#"{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":["*",null],"Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":"x"}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":"*","NotPrincipal":"*"}]}"#,
        ] {
            assert!(PolicyDocument::parse(text).is_err(), "{text} parsed");
        }
    }

    #[test]
    fn scalar_values_become_text_and_wrappers_unwrap() {
        let doc = PolicyDocument::parse(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:SecureTransport":[true,false]}}}}"#,
        )
        .unwrap();
        let cond = &doc.statements[0].condition;
        assert_eq!(
            cond["NumericLessThan"]["aws:MultiFactorAuthAge"],
            vec!["3600"]
        );
        assert_eq!(cond["Bool"]["aws:SecureTransport"], vec!["true", "false"]);
        let wrapped = PolicyDocument::parse(
            r#""{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}""#,
        )
        .unwrap();
        assert_eq!(wrapped.statements[0].effect, Effect::Deny);
        let form = PolicyDocument::parse("%7B%22Statement%22%3A+%7B%22Effect%22%3A+%22Allow%22%2C+%22Action%22%3A+%22s3%3A%2A%22%7D%7D").unwrap();
        assert_eq!(form.statements[0].action, vec!["s3:*"]);
        assert_eq!(
            PolicyDocument::parse(r#"{"Version":"2012-10-17","Statement":[]}"#)
                .unwrap()
                .statements
                .len(),
            0
        );
    }

    #[test]
    fn wildcards_match_case_insensitively() {
        assert!(wildcard_match(
            "sts:AssumeRole*",
            "STS:assumerolewithwebidentity"
        ));
        assert!(wildcard_match("*", "iam:PassRole"));
        assert!(wildcard_match(
            "rds:Delete?BInstance",
            "rds:DeleteDBInstance"
        ));
        assert!(!wildcard_match("rds:Delete*", "rds:ModifyDBInstance"));
        assert!(!wildcard_match("s3:Get", "s3:GetObject"));
    }
}
