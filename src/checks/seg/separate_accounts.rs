//! SEG001 separate-accounts: production and non-production workloads do not share an account,
//! and the organization's management account runs no workload at all. An account is the
//! unit IAM, SCPs and networks separate; a shared account lets a test credential reach
//! production resources.

use std::collections::BTreeMap;

use serde_json::json;

use crate::checks::scope::{account_finding, add_evidence, env_of};
use crate::checks::{Check, Ctx, Finding, Status};
use crate::classify::EnvClass;
use crate::inventory::{Account, Snapshot, Tags};

pub const CHECK: Check = Check {
    id: "SEG001",
    name: "separate-accounts",
    catalogue: include_str!("../../../checks/seg/SEG001-separate-accounts.toml"),
    run,
};

/// How many examples of each class the evidence shows.
const EXAMPLES: usize = 3;

/// The workloads of an account by environment class, and the lists that were not collected.
#[derive(Default)]
struct Census {
    by_class: BTreeMap<EnvClass, Vec<String>>,
    not_collected: Vec<String>,
}

impl Census {
    fn add(&mut self, ctx: &Ctx, account: &Account, tags: Option<&Tags>, what: String) {
        let class = env_of(ctx, &account.id, tags).class;
        self.by_class.entry(class).or_default().push(what);
    }

    fn count(&self, class: EnvClass) -> usize {
        self.by_class.get(&class).map_or(0, Vec::len)
    }
}

fn census(ctx: &Ctx, account: &Account) -> Census {
    let mut census = Census::default();
    match &account.s3_buckets {
        None => census.not_collected.push("s3 buckets".to_owned()),
        Some(buckets) => {
            for b in buckets {
                census.add(
                    ctx,
                    account,
                    b.tags.as_ref(),
                    format!("s3 bucket {}", b.name),
                );
            }
        }
    }
    let Some(regions) = &account.regions else {
        census.not_collected.push("every region".to_owned());
        return census;
    };
    for (name, region) in regions {
        let missing = |what: &str| format!("{what} in {name}");
        let mut gaps = Vec::new();
        match &region.ec2_instances {
            None => gaps.push(missing("ec2 instances")),
            Some(instances) => {
                for i in instances.iter().filter(|i| i.state != "terminated") {
                    census.add(
                        ctx,
                        account,
                        Some(&i.tags),
                        format!("ec2 instance {} ({name})", i.id),
                    );
                }
            }
        }
        match &region.rds_instances {
            None => gaps.push(missing("rds instances")),
            Some(instances) => {
                for i in instances.iter().filter(|i| i.cluster_id.is_none()) {
                    census.add(
                        ctx,
                        account,
                        Some(&i.tags),
                        format!("db instance {} ({name})", i.id),
                    );
                }
            }
        }
        match &region.rds_clusters {
            None => gaps.push(missing("rds clusters")),
            Some(clusters) => {
                for c in clusters {
                    census.add(
                        ctx,
                        account,
                        Some(&c.tags),
                        format!("db cluster {} ({name})", c.id),
                    );
                }
            }
        }
        match &region.dynamodb_tables {
            None => gaps.push(missing("dynamodb tables")),
            Some(tables) => {
                for t in tables {
                    census.add(
                        ctx,
                        account,
                        Some(&t.tags),
                        format!("dynamodb table {} ({name})", t.name),
                    );
                }
            }
        }
        census.not_collected.extend(gaps);
    }
    census
}

fn run(snapshot: &Snapshot, ctx: &Ctx) -> Vec<Finding> {
    let management = snapshot
        .organization
        .as_ref()
        .map(|o| o.management_account_id.as_str());
    let mut out = Vec::new();
    for account in &snapshot.accounts {
        let census = census(ctx, account);
        let (prod, nonprod, unclassified) = (
            census.count(EnvClass::Prod),
            census.count(EnvClass::Nonprod),
            census.count(EnvClass::Unclassified),
        );
        let is_management = management == Some(account.id.as_str());
        let name = account.display_name();
        // The management account should run nothing at all: no SCP restricts it, so a workload
        // there — and whoever can reach it — holds the organization.
        let workloads: usize = census.by_class.values().map(Vec::len).sum();
        let (status, message) = if is_management && workloads > 0 {
            (
                Status::Fail,
                format!(
                    "management account {name} runs {workloads} workload{}: no SCP can restrict the management account",
                    plural(workloads)
                ),
            )
        } else if is_management && !census.not_collected.is_empty() {
            (
                Status::Unknown,
                format!(
                    "management account {name}: not every workload was collected ({}), so workloads there cannot be ruled out",
                    census.not_collected.join(", ")
                ),
            )
        } else if is_management {
            (
                Status::Pass,
                format!("management account {name} runs no workloads"),
            )
        } else if prod > 0 && nonprod > 0 {
            (
                Status::Fail,
                format!(
                    "account {name} holds {prod} production and {nonprod} non-production workload{}: credentials for one reach the other",
                    plural(nonprod)
                ),
            )
        } else if unclassified > 0 {
            (
                Status::Unknown,
                format!(
                    "account {name} holds {unclassified} workload{} of unclassified environment; declare them in ringfence.toml [environments]",
                    plural(unclassified)
                ),
            )
        } else if !census.not_collected.is_empty() {
            (
                Status::Unknown,
                format!(
                    "account {name}: not every workload was collected ({}), so a mix cannot be ruled out",
                    census.not_collected.join(", ")
                ),
            )
        } else if prod + nonprod == 0 {
            (
                Status::NotApplicable,
                format!("out of scope: account {name} holds no workload"),
            )
        } else {
            let class = if prod > 0 {
                "production"
            } else {
                "non-production"
            };
            (
                Status::Pass,
                format!("account {name} holds {class} workloads only"),
            )
        };
        let verdict = ctx.classes.account(&account.id);
        let resource = format!("arn:aws:::{}", account.id);
        let mut finding = account_finding(account, None, status, verdict, &resource);
        finding.message = message;
        let mut evidence = serde_json::Map::new();
        for (class, items) in &census.by_class {
            evidence.insert(
                class.as_str().to_owned(),
                json!({ "count": items.len(), "examples": items.iter().take(EXAMPLES).collect::<Vec<_>>() }),
            );
        }
        add_evidence(
            &mut finding,
            "workloads",
            serde_json::Value::Object(evidence),
        );
        add_evidence(&mut finding, "management_account", json!(is_management));
        if !census.not_collected.is_empty() {
            add_evidence(&mut finding, "not_collected", json!(census.not_collected));
        }
        if status == Status::Fail {
            finding.remediation = Some(if is_management {
                "move the workloads into member accounts of the OU of their environment; keep the management account for billing and organization administration only".to_owned()
            } else {
                "move the minority environment's workloads into their own account (aws organizations create-account), or correct their environment tags if they are mislabelled".to_owned()
            });
        }
        out.push(finding);
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;
    use crate::checks::testing::*;
    use crate::inventory::{
        Bucket, DynamoDbTable, Ec2Instance, Organization, Region, Snapshot, Tags,
    };

    fn table(name: &str, env: Option<&str>) -> DynamoDbTable {
        DynamoDbTable {
            name: name.into(),
            arn: format!("arn:aws:dynamodb:eu-west-1:{PROD}:table/{name}"),
            status: "ACTIVE".into(),
            tags: env
                .map(|e| Tags::from([("env".to_owned(), e.to_owned())]))
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    fn collected(r: &mut Region) {
        r.ec2_instances = Some(vec![]);
        r.rds_instances = Some(vec![]);
        r.rds_clusters = Some(vec![]);
        r.dynamodb_tables = Some(vec![]);
    }

    fn account_with(account: &str, tables: Vec<DynamoDbTable>) -> Snapshot {
        let mut snapshot = estate_in(account, |r| {
            collected(r);
            r.dynamodb_tables = Some(tables);
        });
        snapshot.accounts[0].s3_buckets = Some(vec![]);
        snapshot
    }

    #[test]
    fn a_single_environment_passes() {
        let findings = run_check(
            &super::CHECK,
            &account_with(PROD, vec![table("orders", None)]),
        );
        only(&findings, Status::Pass);
    }

    #[test]
    fn a_mixed_account_fails_with_examples_of_both() {
        let findings = run_check(
            &super::CHECK,
            &account_with(
                NONPROD,
                vec![table("scratch", None), table("orders", Some("prod"))],
            ),
        );
        let fail = only(&findings, Status::Fail);
        assert_eq!(fail.evidence["workloads"]["prod"]["count"], 1);
        assert_eq!(
            fail.evidence["workloads"]["nonprod"]["examples"][0],
            "dynamodb table scratch (eu-west-1)"
        );
    }

    #[test]
    fn production_in_the_management_account_fails() {
        let mut snapshot = account_with(PROD, vec![]);
        snapshot.accounts[0]
            .regions
            .as_mut()
            .unwrap()
            .get_mut(REGION)
            .unwrap()
            .ec2_instances = Some(vec![Ec2Instance {
            id: "i-0a".into(),
            state: "running".into(),
            ..Default::default()
        }]);
        snapshot.organization = Some(Organization {
            id: "o-example".into(),
            management_account_id: PROD.into(),
            ..Default::default()
        });
        let fail = only(&run_check(&super::CHECK, &snapshot), Status::Fail).clone();
        assert!(
            fail.message.starts_with("management account"),
            "{}",
            fail.message
        );
    }

    #[test]
    fn missing_lists_or_unclassified_workloads_are_unknown() {
        let mut snapshot = account_with(PROD, vec![table("orders", None)]);
        snapshot.accounts[0].s3_buckets = None;
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
        let findings = run_check(
            &super::CHECK,
            &account_with(UNCLASSIFIED, vec![table("x", None)]),
        );
        only(&findings, Status::Unknown);
        // A bucket whose tags were not read, in a non-production account, might be production.
        let mut snapshot = account_with(NONPROD, vec![table("scratch", None)]);
        snapshot.accounts[0].s3_buckets = Some(vec![Bucket {
            name: "b".into(),
            region: REGION.into(),
            ..Default::default()
        }]);
        only(&run_check(&super::CHECK, &snapshot), Status::Unknown);
    }

    #[test]
    fn an_empty_account_is_not_applicable() {
        only(
            &run_check(&super::CHECK, &account_with(PROD, vec![])),
            Status::NotApplicable,
        );
    }
}
