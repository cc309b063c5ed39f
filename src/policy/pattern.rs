//! Wildcard patterns (`*` = any run of characters, `?` = exactly one character), as used by
//! `Action`, `Resource` and the `StringLike` / `ArnLike` condition operators
//! ("IAM JSON policy elements: Action", "…: Resource", "…: Condition operators").
//!
//! Three jobs:
//! - [`glob_match`]: a pattern against a concrete text, without allocating (the hot path);
//!   [`Glob`] pre-classifies a pattern (`*`, exact, `prefix*`, `*suffix`, general) once.
//! - [`intersects`], [`contains`] and [`witness`]: pattern against pattern, for requests
//!   whose resource is itself a pattern (`arn:aws:s3:::prod-*`).
//! - [`tokenize`] / [`resolve`]: policy variables (`${aws:username}`, `${aws:PrincipalTag/team,
//!   'default'}`, the escapes `${*}` `${?}` `${$}`) from "IAM policy elements: Variables and tags".

use super::context::{Context, Lookup};

/// Length in bytes of the UTF-8 character starting with `lead` (1 for a stray continuation
/// byte, so that a walk over a `str` always advances).
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Equality of short byte strings, compared in place: cheaper than a call to `memcmp` for
/// the 5–60 byte pieces patterns are made of.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8], ci: bool) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if ci {
        return a.eq_ignore_ascii_case(b);
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        let mut x = [0u8; 8];
        let mut y = [0u8; 8];
        x.copy_from_slice(&a[i..i + 8]);
        y.copy_from_slice(&b[i..i + 8]);
        if u64::from_ne_bytes(x) != u64::from_ne_bytes(y) {
            return false;
        }
        i += 8;
    }
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[inline]
fn byte_eq(p: u8, t: u8, ci: bool) -> bool {
    if ci {
        p.eq_ignore_ascii_case(&t)
    } else {
        p == t
    }
}

/// Matches `pattern` (`*`, `?` wildcards) against `text`. `ci`: ASCII case-insensitive. `?`
/// matches one whole character, also a multi-byte one. No allocation.
pub fn glob_match(pattern: &str, text: &str, ci: bool) -> bool {
    glob_match_bytes(pattern.as_bytes(), text.as_bytes(), ci)
}

/// [`glob_match`] on the UTF-8 bytes of a pattern and a text.
fn glob_match_bytes(p: &[u8], t: &[u8], ci: bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // (pattern index after the last `*`, text index that star is retried from)
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ti = (ti + char_len(t[ti])).min(t.len());
                    continue;
                }
                c if byte_eq(c, t[ti], ci) => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                let next = (st + char_len(t[st])).min(t.len());
                star = Some((sp, next));
                pi = sp;
                ti = next;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// A pattern classified once for fast matching against concrete texts. Its text lives in
/// an arena string shared by all the patterns of a policy (one allocation, close together
/// in memory), which every method takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glob {
    shape: Shape,
    /// Where the pattern's text starts in the arena, and its length in bytes.
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `*`: everything.
    Any,
    /// No wildcard.
    Exact,
    /// `literal*`.
    Prefix,
    /// `*literal`.
    Suffix,
    /// `prefix*middle*…*suffix` without `?` (lengths of the prefix and the suffix): the
    /// middles are found left to right.
    Segments { prefix: u32, suffix: u32 },
    /// Anything else (has `?`).
    General,
}

impl Glob {
    /// Classifies `pattern` (`*` and `?` are the only special characters) and appends its
    /// text to `arena`.
    pub(crate) fn new(pattern: &str, arena: &mut String) -> Glob {
        let wild = |s: &str| s.bytes().any(|b| b == b'*' || b == b'?');
        let shape = if !pattern.is_empty() && pattern.bytes().all(|b| b == b'*') {
            Shape::Any
        } else if !wild(pattern) {
            Shape::Exact
        } else if pattern.strip_suffix('*').is_some_and(|head| !wild(head)) {
            Shape::Prefix
        } else if pattern.strip_prefix('*').is_some_and(|tail| !wild(tail)) {
            Shape::Suffix
        } else if !pattern.contains('?') {
            let prefix = pattern.find('*').unwrap_or(0);
            let suffix = pattern.len() - pattern.rfind('*').map_or(0, |i| i + 1);
            Shape::Segments {
                prefix: prefix as u32,
                suffix: suffix as u32,
            }
        } else {
            Shape::General
        };
        let start = arena.len();
        arena.push_str(pattern);
        Glob {
            shape,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(pattern.len()).unwrap_or(0),
        }
    }

    /// The pattern's text.
    pub(crate) fn text<'a>(&self, arena: &'a str) -> &'a str {
        let start = self.start as usize;
        arena
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }

    /// Whether the pattern matches `text` (`ci`: ASCII case-insensitively).
    #[inline]
    pub(crate) fn matches(&self, arena: &str, text: &str, ci: bool) -> bool {
        let start = self.start as usize;
        let p = arena
            .as_bytes()
            .get(start..start + self.len as usize)
            .unwrap_or_default();
        let t = text.as_bytes();
        match self.shape {
            Shape::Any => true,
            Shape::Exact => bytes_eq(p, t, ci),
            Shape::Prefix => {
                let lit = &p[..p.len() - 1];
                t.len() >= lit.len() && bytes_eq(lit, &t[..lit.len()], ci)
            }
            Shape::Suffix => {
                let lit = &p[1..];
                t.len() >= lit.len() && bytes_eq(lit, &t[t.len() - lit.len()..], ci)
            }
            Shape::Segments { prefix, suffix } => {
                let (pre, suf) = (&p[..prefix as usize], &p[p.len() - suffix as usize..]);
                if t.len() < pre.len() + suf.len()
                    || !bytes_eq(pre, &t[..pre.len()], ci)
                    || !bytes_eq(suf, &t[t.len() - suf.len()..], ci)
                {
                    return false;
                }
                let end = t.len() - suf.len();
                let mut at = pre.len();
                // Between the first and the last `*`.
                let inner = p
                    .get(prefix as usize + 1..(p.len() - suffix as usize).saturating_sub(1))
                    .unwrap_or_default();
                for m in inner.split(|&b| b == b'*').filter(|m| !m.is_empty()) {
                    match find_from(t, at, m, ci) {
                        Some(next) if next <= end => at = next,
                        _ => return false,
                    }
                }
                true
            }
            Shape::General => glob_match_bytes(p, t, ci),
        }
    }

    /// Whether this is `*`.
    pub(crate) fn is_any(&self) -> bool {
        self.shape == Shape::Any
    }
}

/// Leftmost occurrence of `needle` in `hay` at or after `from` (`ci`: ASCII
/// case-insensitively), as the index just past it. A plain scan: needles are short and a
/// searcher's set-up would cost more than it saves.
fn find_from(hay: &[u8], from: usize, needle: &[u8], ci: bool) -> Option<usize> {
    let (h, n) = (hay.get(from..)?, needle);
    let Some((&first, rest)) = n.split_first() else {
        return Some(from);
    };
    let last_start = h.len().checked_sub(n.len())?;
    let mut i = 0;
    while i <= last_start {
        if byte_eq(first, h[i], ci) && bytes_eq(&h[i + 1..i + n.len()], rest, ci) {
            return Some(from + i + n.len());
        }
        i += 1;
    }
    None
}

/// A pattern with its own text, for the few places that do not share an arena.
#[derive(Debug, Clone)]
pub(crate) struct OwnedGlob {
    glob: Glob,
    text: Box<str>,
}

impl OwnedGlob {
    pub(crate) fn new(pattern: &str) -> OwnedGlob {
        let mut arena = String::new();
        let glob = Glob::new(pattern, &mut arena);
        OwnedGlob {
            glob,
            text: arena.into_boxed_str(),
        }
    }

    pub(crate) fn matches(&self, text: &str, ci: bool) -> bool {
        self.glob.matches(&self.text, text, ci)
    }
}

/// One position of a pattern seen as a sequence: a literal character, `?` or `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Char(char),
    One,
    Star,
}

/// Appends the units of `pattern` (`*` and `?` special) to `out`.
pub(crate) fn push_units(pattern: &str, out: &mut Vec<Unit>) {
    out.extend(pattern.chars().map(|c| match c {
        '*' => Unit::Star,
        '?' => Unit::One,
        c => Unit::Char(c),
    }));
}

/// Whether a text contains a wildcard character.
pub(crate) fn has_wildcard(text: &str) -> bool {
    text.bytes().any(|b| b == b'*' || b == b'?')
}

/// A cheap necessary test for two patterns to intersect: their leading characters (up to
/// the first `*` of either) and trailing characters (back to the last `*` of either) agree
/// wherever both are literal. `true` means they surely do not intersect.
pub(crate) fn surely_disjoint(a: &str, b: &str) -> bool {
    let clash = |x: char, y: char| x != y && x != '?' && y != '?';
    for (x, y) in a.chars().zip(b.chars()) {
        if x == '*' || y == '*' {
            break;
        }
        if clash(x, y) {
            return true;
        }
    }
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x == '*' || y == '*' {
            break;
        }
        if clash(x, y) {
            return true;
        }
    }
    false
}

/// Generic greedy matcher: pattern units `p` against "text" units `t`, where a `*` of `p`
/// absorbs any run of `t` and every other unit of `p` consumes one unit of `t` for which
/// `ok(p_unit, t_unit)`. Leftmost placement of each star-separated segment is optimal
/// because every non-star unit has width one.
fn units_match(p: &[Unit], t: &[Unit], ok: impl Fn(Unit, Unit) -> bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            if p[pi] == Unit::Star {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            if ok(p[pi], t[ti]) {
                pi += 1;
                ti += 1;
                continue;
            }
        }
        match star {
            Some((sp, st)) => {
                star = Some((sp, st + 1));
                pi = sp;
                ti = st + 1;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&u| u == Unit::Star)
}

/// Whether every string matched by `inner` is matched by `outer` (sound, not complete: a
/// `false` may be a containment this syntactic check does not see, e.g. `*?` ⊇ `?*`).
pub(crate) fn contains(outer: &[Unit], inner: &[Unit]) -> bool {
    if outer == [Unit::Star] {
        return true;
    }
    units_match(outer, inner, |p, t| match (p, t) {
        (Unit::Char(a), Unit::Char(b)) => a == b,
        (Unit::One, Unit::Char(_) | Unit::One) => true,
        _ => false,
    })
}

fn compatible(a: Unit, b: Unit) -> bool {
    match (a, b) {
        (Unit::Char(x), Unit::Char(y)) => x == y,
        _ => true,
    }
}

fn split_stars(p: &[Unit]) -> Option<(&[Unit], &[Unit], &[Unit])> {
    let first = p.iter().position(|&u| u == Unit::Star)?;
    let last = p.iter().rposition(|&u| u == Unit::Star)?;
    let middle = if last > first {
        &p[first + 1..last]
    } else {
        &[][..]
    };
    Some((&p[..first], middle, &p[last + 1..]))
}

/// Patterns up to this many cells are intersected exactly when one side has no `*`; larger
/// ones are assumed to intersect (conservative: an overlap is never missed).
const DP_LIMIT: usize = 1 << 20;

/// Whether some string is matched by both patterns. Exact: when both contain `*`, they
/// intersect iff their literal prefixes (before the first `*`) and suffixes (after the last
/// `*`) are compatible position by position; otherwise a small dynamic programme decides.
pub(crate) fn intersects(a: &[Unit], b: &[Unit]) -> bool {
    if a == [Unit::Star] || b == [Unit::Star] {
        return true;
    }
    match (split_stars(a), split_stars(b)) {
        (Some((pa, _, sa)), Some((pb, _, sb))) => {
            pa.iter().zip(pb).all(|(&x, &y)| compatible(x, y))
                && sa
                    .iter()
                    .rev()
                    .zip(sb.iter().rev())
                    .all(|(&x, &y)| compatible(x, y))
        }
        _ => {
            if (a.len() + 1) * (b.len() + 1) > DP_LIMIT {
                return true;
            }
            witness_dp(a, b, 'x').is_some()
        }
    }
}

fn unify(a: Option<Unit>, b: Option<Unit>, filler: char) -> char {
    match (a, b) {
        (Some(Unit::Char(c)), _) | (_, Some(Unit::Char(c))) => c,
        _ => filler,
    }
}

fn instantiate(units: &[Unit], filler: char, out: &mut String) {
    for &u in units {
        out.push(match u {
            Unit::Char(c) => c,
            Unit::One | Unit::Star => filler,
        });
    }
}

/// A concrete string matched by both patterns, with every free position (`?`, `*`) filled
/// with `filler`; `None` when they do not intersect (or are too large to decide).
pub(crate) fn witness(a: &[Unit], b: &[Unit], filler: char) -> Option<String> {
    match (split_stars(a), split_stars(b)) {
        (Some((pa, ma, sa)), Some((pb, mb, sb))) => {
            if !intersects(a, b) {
                return None;
            }
            let mut out = String::new();
            for i in 0..pa.len().max(pb.len()) {
                out.push(unify(pa.get(i).copied(), pb.get(i).copied(), filler));
            }
            out.push(filler);
            instantiate(ma, filler, &mut out);
            out.push(filler);
            instantiate(mb, filler, &mut out);
            out.push(filler);
            let n = sa.len().max(sb.len());
            for i in (0..n).rev() {
                let x = sa.len().checked_sub(i + 1).map(|k| sa[k]);
                let y = sb.len().checked_sub(i + 1).map(|k| sb[k]);
                out.push(unify(x, y, filler));
            }
            Some(out)
        }
        _ => {
            if (a.len() + 1) * (b.len() + 1) > DP_LIMIT {
                return None;
            }
            witness_dp(a, b, filler)
        }
    }
}

/// Reachability over (position in `a`, position in `b`) with back-pointers: a common
/// string of two `*`/`?` patterns, or `None`.
fn witness_dp(a: &[Unit], b: &[Unit], filler: char) -> Option<String> {
    let (n, m) = (a.len(), b.len());
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    // 0 = unvisited; otherwise 1 + index of the predecessor cell.
    let mut prev = vec![0usize; (n + 1) * (m + 1)];
    // emitted character on the edge into a cell (None = nothing emitted)
    let mut emit: Vec<Option<char>> = vec![None; (n + 1) * (m + 1)];
    let start = idx(0, 0);
    prev[start] = start + 1;
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if i == n && j == m {
            let mut out = Vec::new();
            let mut cell = idx(i, j);
            while cell != start {
                if let Some(c) = emit[cell] {
                    out.push(c);
                }
                cell = prev[cell] - 1;
            }
            out.reverse();
            return Some(out.into_iter().collect());
        }
        let mut go = |ni: usize, nj: usize, c: Option<char>, stack: &mut Vec<(usize, usize)>| {
            let cell = idx(ni, nj);
            if prev[cell] == 0 {
                prev[cell] = idx(i, j) + 1;
                emit[cell] = c;
                stack.push((ni, nj));
            }
        };
        let ua = a.get(i).copied();
        let ub = b.get(j).copied();
        if ua == Some(Unit::Star) {
            go(i + 1, j, None, &mut stack);
            if let Some(u) = ub
                && u != Unit::Star
            {
                go(i, j + 1, Some(unify(Some(u), None, filler)), &mut stack);
            }
        }
        if ub == Some(Unit::Star) {
            go(i, j + 1, None, &mut stack);
            if let Some(u) = ua
                && u != Unit::Star
            {
                go(i + 1, j, Some(unify(Some(u), None, filler)), &mut stack);
            }
        }
        if let (Some(x), Some(y)) = (ua, ub)
            && x != Unit::Star
            && y != Unit::Star
            && compatible(x, y)
        {
            go(
                i + 1,
                j + 1,
                Some(unify(Some(x), Some(y), filler)),
                &mut stack,
            );
        }
    }
    None
}

/// A piece of a string that may contain policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Text taken as written (`*` and `?` keep the meaning the element gives them).
    Lit(String),
    /// `${*}`, `${?}`, `${$}`: the character itself, never a wildcard.
    Escape(char),
    /// `${key}` or `${key, 'default'}`; `key` lower-cased, `name` as written.
    Var {
        key: String,
        name: String,
        default: Option<String>,
    },
}

/// Splits `text` into literal runs and policy variables. `None` when the text has no
/// `${…}` construct (the common case: no allocation is kept). A `${` without a closing
/// `}` stays literal text.
pub(crate) fn tokenize(text: &str) -> Option<Vec<Tok>> {
    if !text.contains("${") {
        return None;
    }
    let mut toks = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        lit.push_str(&rest[..start]);
        let inner = after[..end].trim();
        rest = &after[end + 1..];
        match inner {
            "*" | "?" | "$" => {
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                toks.push(Tok::Escape(inner.chars().next().unwrap_or('$')));
            }
            _ => {
                let (name, default) = match inner.split_once(',') {
                    Some((name, default)) => {
                        let d = default.trim();
                        let unquoted = d
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .map(|d| d.replace("''", "'"));
                        (name.trim(), unquoted)
                    }
                    None => (inner, None),
                };
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                toks.push(Tok::Var {
                    key: name.to_ascii_lowercase(),
                    name: name.to_string(),
                    default,
                });
            }
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    Some(toks)
}

/// The pattern with every variable (and escape) replaced by `*`: matches a superset of
/// what any substitution matches.
pub(crate) fn starified(toks: &[Tok]) -> String {
    let mut out = String::new();
    for tok in toks {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Escape(_) | Tok::Var { .. } => out.push('*'),
        }
    }
    out
}

/// Names (as written) of the variables in `toks`.
pub(crate) fn variable_names(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Var { name, .. } => Some(format!("${{{name}}}")),
            _ => None,
        })
        .collect()
}

/// Whether a variable of `toks` has no value: its key is known to be absent from the request
/// and it has no default. "Policy variables with no value" (IAM User Guide, "IAM policy
/// elements: Variables and tags"): such a value is effectively null — `StringEquals` and
/// `StringLike` do not match it, negated operators do, and a `Resource` or `NotResource`
/// entry holding it matches no resource.
pub(crate) fn has_unvalued_variable(toks: &[Tok], ctx: &Context) -> bool {
    toks.iter().any(
        |tok| matches!(tok, Tok::Var { key, default: None, .. } if ctx.get(key) == Lookup::Absent),
    )
}

/// Substitutes the variables from `ctx`. `None` when a value is unknown, or when AWS would
/// not substitute (key absent or multivalued) and there is no default. A key known to be
/// absent has its own rules, which callers apply first ([`has_unvalued_variable`]); a
/// multivalued one is left undecided, since AWS documents that such a statement "might" be
/// invalid. `Some((text,
/// literal_wildcards))`: `literal_wildcards` is set when the text gained a `*` or `?` that
/// must be taken literally (an escape, or a substituted value), which a wildcard-aware
/// comparison cannot express, so the caller treats it as undecided.
pub(crate) fn resolve(toks: &[Tok], ctx: &Context) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut literal_wildcards = false;
    for tok in toks {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Escape(c) => {
                literal_wildcards |= *c == '*' || *c == '?';
                out.push(*c);
            }
            Tok::Var { key, default, .. } => {
                let value = match ctx.get(key) {
                    Lookup::Unknown => return None,
                    Lookup::Present([single]) => single.as_str(),
                    Lookup::Present(_) | Lookup::Absent => default.as_deref()?,
                };
                literal_wildcards |= has_wildcard(value);
                out.push_str(value);
            }
        }
    }
    Some((out, literal_wildcards))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<Unit> {
        let mut v = Vec::new();
        push_units(s, &mut v);
        v
    }

    #[test]
    fn glob_matching() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("s3:Get*", "s3:GetObject", true),
            ("s3:Get*", "s3:PutObject", false),
            ("ec2:*Instances", "ec2:TerminateInstances", true),
            ("ec2:*Instances", "ec2:TerminateInstance", false),
            ("iam:*Policy*", "iam:AttachRolePolicyVersion", true),
            ("iam:*Policy*", "iam:PutRolePolicy", true),
            ("s3:?etObject", "s3:GetObject", true),
            ("s3:?etObject", "s3:etObject", false),
            ("a?c", "aéc", true),
            ("a*é", "abcé", true),
            ("*a*b*c*", "xaxbxcx", true),
            ("*a*b*c*", "xaxcxbx", false),
            ("", "", true),
            ("", "a", false),
            ("abc", "ab", false),
            ("ab*", "ab", true),
            ("*?", "", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob_match(p, t, false), want, "{p} vs {t}");
            assert_eq!(OwnedGlob::new(p).matches(t, false), want, "Glob {p} vs {t}");
            assert_eq!(units_match(&u(p), &u(t), compatible), want);
        }
        assert!(glob_match("S3:GET*", "s3:getobject", true));
        assert!(!glob_match("S3:GET*", "s3:getobject", false));
        assert!(OwnedGlob::new("*Object").matches("s3:getOBJECT", true));
    }

    #[test]
    fn intersection_and_containment() {
        let cases = [
            ("arn:aws:s3:::prod-*", "arn:aws:s3:::*", true),
            ("arn:aws:s3:::prod-*", "arn:aws:s3:::dev-*", false),
            ("arn:aws:s3:::*-prod", "arn:aws:s3:::dev-*", true),
            ("arn:aws:s3:::prod-data", "arn:aws:s3:::prod-*", true),
            ("arn:aws:s3:::dev-data", "arn:aws:s3:::prod-*", false),
            ("arn:aws:s3:::a?c", "arn:aws:s3:::ab?", true),
            ("arn:aws:s3:::a?c", "arn:aws:s3:::ab", false),
            ("*", "x", true),
            ("a*b*c", "*d*", true),
            ("a*b", "c*", false),
        ];
        for (a, b, want) in cases {
            let (ua, ub) = (u(a), u(b));
            assert_eq!(intersects(&ua, &ub), want, "{a} ∩ {b}");
            assert_eq!(intersects(&ub, &ua), want, "{b} ∩ {a}");
            match witness(&ua, &ub, '\u{1}') {
                Some(w) => {
                    assert!(want, "{a} ∩ {b} gave {w:?}");
                    assert!(
                        glob_match(a, &w, false) && glob_match(b, &w, false),
                        "{w:?}"
                    );
                }
                None => assert!(!want, "{a} ∩ {b}: no witness"),
            }
        }
        assert!(contains(&u("arn:aws:s3:::*"), &u("arn:aws:s3:::prod-*")));
        assert!(!contains(&u("arn:aws:s3:::prod-*"), &u("arn:aws:s3:::*")));
        assert!(contains(&u("*"), &u("arn:*")));
        assert!(contains(&u("a?c*"), &u("abc?d*")));
        assert!(!contains(&u("abc*"), &u("a?c*")));
    }

    #[test]
    fn variables() {
        assert_eq!(tokenize("plain"), None);
        let toks = tokenize("arn:aws:s3:::home/${aws:username}/${*}").unwrap_or_default();
        assert_eq!(
            toks,
            vec![
                Tok::Lit("arn:aws:s3:::home/".into()),
                Tok::Var {
                    key: "aws:username".into(),
                    name: "aws:username".into(),
                    default: None
                },
                Tok::Lit("/".into()),
                Tok::Escape('*'),
            ]
        );
        assert_eq!(starified(&toks), "arn:aws:s3:::home/*/*");
        let toks = tokenize("${aws:PrincipalTag/team, 'it''s'}").unwrap_or_default();
        let ctx = Context::new().with_absent("aws:principaltag/team");
        assert_eq!(resolve(&toks, &ctx), Some(("it's".to_string(), false)));
        assert_eq!(resolve(&toks, &Context::new()), None);
        let ctx = Context::new().with("AWS:PrincipalTag/Team", &["ops"]);
        assert_eq!(resolve(&toks, &ctx), Some(("ops".to_string(), false)));
        assert_eq!(
            tokenize("${unterminated"),
            Some(vec![Tok::Lit("${unterminated".into())])
        );
    }

    /// Every string over {a, b, c} up to `max` characters.
    fn strings(max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &frontier {
                for c in ['a', 'b', 'c'] {
                    next.push(format!("{s}{c}"));
                }
            }
            all.extend(next.iter().cloned());
            frontier = next;
        }
        all
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, ..Default::default() })]

        /// `intersects` is exact, `witness` is a common string, `contains` is sound, and
        /// the fast matchers agree with each other — checked against brute force.
        #[test]
        fn pattern_algebra_matches_brute_force(a in "[ab*?]{0,4}", b in "[ab*?]{0,4}") {
            use std::sync::OnceLock;
            static ALL: OnceLock<Vec<String>> = OnceLock::new();
            let all = ALL.get_or_init(|| strings(8));
            let (ua, ub) = (u(&a), u(&b));
            let common = all.iter().any(|s| glob_match(&a, s, false) && glob_match(&b, s, false));
            if surely_disjoint(&a, &b) {
                proptest::prop_assert!(!common, "{} and {} said disjoint", a, b);
            }
            proptest::prop_assert_eq!(intersects(&ua, &ub), common, "{} {}", a, b);
            if let Some(w) = witness(&ua, &ub, 'c') {
                proptest::prop_assert!(glob_match(&a, &w, false) && glob_match(&b, &w, false));
            } else {
                proptest::prop_assert!(!common);
            }
            if contains(&ua, &ub) {
                for s in all.iter().filter(|s| glob_match(&b, s, false)) {
                    proptest::prop_assert!(glob_match(&a, s, false), "{} ⊇ {} but not {}", a, b, s);
                }
            }
            for s in all.iter().take(200) {
                let want = glob_match(&a, s, false);
                proptest::prop_assert_eq!(OwnedGlob::new(&a).matches(s, false), want);
                proptest::prop_assert_eq!(units_match(&ua, &u(s), compatible), want);
            }
        }
    }
}
