//! INP002 agent-session-scope: an agent's sessions in production are bounded — a permissions
//! boundary caps what any policy added later can grant, and a role session lasts at most an
//! hour, so a stolen or misused session does not outlive the task.

use serde_json::json;

use crate::checks::agents::{agent_name, agents, settle};
use crate::checks::scope::add_evidence;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::Snapshot;

pub const CHECK: Check = Check {
    id: "INP002",
    name: "agent-session-scope",
    catalogue: include_str!("../../../checks/inp/INP002-agent-session-scope.toml"),
    run,
};

/// The longest session an agent role should allow, in seconds.
const MAX_SESSION: u32 = 3600;

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for agent in agents(snapshot, ctx, &mut out) {
        let mut finding = agent.finding;
        let principal = agent.principal;
        let account = snapshot.accounts.iter().find(|a| a.id == principal.account);
        let iam = account.and_then(|a| a.iam.as_ref());
        let (boundary, session) = match iam {
            Some(iam) if principal.is_role => iam
                .roles
                .iter()
                .find(|r| r.arn == principal.arn)
                .map_or((None, None), |r| {
                    (r.permissions_boundary.clone(), r.max_session_duration)
                }),
            Some(iam) => iam
                .users
                .iter()
                .find(|u| u.arn == principal.arn)
                .map_or((None, None), |u| (u.permissions_boundary.clone(), None)),
            None => (None, None),
        };
        let name = agent_name(principal, &finding);
        let mut problems = Vec::new();
        if boundary.is_none() {
            problems.push("it has no permissions boundary".to_owned());
        }
        match (principal.is_role, session) {
            (true, Some(seconds)) if seconds > MAX_SESSION => problems.push(format!(
                "its sessions may last {}h (more than 1h)",
                seconds / 3600
            )),
            (false, _) => problems.push(
                "it is an IAM user: its access keys do not expire (give the agent a role)"
                    .to_owned(),
            ),
            _ => {}
        }
        let unknown_session = principal.is_role && session.is_none();
        (finding.status, finding.message) = if !problems.is_empty() {
            (
                Status::Fail,
                format!("{name} is not scoped: {}", problems.join("; ")),
            )
        } else if unknown_session {
            (
                Status::Unknown,
                format!("the maximum session duration of {name} was not collected"),
            )
        } else {
            (
                Status::Pass,
                format!("{name} has a permissions boundary and sessions of at most 1h"),
            )
        };
        add_evidence(&mut finding, "permissions_boundary", json!(boundary));
        add_evidence(&mut finding, "max_session_seconds", json!(session));
        if finding.status == Status::Fail {
            finding.remediation = Some(format!(
                "aws iam put-role-permissions-boundary --role-name {n} --permissions-boundary BOUNDARY_POLICY_ARN; aws iam update-role --role-name {n} --max-session-duration 3600",
                n = principal.name
            ));
        }
        settle(agent.possibly.as_deref(), principal, &mut finding);
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{Iam, Role};

    fn agent(boundary: bool, session: Option<u32>) -> Role {
        Role {
            name: "triage-agent".into(),
            arn: format!("arn:aws:iam::{PROD}:role/triage-agent"),
            path: "/".into(),
            trust_policy: r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#.into(),
            permissions_boundary: boundary.then(|| format!("arn:aws:iam::{PROD}:policy/agent-boundary")),
            max_session_duration: session,
            ..Default::default()
        }
    }

    fn run_in(account: &str, role: Role) -> Vec<crate::checks::Finding> {
        let mut snapshot = estate_in(account, |_| {});
        snapshot.accounts[0].iam = Some(Iam {
            roles: vec![role],
            ..Default::default()
        });
        run_check(&super::CHECK, &snapshot)
    }

    #[test]
    fn bounded_short_sessions_pass() {
        only(&run_in(PROD, agent(true, Some(3600))), Status::Pass);
    }

    #[test]
    fn no_boundary_or_long_sessions_fail() {
        let fail = only(&run_in(PROD, agent(false, Some(43200))), Status::Fail).clone();
        assert!(
            fail.message.contains("no permissions boundary"),
            "{}",
            fail.message
        );
        assert!(fail.message.contains("12h"), "{}", fail.message);
        only(&run_in(PROD, agent(true, Some(7200))), Status::Fail);
    }

    #[test]
    fn unread_session_is_unknown_and_nonprod_is_not_applicable() {
        only(&run_in(PROD, agent(true, None)), Status::Unknown);
        let mut role = agent(true, Some(3600));
        role.arn = format!("arn:aws:iam::{NONPROD}:role/triage-agent");
        only(&run_in(NONPROD, role), Status::NotApplicable);
    }

    #[test]
    fn a_possible_agent_with_an_unreadable_trust_is_unknown() {
        // Before: a role not named like an agent, with an unreadable trust, was not judged.
        let mut role = agent(true, Some(3600));
        role.name = "triage".into();
        role.arn = format!("arn:aws:iam::{PROD}:role/triage");
        role.trust_policy = "{".into();
        let unknown = only(&run_in(PROD, role), Status::Unknown).clone();
        assert!(
            unknown
                .message
                .starts_with("role triage in acme-prod (prod) may be an agent"),
            "{}",
            unknown.message
        );
        assert!(
            unknown.message.contains("sessions of at most 1h"),
            "{}",
            unknown.message
        );
    }
}
