//! The assume-role graph across every collected account: who can become whom.
//!
//! An edge P → R exists when R's trust policy admits P (by ARN, by P's account, or `*`) and
//! P's own policies may allow `sts:AssumeRole` on R (identity policies, boundary and SCPs, as
//! the engine decides; a same-account trust that names P's ARN needs no identity allow).
//! Reachability from a set of starting principals is a breadth-first search, so the chain it
//! reports for each role is a shortest one.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::principals::Principals;
use super::trust::{TrustEntry, TrustVerdict, Trustee, admits, trust_entries};
use super::{Context, Request};
use crate::inventory::Snapshot;

/// One step of a chain: `from` assumes `to`, admitted by `entries` of `to`'s trust policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub from: String,
    pub to: String,
    /// The trust statements that admit `from`.
    pub entries: Vec<TrustEntry>,
    /// The trust or the identity allow depends on conditions the engine cannot decide.
    pub conditional: bool,
}

/// A role of the graph with its parsed trust.
struct Node {
    arn: String,
    account: String,
    entries: Result<Vec<TrustEntry>, String>,
}

/// The trust side of the graph, indexed by who is trusted.
pub struct TrustGraph<'p> {
    principals: &'p Principals,
    roles: Vec<Node>,
    /// Role ARN → index in `roles`.
    index: HashMap<String, usize>,
    by_arn: BTreeMap<String, Vec<usize>>,
    by_account: BTreeMap<String, Vec<usize>>,
    anyone: Vec<usize>,
}

impl<'p> TrustGraph<'p> {
    pub fn new(snapshot: &Snapshot, principals: &'p Principals) -> TrustGraph<'p> {
        let mut graph = TrustGraph {
            principals,
            roles: Vec::new(),
            index: HashMap::new(),
            by_arn: BTreeMap::new(),
            by_account: BTreeMap::new(),
            anyone: Vec::new(),
        };
        for account in &snapshot.accounts {
            let Some(iam) = &account.iam else { continue };
            for role in &iam.roles {
                let index = graph.roles.len();
                let entries = trust_entries(&role.trust_policy).map_err(|e| e.to_string());
                for entry in entries.iter().flatten() {
                    match &entry.trustee {
                        Trustee::Anyone => graph.anyone.push(index),
                        Trustee::Account(a) => {
                            graph.by_account.entry(a.clone()).or_default().push(index)
                        }
                        Trustee::Principal(p) => {
                            graph.by_arn.entry(p.clone()).or_default().push(index)
                        }
                        _ => {}
                    }
                }
                graph.index.insert(role.arn.clone(), index);
                graph.roles.push(Node {
                    arn: role.arn.clone(),
                    account: account.id.clone(),
                    entries,
                });
            }
        }
        for list in graph
            .by_arn
            .values_mut()
            .chain(graph.by_account.values_mut())
            .chain(std::iter::once(&mut graph.anyone))
        {
            list.sort_unstable();
            list.dedup();
        }
        graph
    }

    /// The trust entries of a role, or why they could not be read.
    pub fn trust_of(&self, role_arn: &str) -> Option<&Result<Vec<TrustEntry>, String>> {
        self.index.get(role_arn).map(|&i| &self.roles[i].entries)
    }

    /// Roles whose trust policy could not be read, with their accounts and why: anyone may
    /// be able to assume them.
    pub fn unreadable(&self) -> Vec<(&str, &str, &str)> {
        self.roles
            .iter()
            .filter_map(|node| match &node.entries {
                Err(err) => Some((node.arn.as_str(), node.account.as_str(), err.as_str())),
                Ok(_) => None,
            })
            .collect()
    }

    /// The roles that may be reachable by anyone because of a trust policy that could not be
    /// read: each unreadable role, and every role reachable from one. A role reached by
    /// [`TrustGraph::reach`] is certainly reachable; one only in this set is possibly
    /// reachable, which the checks report as unknown.
    pub fn possibly_reached(&self) -> PossiblyReached {
        let unreadable = self.unreadable();
        let starts: Vec<(String, String)> = unreadable
            .iter()
            .map(|(arn, account, _)| ((*arn).to_owned(), (*account).to_owned()))
            .collect();
        PossiblyReached {
            reached: self.reach(&starts),
            unreadable: unreadable
                .into_iter()
                .map(|(arn, _, err)| (arn.to_owned(), err.to_owned()))
                .collect(),
        }
    }

    /// Whether `from` (of `account`) can assume `to`: `None` when not, else the hop.
    fn hop(&self, from: &str, account: &str, to: &Node) -> Option<Hop> {
        let Ok(entries) = &to.entries else {
            return None;
        };
        let (admitting, mut conditional) = match admits(entries, from, account) {
            TrustVerdict::Trusted(e) => (e, false),
            TrustVerdict::Conditional(e) => (e, true),
            TrustVerdict::NotTrusted | TrustVerdict::Denied(_) => return None,
        };
        let named = admitting
            .iter()
            .any(|e| matches!(&e.trustee, Trustee::Principal(p) if p == from));
        // A principal not in the snapshot is assumed to be allowed by its own policies.
        if let Some(principal) = self.principals.get(from) {
            let context = Context::new().with_principal_arn(from);
            let verdict = principal.policies.verdict(&Request {
                action: "sts:AssumeRole",
                resource: &to.arn,
                context: &context,
            });
            if named && account == to.account {
                // The trust alone allows it ("Policy evaluation logic": a resource-based
                // policy naming the principal in its own account needs no identity allow),
                // but an explicit Deny always wins, and an SCP that does not allow the call
                // stops it.
                if matches!(
                    verdict,
                    super::Verdict::ExplicitlyDenied(_)
                        | super::Verdict::ImplicitlyDenied(super::PolicyKind::Scp)
                ) {
                    return None;
                }
            } else {
                // The caller's own policies must allow the call too (cross-account, or trust
                // through the account).
                if !verdict.may_be_allowed() {
                    return None;
                }
                conditional |= verdict != super::Verdict::Allowed;
            }
        }
        Some(Hop {
            from: from.to_owned(),
            to: to.arn.clone(),
            entries: admitting,
            conditional,
        })
    }

    /// The account id as stored in the index (borrowed from the graph, for caches).
    fn roles_account_key<'a>(&'a self, account: &str) -> &'a str {
        self.by_account
            .get_key_value(account)
            .map_or("", |(key, _)| key.as_str())
    }

    /// Every role reachable from `starts` (principal ARNs with their accounts, or accounts
    /// themselves as `(account, account)` for "any principal of this account"), each with
    /// the hop that first reached it (follow `from` back for the chain).
    pub fn reach(&self, starts: &[(String, String)]) -> BTreeMap<String, Hop> {
        let mut reached: BTreeMap<String, Hop> = BTreeMap::new();
        let started: HashSet<&str> = starts.iter().map(|(s, _)| s.as_str()).collect();
        let mut queue: VecDeque<(String, String)> = starts.iter().cloned().collect();
        // Accounts whose account-trusting roles are all starts already: nothing to gain from
        // walking them again for every principal of the account.
        let mut settled: HashMap<&str, bool> = HashMap::new();
        while let Some((from, account)) = queue.pop_front() {
            let by_account = self
                .by_account
                .get(&account)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let done = *settled
                .entry(self.roles_account_key(&account))
                .or_insert_with(|| {
                    by_account
                        .iter()
                        .all(|&i| started.contains(self.roles[i].arn.as_str()))
                });
            let by_account = if done { &[][..] } else { by_account };
            let candidates = self
                .by_arn
                .get(&from)
                .into_iter()
                .flatten()
                .chain(by_account.iter())
                .chain(self.anyone.iter());
            for &index in candidates {
                let node = &self.roles[index];
                if reached.contains_key(&node.arn) || started.contains(node.arn.as_str()) {
                    continue;
                }
                if let Some(hop) = self.hop(&from, &account, node) {
                    reached.insert(node.arn.clone(), hop);
                    queue.push_back((node.arn.clone(), node.account.clone()));
                }
            }
        }
        reached
    }
}

/// The roles whose reachability rests on a trust policy that could not be read.
#[derive(Debug, Default)]
pub struct PossiblyReached {
    /// Role ARN → why its trust policy could not be read.
    pub unreadable: BTreeMap<String, String>,
    /// Roles reachable from an unreadable one, each with the hop that first reached it.
    pub reached: BTreeMap<String, Hop>,
}

impl PossiblyReached {
    /// Why whoever may assume `role` is unknown, naming the role whose trust policy could not
    /// be read (`role` itself, or the first of the chain that leads to it); `None` when no
    /// unreadable trust policy leads to it.
    pub fn why(&self, role: &str) -> Option<String> {
        if let Some(err) = self.unreadable.get(role) {
            return Some(format!(
                "the trust policy of {role} could not be read ({err})"
            ));
        }
        let path = chain(&self.reached, role);
        let first = path.first()?;
        let steps: Vec<&str> = std::iter::once(first.from.as_str())
            .chain(path.iter().map(|h| h.to.as_str()))
            .collect();
        Some(format!(
            "it can be assumed from {}, whose trust policy could not be read ({}): {}",
            first.from,
            self.unreadable
                .get(&first.from)
                .map_or("unreadable", String::as_str),
            steps.join(" → ")
        ))
    }

    /// The role whose trust policy could not be read that leads to `role` (`role` itself
    /// when its own could not be read).
    pub fn origin<'a>(&'a self, role: &'a str) -> Option<&'a str> {
        if self.unreadable.contains_key(role) {
            return Some(role);
        }
        chain(&self.reached, role).first().map(|h| h.from.as_str())
    }

    /// Every role of the set: the unreadable ones and those reachable from them.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.unreadable
            .keys()
            .chain(self.reached.keys())
            .map(String::as_str)
    }

    /// The unreadable role and the chain from it to `role`, for evidence.
    pub fn evidence(&self, role: &str) -> Option<serde_json::Value> {
        if let Some(err) = self.unreadable.get(role) {
            return Some(serde_json::json!({ "role": role, "error": err }));
        }
        let path = chain(&self.reached, role);
        let first = path.first()?;
        Some(serde_json::json!({
            "role": first.from,
            "error": self.unreadable.get(&first.from),
            "chain": path.iter().map(|h| serde_json::json!({ "from": h.from, "to": h.to, "conditional": h.conditional })).collect::<Vec<_>>(),
        }))
    }
}

/// The chain that reached `role`, first hop first.
pub fn chain<'h>(reached: &'h BTreeMap<String, Hop>, role: &str) -> Vec<&'h Hop> {
    let mut chain = Vec::new();
    let mut at = role;
    while let Some(hop) = reached.get(at) {
        if chain.iter().any(|h: &&Hop| h.to == hop.from) || chain.len() > 64 {
            break;
        }
        chain.push(hop);
        at = &hop.from;
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{PROD, estate, trusts};
    use crate::inventory::{Iam, InlinePolicy, Role};

    fn role(name: &str, trust: String, inline: Option<&str>) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::{PROD}:role/{name}"),
            path: "/".into(),
            trust_policy: trust,
            inline_policies: inline
                .map(|document| InlinePolicy {
                    name: "p".into(),
                    document: document.into(),
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }
    }

    fn reached(from_inline: Option<&str>) -> bool {
        let from = format!("arn:aws:iam::{PROD}:role/agent");
        let mut snapshot = estate(|_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles: vec![
                role(
                    "agent",
                    trusts(&format!("arn:aws:iam::{PROD}:root")),
                    from_inline,
                ),
                role("admin", trusts(&from), None),
            ],
            ..Default::default()
        });
        let principals = Principals::new(&snapshot);
        let graph = TrustGraph::new(&snapshot, &principals);
        graph
            .reach(&[(from.clone(), PROD.to_owned())])
            .contains_key(&format!("arn:aws:iam::{PROD}:role/admin"))
    }

    #[test]
    fn a_same_account_trust_naming_the_principal_needs_no_allow_but_an_explicit_deny_wins() {
        // "Policy evaluation logic": in one account, a resource-based policy that names the
        // principal grants on its own; "an explicit deny in any policy overrides any allow".
        // Before: the identity side was skipped, so a Deny on sts:AssumeRole was ignored.
        assert!(
            reached(None),
            "the trust names the agent: no identity allow needed"
        );
        let deny = r#"{"Statement":{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}}"#;
        assert!(!reached(Some(deny)), "an explicit Deny wins");
        let other = r#"{"Statement":{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/other"}}"#;
        assert!(reached(Some(other)), "a Deny on another role does not");
    }
}
