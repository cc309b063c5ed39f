//! Property tests: parsing never panics on any JSON value or any string, and evaluating any
//! document that parses never panics.

use proptest::prelude::*;
use ringfence::policy::{
    CompiledPolicySet, Context, Decision, NamedPolicy, PolicyDocument, PolicyKind, PolicySet,
    Request,
};
use serde_json::{Map, Value};

/// Words that make generated values look like policies often enough to reach the engine.
const WORDS: &[&str] = &[
    "Version",
    "2012-10-17",
    "2008-10-17",
    "Statement",
    "Sid",
    "Effect",
    "Allow",
    "Deny",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "Principal",
    "NotPrincipal",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "*",
    "s3:*",
    "s3:Get*",
    "ec2:*Instances",
    "iam:*Policy*",
    "s3:?etObject",
    "arn:aws:s3:::prod-*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::${aws:username}/*",
    "${*}",
    "${aws:PrincipalTag/t, 'd'}",
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "ArnLike",
    "ArnNotLike",
    "Bool",
    "Null",
    "NumericLessThan",
    "DateGreaterThan",
    "IpAddress",
    "NotIpAddress",
    "BinaryEquals",
    "ForAllValues:StringEquals",
    "ForAnyValue:StringLike",
    "StringEqualsIfExists",
    "BoolIfExists",
    "UnknownOperator",
    "aws:SourceIp",
    "aws:username",
    "aws:TagKeys",
    "aws:CurrentTime",
    "aws:MultiFactorAuthPresent",
    "10.0.0.0/8",
    "2024-01-01T00:00:00Z",
    "true",
    "false",
    "5",
    "",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => ".{0,12}",
        1 => "[a-z0-9:*?/${}',-]{0,16}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A condition value: mostly scalars, sometimes anything.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => word().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i32>().prop_map(Value::from),
        1 => json(),
    ]
}

/// A statement-shaped object, so that evaluation is reached often.
fn statement() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(&["Allow", "Deny"][..]),
        proptest::sample::select(&["Action", "NotAction"][..]),
        prop::collection::vec(word(), 1..4),
        proptest::sample::select(&["Resource", "NotResource"][..]),
        prop::collection::vec(word(), 1..4),
        prop::option::of(prop::collection::vec(
            (word(), word(), prop::collection::vec(value(), 1..3)),
            1..3,
        )),
    )
        .prop_map(
            |(effect, action_key, actions, resource_key, resources, condition)| {
                let mut m = Map::new();
                m.insert("Effect".into(), Value::from(effect));
                m.insert(action_key.into(), Value::from(actions));
                m.insert(resource_key.into(), Value::from(resources));
                if let Some(condition) = condition {
                    let mut ops = Map::new();
                    for (op, key, values) in condition {
                        let mut keys = Map::new();
                        keys.insert(key, Value::Array(values));
                        ops.insert(op, Value::Object(keys));
                    }
                    m.insert("Condition".into(), Value::Object(ops));
                }
                Value::Object(m)
            },
        )
}

fn document() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => json(),
        3 => (
            proptest::sample::select(&["2012-10-17", "2008-10-17"][..]),
            prop::collection::vec(prop_oneof![8 => statement(), 1 => json()], 0..5)
        )
            .prop_map(|(version, statements)| {
                serde_json::json!({ "Version": version, "Statement": statements })
            }),
    ]
}

fn context() -> impl Strategy<Value = Context> {
    prop::collection::vec(
        (word(), prop::collection::vec(word(), 0..3), any::<bool>()),
        0..4,
    )
    .prop_map(|entries| {
        let mut ctx = Context::new();
        for (key, values, absent) in entries {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            ctx = if absent {
                ctx.with_absent(&key)
            } else {
                ctx.with(&key, &values)
            };
        }
        ctx
    })
}

fn evaluate_everything(doc: PolicyDocument, action: &str, resource: &str, ctx: &Context) {
    let named = |kind| NamedPolicy {
        id: "p".into(),
        kind,
        document: doc.clone(),
    };
    let sets = [
        PolicySet {
            identity: vec![named(PolicyKind::Identity)],
            ..PolicySet::default()
        },
        PolicySet {
            identity: vec![named(PolicyKind::Identity)],
            boundary: Some(named(PolicyKind::Boundary)),
            scp_levels: vec![vec![named(PolicyKind::Scp)], vec![]],
        },
    ];
    for set in &sets {
        let compiled = CompiledPolicySet::new(set);
        let decision = compiled.evaluate(&Request {
            action,
            resource,
            context: ctx,
        });
        let fast = compiled.verdict(&Request {
            action,
            resource,
            context: ctx,
        });
        assert_eq!(fast, decision.verdict(), "verdict and decision differ");
        if let Decision::ConditionallyAllowed { undecided, .. } = &decision {
            assert!(
                !undecided.is_empty(),
                "conditional without conditions: {decision:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_json_values(value in document()) {
        let _ = PolicyDocument::parse(&value.to_string());
        let _ = PolicyDocument::parse(&serde_json::to_string_pretty(&value).unwrap_or_default());
    }

    #[test]
    fn parse_never_panics_on_strings(text in ".{0,200}") {
        let _ = PolicyDocument::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_percent_encoded_json(value in document()) {
        let text = value.to_string();
        let encoded: String = percent_encoding::utf8_percent_encode(
            &text,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let plain = PolicyDocument::parse(&text);
        let decoded = PolicyDocument::parse(&encoded);
        if !text.starts_with('"') {
            prop_assert_eq!(plain, decoded);
        }
    }

    #[test]
    fn evaluation_never_panics(
        value in document(),
        action in prop_oneof![
            3 => proptest::sample::select(&["s3:GetObject", "s3:DeleteBucket", "ec2:TerminateInstances", "iam:CreateUser", "IAM:PASSROLE"][..]).prop_map(str::to_string),
            1 => word(),
        ],
        resource in prop_oneof![
            3 => proptest::sample::select(&["*", "arn:aws:s3:::prod-data", "arn:aws:s3:::*", "arn:aws:s3:::prod-??", "arn:*"][..]).prop_map(str::to_string),
            1 => word(),
        ],
        ctx in context(),
    ) {
        if let Ok(doc) = PolicyDocument::parse(&value.to_string()) {
            evaluate_everything(doc, &action, &resource, &ctx);
        }
    }
}

// --- the engine against a naive reference evaluator (no conditions, concrete requests) ---

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:?etObject",
    "S3:DeleteBucket",
    "ec2:*Instances",
    "ec2:TerminateInstances",
    "iam:*",
    "iam:*Policy*",
    "*:Delete*",
    "s*:*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::prod-*",
    "arn:aws:s3:::prod-data",
    "arn:aws:s3:::prod-*/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:iam::1:role/?gent",
];
const REQUEST_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:DeleteBucket",
    "s3:PutObject",
    "ec2:TerminateInstances",
    "ec2:RunInstances",
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "sts:AssumeRole",
];
const REQUEST_RESOURCES: &[&str] = &[
    "arn:aws:s3:::prod-data",
    "arn:aws:s3:::dev-data",
    "arn:aws:s3:::prod-data/key",
    "arn:aws:ec2:us-east-1:1:instance/i-1",
    "arn:aws:iam::1:role/agent",
];

fn simple_statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(proptest::sample::select(ACTIONS), 1..3),
        0..3u8,
        prop::collection::vec(proptest::sample::select(RESOURCES), 1..3),
    )
        .prop_map(|(allow, not_action, actions, resource_kind, resources)| {
            let mut m = Map::new();
            m.insert(
                "Effect".into(),
                Value::from(if allow { "Allow" } else { "Deny" }),
            );
            let action_key = if not_action { "NotAction" } else { "Action" };
            m.insert(action_key.into(), Value::from(actions));
            match resource_kind {
                0 => {
                    m.insert("Resource".into(), Value::from(resources));
                }
                1 => {
                    m.insert("NotResource".into(), Value::from(resources));
                }
                _ => {}
            }
            Value::Object(m)
        })
}

fn simple_policy() -> impl Strategy<Value = PolicyDocument> {
    prop::collection::vec(simple_statement(), 0..4).prop_map(|statements| {
        let doc = serde_json::json!({ "Version": "2012-10-17", "Statement": statements });
        PolicyDocument::parse(&doc.to_string()).unwrap_or(PolicyDocument {
            version: None,
            statements: Vec::new(),
        })
    })
}

fn reference_applies(s: &ringfence::policy::Statement, action: &str, resource: &str) -> bool {
    use ringfence::policy::glob_match;
    let resource_ok = if !s.not_resource.is_empty() {
        !s.not_resource
            .iter()
            .any(|p| glob_match(p, resource, false))
    } else if s.resource.is_empty() {
        true
    } else {
        s.resource.iter().any(|p| glob_match(p, resource, false))
    };
    s.matches_action(action) && resource_ok
}

/// "D", "A", "scp<n>", "boundary" or "identity".
fn reference(set: &PolicySet, action: &str, resource: &str) -> String {
    use ringfence::policy::Effect;
    let all = set
        .scp_levels
        .iter()
        .flatten()
        .chain(set.boundary.iter())
        .chain(set.identity.iter());
    let applies = |p: &NamedPolicy, effect| {
        p.document
            .statements
            .iter()
            .any(|s| s.effect == effect && reference_applies(s, action, resource))
    };
    if all.clone().any(|p| applies(p, Effect::Deny)) {
        return "D".into();
    }
    for (i, level) in set.scp_levels.iter().enumerate() {
        if !level.iter().any(|p| applies(p, Effect::Allow)) {
            return format!("scp{i}");
        }
    }
    if let Some(b) = &set.boundary
        && !applies(b, Effect::Allow)
    {
        return "boundary".into();
    }
    if !set.identity.iter().any(|p| applies(p, Effect::Allow)) {
        return "identity".into();
    }
    "A".into()
}

fn kind(d: &Decision) -> String {
    use ringfence::policy::Missing;
    match d {
        Decision::Allowed { .. } => "A".into(),
        Decision::ConditionallyAllowed { .. } => "C".into(),
        Decision::ExplicitlyDenied { .. } => "D".into(),
        Decision::ImplicitlyDenied { missing } => match missing {
            Missing::NoIdentityAllow => "identity".into(),
            Missing::Boundary(_) => "boundary".into(),
            Missing::ScpLevel(i, _) => format!("scp{i}"),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_a_naive_evaluator(
        identity in prop::collection::vec(simple_policy(), 0..3),
        boundary in prop::option::of(simple_policy()),
        scps in prop::collection::vec(prop::collection::vec(simple_policy(), 0..2), 0..3),
        action in proptest::sample::select(REQUEST_ACTIONS),
        resource in proptest::sample::select(REQUEST_RESOURCES),
    ) {
        let named = |i: usize, kind, document: PolicyDocument| NamedPolicy { id: format!("p{i}"), kind, document };
        let set = PolicySet {
            identity: identity.into_iter().enumerate().map(|(i, d)| named(i, PolicyKind::Identity, d)).collect(),
            boundary: boundary.map(|d| named(0, PolicyKind::Boundary, d)),
            scp_levels: scps.into_iter().map(|level| level.into_iter().enumerate().map(|(i, d)| named(i, PolicyKind::Scp, d)).collect()).collect(),
        };
        let ctx = Context::new();
        let compiled = CompiledPolicySet::new(&set);
        let got = compiled.evaluate(&Request { action, resource, context: &ctx });
        prop_assert_eq!(kind(&got), reference(&set, action, resource));
        prop_assert_eq!(compiled.verdict(&Request { action, resource, context: &ctx }), got.verdict());
    }
}

const REQUEST_PATTERNS: &[&str] = &[
    "*",
    "arn:*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::prod-*",
    "arn:aws:s3:::*-data",
    "arn:aws:s3:::prod-data/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:iam::1:role/*",
    "arn:aws:s3:::?rod-data",
];

/// Concrete resources to try under each pattern.
const SAMPLES: &[&str] = &[
    "arn:aws:s3:::prod-data",
    "arn:aws:s3:::dev-data",
    "arn:aws:s3:::prod-logs",
    "arn:aws:s3:::prod-data/key",
    "arn:aws:s3:::other",
    "arn:aws:ec2:us-east-1:1:instance/i-1",
    "arn:aws:iam::1:role/agent",
    "arn:aws:iam::1:role/admin",
    "arn:aws:s3:::",
    "*",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    /// A pattern request is never denied when some concrete resource inside it is allowed
    /// (no false "not allowed"), and never plainly allowed when no sample inside it is
    /// allowed unless the engine found a witness of its own.
    #[test]
    fn pattern_requests_are_never_falsely_denied(
        identity in prop::collection::vec(simple_policy(), 0..3),
        boundary in prop::option::of(simple_policy()),
        scps in prop::collection::vec(prop::collection::vec(simple_policy(), 0..2), 0..3),
        action in proptest::sample::select(REQUEST_ACTIONS),
        pattern in proptest::sample::select(REQUEST_PATTERNS),
    ) {
        use ringfence::policy::glob_match;
        let named = |i: usize, kind, document: PolicyDocument| NamedPolicy { id: format!("p{i}"), kind, document };
        let set = PolicySet {
            identity: identity.into_iter().enumerate().map(|(i, d)| named(i, PolicyKind::Identity, d)).collect(),
            boundary: boundary.map(|d| named(0, PolicyKind::Boundary, d)),
            scp_levels: scps.into_iter().map(|level| level.into_iter().enumerate().map(|(i, d)| named(i, PolicyKind::Scp, d)).collect()).collect(),
        };
        let ctx = Context::new();
        let compiled = CompiledPolicySet::new(&set);
        let got = compiled.evaluate(&Request { action, resource: pattern, context: &ctx });
        prop_assert_eq!(compiled.verdict(&Request { action, resource: pattern, context: &ctx }), got.verdict());
        for sample in SAMPLES.iter().filter(|s| glob_match(pattern, s, false)) {
            if reference(&set, action, sample) == "A" {
                prop_assert!(got.may_be_allowed(), "{} on {} is allowed but {} got {:?}", action, sample, pattern, got);
            }
        }
    }
}
