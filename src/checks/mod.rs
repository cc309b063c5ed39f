//! The check registry: every check, its catalogue entry, and the vocabulary checks share.
//!
//! A check is a pure function of the snapshot and the evaluation context. It returns one
//! finding per resource it looked at — passing, failing, unknown (data missing) or not
//! applicable (out of scope, with the reason) — and never reads the clock, the network or files.

mod agents;
mod catalogue;
mod del;
mod hil;
mod inp;
mod log;
mod prv;
mod rec;
mod scope;
mod sec;
mod seg;
#[cfg(test)]
pub(crate) mod testing;

use std::fmt;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use catalogue::{CatalogueEntry, Fix, entries as catalogue_entries};
pub(crate) use scope::{RegionScope, Scoped, regions};

use crate::classify::{Classification, EnvClass};
use crate::config::Config;
use crate::inventory::Snapshot;
use crate::policy::principals::Principals;

/// The outcome of a finding, and of a check as a whole.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// The data needed was not collected (access denied, service not collected) or the
    /// resource's environment is unknown: not a pass.
    Unknown,
    /// Nothing in scope.
    NotApplicable,
    /// A failure accepted by a waiver that has not expired.
    Waived,
}

impl Status {
    /// How soon someone should look: failures first, then what could not be established,
    /// then waived, passing and not applicable findings (lower is sooner).
    pub fn urgency(self) -> u8 {
        match self {
            Status::Fail => 0,
            Status::Unknown => 1,
            Status::Waived => 2,
            Status::Pass => 3,
            Status::NotApplicable => 4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
            Status::Waived => "waived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The weight of a check of this severity in the score.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 10,
            Severity::High => 5,
            Severity::Medium => 3,
            Severity::Low => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A waiver that was applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliedWaiver {
    pub reason: String,
    pub expires: jiff::civil::Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// What a check found about one resource (or one account/region when the data is missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub check_id: String,
    pub status: Status,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The environment of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvClass>,
    /// The resource's ARN where it has one, else its identifier.
    pub resource: String,
    /// One line: what is wrong (or right), naming the resource.
    pub message: String,
    /// Structured evidence: the attribute values, the classification reason, the errors.
    pub evidence: serde_json::Value,
    /// How to fix this finding, for failing findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Set by a check to report this finding below the check's severity (a credential whose
    /// reach could not be established); never above it.
    #[serde(skip)]
    #[schemars(skip)]
    pub lower_severity: Option<Severity>,
}

/// What a check may know besides the snapshot.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub classes: &'a Classification,
    /// Every IAM principal's policies, compiled for the policy engine.
    pub principals: &'a Principals,
    /// When the snapshot was collected: time-based checks are judged against it.
    pub collected_at: Timestamp,
    /// Whether the running check judges the Organizations management account as it judges
    /// production (its catalogue entry's `judges_management`: identity, logging and
    /// segregation checks do). Set by [`run`] for each check.
    pub judges_management: bool,
}

/// What a check does with something of a given environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// In scope: judge it.
    Yes,
    /// Out of scope (`not_applicable`): non-production, or the management account for a check
    /// that does not judge it.
    OutOfScope,
    /// Its environment is unknown (`unknown`).
    Unclassified,
}

impl Ctx<'_> {
    /// Whether the running check judges something of environment `class`.
    pub fn judges(&self, class: EnvClass) -> Judged {
        match class {
            EnvClass::Prod => Judged::Yes,
            EnvClass::Management if self.judges_management => Judged::Yes,
            EnvClass::Management | EnvClass::Nonprod => Judged::OutOfScope,
            EnvClass::Unclassified => Judged::Unclassified,
        }
    }

    /// Whether something of environment `class` may need judging: it is in scope or its
    /// environment is unknown. Missing data about it is `unknown`; about the rest, nothing.
    pub fn may_judge(&self, class: EnvClass) -> bool {
        self.judges(class) != Judged::OutOfScope
    }
}

/// A registered check: the id and name tie it to its catalogue entry.
pub struct Check {
    pub id: &'static str,
    pub name: &'static str,
    /// The catalogue entry's TOML text, embedded from `checks/<control>/<ID>-<name>.toml`.
    pub catalogue: &'static str,
    pub run: fn(&Snapshot, &Ctx) -> Vec<Finding>,
}

impl Check {
    /// The parsed catalogue entry.
    pub fn entry(&self) -> &'static CatalogueEntry {
        catalogue::entry(self.id)
    }
}

/// Every check, in catalogue order.
pub static REGISTRY: &[Check] = &[
    sec::local_prod_credential::CHECK,
    sec::workstation_prod_profile::CHECK,
    sec::prod_db_password_managed::CHECK,
    sec::prod_iam_user_keys::CHECK,
    prv::agent_admin::CHECK,
    prv::agent_destructive_data::CHECK,
    prv::agent_privilege_escalation::CHECK,
    prv::prod_admin_vaulted::CHECK,
    hil::agent_infra_mutation::CHECK,
    hil::ci_trust_pinned::CHECK,
    seg::separate_accounts::CHECK,
    seg::nonprod_to_prod_route::CHECK,
    seg::nonprod_to_prod_trust::CHECK,
    seg::public_prod_database::CHECK,
    inp::agent_exec_tools::CHECK,
    inp::agent_session_scope::CHECK,
    inp::agent_wildcard_write::CHECK,
    log::cloudtrail_multi_region::CHECK,
    log::cloudtrail_integrity::CHECK,
    log::destructive_call_alert::CHECK,
    log::iam_change_alert::CHECK,
    del::ec2_termination_protection::CHECK,
    del::rds_deletion_protection::CHECK,
    del::cfn_termination_protection::CHECK,
    del::dynamodb_deletion_protection::CHECK,
    del::recycle_bin::CHECK,
    del::s3_versioning::CHECK,
    rec::pitr_enabled::CHECK,
    rec::rpo_met::CHECK,
    rec::rto_met::CHECK,
    rec::cross_region_recovery::CHECK,
];

/// The ids of every registered check.
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|c| c.id).collect()
}

/// Finds a check by id, case-insensitively.
pub fn find(id: &str) -> Option<&'static Check> {
    REGISTRY.iter().find(|c| c.id.eq_ignore_ascii_case(id))
}

/// A control: a group of checks with a common purpose.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    pub id: &'static str,
    pub name: &'static str,
}

/// The SPEC's controls, in ladder order.
pub const CONTROLS: &[Control] = &[
    Control {
        id: "SEC",
        name: "No production secrets on workstations",
    },
    Control {
        id: "PRV",
        name: "Least privilege for agents",
    },
    Control {
        id: "HIL",
        name: "Human in the loop",
    },
    Control {
        id: "SEG",
        name: "Segregation",
    },
    Control {
        id: "INP",
        name: "Agent input is untrusted; scope tools per task",
    },
    Control {
        id: "LOG",
        name: "Audit logging and concrete alerts",
    },
    Control {
        id: "DEL",
        name: "Termination protection and soft deletes",
    },
    Control {
        id: "REC",
        name: "Recovery objectives",
    },
];

/// The findings of one check.
pub struct CheckRun {
    pub check: &'static Check,
    pub findings: Vec<Finding>,
}

/// Runs the given checks (`REGISTRY.iter()` for all of them). Findings come back sorted, with
/// id and severity filled in.
pub fn run(
    checks: impl Iterator<Item = &'static Check>,
    snapshot: &Snapshot,
    ctx: &Ctx,
) -> Vec<CheckRun> {
    checks
        .map(|check| {
            let entry = check.entry();
            let ctx = Ctx {
                judges_management: entry.judges_management,
                ..*ctx
            };
            let mut findings = (check.run)(snapshot, &ctx);
            for finding in &mut findings {
                finding.check_id = check.id.to_owned();
                finding.severity = finding
                    .lower_severity
                    .take()
                    .map_or(entry.severity, |lower| lower.min(entry.severity));
            }
            findings.sort_by(|a, b| {
                (&a.account, &a.region, &a.resource, &a.message).cmp(&(
                    &b.account,
                    &b.region,
                    &b.resource,
                    &b.message,
                ))
            });
            CheckRun { check, findings }
        })
        .collect()
}
