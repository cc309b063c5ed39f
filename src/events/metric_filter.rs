//! CloudWatch Logs metric filter patterns, applied to CloudTrail records.
//!
//! Parses a metric filter's `filterPattern` string and decides whether a
//! CloudTrail record (one JSON log event in a CloudTrail log group) matches
//! it. Semantics follow the CloudWatch Logs User Guide pages "Filter pattern
//! syntax for metric filters", "Using filter patterns to match terms in JSON
//! log events" and "Using filter patterns to match terms in unstructured log
//! events":
//!
//! * JSON patterns `{ SELECTOR OP VALUE … }`: selectors such as
//!   `$.eventName` or `$.requestParameters.instancesSet.items[0].instanceId`;
//!   `=` and `!=` with a quoted or bare value where `*` is a wildcard;
//!   `<`, `<=`, `>`, `>=` (and `=`, `!=`) with numbers; `IS TRUE`,
//!   `IS FALSE`, `IS NULL`, `NOT EXISTS`; conditions combined with `&&` and
//!   `||` (`&&` binds tighter) and parentheses. Comparison is case-sensitive.
//! * Text-term patterns: space-separated terms that must all occur in the
//!   event text, `"quoted phrases"`, `-term` exclusions and `?term`
//!   alternatives. The event text is the record's compact JSON serialisation.
//! * Space-delimited patterns (`[a, b, c]`) never match JSON records; parsing
//!   one returns an error so the caller can report it.
//!
//! Choices where the guide is silent or this module is narrower:
//!
//! * A selector that is missing from the event makes `=` and `!=` false
//!   alike, as AWS does (a condition on an absent property is not met; the
//!   guide states no exception for `!=`). So `{ $.errorCode != "x" }` does
//!   not match records without an `errorCode`. Only `NOT EXISTS` matches a
//!   missing field; `IS NULL` needs the field present with a JSON null.
//!   `!=` is also false on fields holding null, an object or an array, which
//!   have no value to compare.
//! * `=` / `!=` with a bare number compare numerically with JSON numbers and
//!   textually with JSON strings (`$.eventVersion = 1.08` matches `"1.08"`).
//!   Wildcard values compare with the text of strings, numbers and booleans.
//!   `<`, `<=`, `>`, `>=` need a number and only match JSON numbers.
//! * Not implemented (parse errors): regular-expression values `%…%`, and
//!   wildcard selectors such as `$.items[*]` or `$.*`.

use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

use super::eventbridge::star_match;

/// Why a filter pattern is invalid, or why it cannot apply to CloudTrail
/// records; says what is wrong and where (`character N:`, the 0-based
/// character offset in the pattern text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

/// Message for space-delimited patterns, which never match JSON records.
pub const SPACE_DELIMITED: &str = "space-delimited patterns do not apply to CloudTrail JSON events";

/// Deepest parenthesis nesting accepted (AWS caps patterns at 1024 chars).
const MAX_DEPTH: usize = 64;

/// A parsed metric filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// An empty pattern (or `""`) matches every event.
    Everything,
    Terms(Terms),
    Json(Expr),
}

impl FilterPattern {
    /// Parses the `filterPattern` of a metric filter, as AWS returns it.
    pub fn parse(text: &str) -> Result<FilterPattern, FilterError> {
        let trimmed = text.trim();
        // "To match everything, use a filter pattern of `" "`" (the guide): an empty pattern,
        // or a quoted phrase of nothing but spaces.
        let blank_phrase = trimmed.len() >= 2
            && trimmed.starts_with('"')
            && trimmed.ends_with('"')
            && trimmed[1..trimmed.len() - 1].trim().is_empty();
        let kind = if trimmed.is_empty() || blank_phrase {
            Kind::Everything
        } else if trimmed.starts_with('{') {
            Kind::Json(parse_json_pattern(text)?)
        } else if trimmed.starts_with('[') {
            return Err(FilterError(SPACE_DELIMITED.to_owned()));
        } else {
            Kind::Terms(Terms::parse(text)?)
        };
        Ok(FilterPattern { kind })
    }

    /// `event` is the CloudTrail record (JSON object); text-term patterns
    /// match against its compact JSON serialisation.
    pub fn matches(&self, event: &Value) -> bool {
        match &self.kind {
            Kind::Everything => true,
            Kind::Terms(terms) => terms.matches(&serde_json::to_string(event).unwrap_or_default()),
            Kind::Json(expr) => expr.matches(event),
        }
    }
}

fn error_at(position: usize, message: impl fmt::Display) -> FilterError {
    FilterError(format!("character {position}: {message}"))
}

// -------------------------------------------------------------- text terms

/// Text terms ("Using filter patterns to match terms in unstructured log
/// events"): plain terms are ANDed, `-` terms exclude, `?` terms are ORed.
#[derive(Debug, Clone, Default)]
struct Terms {
    all: Vec<String>,
    none: Vec<String>,
    any: Vec<String>,
}

impl Terms {
    fn parse(text: &str) -> Result<Terms, FilterError> {
        let chars: Vec<char> = text.chars().collect();
        let mut terms = Terms::default();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            let start = i;
            let sigil = match chars[i] {
                '-' | '?' => {
                    i += 1;
                    Some(chars[i - 1])
                }
                _ => None,
            };
            let term = if chars.get(i) == Some(&'"') {
                let (phrase, next) = read_quoted(&chars, i)?;
                i = next;
                phrase
            } else {
                let end = (i..chars.len())
                    .find(|&j| chars[j].is_whitespace())
                    .unwrap_or(chars.len());
                let word: String = chars[i..end].iter().collect();
                i = end;
                if word.is_empty() {
                    return Err(error_at(start, "a '-' or '?' must be followed by a term"));
                }
                if word.len() > 1 && word.starts_with('%') && word.ends_with('%') {
                    return Err(error_at(
                        start,
                        "regular expressions (%…%) are not supported",
                    ));
                }
                word
            };
            match sigil {
                Some('-') => terms.none.push(term),
                Some(_) => terms.any.push(term),
                None => terms.all.push(term),
            }
        }
        Ok(terms)
    }

    fn matches(&self, text: &str) -> bool {
        let found = |term: &String| text.contains(term.as_str());
        self.all.iter().all(found)
            && !self.none.iter().any(found)
            && (self.any.is_empty() || self.any.iter().any(found))
    }
}

/// Reads a `"…"` string starting at `chars[start]`, which must be the quote;
/// `\"` and `\\` are escapes. Returns the text and the index after the quote.
fn read_quoted(chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let mut text = String::new();
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return Ok((text, i + 1)),
            '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                text.push(chars[i + 1]);
                i += 2;
            }
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(error_at(start, "unterminated quoted string"))
}

// ----------------------------------------------------------- JSON patterns

/// A boolean combination of conditions.
#[derive(Debug, Clone)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Condition(Condition),
}

impl Expr {
    fn matches(&self, event: &Value) -> bool {
        match self {
            Expr::Or(alternatives) => alternatives.iter().any(|e| e.matches(event)),
            Expr::And(conjuncts) => conjuncts.iter().all(|e| e.matches(event)),
            Expr::Condition(condition) => condition.matches(event),
        }
    }
}

/// `SELECTOR test`, e.g. `$.eventName = "Delete*"`.
#[derive(Debug, Clone)]
struct Condition {
    selector: Vec<Step>,
    test: Test,
}

/// One step of a selector: `.key` or `[index]`.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone)]
enum Test {
    Equals(Operand),
    NotEquals(Operand),
    Compare(CmpOp, f64),
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
}

/// The right-hand side of `=` and `!=`.
#[derive(Debug, Clone)]
enum Operand {
    /// A quoted or non-numeric value; `*` is a wildcard. Holds the parts
    /// between the stars.
    Text(Vec<String>),
    /// A bare number, with its text as written.
    Number(f64, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Condition {
    fn matches(&self, event: &Value) -> bool {
        let value = resolve(event, &self.selector);
        match &self.test {
            Test::Equals(operand) => value.is_some_and(|v| operand.equals(v)),
            // A missing field does not match `!=` either (see module docs).
            Test::NotEquals(operand) => value.is_some_and(|v| comparable(v) && !operand.equals(v)),
            Test::Compare(op, bound) => value
                .and_then(Value::as_f64)
                .is_some_and(|x| op.holds(x, *bound)),
            Test::IsTrue => value == Some(&Value::Bool(true)),
            Test::IsFalse => value == Some(&Value::Bool(false)),
            Test::IsNull => value.is_some_and(Value::is_null),
            Test::NotExists => value.is_none(),
        }
    }
}

/// Follows a selector into the event; `None` if any step is missing.
fn resolve<'a>(event: &'a Value, selector: &[Step]) -> Option<&'a Value> {
    selector.iter().try_fold(event, |value, step| match step {
        Step::Key(key) => value.get(key.as_str()),
        Step::Index(index) => value.get(*index),
    })
}

/// Strings, numbers and booleans have a value `!=` can compare.
fn comparable(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// The text a wildcard value is compared with.
fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

impl Operand {
    fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (Operand::Text(parts), _) => scalar_text(value).is_some_and(|t| star_match(parts, &t)),
            (Operand::Number(n, _), Value::Number(v)) => v.as_f64() == Some(*n),
            (Operand::Number(_, text), Value::String(s)) => s == text,
            (Operand::Number(..), _) => false,
        }
    }
}

impl CmpOp {
    fn holds(self, x: f64, bound: f64) -> bool {
        match self {
            CmpOp::Eq => x == bound,
            CmpOp::Ne => x != bound,
            CmpOp::Lt => x < bound,
            CmpOp::Le => x <= bound,
            CmpOp::Gt => x > bound,
            CmpOp::Ge => x >= bound,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Tokens of a JSON pattern, each with its character offset.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    LBrace,
    RBrace,
    LParen,
    RParen,
    And,
    Or,
    Op(CmpOp),
    Selector(String),
    Quoted(String),
    Word(String),
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => "the end of the pattern".to_owned(),
        Some(Token::LBrace) => "'{'".to_owned(),
        Some(Token::RBrace) => "'}'".to_owned(),
        Some(Token::LParen) => "'('".to_owned(),
        Some(Token::RParen) => "')'".to_owned(),
        Some(Token::And) => "'&&'".to_owned(),
        Some(Token::Or) => "'||'".to_owned(),
        Some(Token::Op(op)) => format!("'{}'", op.symbol()),
        Some(Token::Selector(s)) | Some(Token::Word(s)) => format!("'{s}'"),
        Some(Token::Quoted(s)) => format!("\"{s}\""),
    }
}

/// Characters that end a bare word or selector.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "{}()&|=!<>\"".contains(c)
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        let next = chars.get(i + 1).copied();
        let (token, len) = match (c, next) {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            ('{', _) => (Token::LBrace, 1),
            ('}', _) => (Token::RBrace, 1),
            ('(', _) => (Token::LParen, 1),
            (')', _) => (Token::RParen, 1),
            ('&', Some('&')) => (Token::And, 2),
            ('|', Some('|')) => (Token::Or, 2),
            ('!', Some('=')) => (Token::Op(CmpOp::Ne), 2),
            ('<', Some('=')) => (Token::Op(CmpOp::Le), 2),
            ('>', Some('=')) => (Token::Op(CmpOp::Ge), 2),
            ('=', Some('=')) => return Err(error_at(start, "use '=' rather than '=='")),
            ('=', _) => (Token::Op(CmpOp::Eq), 1),
            ('<', _) => (Token::Op(CmpOp::Lt), 1),
            ('>', _) => (Token::Op(CmpOp::Gt), 1),
            ('&' | '|' | '!', _) => {
                return Err(error_at(
                    start,
                    format!("unexpected '{c}' (expected '&&', '||' or '!=')"),
                ));
            }
            ('"', _) => {
                let (quoted, end) = read_quoted(&chars, i)?;
                tokens.push((Token::Quoted(quoted), start));
                i = end;
                continue;
            }
            ('%', _) => {
                return Err(error_at(
                    start,
                    "regular expressions (%…%) are not supported",
                ));
            }
            _ => {
                let end = (i..chars.len())
                    .find(|&j| is_delimiter(chars[j]))
                    .unwrap_or(chars.len());
                let word: String = chars[i..end].iter().collect();
                let token = if word.starts_with('$') {
                    Token::Selector(word)
                } else {
                    Token::Word(word)
                };
                (token, end - i)
            }
        };
        tokens.push((token, start));
        i += len;
    }
    Ok(tokens)
}

fn parse_json_pattern(text: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        pos: 0,
        depth: 0,
        end: text.chars().count(),
    };
    parser.expect_token(&Token::LBrace, "'{'")?;
    if parser.peek() == Some(&Token::RBrace) {
        return Err(parser.error("empty JSON pattern"));
    }
    let expr = parser.parse_or()?;
    parser.expect_token(&Token::RBrace, "'&&', '||' or '}'")?;
    if parser.peek().is_some() {
        return Err(parser.error(format!(
            "unexpected {} after the closing '}}'",
            describe(parser.peek())
        )));
    }
    Ok(expr)
}

/// Recursive-descent parser: `or := and ('||' and)*`,
/// `and := primary ('&&' primary)*`, `primary := '(' or ')' | condition`.
struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    depth: usize,
    /// Character offset reported for errors at the end of the pattern.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(token, _)| token)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).map(|(token, _)| token.clone());
        self.pos += 1;
        token
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn position(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.end, |(_, position)| *position)
    }

    fn error(&self, message: impl fmt::Display) -> FilterError {
        error_at(self.position(), message)
    }

    fn expect_token(&mut self, token: &Token, expected: &str) -> Result<(), FilterError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(format!(
                "expected {expected}, found {}",
                describe(self.peek())
            )))
        }
    }

    fn parse_or(&mut self) -> Result<Expr, FilterError> {
        let mut alternatives = vec![self.parse_and()?];
        while self.eat(&Token::Or) {
            alternatives.push(self.parse_and()?);
        }
        Ok(collapse(alternatives, Expr::Or))
    }

    fn parse_and(&mut self) -> Result<Expr, FilterError> {
        let mut conjuncts = vec![self.parse_primary()?];
        while self.eat(&Token::And) {
            conjuncts.push(self.parse_primary()?);
        }
        Ok(collapse(conjuncts, Expr::And))
    }

    fn parse_primary(&mut self) -> Result<Expr, FilterError> {
        if !self.eat(&Token::LParen) {
            return self.parse_condition().map(Expr::Condition);
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.error("parentheses nested too deeply"));
        }
        self.depth += 1;
        let expr = self.parse_or()?;
        self.depth -= 1;
        self.expect_token(&Token::RParen, "'&&', '||' or ')'")?;
        Ok(expr)
    }

    fn parse_condition(&mut self) -> Result<Condition, FilterError> {
        let at = self.position();
        let selector = match self.next() {
            Some(Token::Selector(text)) => parse_selector(&text, at)?,
            other => {
                return Err(error_at(
                    at,
                    format!(
                        "expected a selector such as $.eventName, found {}",
                        describe(other.as_ref())
                    ),
                ));
            }
        };
        let test = self.parse_test()?;
        Ok(Condition { selector, test })
    }

    fn parse_test(&mut self) -> Result<Test, FilterError> {
        let at = self.position();
        match self.next() {
            Some(Token::Op(op)) => self.parse_comparison(op),
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("IS") => {
                let at = self.position();
                match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("TRUE") => Ok(Test::IsTrue),
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("FALSE") => Ok(Test::IsFalse),
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("NULL") => Ok(Test::IsNull),
                    other => Err(error_at(
                        at,
                        format!(
                            "expected TRUE, FALSE or NULL after IS, found {}",
                            describe(other.as_ref())
                        ),
                    )),
                }
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("NOT") => {
                let at = self.position();
                match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("EXISTS") => Ok(Test::NotExists),
                    other => Err(error_at(
                        at,
                        format!(
                            "expected EXISTS after NOT, found {}",
                            describe(other.as_ref())
                        ),
                    )),
                }
            }
            other => Err(error_at(
                at,
                format!(
                    "expected =, !=, <, <=, >, >=, IS or NOT EXISTS, found {}",
                    describe(other.as_ref())
                ),
            )),
        }
    }

    fn parse_comparison(&mut self, op: CmpOp) -> Result<Test, FilterError> {
        let at = self.position();
        let operand = match self.next() {
            Some(Token::Quoted(text)) => Operand::Text(split_stars(&text)),
            Some(Token::Word(word)) => match parse_number(&word) {
                Some(n) => Operand::Number(n, word),
                None => Operand::Text(split_stars(&word)),
            },
            other => {
                return Err(error_at(
                    at,
                    format!(
                        "expected a value after '{}', found {}",
                        op.symbol(),
                        describe(other.as_ref())
                    ),
                ));
            }
        };
        match (op, operand) {
            (CmpOp::Eq, operand) => Ok(Test::Equals(operand)),
            (CmpOp::Ne, operand) => Ok(Test::NotEquals(operand)),
            (op, Operand::Number(n, _)) => Ok(Test::Compare(op, n)),
            (op, Operand::Text(_)) => {
                Err(error_at(at, format!("'{}' needs a number", op.symbol())))
            }
        }
    }
}

/// A single operand stands alone; several are combined.
fn collapse(mut items: Vec<Expr>, combine: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        return items.remove(0);
    }
    combine(items)
}

/// Parses `$.a.b[0].c` into steps.
fn parse_selector(text: &str, at: usize) -> Result<Vec<Step>, FilterError> {
    let invalid = |why: &str| error_at(at, format!("invalid selector '{text}': {why}"));
    let mut rest = text.strip_prefix('$').unwrap_or(text);
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after_dot) = rest.strip_prefix('.') {
            let end = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
            let (key, tail) = after_dot.split_at(end);
            match key {
                "" => return Err(invalid("empty field name")),
                "*" => return Err(invalid("wildcard selectors are not supported")),
                _ => steps.push(Step::Key(key.to_owned())),
            }
            rest = tail;
        } else if let Some(after_bracket) = rest.strip_prefix('[') {
            let (index, tail) = after_bracket
                .split_once(']')
                .ok_or_else(|| invalid("missing ']'"))?;
            if index == "*" {
                return Err(invalid("wildcard selectors are not supported"));
            }
            let index = index
                .parse::<usize>()
                .map_err(|_| invalid("array index must be a number"))?;
            steps.push(Step::Index(index));
            rest = tail;
        } else {
            return Err(invalid("expected '.' or '['"));
        }
    }
    if steps.is_empty() {
        return Err(invalid("it must name a field, as in $.eventName"));
    }
    Ok(steps)
}

fn split_stars(text: &str) -> Vec<String> {
    text.split('*').map(str::to_owned).collect()
}

/// A bare word is a number if it is written like one (`50`, `-1.5`, `+1000`, `2e3`;
/// the guide allows an optional sign); words such as `inf` or `NaN`, which Rust would
/// parse, are text.
fn parse_number(word: &str) -> Option<f64> {
    let digits = word.strip_prefix(['-', '+']).unwrap_or(word);
    let starts_with_digit = digits.starts_with(|c: char| c.is_ascii_digit());
    let numeric_chars = word
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    if starts_with_digit && numeric_chars {
        word.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::samples::{self, SampleEvent};
    use serde_json::json;

    const ACCOUNT: &str = "111122223333";
    const REGION: &str = "eu-west-1";

    /// The TerminateInstances sample plus a few fields of other shapes.
    fn record() -> Value {
        let mut record = samples::destructive(ACCOUNT, REGION)[0].record.clone();
        record["latency"] = json!(50);
        record["nothing"] = Value::Null;
        record["flag"] = json!(true);
        record
    }

    fn check(cases: &[(&str, bool)]) {
        let record = record();
        for (text, expected) in cases {
            let pattern = FilterPattern::parse(text)
                .unwrap_or_else(|e| panic!("{text} failed to parse: {e}"));
            assert_eq!(pattern.matches(&record), *expected, "{text}");
        }
    }

    fn uncaught(pattern: &FilterPattern, samples: &[SampleEvent]) -> Vec<&'static str> {
        samples
            .iter()
            .filter(|s| !pattern.matches(&s.record))
            .map(|s| s.name)
            .collect()
    }

    #[test]
    fn a_blank_quoted_phrase_matches_every_event() {
        // "To match everything, use a filter pattern of `" "`" (CloudWatch Logs User Guide,
        // "Filter pattern syntax"). Before: it looked for a space in the record's compact
        // JSON, which holds none.
        let record = record();
        for text in [r#"" ""#, r#""""#, "", r#""   ""#] {
            let pattern = FilterPattern::parse(text).unwrap();
            assert!(pattern.matches(&record), "{text:?}");
            assert!(pattern.matches(&json!({})), "{text:?} on an empty record");
        }
        let phrase = FilterPattern::parse(r#""no such phrase""#).unwrap();
        assert!(!phrase.matches(&record));
    }

    #[test]
    fn string_equality_and_wildcards() {
        check(&[
            (r#"{ $.eventName = "TerminateInstances" }"#, true),
            ("{$.eventName=TerminateInstances}", true),
            (r#"{ $.eventName = "terminateinstances" }"#, false),
            (r#"{ $.eventName = "Terminate" }"#, false),
            (r#"{ $.eventName = "Terminate*" }"#, true),
            ("{ $.eventName = *Instances }", true),
            (r#"{ $.eventName = "*minate*" }"#, true),
            ("{ $.eventName = Delete* }", false),
            ("{ $.eventName = * }", true),
            (r#"{ $.eventName != "DeleteTable" }"#, true),
            (r#"{ $.eventName != "Terminate*" }"#, false),
            ("{ $.sourceIPAddress != 198.51.* }", false),
            ("{ $.sourceIPAddress != 10.* }", true),
        ]);
    }

    #[test]
    fn selectors_reach_nested_fields_and_array_elements() {
        check(&[
            (
                r#"{ $.userIdentity.sessionContext.sessionIssuer.userName = "coding-agent" }"#,
                true,
            ),
            (r#"{ $.userIdentity.type = "AssumedRole" }"#, true),
            (
                r#"{ $.requestParameters.instancesSet.items[0].instanceId = "i-0123456789abcdef0" }"#,
                true,
            ),
            (
                "{ $.requestParameters.instancesSet.items[1].instanceId = * }",
                false,
            ),
            ("{ $.requestParameters.instancesSet[0] = * }", false),
        ]);
    }

    #[test]
    fn missing_fields_and_non_values() {
        check(&[
            (r#"{ $.errorCode = "AccessDenied" }"#, false),
            // A missing field does not match `!=` either.
            (r#"{ $.errorCode != "AccessDenied" }"#, false),
            ("{ $.errorCode = * }", false),
            (r#"{ $.nothing != "x" }"#, false),
            (r#"{ $.userIdentity = "x" }"#, false),
            (r#"{ $.userIdentity != "x" }"#, false),
        ]);
    }

    #[test]
    fn numbers() {
        let code = "$.responseElements.instancesSet.items[0].currentState.code";
        check(&[
            (&format!("{{ {code} = 32 }}"), true),
            (&format!("{{ {code} = 32.0 }}"), true),
            (&format!("{{ {code} != 16 }}"), true),
            (&format!("{{ {code} > 30 }}"), true),
            (&format!("{{ {code} >= 32 }}"), true),
            (&format!("{{ {code} < 32 }}"), false),
            (&format!("{{ {code} <= 31 }}"), false),
            ("{ $.latency = 5* }", true),
            ("{ $.latency > 10 && $.latency < 100 }", true),
            ("{ $.eventVersion = 1.08 }", true),
            ("{ $.eventVersion > 1 }", false),
            ("{ $.eventName > 1 }", false),
        ]);
    }

    #[test]
    fn is_true_false_null_and_not_exists() {
        check(&[
            ("{ $.managementEvent IS TRUE }", true),
            ("{ $.readOnly IS FALSE }", true),
            ("{ $.readOnly IS TRUE }", false),
            ("{ $.eventName IS TRUE }", false),
            ("{ $.nothing IS NULL }", true),
            ("{ $.eventName IS NULL }", false),
            ("{ $.missing IS NULL }", false),
            ("{ $.userIdentity.invokedBy NOT EXISTS }", true),
            ("{ $.eventName NOT EXISTS }", false),
            ("{ $.nothing NOT EXISTS }", false),
            ("{ $.flag is true }", true),
        ]);
    }

    #[test]
    fn boolean_operators_and_precedence() {
        check(&[
            (
                r#"{ $.eventName = "X" || $.eventName = "TerminateInstances" }"#,
                true,
            ),
            (
                r#"{ $.eventName = "TerminateInstances" && $.readOnly IS TRUE }"#,
                false,
            ),
            // `&&` binds tighter: T || (X && false) is true ...
            (
                r#"{ $.eventName = "TerminateInstances" || $.eventName = "X" && $.readOnly IS TRUE }"#,
                true,
            ),
            // ... whereas (T || X) && false is false.
            (
                r#"{ ($.eventName = "TerminateInstances" || $.eventName = "X") && $.readOnly IS TRUE }"#,
                false,
            ),
            (
                r#"{ (($.eventSource = "ec2.amazonaws.com") && (($.eventName = "A") || ($.eventName = "TerminateInstances"))) }"#,
                true,
            ),
        ]);
    }

    #[test]
    fn text_terms_match_the_compact_json() {
        check(&[
            ("", true),
            ("   ", true),
            (r#""""#, true),
            ("TerminateInstances", true),
            ("TerminateInstances coding-agent", true),
            ("TerminateInstances DeleteTable", false),
            ("terminateinstances", false),
            (r#""assumed-role/coding-agent/session""#, true),
            (r#""\"eventName\":\"TerminateInstances\"""#, true),
            ("-TerminateInstances", false),
            ("TerminateInstances -ci-deployer", true),
            ("?DeleteTable ?TerminateInstances", true),
            ("?DeleteTable ?DeleteBucket", false),
            (
                "coding-agent ?DeleteTable ?TerminateInstances -AccessDenied",
                true,
            ),
            (r#"-"Terminate Instances" TerminateInstances"#, true),
        ]);
    }

    /// CIS AWS Foundations Benchmark 4.4 (v1.4/v1.5 wording).
    const CIS_IAM_POLICY_CHANGES: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";

    /// The same control in the later wording that also checks the source.
    const CIS_IAM_POLICY_CHANGES_V3: &str = r#"{ ($.eventSource = "iam.amazonaws.com") && (($.eventName = "DeleteGroupPolicy") || ($.eventName = "DeleteRolePolicy") || ($.eventName = "DeleteUserPolicy") || ($.eventName = "PutGroupPolicy") || ($.eventName = "PutRolePolicy") || ($.eventName = "PutUserPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreatePolicyVersion") || ($.eventName = "DeletePolicyVersion") || ($.eventName = "AttachRolePolicy") || ($.eventName = "DetachRolePolicy") || ($.eventName = "AttachUserPolicy") || ($.eventName = "DetachUserPolicy") || ($.eventName = "AttachGroupPolicy") || ($.eventName = "DetachGroupPolicy")) }"#;

    #[test]
    fn cis_iam_policy_filter_misses_only_update_assume_role_policy() {
        let samples = samples::iam_changes(ACCOUNT);
        for text in [CIS_IAM_POLICY_CHANGES, CIS_IAM_POLICY_CHANGES_V3] {
            let pattern = FilterPattern::parse(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(uncaught(&pattern, &samples), ["iam:UpdateAssumeRolePolicy"]);
            assert!(!pattern.matches(&samples::destructive(ACCOUNT, REGION)[0].record));
        }
    }

    #[test]
    fn cis_root_usage_filter() {
        let pattern = FilterPattern::parse(
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut root = record();
        root["userIdentity"] = json!({"type": "Root", "arn": "arn:aws:iam::111122223333:root"});
        assert!(!pattern.matches(&record()), "agent session is not root");
        assert!(pattern.matches(&root));
        let mut invoked = root.clone();
        invoked["userIdentity"]["invokedBy"] = json!("support.amazonaws.com");
        assert!(!pattern.matches(&invoked));
        let mut service_event = root.clone();
        service_event["eventType"] = json!("AwsServiceEvent");
        assert!(!pattern.matches(&service_event));
    }

    #[test]
    fn cis_unauthorized_calls_filter_precedence() {
        let pattern = FilterPattern::parse(
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let with = |code: &str, name: &str| {
            let mut r = record();
            r["errorCode"] = json!(code);
            r["eventName"] = json!(name);
            r
        };
        assert!(!pattern.matches(&record()), "no errorCode");
        assert!(pattern.matches(&with("Client.UnauthorizedOperation", "HeadBucket")));
        assert!(pattern.matches(&with("AccessDenied", "TerminateInstances")));
        assert!(!pattern.matches(&with("AccessDenied", "HeadBucket")));
    }

    #[test]
    fn destructive_filter_against_samples() {
        let pattern = FilterPattern::parse(
            r#"{ ($.eventName = "Delete*" || $.eventName = "TerminateInstances") && $.userIdentity.sessionContext.sessionIssuer.userName != "ci-*" }"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            uncaught(&pattern, &samples::destructive(ACCOUNT, REGION)),
            ["ec2:DeregisterImage"]
        );
    }

    #[test]
    fn space_delimited_patterns_are_reported() {
        for text in [
            "[ip, user, username, timestamp, request, status_code = 4*, bytes]",
            " [a]",
        ] {
            assert_eq!(
                FilterPattern::parse(text).err(),
                Some(FilterError(SPACE_DELIMITED.to_owned()))
            );
        }
    }

    #[test]
    fn invalid_patterns_say_what_and_where() {
        let cases: &[(&str, &str)] = &[
            ("{}", "character 1: empty JSON pattern"),
            (
                "{ $.eventName = }",
                "character 16: expected a value after '=', found '}'",
            ),
            (
                r#"{ $.eventName "x" }"#,
                r#"character 14: expected =, !=, <, <=, >, >=, IS or NOT EXISTS, found "x""#,
            ),
            (
                r#"{ eventName = "x" }"#,
                "character 2: expected a selector such as $.eventName, found 'eventName'",
            ),
            (
                r#"{ $.eventName = "x" "#,
                "character 20: expected '&&', '||' or '}', found the end of the pattern",
            ),
            (
                r#"{ ($.a = 1 }"#,
                "character 11: expected '&&', '||' or ')', found '}'",
            ),
            (
                r#"{ $.a = 1 } x"#,
                "character 12: unexpected 'x' after the closing '}'",
            ),
            (
                "{ $.items[*] = 1 }",
                "character 2: invalid selector '$.items[*]': wildcard selectors are not supported",
            ),
            (
                "{ $.a..b = 1 }",
                "character 2: invalid selector '$.a..b': empty field name",
            ),
            (
                "{ $.a[x] = 1 }",
                "character 2: invalid selector '$.a[x]': array index must be a number",
            ),
            (
                "{ $ = 1 }",
                "character 2: invalid selector '$': it must name a field, as in $.eventName",
            ),
            (
                "{ $.eventName = %Delete.*% }",
                "character 16: regular expressions (%…%) are not supported",
            ),
            (r#"{ $.a > "x" }"#, "character 8: '>' needs a number"),
            ("{ $.a > abc }", "character 8: '>' needs a number"),
            (
                "{ $.a = 1 & $.b = 2 }",
                "character 10: unexpected '&' (expected '&&', '||' or '!=')",
            ),
            ("{ $.a == 1 }", "character 6: use '=' rather than '=='"),
            (
                "{ $.a IS MAYBE }",
                "character 9: expected TRUE, FALSE or NULL after IS, found 'MAYBE'",
            ),
            (
                "{ $.a NOT THERE }",
                "character 10: expected EXISTS after NOT, found 'THERE'",
            ),
            (r#"{ $.a = "x }"#, "character 8: unterminated quoted string"),
            (
                r#"Delete "Table"#,
                "character 7: unterminated quoted string",
            ),
            (
                "Delete - x",
                "character 7: a '-' or '?' must be followed by a term",
            ),
            (
                "%Delete.*%",
                "character 0: regular expressions (%…%) are not supported",
            ),
        ];
        for (text, expected) in cases {
            match FilterPattern::parse(text) {
                Ok(_) => panic!("{text} parsed, expected error {expected}"),
                Err(e) => assert_eq!(e.to_string(), *expected, "{text}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(10_000), ")".repeat(10_000));
        let err = FilterPattern::parse(&deep).err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.0.ends_with("parentheses nested too deeply")),
            "{err:?}"
        );
        let fine = format!("{{ {}$.eventName = * {} }}", "(".repeat(20), ")".repeat(20));
        assert!(FilterPattern::parse(&fine).is_ok_and(|p| p.matches(&record())));
    }

    #[test]
    fn malformed_input_never_panics() {
        let inputs = [
            "{",
            "}",
            "{{",
            "{ ( }",
            "{ ) }",
            "{ && }",
            "{ || $.a = 1 }",
            "{ $.a = 1 || }",
            "{ $.a = 1 && && $.b = 2 }",
            "{ $.a }",
            "{ $.a = }",
            "{ $.a IS }",
            "{ $.a NOT }",
            "{ $.a[ = 1 }",
            "{ $.a[99999999999999999999999] = 1 }",
            "{ $.a.[0] = 1 }",
            "{ $.é = \"ü\" }",
            "{ $.a = \"\\\" }",
            "{ $.a = \"\\\\\" }",
            "{ $.a = -- }",
            "{ $.a > 1e999 }",
            "{ $.a < -0 }",
            "{ $.a = 1.2.3 }",
            "{ $.a != * }",
            "{ $.a = % }",
            "\"",
            "-",
            "?",
            "- ?",
            "-\"",
            "?\"\"",
            "[",
            "\u{0}",
            "{\u{0}}",
            "{ $.a = 1 }}",
        ];
        let mut events = vec![record(), json!(null), json!([1, 2]), json!("text")];
        events.extend(samples::iam_changes(ACCOUNT).into_iter().map(|s| s.record));
        for input in inputs {
            if let Ok(pattern) = FilterPattern::parse(input) {
                for event in &events {
                    let _ = pattern.matches(event);
                }
            }
        }
    }
}
