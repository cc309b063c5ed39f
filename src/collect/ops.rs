//! Infrastructure, soft deletes and sharing: CloudFormation stacks, Recycle Bin retention
//! rules and RAM resource shares.

use aws_sdk_rbin::types::ResourceType;

use super::clients::{self, Clients, failure};
use crate::inventory::{
    CloudFormationStack, CollectionError, RamResourceShare, RecycleBinRule, Region,
};

#[derive(Default)]
pub struct OpsData {
    stacks: Option<Vec<CloudFormationStack>>,
    rules: Option<Vec<RecycleBinRule>>,
    shares: Option<Vec<RamResourceShare>>,
}

impl OpsData {
    pub fn apply(self, region: &mut Region) {
        region.cloudformation_stacks = self.stacks;
        region.recycle_bin_rules = self.rules;
        region.ram_resource_shares = self.shares;
    }
}

/// The region's CloudFormation stacks, Recycle Bin rules and RAM resource shares.
///
/// The three services are asked side by side, each a group of calls holding one of the
/// `--concurrency` permits.
pub async fn collect(clients: &Clients, errors: &mut Vec<CollectionError>) -> OpsData {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    let (stacks, rules, shares) = futures::join!(
        clients.group("cloudformation", "stacks", stacks(clients, &mut a)),
        clients.group("rbin", "rules", recycle_bin_rules(clients, &mut b)),
        clients.group("ram", "shares", ram_shares(clients, &mut c)),
    );
    errors.extend(a.into_iter().chain(b).chain(c));
    OpsData {
        stacks,
        rules,
        shares,
    }
}

/// Live stacks (DescribeStacks leaves out deleted ones), termination protection included.
async fn stacks(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<CloudFormationStack>> {
    match clients
        .cloudformation
        .describe_stacks()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(stacks) => Some(
            stacks
                .iter()
                .map(|s| CloudFormationStack {
                    name: s.stack_name().unwrap_or_default().to_owned(),
                    id: s.stack_id().unwrap_or_default().to_owned(),
                    status: s
                        .stack_status()
                        .map(|x| x.as_str().to_owned())
                        .unwrap_or_default(),
                    termination_protection: s.enable_termination_protection(),
                    parent_id: s.parent_id().map(str::to_owned),
                    root_id: s.root_id().map(str::to_owned),
                    tags: clients::tags(s.tags().iter().map(|t| (t.key(), t.value()))),
                    service_role: s.role_arn().map(str::to_owned),
                    service_role_read: true,
                })
                .collect(),
        ),
        Err(err) => {
            errors.push(failure("cloudformation", "DescribeStacks", &err));
            None
        }
    }
}

/// Retention rules for EBS snapshots and AMIs. `ListRules` needs a resource type, and does not
/// return tags, exclusions or status: each rule is read with `GetRule`. A failure of any call
/// leaves the list uncollected — a missing rule would fail a check wrongly, an unread one
/// could pass it wrongly.
async fn recycle_bin_rules(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<RecycleBinRule>> {
    let client = &clients.rbin;
    let mut rules = Vec::new();
    for resource_type in [ResourceType::EbsSnapshot, ResourceType::Ec2Image] {
        let summaries = match client
            .list_rules()
            .resource_type(resource_type.clone())
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
        {
            Ok(summaries) => summaries,
            Err(err) => {
                errors.push(failure("rbin", "ListRules", &err));
                return None;
            }
        };
        for summary in summaries {
            let Some(id) = summary.identifier() else {
                continue;
            };
            let rule = match client.get_rule().identifier(id).send().await {
                Ok(rule) => rule,
                Err(err) => {
                    errors.push(failure("rbin", "GetRule", &err));
                    return None;
                }
            };
            let days = rule
                .retention_period()
                .map(|p| p.retention_period_value())
                .unwrap_or(0);
            rules.push(RecycleBinRule {
                id: id.to_owned(),
                resource_type: resource_type.as_str().to_owned(),
                retention_days: u32::try_from(days).unwrap_or(0),
                status: rule
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                lock_state: rule.lock_state().map(|s| s.as_str().to_owned()),
                resource_tags: rule_tags(rule.resource_tags()),
                exclude_resource_tags: rule_tags(rule.exclude_resource_tags()),
                description: rule.description().map(str::to_owned),
            });
        }
    }
    Some(rules)
}

fn rule_tags(list: &[aws_sdk_rbin::types::ResourceTag]) -> crate::inventory::Tags {
    clients::tags(
        list.iter()
            .map(|t| (Some(t.resource_tag_key()), t.resource_tag_value())),
    )
}

/// RAM shares the account owns or receives, with their principals and resources.
pub async fn ram_shares(
    clients: &Clients,
    errors: &mut Vec<CollectionError>,
) -> Option<Vec<RamResourceShare>> {
    use aws_sdk_ram::types::ResourceOwner;
    let client = &clients.ram;
    let mut shares = Vec::new();
    for owner in [ResourceOwner::SelfValue, ResourceOwner::OtherAccounts] {
        let listed = client
            .get_resource_shares()
            .resource_owner(owner.clone())
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map(|pages| {
                pages
                    .into_iter()
                    .flat_map(|p| p.resource_shares.unwrap_or_default())
                    .collect::<Vec<_>>()
            });
        let resources = client
            .list_resources()
            .resource_owner(owner.clone())
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map(|pages| {
                pages
                    .into_iter()
                    .flat_map(|p| p.resources.unwrap_or_default())
                    .collect::<Vec<_>>()
            });
        let principals = if owner == ResourceOwner::SelfValue {
            client
                .list_principals()
                .resource_owner(owner.clone())
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map(|pages| {
                    Some(
                        pages
                            .into_iter()
                            .flat_map(|p| p.principals.unwrap_or_default())
                            .collect::<Vec<_>>(),
                    )
                })
        } else {
            Ok(None)
        };
        let (listed, resources, principals) = match (listed, resources, principals) {
            (Ok(l), Ok(r), Ok(p)) => (l, r, p),
            (Err(err), _, _) => {
                errors.push(failure("ram", "GetResourceShares", &err));
                return None;
            }
            (_, Err(err), _) => {
                errors.push(failure("ram", "ListResources", &err));
                return None;
            }
            (_, _, Err(err)) => {
                errors.push(failure("ram", "ListPrincipals", &err));
                return None;
            }
        };
        for share in listed {
            let arn = share.resource_share_arn().unwrap_or_default().to_owned();
            shares.push(RamResourceShare {
                name: share.name().unwrap_or_default().to_owned(),
                owner_account_id: share.owning_account_id().unwrap_or_default().to_owned(),
                status: share
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                allow_external_principals: share.allow_external_principals().unwrap_or(false),
                principals: principals
                    .iter()
                    .flatten()
                    .filter(|p| p.resource_share_arn() == Some(arn.as_str()))
                    .filter_map(|p| p.id().map(str::to_owned))
                    .collect(),
                resource_arns: resources
                    .iter()
                    .filter(|r| r.resource_share_arn() == Some(arn.as_str()))
                    .filter_map(|r| r.arn().map(str::to_owned))
                    .collect(),
                arn,
            });
        }
    }
    Some(shares)
}
