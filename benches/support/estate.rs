//! A generated estate at the scale the performance targets name: 100 accounts holding in total
//! 100,000 EC2 instances, 20,000 RDS instances and 50,000 IAM roles.

use std::collections::BTreeMap;

use ringfence::inventory::{
    Account, Ec2Instance, Iam, InlinePolicy, RdsInstance, Region, Role, Snapshot, Tags,
};

pub struct Scale {
    pub accounts: usize,
    pub ec2_per_account: usize,
    pub rds_per_account: usize,
    pub roles_per_account: usize,
}

pub const TARGET: Scale = Scale {
    accounts: 100,
    ec2_per_account: 1000,
    rds_per_account: 200,
    roles_per_account: 500,
};

const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];

pub fn generate(scale: &Scale) -> Snapshot {
    let mut snapshot = Snapshot::new("2026-11-20T09:00:00Z".parse().unwrap());
    for a in 0..scale.accounts {
        let id = format!("{:012}", 100_000_000_000u64 + a as u64);
        let env = if a % 2 == 0 { "prod" } else { "staging" };
        let mut regions = BTreeMap::new();
        for (r, region) in REGIONS.iter().enumerate() {
            let ec2 = (0..scale.ec2_per_account / REGIONS.len())
                .map(|i| Ec2Instance {
                    id: format!("i-{a:04x}{r:02x}{i:011x}"),
                    state: "running".into(),
                    instance_type: Some("m7g.large".into()),
                    vpc_id: Some(format!("vpc-{a:04x}{r:013x}")),
                    subnet_id: Some(format!("subnet-{a:04x}{r:02x}{:011x}", i % 6)),
                    security_group_ids: vec![format!("sg-{a:04x}{r:02x}{:011x}", i % 20)],
                    autoscaling_group: (i % 3 == 0).then(|| format!("asg-{}", i % 40)),
                    termination_protection: (i % 3 != 0).then_some(i % 5 != 0),
                    tags: Tags::from([
                        ("Name".to_owned(), format!("app-{i}")),
                        ("team".to_owned(), format!("team-{}", i % 12)),
                    ]),
                    ..Default::default()
                })
                .collect();
            let rds = (0..scale.rds_per_account / REGIONS.len())
                .map(|i| {
                    let name = format!("db-{a}-{r}-{i}");
                    RdsInstance {
                        arn: format!("arn:aws:rds:{region}:{id}:db:{name}"),
                        id: name,
                        engine: "postgres".into(),
                        engine_version: Some("16.4".into()),
                        instance_class: Some("db.r7g.large".into()),
                        status: "available".into(),
                        allocated_storage_gib: Some(100 + (i as u64 % 40) * 100),
                        multi_az: Some(i % 2 == 0),
                        deletion_protection: Some(i % 7 != 0),
                        backup_retention_days: Some(if i % 11 == 0 { 0 } else { 7 }),
                        latest_restorable_time: Some("2026-11-20T08:55:00Z".parse().unwrap()),
                        publicly_accessible: Some(false),
                        tags: if i % 13 == 0 {
                            Tags::from([("env".to_owned(), "production".to_owned())])
                        } else {
                            Tags::new()
                        },
                        ..Default::default()
                    }
                })
                .collect();
            regions.insert(
                (*region).to_owned(),
                Region {
                    ec2_instances: Some(ec2),
                    rds_instances: Some(rds),
                    rds_clusters: Some(Vec::new()),
                    dynamodb_tables: Some(Vec::new()),
                    ..Default::default()
                },
            );
        }
        let roles = (0..scale.roles_per_account)
            .map(|i| {
                let name = match i % 10 {
                    0 => format!("claude-agent-{i}"),
                    1 => format!("AWSReservedSSO_Team{i}_0123456789abcdef"),
                    _ => format!("service-role-{i}"),
                };
                let trust = match i % 4 {
                    0 => format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:acme/app-{i}:ref:refs/heads/main"}}}}}}]}}"#),
                    1 => r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.to_owned(),
                    _ => format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{id}:root"}},"Action":"sts:AssumeRole","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}]}}"#),
                };
                Role {
                    arn: format!("arn:aws:iam::{id}:role/{name}"),
                    name,
                    trust_policy: trust,
                    inline_policies: vec![InlinePolicy {
                        name: "app".into(),
                        document: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGetObject%22%2C%22s3%3APutObject%22%2C%22dynamodb%3AQuery%22%2C%22dynamodb%3APutItem%22%5D%2C%22Resource%22%3A%22*%22%7D%5D%7D".into(),
                    }],
                    attached_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
                    max_session_duration: Some(3600),
                    ..Default::default()
                }
            })
            .collect();
        snapshot.accounts.push(Account {
            name: Some(format!("bench-{env}-{a:03}")),
            id,
            iam: Some(Iam {
                roles,
                ..Default::default()
            }),
            regions: Some(regions),
            ..Default::default()
        });
    }
    snapshot
}
