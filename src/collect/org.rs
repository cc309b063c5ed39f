//! AWS Organizations: the accounts with their OU paths, and the service control policies.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_organizations::types::{AccountStatus, PolicyType};
use aws_smithy_runtime::client::retries::RetryPartition;
use aws_types::region::Region;

use super::clients::failure;
use super::recorder::{CallLog, Recorder};
use crate::inventory::{
    Account, CollectionError, OrgUnit, OrgUnitRef, Organization, ServiceControlPolicy,
};

const SERVICE: &str = "organizations";

/// The organization and its active accounts (without their data). Fails only when the
/// accounts themselves cannot be listed; SCP failures become errors.
pub async fn collect(
    base: &SdkConfig,
    log: &Arc<CallLog>,
    errors: &mut Vec<CollectionError>,
) -> Result<(Organization, Vec<Account>), String> {
    // Organizations is a global service served from us-east-1.
    let config = base
        .to_builder()
        .region(Region::from_static("us-east-1"))
        .build();
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(&config)
            .interceptor(Recorder::new(log))
            .retry_partition(RetryPartition::new("organizations"))
            .build(),
    );
    let describe = client
        .describe_organization()
        .send()
        .await
        .map_err(|err| failure(SERVICE, "DescribeOrganization", &err).summary())?;
    let org = describe.organization();
    let mut organization = Organization {
        id: org.and_then(|o| o.id()).unwrap_or_default().to_owned(),
        management_account_id: org
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_owned(),
        units: Vec::new(),
        service_control_policies: None,
    };
    let roots = client
        .list_roots()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|err| failure(SERVICE, "ListRoots", &err).summary())?
        .into_iter()
        .flat_map(|page| page.roots.unwrap_or_default())
        .collect::<Vec<_>>();

    // Walk the tree from each root: OUs, and the accounts directly under each parent.
    let mut accounts = Vec::new();
    let mut stack: Vec<(String, Vec<OrgUnitRef>)> = Vec::new();
    for root in &roots {
        let id = root.id().unwrap_or_default().to_owned();
        let name = root.name().unwrap_or("Root").to_owned();
        organization.units.push(OrgUnit {
            id: id.clone(),
            name: name.clone(),
            parent_id: None,
        });
        stack.push((id.clone(), vec![OrgUnitRef { id, name }]));
    }
    while let Some((parent, path)) = stack.pop() {
        let children = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|err| failure(SERVICE, "ListAccountsForParent", &err).summary())?
            .into_iter()
            .flat_map(|page| page.accounts.unwrap_or_default());
        for account in children {
            if account.status() != Some(&AccountStatus::Active) {
                continue;
            }
            accounts.push(Account {
                id: account.id().unwrap_or_default().to_owned(),
                name: account.name().map(str::to_owned),
                ou_path: path.clone(),
                ..Default::default()
            });
        }
        let units = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|err| failure(SERVICE, "ListOrganizationalUnitsForParent", &err).summary())?
            .into_iter()
            .flat_map(|page| page.organizational_units.unwrap_or_default());
        for unit in units {
            let id = unit.id().unwrap_or_default().to_owned();
            let name = unit.name().unwrap_or_default().to_owned();
            organization.units.push(OrgUnit {
                id: id.clone(),
                name: name.clone(),
                parent_id: Some(parent.clone()),
            });
            let mut child_path = path.clone();
            child_path.push(OrgUnitRef {
                id: id.clone(),
                name,
            });
            stack.push((id, child_path));
        }
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));

    organization.service_control_policies = match scps(&client).await {
        Ok(scps) => Some(scps),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    Ok((organization, accounts))
}

async fn scps(
    client: &aws_sdk_organizations::Client,
) -> Result<Vec<ServiceControlPolicy>, CollectionError> {
    let summaries = client
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|err| failure(SERVICE, "ListPolicies", &err))?
        .into_iter()
        .flat_map(|page| page.policies.unwrap_or_default());
    let mut policies = Vec::new();
    for summary in summaries {
        let id = summary.id().unwrap_or_default().to_owned();
        let policy = client
            .describe_policy()
            .policy_id(&id)
            .send()
            .await
            .map_err(|err| failure(SERVICE, "DescribePolicy", &err))?;
        let targets = client
            .list_targets_for_policy()
            .policy_id(&id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|err| failure(SERVICE, "ListTargetsForPolicy", &err))?
            .into_iter()
            .flat_map(|page| page.targets.unwrap_or_default())
            .collect::<Vec<_>>();
        policies.push(ServiceControlPolicy {
            name: summary.name().unwrap_or_default().to_owned(),
            arn: summary.arn().map(str::to_owned),
            document: policy
                .policy()
                .and_then(|p| p.content())
                .unwrap_or_default()
                .to_owned(),
            targets: targets
                .iter()
                .filter_map(|t| t.target_id().map(str::to_owned))
                .collect(),
            id,
        });
    }
    Ok(policies)
}
