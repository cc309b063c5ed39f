//! The `Condition` element, decided in three values: true, false or unknown.
//!
//! Semantics follow "IAM JSON policy elements: Condition operators", "IAM JSON policy
//! elements: Condition" and "Single-valued vs. multivalued context keys" in the IAM User
//! Guide:
//! - Values listed for one operator and key are ORed; the keys under one operator, and the
//!   operators of a block, are ANDed.
//! - A key absent from the request makes a condition false, except that negated operators
//!   (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, …) are then true, `…IfExists` is then
//!   true, `ForAllValues:` is then true and `ForAnyValue:` false; `Null` tests presence.
//! - Negated operators are true when no policy value matches any request value — but a
//!   request value that is not of a typed operator's type (a number for `NumericNotEquals`,
//!   a date, an IP address, an ARN) makes them false, as the IAM policy simulator decides.
//! - Condition key names are case-insensitive; how values compare depends on the operator.
//! - A key the [`Context`] does not know makes the condition unknown — also for `Null`,
//!   `…IfExists` and the set operators, since the key may be present. An operator the engine
//!   does not implement is unknown too (never an error, never silently true or false).
//! - Policy variables in values (`${aws:username}`) are substituted from the context when
//!   the policy's `Version` is `2012-10-17` (else they are literal text); an unknown
//!   variable makes that comparison unknown. A variable whose key is known to be absent has
//!   no value ("Policy variables with no value"): nothing equals or is like it, so
//!   `StringEquals` is false and `StringNotEquals` true.

use std::cmp::Ordering;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::context::{Context, Lookup, key_hash};
use super::pattern::{
    Glob, OwnedGlob, Tok, has_unvalued_variable, resolve, tokenize, variable_names,
};

/// A three-valued truth (Kleene logic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
    pub(crate) fn and(self, other: Tri) -> Tri {
        self.not().or(other.not()).not()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Cmp::Eq => ord == Ordering::Equal,
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Le => ord != Ordering::Greater,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Arn,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Ip,
    Binary,
}

impl Base {
    /// Whether `*` / `?` in the policy value are wildcards.
    fn wildcard_aware(self) -> bool {
        matches!(self, Base::StringLike | Base::Arn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Null,
    Unsupported,
    Test {
        base: Base,
        negated: bool,
        set: SetOp,
        if_exists: bool,
    },
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
    .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s.as_bytes()[cut..].eq_ignore_ascii_case(suffix.as_bytes()))
        .then(|| &s[..cut])
}

impl Op {
    /// Parses an operator name, case-insensitively, with its `ForAnyValue:` /
    /// `ForAllValues:` prefix and `IfExists` suffix.
    fn parse(name: &str) -> Op {
        let (set, rest) = if let Some(rest) = strip_prefix_ci(name, "ForAnyValue:") {
            (SetOp::ForAnyValue, rest)
        } else if let Some(rest) = strip_prefix_ci(name, "ForAllValues:") {
            (SetOp::ForAllValues, rest)
        } else {
            (SetOp::Single, name)
        };
        let (if_exists, base_name) = match strip_suffix_ci(rest, "IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        if base_name.eq_ignore_ascii_case("Null") {
            return if set == SetOp::Single && !if_exists {
                Op::Null
            } else {
                Op::Unsupported
            };
        }
        let (base, negated) = match base_name.to_ascii_lowercase().as_str() {
            "stringequals" => (Base::StringEquals, false),
            "stringnotequals" => (Base::StringEquals, true),
            "stringequalsignorecase" => (Base::StringEqualsIgnoreCase, false),
            "stringnotequalsignorecase" => (Base::StringEqualsIgnoreCase, true),
            "stringlike" => (Base::StringLike, false),
            "stringnotlike" => (Base::StringLike, true),
            "arnequals" | "arnlike" => (Base::Arn, false),
            "arnnotequals" | "arnnotlike" => (Base::Arn, true),
            "numericequals" => (Base::Numeric(Cmp::Eq), false),
            "numericnotequals" => (Base::Numeric(Cmp::Eq), true),
            "numericlessthan" => (Base::Numeric(Cmp::Lt), false),
            "numericlessthanequals" => (Base::Numeric(Cmp::Le), false),
            "numericgreaterthan" => (Base::Numeric(Cmp::Gt), false),
            "numericgreaterthanequals" => (Base::Numeric(Cmp::Ge), false),
            "dateequals" => (Base::Date(Cmp::Eq), false),
            "datenotequals" => (Base::Date(Cmp::Eq), true),
            "datelessthan" => (Base::Date(Cmp::Lt), false),
            "datelessthanequals" => (Base::Date(Cmp::Le), false),
            "dategreaterthan" => (Base::Date(Cmp::Gt), false),
            "dategreaterthanequals" => (Base::Date(Cmp::Ge), false),
            "bool" => (Base::Bool, false),
            "ipaddress" => (Base::Ip, false),
            "notipaddress" => (Base::Ip, true),
            "binaryequals" => (Base::Binary, false),
            _ => return Op::Unsupported,
        };
        Op::Test {
            base,
            negated,
            set,
            if_exists,
        }
    }
}

/// A number in a `Numeric…` condition: integers compare exactly, others as `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn parse(s: &str) -> Option<Num> {
        if let Ok(i) = s.parse::<i128>() {
            return Some(Num::Int(i));
        }
        let f = s.parse::<f64>().ok()?;
        f.is_finite().then_some(Num::Float(f))
    }
    fn cmp(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An instant as (seconds since the Unix epoch, nanoseconds).
type Instant = (i64, u32);

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[n..]))
}

/// Parses a `Date…` value: epoch seconds (`1700000000`, optionally with a fraction) or
/// ISO 8601 (`2024-01-31`, `2024-01-31T12:00Z`, `2024-01-31T12:00:00.5+02:00`, …; no zone =
/// UTC).
fn parse_date(s: &str) -> Option<Instant> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Some((secs, 0));
    }
    if let Some((whole, frac)) = s.split_once('.')
        && let Ok(secs) = whole.parse::<i64>()
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Some((secs, fraction_nanos(frac)));
    }
    let (year, rest) = digits(s, 4)?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest) = digits(rest, 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, mut rest) = digits(rest, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    if let Some(time) = rest
        .strip_prefix('T')
        .or_else(|| rest.strip_prefix('t'))
        .or_else(|| rest.strip_prefix(' '))
    {
        let (h, r) = digits(time, 2)?;
        let r = r.strip_prefix(':')?;
        let (m, mut r) = digits(r, 2)?;
        (hour, minute) = (h, m);
        if let Some(sec) = r.strip_prefix(':') {
            let (sv, r2) = digits(sec, 2)?;
            second = sv;
            r = r2;
            if let Some(frac) = r.strip_prefix('.').or_else(|| r.strip_prefix(',')) {
                let end = frac
                    .bytes()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(frac.len());
                if end == 0 {
                    return None;
                }
                nanos = fraction_nanos(&frac[..end]);
                r = &frac[end..];
            }
        }
        rest = r;
        if hour > 24 || minute > 59 || second > 60 {
            return None;
        }
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = &zone[1..];
            let (h, r) = digits(z, 2)?;
            let r = r.strip_prefix(':').unwrap_or(r);
            let m = if r.is_empty() {
                0
            } else {
                let (m, r) = digits(r, 2)?;
                if !r.is_empty() {
                    return None;
                }
                m
            };
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

fn fraction_nanos(frac: &str) -> u32 {
    let mut nanos = 0u32;
    for (i, b) in frac.bytes().take(9).enumerate() {
        nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
    }
    nanos
}

/// An IPv4 or IPv6 network (a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cidr {
    V4(u32, u32),
    V6(u128, u32),
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
            None => (s, None),
        };
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            let len = len.unwrap_or(32);
            return (len <= 32).then_some(Cidr::V4(u32::from(v4), len));
        }
        let v6 = addr.parse::<Ipv6Addr>().ok()?;
        let len = len.unwrap_or(128);
        (len <= 128).then_some(Cidr::V6(u128::from(v6), len))
    }

    fn contains(self, addr: Cidr) -> bool {
        match (self, addr) {
            (Cidr::V4(net, len), Cidr::V4(a, _)) => {
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                net & mask == a & mask
            }
            (Cidr::V6(net, len), Cidr::V6(a, _)) => {
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                net & mask == a & mask
            }
            _ => false,
        }
    }
}

fn split6(s: &str) -> Option<[&str; 6]> {
    let mut parts = s.splitn(6, ':');
    let mut out = [""; 6];
    for slot in &mut out {
        *slot = parts.next()?;
    }
    Some(out)
}

/// An `ArnEquals` / `ArnLike` policy value: each of the six colon-separated components is
/// matched on its own (case-sensitive, `*` and `?` wildcards). A value that is not six
/// components long (e.g. `*`) is matched as a whole-string wildcard pattern.
#[derive(Debug, Clone)]
enum ArnPattern {
    Components { parts: [Glob; 6], arena: Box<str> },
    Whole(OwnedGlob),
}

impl ArnPattern {
    fn new(pattern: &str) -> ArnPattern {
        match split6(pattern) {
            Some(parts) => {
                let mut arena = String::new();
                let parts = parts.map(|p| Glob::new(p, &mut arena));
                ArnPattern::Components {
                    parts,
                    arena: arena.into_boxed_str(),
                }
            }
            None => ArnPattern::Whole(OwnedGlob::new(pattern)),
        }
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            ArnPattern::Whole(g) => g.matches(value, false),
            ArnPattern::Components { parts, arena } => split6(value).is_some_and(|v| {
                parts
                    .iter()
                    .zip(v.iter())
                    .all(|(p, v)| p.matches(arena, v, false))
            }),
        }
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || (!a.is_ascii() || !b.is_ascii())
            && a.chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase))
}

/// A policy value parsed once for its operator.
#[derive(Debug, Clone)]
enum Parsed {
    Text,
    Like(OwnedGlob),
    Arn(ArnPattern),
    Num(Option<Num>),
    Date(Option<Instant>),
    Ip(Option<Cidr>),
}

impl Parsed {
    fn new(base: Option<Base>, value: &str) -> Parsed {
        match base {
            Some(Base::Numeric(_)) => Parsed::Num(Num::parse(value)),
            Some(Base::Date(_)) => Parsed::Date(parse_date(value)),
            Some(Base::Ip) => Parsed::Ip(Cidr::parse(value)),
            Some(Base::StringLike) => Parsed::Like(OwnedGlob::new(value)),
            Some(Base::Arn) => Parsed::Arn(ArnPattern::new(value)),
            _ => Parsed::Text,
        }
    }
}

#[derive(Debug, Clone)]
struct Value {
    parsed: Parsed,
    /// Policy variables, when the value has some and the policy version interprets them.
    toks: Option<Vec<Tok>>,
}

/// Why a condition is undecided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    Key,
    Operator,
    Variable,
}

/// One operator + key of a `Condition` block, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    /// The operator as written.
    pub(crate) operator: String,
    /// The key as written.
    pub(crate) key: String,
    /// The values as written.
    pub(crate) values: Vec<String>,
    key_lc: String,
    key_hash: u64,
    op: Op,
    parsed: Vec<Value>,
    /// Whether `${…}` in values are policy variables.
    variables: bool,
}

/// Conditions are the same when they are written the same (operator, key in any case,
/// values) under the same policy-variable rules: they then always decide alike.
impl PartialEq for CompiledCondition {
    fn eq(&self, other: &Self) -> bool {
        self.variables == other.variables
            && self.operator == other.operator
            && self.key_lc == other.key_lc
            && self.values == other.values
    }
}

impl Eq for CompiledCondition {}

impl std::hash::Hash for CompiledCondition {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.variables.hash(state);
        self.operator.hash(state);
        self.key_lc.hash(state);
        self.values.hash(state);
    }
}

impl CompiledCondition {
    /// Compiles one operator + key. `variables`: whether `${…}` are policy variables
    /// (policy `Version` `2012-10-17`).
    pub(crate) fn new(
        operator: &str,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> CompiledCondition {
        let op = Op::parse(operator);
        let base = match op {
            Op::Test { base, .. } => Some(base),
            _ => None,
        };
        let parsed = values
            .iter()
            .map(|v| Value {
                parsed: Parsed::new(base, v),
                toks: if variables { tokenize(v) } else { None },
            })
            .collect();
        CompiledCondition {
            operator: operator.to_string(),
            key: key.to_string(),
            values: values.to_vec(),
            key_lc: key.to_ascii_lowercase(),
            key_hash: key_hash(key),
            op,
            parsed,
            variables,
        }
    }

    /// Decides the condition against `ctx`.
    pub(crate) fn eval(&self, ctx: &Context) -> Tri {
        let (base, negated, set, if_exists) = match self.op {
            Op::Unsupported => return Tri::Unknown,
            Op::Null => {
                let absent = match ctx.get_hashed(self.key_hash, &self.key_lc) {
                    Lookup::Unknown => return Tri::Unknown,
                    Lookup::Absent => true,
                    Lookup::Present(_) => false,
                };
                let want = if absent { "true" } else { "false" };
                return Tri::from_bool(self.values.iter().any(|v| v.eq_ignore_ascii_case(want)));
            }
            Op::Test {
                base,
                negated,
                set,
                if_exists,
            } => (base, negated, set, if_exists),
        };
        let request = match ctx.get_hashed(self.key_hash, &self.key_lc) {
            Lookup::Unknown => return Tri::Unknown,
            Lookup::Absent => {
                return Tri::from_bool(
                    if_exists
                        || match set {
                            SetOp::ForAllValues => true,
                            SetOp::ForAnyValue => false,
                            SetOp::Single => negated,
                        },
                );
            }
            Lookup::Present(values) => values,
        };
        // Whether one request value matches any policy value.
        let matches = |v: &str| {
            let mut acc = Tri::False;
            for (raw, value) in self.values.iter().zip(&self.parsed) {
                acc = acc.or(compare(base, v, raw, value, ctx));
                if acc == Tri::True {
                    break;
                }
            }
            acc
        };
        let satisfies = |v: &str| {
            if negated {
                // A request value that is not of the operator's type (a number, a date, an
                // address, an ARN) satisfies no condition of it, negated ones included: the
                // policy simulator evaluates `NumericNotEquals` against "abc" to false.
                if !request_parses(base, v) {
                    return Tri::False;
                }
                matches(v).not()
            } else {
                matches(v)
            }
        };
        match (set, negated) {
            (SetOp::ForAllValues, _) | (SetOp::Single, true) => {
                let mut acc = Tri::True;
                for v in request {
                    acc = acc.and(satisfies(v));
                    if acc == Tri::False {
                        break;
                    }
                }
                acc
            }
            (SetOp::ForAnyValue, _) | (SetOp::Single, false) => {
                let mut acc = Tri::False;
                for v in request {
                    acc = acc.or(satisfies(v));
                    if acc == Tri::True {
                        break;
                    }
                }
                acc
            }
        }
    }

    /// Why [`eval`](Self::eval) returned unknown, with the unresolved variables if any.
    pub(crate) fn why_unknown(&self, ctx: &Context) -> (Unknown, Vec<String>) {
        if self.op == Op::Unsupported {
            return (Unknown::Operator, Vec::new());
        }
        if ctx.get_hashed(self.key_hash, &self.key_lc) == Lookup::Unknown {
            return (Unknown::Key, Vec::new());
        }
        let vars = self
            .parsed
            .iter()
            .filter_map(|v| v.toks.as_deref())
            .flat_map(variable_names)
            .collect();
        (Unknown::Variable, vars)
    }
}

/// Whether a request value is of the type a typed operator compares (strings and booleans
/// take any text).
fn request_parses(base: Base, v: &str) -> bool {
    match base {
        Base::Numeric(_) => Num::parse(v).is_some(),
        Base::Date(_) => parse_date(v).is_some(),
        Base::Ip => Cidr::parse(v).is_some(),
        Base::Arn => v.starts_with("arn:") && v.split(':').count() >= 6,
        Base::StringEquals
        | Base::StringEqualsIgnoreCase
        | Base::StringLike
        | Base::Bool
        | Base::Binary => true,
    }
}

/// One request value against one policy value.
fn compare(base: Base, v: &str, raw: &str, value: &Value, ctx: &Context) -> Tri {
    let resolved;
    let (pv, parsed) = match &value.toks {
        None => (raw, std::borrow::Cow::Borrowed(&value.parsed)),
        // No value: nothing equals or is like it (a negated operator then holds).
        Some(toks) if has_unvalued_variable(toks, ctx) => return Tri::False,
        Some(toks) => match resolve(toks, ctx) {
            None => return Tri::Unknown,
            Some((_, true)) if base.wildcard_aware() => return Tri::Unknown,
            Some((s, _)) => {
                resolved = s;
                let parsed = Parsed::new(Some(base), &resolved);
                (resolved.as_str(), std::borrow::Cow::Owned(parsed))
            }
        },
    };
    Tri::from_bool(match (base, parsed.as_ref()) {
        (Base::StringEquals | Base::Binary, _) => v == pv,
        (Base::StringEqualsIgnoreCase, _) => eq_ignore_case(v, pv),
        (Base::StringLike, Parsed::Like(g)) => g.matches(v, false),
        (Base::Arn, Parsed::Arn(a)) => a.matches(v),
        (Base::Bool, _) => v.eq_ignore_ascii_case(pv),
        (Base::Numeric(cmp), Parsed::Num(Some(p))) => Num::parse(v)
            .and_then(|n| n.cmp(*p))
            .is_some_and(|o| cmp.holds(o)),
        (Base::Date(cmp), Parsed::Date(Some(p))) => {
            parse_date(v).is_some_and(|d| cmp.holds(d.cmp(p)))
        }
        (Base::Ip, Parsed::Ip(Some(net))) => Cidr::parse(v).is_some_and(|a| net.contains(a)),
        // A policy value that does not parse for its operator matches nothing.
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> CompiledCondition {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        CompiledCondition::new(op, key, &values, true)
    }

    #[test]
    fn operator_names_parse() {
        assert_eq!(
            Op::parse("ForAllValues:StringNotLikeIfExists"),
            Op::Test {
                base: Base::StringLike,
                negated: true,
                set: SetOp::ForAllValues,
                if_exists: true
            }
        );
        assert_eq!(Op::parse("stringequals"), Op::parse("StringEquals"));
        assert_eq!(Op::parse("Null"), Op::Null);
        assert_eq!(Op::parse("StringSortOf"), Op::Unsupported);
        assert_eq!(Op::parse("IfExists"), Op::Unsupported);
        assert_eq!(Op::parse(""), Op::Unsupported);
        assert_eq!(Op::parse("ForAnyValue:"), Op::Unsupported);
    }

    #[test]
    fn dates_parse() {
        assert_eq!(parse_date("1970-01-01"), Some((0, 0)));
        assert_eq!(parse_date("1970-01-02T00:00:00Z"), Some((86_400, 0)));
        assert_eq!(
            parse_date("2024-02-29T12:30:15.5Z"),
            Some((1_709_209_815, 500_000_000))
        );
        assert_eq!(
            parse_date("2024-02-29T14:30:15+02:00"),
            parse_date("2024-02-29T12:30:15Z")
        );
        assert_eq!(parse_date("1700000000"), Some((1_700_000_000, 0)));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2024-01-01T10"), None);
    }

    #[test]
    fn ip_ranges() {
        let net = Cidr::parse("203.0.113.0/24").unwrap_or(Cidr::V4(0, 32));
        assert!(net.contains(Cidr::parse("203.0.113.9").unwrap_or(Cidr::V4(0, 32))));
        assert!(!net.contains(Cidr::parse("203.0.114.9").unwrap_or(Cidr::V4(0, 32))));
        assert!(Cidr::parse("0.0.0.0/0").is_some_and(|n| n.contains(Cidr::V4(1, 32))));
        assert!(
            Cidr::parse("2001:db8::/32")
                .is_some_and(|n| n.contains(Cidr::parse("2001:db8::1").unwrap_or(Cidr::V4(0, 32))))
        );
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
    }

    #[test]
    fn tri_state_table() {
        let unknown = Context::new();
        let absent = Context::new().closed();
        let with = |v: &[&str]| Context::new().with("k", v);
        // (operator, policy values, context, expected)
        let cases: Vec<(&str, Vec<&str>, Context, Tri)> = vec![
            ("StringEquals", vec!["a"], with(&["a"]), Tri::True),
            ("StringEquals", vec!["a"], with(&["A"]), Tri::False),
            ("StringEquals", vec!["a"], unknown.clone(), Tri::Unknown),
            ("StringEquals", vec!["a"], absent.clone(), Tri::False),
            ("StringNotEquals", vec!["a"], absent.clone(), Tri::True),
            ("StringNotEquals", vec!["a", "b"], with(&["b"]), Tri::False),
            ("StringNotEquals", vec!["a", "b"], with(&["c"]), Tri::True),
            (
                "StringEqualsIgnoreCase",
                vec!["ABC"],
                with(&["abc"]),
                Tri::True,
            ),
            (
                "StringNotEqualsIgnoreCase",
                vec!["ABC"],
                with(&["abc"]),
                Tri::False,
            ),
            (
                "StringLike",
                vec!["repo:acme/*"],
                with(&["repo:acme/x:ref"]),
                Tri::True,
            ),
            (
                "StringNotLike",
                vec!["repo:acme/*"],
                with(&["repo:evil/x"]),
                Tri::True,
            ),
            ("StringEqualsIfExists", vec!["a"], absent.clone(), Tri::True),
            (
                "StringEqualsIfExists",
                vec!["a"],
                unknown.clone(),
                Tri::Unknown,
            ),
            ("StringEqualsIfExists", vec!["a"], with(&["b"]), Tri::False),
            ("Null", vec!["true"], absent.clone(), Tri::True),
            ("Null", vec!["false"], absent.clone(), Tri::False),
            ("Null", vec!["true"], with(&["x"]), Tri::False),
            ("Null", vec!["false"], with(&["x"]), Tri::True),
            ("Null", vec!["true"], unknown.clone(), Tri::Unknown),
            ("Bool", vec!["true"], with(&["TRUE"]), Tri::True),
            ("Bool", vec!["true"], with(&["false"]), Tri::False),
            ("NumericLessThan", vec!["10"], with(&["9"]), Tri::True),
            ("NumericLessThan", vec!["10"], with(&["10"]), Tri::False),
            (
                "NumericLessThanEquals",
                vec!["10"],
                with(&["10.0"]),
                Tri::True,
            ),
            ("NumericGreaterThan", vec!["10"], with(&["x"]), Tri::False),
            ("NumericNotEquals", vec!["1", "2"], with(&["3"]), Tri::True),
            (
                "NumericGreaterThanEquals",
                vec!["3"],
                with(&["3"]),
                Tri::True,
            ),
            ("NumericEquals", vec!["5"], with(&["5"]), Tri::True),
            (
                "DateLessThan",
                vec!["2030-01-01T00:00:00Z"],
                with(&["2029-12-31"]),
                Tri::True,
            ),
            (
                "DateGreaterThan",
                vec!["2030-01-01T00:00:00Z"],
                with(&["1893456000"]),
                Tri::False,
            ),
            (
                "DateGreaterThanEquals",
                vec!["2030-01-01T00:00:00Z"],
                with(&["1893456000"]),
                Tri::True,
            ),
            (
                "DateEquals",
                vec!["2030-01-01"],
                with(&["1893456000"]),
                Tri::True,
            ),
            (
                "DateNotEquals",
                vec!["2030-01-01"],
                with(&["1893456001"]),
                Tri::True,
            ),
            (
                "DateLessThanEquals",
                vec!["not a date"],
                with(&["1"]),
                Tri::False,
            ),
            (
                "IpAddress",
                vec!["10.0.0.0/8"],
                with(&["10.1.2.3"]),
                Tri::True,
            ),
            (
                "NotIpAddress",
                vec!["10.0.0.0/8"],
                with(&["192.168.0.1"]),
                Tri::True,
            ),
            (
                "NotIpAddress",
                vec!["10.0.0.0/8"],
                absent.clone(),
                Tri::True,
            ),
            ("IpAddress", vec!["10.0.0.0/8"], absent.clone(), Tri::False),
            (
                "ArnLike",
                vec!["arn:aws:iam::*:role/ci-*"],
                with(&["arn:aws:iam::1:role/ci-x"]),
                Tri::True,
            ),
            (
                "ArnLike",
                vec!["arn:aws:iam::*:role/ci-*"],
                with(&["arn:aws:iam::1:user/ci-x"]),
                Tri::False,
            ),
            (
                "ArnEquals",
                vec!["arn:aws:sns:*:1:topic"],
                with(&["arn:aws:sns:us-east-1:1:topic"]),
                Tri::True,
            ),
            (
                "ArnNotLike",
                vec!["arn:aws:iam::1:role/*"],
                with(&["arn:aws:iam::2:role/x"]),
                Tri::True,
            ),
            (
                "ArnNotEquals",
                vec!["arn:aws:iam::1:role/x"],
                with(&["arn:aws:iam::1:role/x"]),
                Tri::False,
            ),
            // A request value not of the operator's type satisfies no negated operator
            // either, as the policy simulator decides. Before: true, which could switch a
            // Deny on or an Allow off.
            ("NumericNotEquals", vec!["1"], with(&["abc"]), Tri::False),
            ("NumericNotEquals", vec!["1"], with(&["2"]), Tri::True),
            (
                "DateNotEquals",
                vec!["2024-01-01T00:00:00Z"],
                with(&["yesterday"]),
                Tri::False,
            ),
            (
                "NotIpAddress",
                vec!["10.0.0.0/8"],
                with(&["not-an-address"]),
                Tri::False,
            ),
            (
                "NotIpAddress",
                vec!["10.0.0.0/8"],
                with(&["192.0.2.1"]),
                Tri::True,
            ),
            (
                "ArnNotLike",
                vec!["arn:aws:iam::*:role/x"],
                with(&["not-an-arn"]),
                Tri::False,
            ),
            (
                "ForAllValues:NumericNotEquals",
                vec!["1"],
                with(&["2", "abc"]),
                Tri::False,
            ),
            (
                "ArnLike",
                vec!["*"],
                with(&["arn:aws:iam::1:role/x"]),
                Tri::True,
            ),
            (
                "ArnLike",
                vec!["arn:aws:iam::1:role/x"],
                with(&["not-an-arn"]),
                Tri::False,
            ),
            (
                "BinaryEquals",
                vec!["QmluYXJ5"],
                with(&["QmluYXJ5"]),
                Tri::True,
            ),
            (
                "ForAnyValue:StringEquals",
                vec!["a"],
                with(&["b", "a"]),
                Tri::True,
            ),
            (
                "ForAnyValue:StringEquals",
                vec!["a"],
                absent.clone(),
                Tri::False,
            ),
            (
                "ForAllValues:StringEquals",
                vec!["a", "b"],
                with(&["a", "b"]),
                Tri::True,
            ),
            (
                "ForAllValues:StringEquals",
                vec!["a"],
                with(&["a", "c"]),
                Tri::False,
            ),
            (
                "ForAllValues:StringEquals",
                vec!["a"],
                absent.clone(),
                Tri::True,
            ),
            (
                "ForAllValues:StringEquals",
                vec!["a"],
                unknown.clone(),
                Tri::Unknown,
            ),
            (
                "ForAnyValue:StringNotEquals",
                vec!["a"],
                with(&["a", "b"]),
                Tri::True,
            ),
            (
                "ForAllValues:StringNotEquals",
                vec!["a"],
                with(&["a", "b"]),
                Tri::False,
            ),
            (
                "ForAnyValue:StringEqualsIfExists",
                vec!["a"],
                absent.clone(),
                Tri::True,
            ),
            ("StringFuzzy", vec!["a"], with(&["a"]), Tri::Unknown),
            (
                "StringEquals",
                vec!["${aws:username}"],
                with(&["alice"]),
                Tri::Unknown,
            ),
        ];
        for (op, values, ctx, want) in cases {
            assert_eq!(
                cond(op, "k", &values).eval(&ctx),
                want,
                "{op} {values:?} {ctx:?}"
            );
        }
    }

    #[test]
    fn variables_in_values() {
        let c = cond(
            "StringEquals",
            "aws:PrincipalTag/owner",
            &["${aws:username}"],
        );
        let ctx = Context::new()
            .with("aws:principaltag/owner", &["alice"])
            .with("aws:username", &["alice"]);
        assert_eq!(c.eval(&ctx), Tri::True);
        let ctx = Context::new().with("aws:principaltag/owner", &["alice"]);
        assert_eq!(c.eval(&ctx), Tri::Unknown);
        assert_eq!(c.why_unknown(&ctx).0, Unknown::Variable);
        // Version 2008-10-17: literal text.
        let lit =
            CompiledCondition::new("StringEquals", "k", &["${aws:username}".to_string()], false);
        assert_eq!(
            lit.eval(&Context::new().with("k", &["${aws:username}"])),
            Tri::True
        );
    }
}
