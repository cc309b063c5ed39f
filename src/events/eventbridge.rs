//! Amazon EventBridge event patterns.
//!
//! Parses a rule's `EventPattern` JSON string and decides whether an event
//! (as EventBridge delivers it, e.g. [`super::samples::SampleEvent::envelope`])
//! matches it. Semantics follow the EventBridge User Guide pages "Amazon
//! EventBridge event patterns", "Content filtering in Amazon EventBridge event
//! patterns" and "Matching events on null values and empty strings", and
//! AWS's open-source matcher (Event Ruler) where the guide is silent:
//!
//! * A pattern is a JSON object. Every key must match (AND); nested objects
//!   recurse into the event. Leaves are arrays of matchers, any of which may
//!   match (OR).
//! * Only leaf values (strings, numbers, booleans, null) are matched. When an
//!   event field is an array, it matches if any element matches. Objects inside
//!   arrays are matched one element at a time, so two fields of a pattern
//!   object must match in the same array element (Event Ruler's
//!   "array-consistent" matching).
//! * A field absent from the event (or holding an object, an intermediate node)
//!   fails every matcher except `{"exists": false}`. In particular
//!   `anything-but` does not match a missing field.
//! * `anything-but` matches a present leaf that none of its values or inner
//!   matchers matches. Matching is type-aware (the string `"5"` is not the
//!   number `5`), so `{"anything-but": "x"}` also matches numbers, booleans
//!   and null. Against an array field it matches if any element is not
//!   excluded, because elements are evaluated one by one as for every
//!   matcher.
//! * `"$or": [pattern, pattern, …]` at any object level matches if any
//!   alternative matches, ANDed with the object's other keys.
//!
//! Not implemented: the `$or` backward-compatibility mode in which Event Ruler
//! treats a malformed `"$or"` as an ordinary field name (here it is an error),
//! Event Ruler's treatment of literal strings that look like IP addresses as
//! address ranges, and its numeric limits (±5e9, six decimal places); numbers
//! are compared as `f64`. Unicode case folding is approximated with
//! `str::to_lowercase`.

use serde_json::{Map, Value};
use std::fmt;
use std::net::IpAddr;

/// Why an event pattern is invalid: what is wrong and where, as the JSON path
/// of the bad field (e.g. `detail.eventName[0]: unknown matcher "prefixx"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

/// A parsed EventBridge event pattern.
#[derive(Debug, Clone)]
pub struct EventPattern {
    root: ObjectPattern,
}

impl EventPattern {
    /// Parses the `EventPattern` text of a rule, as AWS returns it.
    pub fn parse(text: &str) -> Result<EventPattern, PatternError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PatternError(format!("invalid JSON: {e}")))?;
        match &value {
            Value::Object(map) => Ok(EventPattern {
                root: parse_object(map, "")?,
            }),
            other => Err(error(
                "",
                format!("must be a JSON object, found {}", kind(other)),
            )),
        }
    }

    /// Whether `event` (the full EventBridge event, with `source`,
    /// `detail-type`, `detail`, …) matches the pattern.
    pub fn matches(&self, event: &Value) -> bool {
        if has_dotted_key(event) {
            return self.root.matches(Some(&undot(event)));
        }
        self.root.matches(Some(event))
    }
}

/// An object level of a pattern: field patterns and `$or` groups, all ANDed.
#[derive(Debug, Clone)]
struct ObjectPattern {
    fields: Vec<(String, FieldPattern)>,
    /// Each `$or` group matches if any of its alternatives matches.
    any_of: Vec<Vec<ObjectPattern>>,
}

/// What a pattern key holds: a nested object or a leaf list of matchers.
#[derive(Debug, Clone)]
enum FieldPattern {
    Object(ObjectPattern),
    Leaf(Vec<Matcher>),
}

/// One entry of a leaf array ("Content filtering" lists the matcher kinds).
#[derive(Debug, Clone)]
enum Matcher {
    /// A literal string, number, boolean or null: exact match.
    Equals(Value),
    Prefix(Affix),
    Suffix(Affix),
    /// Holds the lower-cased value.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    /// Matches a present leaf that none of the inner matchers matches.
    AnythingBut(Vec<Matcher>),
    /// Bounds that must all hold; only JSON numbers match.
    Numeric(Vec<(NumOp, f64)>),
    Exists(bool),
    Cidr(Cidr),
}

/// The argument of a prefix or suffix matcher.
#[derive(Debug, Clone)]
struct Affix {
    /// Lower-cased when `ignore_case` is set.
    text: String,
    ignore_case: bool,
}

impl Affix {
    fn is_prefix_of(&self, s: &str) -> bool {
        if self.ignore_case {
            s.to_lowercase().starts_with(&self.text)
        } else {
            s.starts_with(&self.text)
        }
    }

    fn is_suffix_of(&self, s: &str) -> bool {
        if self.ignore_case {
            s.to_lowercase().ends_with(&self.text)
        } else {
            s.ends_with(&self.text)
        }
    }
}

/// Comparison operators of a `numeric` matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl NumOp {
    fn parse(op: &str) -> Option<NumOp> {
        match op {
            "=" => Some(NumOp::Eq),
            "<" => Some(NumOp::Lt),
            "<=" => Some(NumOp::Le),
            ">" => Some(NumOp::Gt),
            ">=" => Some(NumOp::Ge),
            _ => None,
        }
    }

    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            NumOp::Eq => value == bound,
            NumOp::Lt => value < bound,
            NumOp::Le => value <= bound,
            NumOp::Gt => value > bound,
            NumOp::Ge => value >= bound,
        }
    }

    fn is_lower_bound(self) -> bool {
        matches!(self, NumOp::Gt | NumOp::Ge)
    }

    fn is_upper_bound(self) -> bool {
        matches!(self, NumOp::Lt | NumOp::Le)
    }
}

/// A `wildcard` value: literal parts with a `*` between each pair.
#[derive(Debug, Clone)]
struct Wildcard {
    parts: Vec<String>,
}

impl Wildcard {
    /// `*` matches any run of characters, `\*` is a literal star and `\\` a
    /// literal backslash. As in Event Ruler, consecutive `*` and any other
    /// escape are errors.
    fn parse(text: &str, path: &str) -> Result<Wildcard, PatternError> {
        let mut parts = vec![String::new()];
        let mut chars = text.chars();
        let mut after_star = false;
        while let Some(c) = chars.next() {
            match c {
                '*' if after_star => {
                    return Err(error(
                        path,
                        format!("wildcard \"{text}\" has consecutive '*' characters"),
                    ));
                }
                '*' => parts.push(String::new()),
                '\\' => match chars.next() {
                    Some(escaped @ ('*' | '\\')) => push_char(&mut parts, escaped),
                    _ => {
                        return Err(error(
                            path,
                            format!("wildcard \"{text}\": '\\' may only escape '*' or '\\'"),
                        ));
                    }
                },
                _ => push_char(&mut parts, c),
            }
            after_star = c == '*';
        }
        Ok(Wildcard { parts })
    }

    fn matches(&self, s: &str) -> bool {
        star_match(&self.parts, s)
    }
}

/// Whether `s` is `parts[0] * parts[1] * … * parts[n]`, each `*` standing for
/// any run of characters (possibly empty). Also used by `metric_filter`,
/// whose `*` wildcards have the same meaning.
pub(super) fn star_match(parts: &[String], s: &str) -> bool {
    let (first, last) = match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return false,
    };
    if parts.len() == 1 {
        return s == first;
    }
    if s.len() < first.len() + last.len() || !s.starts_with(first) || !s.ends_with(last) {
        return false;
    }
    let Some(mut rest) = s.get(first.len()..s.len() - last.len()) else {
        return false;
    };
    // Leftmost matching of each middle part is enough when the only
    // metacharacter is `*`.
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part.as_str()) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    true
}

fn push_char(parts: &mut [String], c: char) {
    if let Some(last) = parts.last_mut() {
        last.push(c);
    }
}

/// A `cidr` block, IPv4 or IPv6.
#[derive(Debug, Clone)]
enum Cidr {
    V4 { network: u32, mask: u32 },
    V6 { network: u128, mask: u128 },
}

impl Cidr {
    /// Parses `addr/len`; a bare address is a single-host block.
    fn parse(text: &str, path: &str) -> Result<Cidr, PatternError> {
        let invalid = || error(path, format!("invalid CIDR block \"{text}\""));
        let (addr, len) = match text.split_once('/') {
            Some((addr, len)) => (addr, Some(len.parse::<u32>().map_err(|_| invalid())?)),
            None => (text, None),
        };
        match addr.parse::<IpAddr>().map_err(|_| invalid())? {
            IpAddr::V4(ip) => {
                let len = len.unwrap_or(32);
                if len > 32 {
                    return Err(invalid());
                }
                let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                Ok(Cidr::V4 {
                    network: u32::from(ip) & mask,
                    mask,
                })
            }
            IpAddr::V6(ip) => {
                let len = len.unwrap_or(128);
                if len > 128 {
                    return Err(invalid());
                }
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                Ok(Cidr::V6 {
                    network: u128::from(ip) & mask,
                    mask,
                })
            }
        }
    }

    fn contains(&self, s: &str) -> bool {
        match (self, s.parse::<IpAddr>()) {
            (Cidr::V4 { network, mask }, Ok(IpAddr::V4(ip))) => u32::from(ip) & mask == *network,
            (Cidr::V6 { network, mask }, Ok(IpAddr::V6(ip))) => u128::from(ip) & mask == *network,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------- matching

impl ObjectPattern {
    /// Matches the event value at this object's path (`None`: absent).
    fn matches(&self, value: Option<&Value>) -> bool {
        match value {
            // An array of objects: some single element must match everything.
            Some(Value::Array(items)) if !items.is_empty() => {
                items.iter().any(|item| self.matches(Some(item)))
            }
            Some(Value::Object(map)) => self.matches_fields(Some(map)),
            // Absent, empty array or a leaf: none of our fields exist below it.
            _ => self.matches_fields(None),
        }
    }

    fn matches_fields(&self, map: Option<&Map<String, Value>>) -> bool {
        let fields_match = self
            .fields
            .iter()
            .all(|(key, pattern)| pattern.matches(map.and_then(|m| m.get(key))));
        fields_match
            && self
                .any_of
                .iter()
                .all(|alternatives| alternatives.iter().any(|alt| alt.matches_fields(map)))
    }
}

impl FieldPattern {
    fn matches(&self, value: Option<&Value>) -> bool {
        match self {
            FieldPattern::Object(object) => object.matches(value),
            FieldPattern::Leaf(matchers) => leaf_matches(matchers, value),
        }
    }
}

/// A leaf list matches if any matcher matches any leaf value of the field.
fn leaf_matches(matchers: &[Matcher], value: Option<&Value>) -> bool {
    let mut leaves = Vec::new();
    if let Some(value) = value {
        collect_leaves(value, &mut leaves);
    }
    matchers.iter().any(|matcher| match matcher {
        // "Exists matching only works on leaf nodes": a field holding an
        // object (or an empty array) does not exist for this purpose.
        Matcher::Exists(wanted) => leaves.is_empty() != *wanted,
        _ => leaves.iter().any(|leaf| matcher.matches_leaf(leaf)),
    })
}

/// Scalars are leaves; arrays contribute their elements; objects nothing.
fn collect_leaves<'a>(value: &'a Value, leaves: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect_leaves(item, leaves)),
        Value::Object(_) => {}
        scalar => leaves.push(scalar),
    }
}

impl Matcher {
    fn matches_leaf(&self, leaf: &Value) -> bool {
        let text = leaf.as_str();
        match self {
            Matcher::Equals(expected) => values_equal(expected, leaf),
            Matcher::Prefix(affix) => text.is_some_and(|s| affix.is_prefix_of(s)),
            Matcher::Suffix(affix) => text.is_some_and(|s| affix.is_suffix_of(s)),
            Matcher::EqualsIgnoreCase(lower) => text.is_some_and(|s| s.to_lowercase() == *lower),
            Matcher::Wildcard(wildcard) => text.is_some_and(|s| wildcard.matches(s)),
            Matcher::AnythingBut(excluded) => !excluded.iter().any(|m| m.matches_leaf(leaf)),
            Matcher::Numeric(bounds) => leaf
                .as_f64()
                .is_some_and(|x| bounds.iter().all(|(op, bound)| op.holds(x, *bound))),
            Matcher::Exists(wanted) => *wanted,
            Matcher::Cidr(cidr) => text.is_some_and(|s| cidr.contains(s)),
        }
    }
}

/// Exact matching: same JSON type and value; numbers compare numerically
/// (`5` matches `5.0`, but the string `"5"` does not match the number `5`).
fn values_equal(expected: &Value, leaf: &Value) -> bool {
    match (expected, leaf) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => a.as_f64() == b.as_f64(),
        },
        (Value::Array(_) | Value::Object(_), _) => false,
        _ => expected == leaf,
    }
}

// ----------------------------------------------------------------- parsing

fn error(path: &str, message: impl fmt::Display) -> PatternError {
    let at = if path.is_empty() { "pattern" } else { path };
    PatternError(format!("{at}: {message}"))
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether some object key of `value` holds a dot.
fn has_dotted_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, inner)| key.contains('.') || has_dotted_key(inner)),
        Value::Array(items) => items.iter().any(has_dotted_key),
        _ => false,
    }
}

/// `value` with every dot-joined key (`"state.status": x`) nested (`"state": {"status":
/// x}`), merged with what is already there: the event as EventBridge flattens it.
fn undot(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, inner) in map {
                let inner = undot(inner);
                let mut segments = key.split('.').rev();
                let last = segments.next().unwrap_or_default();
                let mut nested = Map::new();
                nested.insert(last.to_owned(), inner);
                for segment in segments {
                    let mut up = Map::new();
                    up.insert(segment.to_owned(), Value::Object(nested));
                    nested = up;
                }
                merge(&mut out, nested);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(undot).collect()),
        other => other.clone(),
    }
}

/// Adds `from` into `into`, merging objects that both hold under one key; otherwise the
/// value already there stays and the other joins it in an array, so both are matched.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (None, value) => {
                into.insert(key, value);
            }
            (Some(Value::Object(existing)), Value::Object(more)) => merge(existing, more),
            (Some(existing), value) => {
                let previous = existing.take();
                *existing = Value::Array(vec![previous, value]);
            }
        }
    }
}

fn parse_object(map: &Map<String, Value>, path: &str) -> Result<ObjectPattern, PatternError> {
    if map.is_empty() {
        return Err(error(path, "empty objects are not allowed"));
    }
    let mut object = ObjectPattern {
        fields: Vec::new(),
        any_of: Vec::new(),
    };
    for (key, value) in map {
        let path = child(path, key);
        if key == "$or" {
            object.any_of.push(parse_or(value, &path)?);
            continue;
        }
        let mut field = match value {
            Value::Object(inner) => FieldPattern::Object(parse_object(inner, &path)?),
            Value::Array(items) => FieldPattern::Leaf(parse_leaf(items, &path)?),
            other => {
                return Err(error(
                    &path,
                    format!(
                        "must be an object or an array of matchers, found {}",
                        kind(other)
                    ),
                ));
            }
        };
        // A dot-joined key (`"state.status"`) names the nested field, as the event's
        // fields are flattened with dots before matching.
        let mut segments: Vec<&str> = key.split('.').collect();
        let first = segments.remove(0);
        for inner in segments.iter().rev() {
            field = FieldPattern::Object(ObjectPattern {
                fields: vec![((*inner).to_owned(), field)],
                any_of: Vec::new(),
            });
        }
        object.fields.push((first.to_owned(), field));
    }
    Ok(object)
}

/// `"$or"` must hold at least two pattern objects (Event Ruler requires two).
fn parse_or(value: &Value, path: &str) -> Result<Vec<ObjectPattern>, PatternError> {
    let items = match value {
        Value::Array(items) if items.len() >= 2 => items,
        _ => {
            return Err(error(
                path,
                "must be an array of at least two pattern objects",
            ));
        }
    };
    let mut alternatives = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        match item {
            Value::Object(map) => alternatives.push(parse_object(map, &path)?),
            other => {
                return Err(error(
                    &path,
                    format!("must be a pattern object, found {}", kind(other)),
                ));
            }
        }
    }
    Ok(alternatives)
}

fn parse_leaf(items: &[Value], path: &str) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(error(path, "empty arrays are not allowed"));
    }
    let mut matchers = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let matcher = match item {
            Value::Object(map) => parse_matcher(map, &path)?,
            Value::Array(_) => return Err(error(&path, "nested arrays are not allowed")),
            scalar => Matcher::Equals(scalar.clone()),
        };
        matchers.push(matcher);
    }
    Ok(matchers)
}

/// A matcher object has exactly one key: the matcher's name.
fn single_entry<'a>(
    map: &'a Map<String, Value>,
    path: &str,
) -> Result<(&'a str, &'a Value), PatternError> {
    match map.iter().next() {
        Some((name, arg)) if map.len() == 1 => Ok((name.as_str(), arg)),
        _ => Err(error(
            path,
            format!(
                "a matcher object must have exactly one key, found {}",
                map.len()
            ),
        )),
    }
}

fn parse_matcher(map: &Map<String, Value>, path: &str) -> Result<Matcher, PatternError> {
    let (name, arg) = single_entry(map, path)?;
    match name {
        "prefix" => Ok(Matcher::Prefix(parse_affix(name, arg, path)?)),
        "suffix" => Ok(Matcher::Suffix(parse_affix(name, arg, path)?)),
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(
            expect_str(name, arg, path)?.to_lowercase(),
        )),
        "wildcard" => Ok(Matcher::Wildcard(Wildcard::parse(
            expect_str(name, arg, path)?,
            path,
        )?)),
        "anything-but" => Ok(Matcher::AnythingBut(parse_anything_but(arg, path)?)),
        "numeric" => Ok(Matcher::Numeric(parse_numeric(arg, path)?)),
        "exists" => match arg {
            Value::Bool(wanted) => Ok(Matcher::Exists(*wanted)),
            other => Err(error(
                path,
                format!("\"exists\" expects true or false, found {}", kind(other)),
            )),
        },
        "cidr" => Ok(Matcher::Cidr(Cidr::parse(
            expect_str(name, arg, path)?,
            path,
        )?)),
        other => Err(error(path, format!("unknown matcher \"{other}\""))),
    }
}

fn expect_str<'a>(name: &str, arg: &'a Value, path: &str) -> Result<&'a str, PatternError> {
    arg.as_str().ok_or_else(|| {
        error(
            path,
            format!("\"{name}\" expects a string, found {}", kind(arg)),
        )
    })
}

/// `"x"` or `{"equals-ignore-case": "x"}`, the argument of prefix and suffix.
fn parse_affix(name: &str, arg: &Value, path: &str) -> Result<Affix, PatternError> {
    match arg {
        Value::String(text) => Ok(Affix {
            text: text.clone(),
            ignore_case: false,
        }),
        Value::Object(map) => match single_entry(map, path)? {
            ("equals-ignore-case", Value::String(text)) => Ok(Affix {
                text: text.to_lowercase(),
                ignore_case: true,
            }),
            _ => Err(affix_error(name, arg, path)),
        },
        _ => Err(affix_error(name, arg, path)),
    }
}

fn affix_error(name: &str, arg: &Value, path: &str) -> PatternError {
    error(
        path,
        format!(
            "\"{name}\" expects a string or {{\"equals-ignore-case\": string}}, found {}",
            kind(arg)
        ),
    )
}

/// The forms "Content filtering" documents for anything-but: a string or
/// number, a list of only strings or only numbers, or an object holding one
/// of prefix, suffix, equals-ignore-case or wildcard.
fn parse_anything_but(arg: &Value, path: &str) -> Result<Vec<Matcher>, PatternError> {
    match arg {
        Value::String(_) | Value::Number(_) => Ok(vec![Matcher::Equals(arg.clone())]),
        Value::Array(items) => {
            let all_strings = items.iter().all(Value::is_string);
            let all_numbers = items.iter().all(Value::is_number);
            if items.is_empty() || !(all_strings || all_numbers) {
                return Err(error(
                    path,
                    "\"anything-but\" list must hold only strings or only numbers, and at least one",
                ));
            }
            Ok(items.iter().cloned().map(Matcher::Equals).collect())
        }
        Value::Object(map) => parse_anything_but_operator(map, path),
        other => Err(error(
            path,
            format!(
                "\"anything-but\" expects a string, a number, a list or an object, found {}",
                kind(other)
            ),
        )),
    }
}

fn parse_anything_but_operator(
    map: &Map<String, Value>,
    path: &str,
) -> Result<Vec<Matcher>, PatternError> {
    let (op, arg) = single_entry(map, path)?;
    let non_empty = |name: &str| -> Result<String, PatternError> {
        match arg.as_str() {
            Some(text) if !text.is_empty() => Ok(text.to_owned()),
            _ => Err(error(
                path,
                format!("\"anything-but\" {name} expects a non-empty string"),
            )),
        }
    };
    // A prefix or suffix, or a list of them (`{"prefix": ["ci-", "deploy-"]}`): any one
    // excludes the value.
    let affixes = |name: &str| -> Result<Vec<Affix>, PatternError> {
        match arg {
            Value::Array(_) => string_list(name, arg, path)?
                .into_iter()
                .map(|text| {
                    if text.is_empty() {
                        Err(error(
                            path,
                            format!("\"anything-but\" {name} expects non-empty strings"),
                        ))
                    } else {
                        Ok(Affix {
                            text: text.to_owned(),
                            ignore_case: false,
                        })
                    }
                })
                .collect(),
            _ => Ok(vec![Affix {
                text: non_empty(name)?,
                ignore_case: false,
            }]),
        }
    };
    match op {
        "prefix" => Ok(affixes(op)?.into_iter().map(Matcher::Prefix).collect()),
        "suffix" => Ok(affixes(op)?.into_iter().map(Matcher::Suffix).collect()),
        "equals-ignore-case" => Ok(string_list(op, arg, path)?
            .into_iter()
            .map(|s| Matcher::EqualsIgnoreCase(s.to_lowercase()))
            .collect()),
        "wildcard" => string_list(op, arg, path)?
            .into_iter()
            .map(|s| Wildcard::parse(s, path).map(Matcher::Wildcard))
            .collect(),
        other => Err(error(
            path,
            format!("unsupported \"anything-but\" operator \"{other}\""),
        )),
    }
}

/// A string, or a non-empty array of strings.
fn string_list<'a>(name: &str, arg: &'a Value, path: &str) -> Result<Vec<&'a str>, PatternError> {
    let strings: Option<Vec<&str>> = match arg {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    strings.ok_or_else(|| {
        error(
            path,
            format!("\"anything-but\" {name} expects a string or a list of strings"),
        )
    })
}

/// `[op, n]` or a range `[">" | ">=", low, "<" | "<=", high]`, the shapes
/// EventBridge accepts.
fn parse_numeric(arg: &Value, path: &str) -> Result<Vec<(NumOp, f64)>, PatternError> {
    let shape = || {
        error(
            path,
            "\"numeric\" expects [operator, number] or [\">\"|\">=\", number, \"<\"|\"<=\", number]",
        )
    };
    let items = match arg {
        Value::Array(items) if items.len() == 2 || items.len() == 4 => items,
        _ => return Err(shape()),
    };
    let mut bounds = Vec::new();
    for pair in items.chunks(2) {
        let (op, bound) = match pair {
            [op, bound] => (op, bound),
            _ => return Err(shape()),
        };
        let op_text = op.as_str().ok_or_else(shape)?;
        let op = NumOp::parse(op_text)
            .ok_or_else(|| error(path, format!("unknown numeric operator \"{op_text}\"")))?;
        let bound = bound.as_f64().ok_or_else(|| {
            error(
                path,
                format!(
                    "numeric operator \"{op_text}\" needs a number, found {}",
                    kind(bound)
                ),
            )
        })?;
        bounds.push((op, bound));
    }
    let ordered = match bounds.as_slice() {
        [(low, _), (high, _)] => low.is_lower_bound() && high.is_upper_bound(),
        _ => true,
    };
    if !ordered {
        return Err(error(
            path,
            "a numeric range is a lower bound (\">\" or \">=\") followed by an upper bound (\"<\" or \"<=\")",
        ));
    }
    // A range that holds no number can match nothing; EventBridge refuses it.
    if let [(low_op, low), (high_op, high)] = bounds.as_slice() {
        let both_inclusive = matches!(low_op, NumOp::Ge) && matches!(high_op, NumOp::Le);
        if low > high || (low == high && !both_inclusive) {
            return Err(error(
                path,
                format!("the numeric range from {low} to {high} holds no number"),
            ));
        }
    }
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::samples::{self, SampleEvent};
    use serde_json::json;

    const ACCOUNT: &str = "111122223333";
    const REGION: &str = "eu-west-1";

    /// An EventBridge event with one field of every shape the cases need.
    fn event() -> Value {
        json!({
            "version": "0",
            "id": "eeeeeeee-1111-4111-8111-000000000001",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ec2",
            "account": "111122223333",
            "time": "2026-11-20T09:00:00Z",
            "region": "eu-west-1",
            "resources": [
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0",
                "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0"
            ],
            "detail": {
                "eventName": "TerminateInstances",
                "sourceIPAddress": "10.0.0.33",
                "ipv6": "2001:db8::1",
                "count": 5,
                "limit": 301.8,
                "accountNumber": 111122223333_u64,
                "readOnly": false,
                "errorCode": null,
                "empty": "",
                "file": "Report.PNG",
                "path": "/usr/lib/libc.so",
                "star": "a*b",
                "notStar": "axb",
                "backslash": "a\\b",
                "tags": ["prod", "pci"],
                "none": [],
                "items": [
                    {"id": "i-1", "state": "running"},
                    {"id": "i-2", "state": "stopped"}
                ],
                "userIdentity": {
                    "type": "AssumedRole",
                    "sessionContext": {"sessionIssuer": {"userName": "coding-agent"}}
                }
            }
        })
    }

    fn check(cases: &[(&str, Value, bool)]) {
        let event = event();
        for (name, pattern, expected) in cases {
            let text = pattern.to_string();
            let parsed = EventPattern::parse(&text)
                .unwrap_or_else(|e| panic!("case {name}: {text} failed to parse: {e}"));
            assert_eq!(parsed.matches(&event), *expected, "case {name}: {text}");
        }
    }

    #[test]
    fn literal_values() {
        check(&[
            ("string", json!({"source": ["aws.ec2"]}), true),
            (
                "string list is OR",
                json!({"source": ["aws.rds", "aws.ec2"]}),
                true,
            ),
            ("string mismatch", json!({"source": ["aws.rds"]}), false),
            (
                "case-sensitive",
                json!({"detail": {"eventName": ["terminateinstances"]}}),
                false,
            ),
            (
                "number numerically",
                json!({"detail": {"count": [5.0]}}),
                true,
            ),
            ("float", json!({"detail": {"limit": [301.8]}}), true),
            (
                "large integer",
                json!({"detail": {"accountNumber": [111122223333_u64]}}),
                true,
            ),
            (
                "string never equals number",
                json!({"detail": {"count": ["5"]}}),
                false,
            ),
            ("number never equals string", json!({"version": [0]}), false),
            ("boolean", json!({"detail": {"readOnly": [false]}}), true),
            (
                "boolean mismatch",
                json!({"detail": {"readOnly": [true]}}),
                false,
            ),
            ("null", json!({"detail": {"errorCode": [null]}}), true),
            ("empty string", json!({"detail": {"empty": [""]}}), true),
            (
                "empty string is not null",
                json!({"detail": {"errorCode": [""]}}),
                false,
            ),
        ]);
    }

    #[test]
    fn structure_and_arrays() {
        check(&[
            (
                "all keys must match",
                json!({"source": ["aws.ec2"], "detail": {"eventName": ["DeleteSnapshot"]}}),
                false,
            ),
            (
                "deep nesting",
                json!({"detail": {"userIdentity": {"sessionContext": {"sessionIssuer": {"userName": ["coding-agent"]}}}}}),
                true,
            ),
            (
                "event array, any element",
                json!({"detail": {"tags": ["pci"]}}),
                true,
            ),
            (
                "event array, no element",
                json!({"detail": {"tags": ["dev"]}}),
                false,
            ),
            (
                "event array with matcher",
                json!({"resources": [{"suffix": "volume/vol-0123456789abcdef0"}]}),
                true,
            ),
            (
                "array of objects, same element",
                json!({"detail": {"items": {"id": ["i-2"], "state": ["stopped"]}}}),
                true,
            ),
            (
                "array of objects, different elements",
                json!({"detail": {"items": {"id": ["i-1"], "state": ["stopped"]}}}),
                false,
            ),
            ("missing field", json!({"detail": {"nope": ["x"]}}), false),
            ("missing parent", json!({"nothere": {"x": ["y"]}}), false),
            (
                "object where leaf expected",
                json!({"detail": {"userIdentity": ["x"]}}),
                false,
            ),
            (
                "leaf where object expected",
                json!({"source": {"x": ["y"]}}),
                false,
            ),
        ]);
    }

    #[test]
    fn exists_matching() {
        check(&[
            (
                "present",
                json!({"detail": {"eventName": [{"exists": true}]}}),
                true,
            ),
            (
                "present, want absent",
                json!({"detail": {"eventName": [{"exists": false}]}}),
                false,
            ),
            (
                "absent",
                json!({"detail": {"nope": [{"exists": false}]}}),
                true,
            ),
            (
                "absent, want present",
                json!({"detail": {"nope": [{"exists": true}]}}),
                false,
            ),
            (
                "null value exists",
                json!({"detail": {"errorCode": [{"exists": true}]}}),
                true,
            ),
            (
                "empty array does not exist",
                json!({"detail": {"none": [{"exists": false}]}}),
                true,
            ),
            (
                "intermediate node does not exist",
                json!({"detail": {"userIdentity": [{"exists": true}]}}),
                false,
            ),
            (
                "absent parent, want absent",
                json!({"nothere": {"x": [{"exists": false}]}}),
                true,
            ),
            (
                "literal OR absent",
                json!({"detail": {"nope": ["x", {"exists": false}]}}),
                true,
            ),
        ]);
    }

    #[test]
    fn string_matchers() {
        check(&[
            (
                "prefix",
                json!({"detail": {"eventName": [{"prefix": "Terminate"}]}}),
                true,
            ),
            (
                "prefix is case-sensitive",
                json!({"detail": {"eventName": [{"prefix": "terminate"}]}}),
                false,
            ),
            (
                "prefix ignoring case",
                json!({"detail": {"eventName": [{"prefix": {"equals-ignore-case": "tERMINATE"}}]}}),
                true,
            ),
            (
                "prefix only on strings",
                json!({"detail": {"count": [{"prefix": "5"}]}}),
                false,
            ),
            (
                "suffix",
                json!({"detail": {"file": [{"suffix": ".PNG"}]}}),
                true,
            ),
            (
                "suffix is case-sensitive",
                json!({"detail": {"file": [{"suffix": ".png"}]}}),
                false,
            ),
            (
                "suffix ignoring case",
                json!({"detail": {"file": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
                true,
            ),
            (
                "equals-ignore-case",
                json!({"detail": {"eventName": [{"equals-ignore-case": "TERMINATEINSTANCES"}]}}),
                true,
            ),
            (
                "equals-ignore-case is whole value",
                json!({"detail": {"eventName": [{"equals-ignore-case": "terminate"}]}}),
                false,
            ),
            (
                "mixed literal and prefix",
                json!({"detail": {"eventName": [{"prefix": "Delete"}, "TerminateInstances"]}}),
                true,
            ),
        ]);
    }

    #[test]
    fn wildcard_matching() {
        let w = |pattern: &str, field: &str| json!({"detail": {field: [{"wildcard": pattern}]}});
        check(&[
            ("trailing star", w("Terminate*", "eventName"), true),
            ("leading star", w("*Instances", "eventName"), true),
            ("stars inside", w("T*n*s", "eventName"), true),
            (
                "star matches empty run",
                w("TerminateInstances*", "eventName"),
                true,
            ),
            ("no star is exact", w("Terminate", "eventName"), false),
            ("mismatch", w("*Snapshot", "eventName"), false),
            (
                "overlapping ends",
                w("TerminateI*Instances", "eventName"),
                false,
            ),
            ("escaped star is literal", w("a\\*b", "star"), true),
            (
                "escaped star is not a wildcard",
                w("a\\*b", "notStar"),
                false,
            ),
            ("escaped backslash", w("a\\\\b", "backslash"), true),
            ("wildcard only on strings", w("*", "count"), false),
            ("path", w("*/lib/*", "path"), true),
        ]);
    }

    #[test]
    fn anything_but_forms() {
        let ab = |field: &str, arg: Value| json!({"detail": {field: [{"anything-but": arg}]}});
        check(&[
            (
                "string, other value",
                json!({"source": [{"anything-but": "aws.rds"}]}),
                true,
            ),
            (
                "string, same value",
                json!({"source": [{"anything-but": "aws.ec2"}]}),
                false,
            ),
            (
                "string list",
                json!({"source": [{"anything-but": ["aws.rds", "aws.ec2"]}]}),
                false,
            ),
            ("number", ab("count", json!(5)), false),
            ("number list", ab("count", json!([1, 2, 3])), true),
            (
                "prefix",
                ab("eventName", json!({"prefix": "Terminate"})),
                false,
            ),
            (
                "prefix, other",
                ab("eventName", json!({"prefix": "Delete"})),
                true,
            ),
            ("suffix", ab("file", json!({"suffix": ".PNG"})), false),
            (
                "equals-ignore-case",
                ab(
                    "eventName",
                    json!({"equals-ignore-case": "terminateINSTANCES"}),
                ),
                false,
            ),
            (
                "equals-ignore-case list",
                ab("eventName", json!({"equals-ignore-case": ["a", "b"]})),
                true,
            ),
            (
                "wildcard",
                ab("path", json!({"wildcard": "*/lib/*"})),
                false,
            ),
            (
                "wildcard list",
                ab("path", json!({"wildcard": ["*/bin/*", "*/sbin/*"]})),
                true,
            ),
            ("missing field never matches", ab("nope", json!("x")), false),
            (
                "array: any element not excluded",
                ab("tags", json!("prod")),
                true,
            ),
            (
                "array: every element excluded",
                ab("tags", json!(["prod", "pci"])),
                false,
            ),
        ]);
    }

    #[test]
    fn numeric_and_cidr() {
        let num = |field: &str, arg: Value| json!({"detail": {field: [{"numeric": arg}]}});
        let cidr = |field: &str, block: &str| json!({"detail": {field: [{"cidr": block}]}});
        check(&[
            ("range inside", num("count", json!([">", 0, "<=", 5])), true),
            (
                "range outside",
                num("count", json!([">", 5, "<", 10])),
                false,
            ),
            ("equals", num("count", json!(["=", 5])), true),
            ("at or above", num("limit", json!([">=", 301.8])), true),
            ("below", num("limit", json!(["<", 301.8])), false),
            (
                "only numbers",
                json!({"version": [{"numeric": ["=", 0]}]}),
                false,
            ),
            ("ipv4 inside", cidr("sourceIPAddress", "10.0.0.0/24"), true),
            (
                "ipv4 outside",
                cidr("sourceIPAddress", "10.0.1.0/24"),
                false,
            ),
            (
                "ipv4 whole space",
                cidr("sourceIPAddress", "0.0.0.0/0"),
                true,
            ),
            ("single host", cidr("sourceIPAddress", "10.0.0.33"), true),
            ("ipv6 inside", cidr("ipv6", "2001:db8::/32"), true),
            (
                "ipv6 block, ipv4 address",
                cidr("sourceIPAddress", "::/0"),
                false,
            ),
            ("not an address", cidr("eventName", "10.0.0.0/8"), false),
        ]);
    }

    #[test]
    fn or_combinations() {
        check(&[
            (
                "top-level $or, second matches",
                json!({"$or": [{"source": ["aws.rds"]}, {"detail": {"eventName": ["TerminateInstances"]}}]}),
                true,
            ),
            (
                "top-level $or, none matches",
                json!({"$or": [{"source": ["aws.rds"]}, {"detail": {"eventName": ["DeleteTable"]}}]}),
                false,
            ),
            (
                "$or is ANDed with other keys",
                json!({"source": ["aws.rds"], "detail": {"$or": [{"eventName": ["TerminateInstances"]}, {"count": [5]}]}}),
                false,
            ),
            (
                "nested $or",
                json!({"source": ["aws.ec2"], "detail": {"$or": [
                    {"eventName": [{"prefix": "Delete"}]},
                    {"count": [{"numeric": [">", 3]}]}
                ]}}),
                true,
            ),
            (
                "$or alternative with several keys",
                json!({"detail": {"$or": [
                    {"eventName": ["TerminateInstances"], "readOnly": [true]},
                    {"eventName": ["TerminateInstances"], "readOnly": [false]}
                ]}}),
                true,
            ),
            (
                "$or inside an alternative",
                json!({"$or": [
                    {"source": ["aws.rds"]},
                    {"detail": {"$or": [{"tags": ["dev"]}, {"tags": ["pci"]}]}}
                ]}),
                true,
            ),
        ]);
    }

    #[test]
    fn anything_but_a_list_of_prefixes_or_suffixes_excludes_each() {
        // "Content filtering": anything-but with prefix or suffix; excluding several CI roles
        // at once is the common form. Before: rejected as invalid.
        let user = "userIdentity";
        let issuer = |arg: Value| json!({"detail": {user: {"sessionContext": {"sessionIssuer": {"userName": [{"anything-but": arg}]}}}}});
        check(&[
            (
                "no listed prefix",
                issuer(json!({"prefix": ["ci-", "deploy-"]})),
                true,
            ),
            (
                "a listed prefix",
                issuer(json!({"prefix": ["ci-", "coding-"]})),
                false,
            ),
            (
                "a listed suffix",
                issuer(json!({"suffix": ["-bot", "-agent"]})),
                false,
            ),
            (
                "no listed suffix",
                issuer(json!({"suffix": ["-bot"]})),
                true,
            ),
        ]);
        for bad in [
            r#"{"source":[{"anything-but":{"prefix":[]}}]}"#,
            r#"{"source":[{"anything-but":{"prefix":["ci-",""]}}]}"#,
            r#"{"source":[{"anything-but":{"suffix":["x",1]}}]}"#,
        ] {
            assert!(EventPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dot_joined_keys_match_nested_fields_both_ways() {
        // Event Ruler flattens field names with dots before matching, so a pattern key
        // `sessionContext.sessionIssuer` and a nested one name the same field. Before: the
        // dotted form silently matched nothing.
        check(&[
            (
                "dotted pattern, nested event",
                json!({"detail": {"userIdentity.sessionContext.sessionIssuer.userName": ["coding-agent"]}}),
                true,
            ),
            (
                "partly dotted",
                json!({"detail": {"userIdentity": {"sessionContext.sessionIssuer": {"userName": ["coding-agent"]}}}}),
                true,
            ),
            (
                "dotted, other value",
                json!({"detail": {"userIdentity.type": ["Root"]}}),
                false,
            ),
        ]);
        let dotted_event = json!({"source": "aws.ec2", "detail": {"state.status": "stopped", "state": {"code": 80}}});
        let nested =
            EventPattern::parse(r#"{"detail":{"state":{"status":["stopped"],"code":[80]}}}"#)
                .unwrap();
        assert!(
            nested.matches(&dotted_event),
            "nested pattern, dotted event"
        );
        let other = EventPattern::parse(r#"{"detail":{"state":{"status":["running"]}}}"#).unwrap();
        assert!(!other.matches(&dotted_event));
    }

    #[test]
    fn a_numeric_range_that_holds_no_number_is_invalid() {
        for (bad, says) in [
            (
                r#"{"detail":{"count":[{"numeric":[">",10,"<",5]}]}}"#,
                "from 10 to 5 holds no number",
            ),
            (
                r#"{"detail":{"count":[{"numeric":[">=",5,"<",5]}]}}"#,
                "from 5 to 5 holds no number",
            ),
            (
                r#"{"detail":{"count":[{"numeric":[">",5,"<=",5]}]}}"#,
                "from 5 to 5 holds no number",
            ),
        ] {
            let err = EventPattern::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains(says) && err.starts_with("detail.count[0]"),
                "{bad}: {err}"
            );
        }
        check(&[(
            "a one-number range",
            json!({"detail": {"count": [{"numeric": [">=", 5, "<=", 5]}]}}),
            true,
        )]);
    }

    #[test]
    fn invalid_patterns_name_the_problem_and_path() {
        let cases: &[(&str, &str)] = &[
            (
                r#""aws.ec2""#,
                "pattern: must be a JSON object, found string",
            ),
            ("[]", "pattern: must be a JSON object, found array"),
            ("{}", "pattern: empty objects are not allowed"),
            (
                r#"{"source":"aws.ec2"}"#,
                "source: must be an object or an array of matchers, found string",
            ),
            (r#"{"detail":{}}"#, "detail: empty objects are not allowed"),
            (r#"{"source":[]}"#, "source: empty arrays are not allowed"),
            (
                r#"{"source":[["aws.ec2"]]}"#,
                "source[0]: nested arrays are not allowed",
            ),
            (
                r#"{"detail":{"eventName":[{"prefixx":"Delete"}]}}"#,
                r#"detail.eventName[0]: unknown matcher "prefixx""#,
            ),
            (
                r#"{"source":["x",{"prefix":1}]}"#,
                r#"source[1]: "prefix" expects a string or {"equals-ignore-case": string}, found number"#,
            ),
            (
                r#"{"source":[{"suffix":{"equals-ignore-case":1}}]}"#,
                r#"source[0]: "suffix" expects a string or {"equals-ignore-case": string}, found object"#,
            ),
            (
                r#"{"source":[{"prefix":"a","suffix":"b"}]}"#,
                "source[0]: a matcher object must have exactly one key, found 2",
            ),
            (
                r#"{"source":[{}]}"#,
                "source[0]: a matcher object must have exactly one key, found 0",
            ),
            (
                r#"{"source":[{"equals-ignore-case":5}]}"#,
                r#"source[0]: "equals-ignore-case" expects a string, found number"#,
            ),
            (
                r#"{"detail":{"c":[{"exists":"yes"}]}}"#,
                r#"detail.c[0]: "exists" expects true or false, found string"#,
            ),
            (
                r#"{"detail":{"c":[{"numeric":[">"]}]}}"#,
                r#"detail.c[0]: "numeric" expects [operator, number] or [">"|">=", number, "<"|"<=", number]"#,
            ),
            (
                r#"{"detail":{"c":[{"numeric":["==",1]}]}}"#,
                r#"detail.c[0]: unknown numeric operator "==""#,
            ),
            (
                r#"{"detail":{"c":[{"numeric":[">","0"]}]}}"#,
                r#"detail.c[0]: numeric operator ">" needs a number, found string"#,
            ),
            (
                r#"{"detail":{"c":[{"numeric":["<",5,">",0]}]}}"#,
                r#"detail.c[0]: a numeric range is a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")"#,
            ),
            (
                r#"{"source":[{"anything-but":["a",1]}]}"#,
                r#"source[0]: "anything-but" list must hold only strings or only numbers, and at least one"#,
            ),
            (
                r#"{"source":[{"anything-but":true}]}"#,
                r#"source[0]: "anything-but" expects a string, a number, a list or an object, found boolean"#,
            ),
            (
                r#"{"source":[{"anything-but":{"prefix":""}}]}"#,
                r#"source[0]: "anything-but" prefix expects a non-empty string"#,
            ),
            (
                r#"{"source":[{"anything-but":{"contains":"x"}}]}"#,
                r#"source[0]: unsupported "anything-but" operator "contains""#,
            ),
            (
                r#"{"source":[{"anything-but":{"wildcard":[1]}}]}"#,
                r#"source[0]: "anything-but" wildcard expects a string or a list of strings"#,
            ),
            (
                r#"{"source":[{"wildcard":"a**b"}]}"#,
                r#"source[0]: wildcard "a**b" has consecutive '*' characters"#,
            ),
            (
                r#"{"source":[{"wildcard":"a\\nb"}]}"#,
                r#"source[0]: wildcard "a\nb": '\' may only escape '*' or '\'"#,
            ),
            (
                r#"{"detail":{"ip":[{"cidr":"10.0.0.0/33"}]}}"#,
                r#"detail.ip[0]: invalid CIDR block "10.0.0.0/33""#,
            ),
            (
                r#"{"detail":{"ip":[{"cidr":"banana"}]}}"#,
                r#"detail.ip[0]: invalid CIDR block "banana""#,
            ),
            (
                r#"{"$or":[{"source":["a"]}]}"#,
                "$or: must be an array of at least two pattern objects",
            ),
            (
                r#"{"$or":{"source":["a"]}}"#,
                "$or: must be an array of at least two pattern objects",
            ),
            (
                r#"{"$or":[{"source":["a"]},"b"]}"#,
                "$or[1]: must be a pattern object, found string",
            ),
            (
                r#"{"detail":{"$or":[{"a":["x"]},{"b":[{"nope":1}]}]}}"#,
                r#"detail.$or[1].b[0]: unknown matcher "nope""#,
            ),
        ];
        for (text, expected) in cases {
            match EventPattern::parse(text) {
                Ok(_) => panic!("{text} parsed, expected error {expected}"),
                Err(e) => assert_eq!(e.to_string(), *expected, "{text}"),
            }
        }
    }

    #[test]
    fn invalid_json_is_reported() {
        let err = EventPattern::parse("{\"source\": [").err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.0.starts_with("invalid JSON: ")),
            "{err:?}"
        );
    }

    const AGENT_RULE: &str = r#"{"source":["aws.ec2","aws.rds"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":[{"prefix":"Delete"},"TerminateInstances"],"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":[{"anything-but":{"prefix":"ci-"}}]}}}}}"#;

    fn caught(pattern: &EventPattern, samples: &[SampleEvent]) -> Vec<&'static str> {
        samples
            .iter()
            .filter(|s| pattern.matches(&s.envelope()))
            .map(|s| s.name)
            .collect()
    }

    #[test]
    fn destructive_rule_against_samples() {
        let rule = EventPattern::parse(AGENT_RULE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            caught(&rule, &samples::destructive(ACCOUNT, REGION)),
            [
                "ec2:TerminateInstances",
                "ec2:DeleteSnapshot",
                "rds:DeleteDBInstance",
                "rds:DeleteDBCluster",
            ]
        );
    }

    #[test]
    fn destructive_rule_ignores_ci_principals() {
        let rule = EventPattern::parse(AGENT_RULE).unwrap_or_else(|e| panic!("{e}"));
        for mut sample in samples::destructive(ACCOUNT, REGION) {
            sample.record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"] =
                json!("ci-deployer");
            assert!(!rule.matches(&sample.envelope()), "{}", sample.name);
        }
    }

    #[test]
    fn rule_needs_the_envelope_not_the_bare_record() {
        let rule = EventPattern::parse(AGENT_RULE).unwrap_or_else(|e| panic!("{e}"));
        let sample = &samples::destructive(ACCOUNT, REGION)[0];
        assert!(rule.matches(&sample.envelope()));
        assert!(!rule.matches(&sample.record));
    }

    #[test]
    fn every_sample_matches_its_own_source_and_event_name_only() {
        let mut all = samples::destructive(ACCOUNT, REGION);
        all.extend(samples::iam_changes(ACCOUNT));
        for sample in &all {
            let pattern_for = |event_name: &str| {
                let text = json!({
                    "source": [format!("aws.{}", sample.service())],
                    "detail-type": [samples::API_CALL_DETAIL_TYPE],
                    "detail": {
                        "eventSource": [format!("{}.amazonaws.com", sample.service())],
                        "eventName": [event_name]
                    }
                })
                .to_string();
                EventPattern::parse(&text).unwrap_or_else(|e| panic!("{e}"))
            };
            assert!(
                pattern_for(sample.action()).matches(&sample.envelope()),
                "{}",
                sample.name
            );
            assert!(
                !pattern_for("DescribeInstances").matches(&sample.envelope()),
                "{}",
                sample.name
            );
        }
    }

    #[test]
    fn iam_rule_uses_us_east_1_events() {
        let rule = EventPattern::parse(
            r#"{"source":["aws.iam"],"region":["us-east-1"],"detail":{"eventSource":["iam.amazonaws.com"],"eventName":[{"wildcard":"*Policy*"}]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(caught(&rule, &samples::iam_changes(ACCOUNT)).len(), 10);
    }

    #[test]
    fn malformed_input_never_panics() {
        let inputs = [
            "",
            " ",
            "{",
            "}",
            "null",
            "42",
            "true",
            "[{}]",
            "{\"a\":null}",
            "{\"a\":1}",
            "{\"a\":[{}]}",
            "{\"a\":[{\"numeric\":[]}]}",
            "{\"a\":[{\"numeric\":[\">\",1,\"<\"]}]}",
            "{\"a\":[{\"numeric\":[\">\",1,\"<\",2,\"=\",3]}]}",
            "{\"a\":[{\"numeric\":[1,\">\"]}]}",
            "{\"a\":[{\"wildcard\":\"\\\\\"}]}",
            "{\"a\":[{\"wildcard\":\"*\"}]}",
            "{\"a\":[{\"wildcard\":\"\"}]}",
            "{\"a\":[{\"cidr\":\"/\"}]}",
            "{\"a\":[{\"cidr\":\"1.2.3.4/\"}]}",
            "{\"a\":[{\"cidr\":\"::1/999999999999\"}]}",
            "{\"a\":[{\"cidr\":\"1.2.3.4/0\"}]}",
            "{\"a\":[{\"anything-but\":[]}]}",
            "{\"a\":[{\"anything-but\":{}}]}",
            "{\"a\":[{\"anything-but\":{\"equals-ignore-case\":[]}}]}",
            "{\"a\":[{\"prefix\":{}}]}",
            "{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"\"}}]}",
            "{\"$or\":[]}",
            "{\"$or\":[{},{}]}",
            "{\"$or\":[{\"a\":[\"x\"]},{\"$or\":[{\"b\":[1]},{\"c\":[2]}]}]}",
            "{\"a\":[\"\\u00e9\",{\"equals-ignore-case\":\"\\u00c9\"}]}",
            &"[".repeat(10_000),
            &format!("{}\"a\":[1]{}", "{\"x\":".repeat(200), "}".repeat(200)),
        ];
        let mut events = vec![event(), json!(null), json!([]), json!("x")];
        events.extend(
            samples::destructive(ACCOUNT, REGION)
                .iter()
                .map(SampleEvent::envelope),
        );
        for input in inputs {
            if let Ok(pattern) = EventPattern::parse(input) {
                for event in &events {
                    let _ = pattern.matches(event);
                }
            }
        }
    }
}
