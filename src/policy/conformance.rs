//! IAM evaluation conformance: one case per rule the IAM User Guide (and the AWS
//! Organizations guide, for SCPs) documents for policy evaluation, in
//! `conformance_iam.json`; each case names its page and the rule. Both the verdict and the
//! full decision must give the expected answer.

use serde_json::Value;

use super::{
    CompiledPolicySet, Context, NamedPolicy, PolicyDocument, PolicyKind, PolicySet, Request,
    Verdict,
};

const CASES: &str = include_str!("conformance_iam.json");

fn policy(id: &str, kind: PolicyKind, statements: &Value, version: Option<&str>) -> NamedPolicy {
    let mut document = serde_json::json!({ "Statement": statements });
    if let Some(version) = version {
        document["Version"] = Value::from(version);
    }
    let text = document.to_string();
    NamedPolicy {
        id: id.to_owned(),
        kind,
        document: PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{id}: {e}: {text}")),
    }
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allowed => "allowed",
        Verdict::ConditionallyAllowed => "conditional",
        Verdict::ExplicitlyDenied(_) => "explicit-deny",
        Verdict::ImplicitlyDenied(PolicyKind::Identity) => "implicit-deny-identity",
        Verdict::ImplicitlyDenied(PolicyKind::Boundary) => "implicit-deny-boundary",
        Verdict::ImplicitlyDenied(PolicyKind::Scp) => "implicit-deny-scp",
    }
}

#[test]
fn every_documented_evaluation_rule_holds() {
    let suite: Value = serde_json::from_str(CASES).unwrap();
    let cases = suite["cases"].as_array().unwrap();
    let mut disagreements = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let version = match case.get("version") {
            Some(Value::Null) => None,
            Some(v) => v.as_str(),
            None => Some("2012-10-17"),
        };
        let mut set = PolicySet::default();
        for key in ["identity", "identity2"] {
            if let Some(statements) = case.get(key) {
                set.identity
                    .push(policy(key, PolicyKind::Identity, statements, version));
            }
        }
        if let Some(statements) = case.get("boundary") {
            set.boundary = Some(policy(
                "boundary",
                PolicyKind::Boundary,
                statements,
                version,
            ));
        }
        for (level, scps) in case["scps"].as_array().into_iter().flatten().enumerate() {
            set.scp_levels.push(vec![policy(
                &format!("scp{level}"),
                PolicyKind::Scp,
                scps,
                version,
            )]);
        }
        let mut context = Context::new();
        for (key, values) in case["context"].as_object().into_iter().flatten() {
            let values: Vec<&str> = values
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            context = context.with(key, &values);
        }
        for key in case["absent"].as_array().into_iter().flatten() {
            context = context.with_absent(key.as_str().unwrap());
        }
        let compiled = CompiledPolicySet::new(&set);
        let request = Request {
            action: case["action"].as_str().unwrap(),
            resource: case["resource"].as_str().unwrap(),
            context: &context,
        };
        let verdict = compiled.verdict(&request);
        let decided = compiled.evaluate(&request).verdict();
        let expected = case["expect"].as_str().unwrap();
        if verdict_name(verdict) != expected || decided != verdict {
            disagreements.push(format!(
                "{name}: expected {expected}, verdict {}, decision {}",
                verdict_name(verdict),
                verdict_name(decided)
            ));
        }
    }
    eprintln!(
        "IAM evaluation conformance: {} cases, {} agree",
        cases.len(),
        cases.len() - disagreements.len()
    );
    assert!(cases.len() >= 25, "{} cases", cases.len());
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
