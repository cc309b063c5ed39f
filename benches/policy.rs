//! The evaluator at estate scale: 10,000 roles, each with 10 identity policies of 10
//! statements (service wildcards, some `NotAction`, resource ARNs with wildcards, a few
//! conditions and policy variables), 20% with a permissions boundary, all under three SCP
//! levels; every role is asked 60 (action, resource) questions, and every question the
//! agent checks ask (412), the way they ask them.
//!
//! `ENGINE_QUICK=1 [ENGINE_CHECKS=1] [ENGINE_VERDICTS=1] cargo bench --bench policy` for timed
//! passes without criterion (see [`quick`]; `ENGINE_VERDICTS` asks for verdicts, without
//! evidence, instead of full decisions).
//! `cargo bench --bench policy`. Figures are reported, not asserted.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use ringfence::policy::{
    CompiledPolicy, CompiledPolicySet, Context, Decision, NamedPolicy, PolicyDocument, PolicyKind,
    PolicySet, Request, Verdict,
};

const ROLES: usize = 10_000;
const POLICIES_PER_ROLE: usize = 10;
const STATEMENTS_PER_POLICY: usize = 10;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const ACCOUNT: &str = "123456789012";

fn statement(rng: &mut Rng, team: usize) -> String {
    let json_list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
        format!("[{}]", quoted.join(","))
    };
    let roll = rng.below(100);
    let (effect, action_key, actions, resources, condition): (
        &str,
        &str,
        Vec<String>,
        Vec<String>,
        &str,
    ) = match roll {
        0..=19 => {
            let svc = rng.pick(&[
                "s3",
                "ec2",
                "dynamodb",
                "lambda",
                "logs",
                "cloudwatch",
                "sqs",
                "sns",
            ]);
            (
                "Allow",
                "Action",
                vec![format!("{svc}:*")],
                vec!["*".into()],
                "",
            )
        }
        20..=34 => (
            "Allow",
            "Action",
            vec!["s3:Get*".into(), "s3:List*".into(), "s3:PutObject".into()],
            vec![
                format!("arn:aws:s3:::team-{team}-*"),
                format!("arn:aws:s3:::team-{team}-*/*"),
            ],
            "",
        ),
        35..=44 => (
            "Allow",
            "Action",
            vec![
                "ec2:Describe*".into(),
                "ec2:*Instances".into(),
                "ec2:CreateTags".into(),
            ],
            vec!["*".into()],
            r#","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}"#,
        ),
        45..=54 => (
            "Allow",
            "Action",
            vec![
                "dynamodb:GetItem".into(),
                "dynamodb:PutItem".into(),
                "dynamodb:Query".into(),
                "dynamodb:DeleteItem".into(),
            ],
            vec![format!("arn:aws:dynamodb:*:{ACCOUNT}:table/app-{team}*")],
            "",
        ),
        55..=62 => (
            "Allow",
            "Action",
            vec!["iam:PassRole".into()],
            vec![format!("arn:aws:iam::{ACCOUNT}:role/svc-{team}-*")],
            r#","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}"#,
        ),
        63..=70 => (
            "Deny",
            "Action",
            vec![
                "rds:Delete*".into(),
                "dynamodb:DeleteTable".into(),
                "s3:DeleteBucket".into(),
            ],
            vec![
                "arn:aws:rds:*:*:db:prod-*".into(),
                format!("arn:aws:dynamodb:*:{ACCOUNT}:table/prod-*"),
                "arn:aws:s3:::prod-*".into(),
            ],
            "",
        ),
        71..=76 => (
            "Allow",
            "Action",
            vec![
                "kms:Decrypt".into(),
                "kms:Encrypt".into(),
                "kms:GenerateDataKey*".into(),
            ],
            vec![format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/*")],
            "",
        ),
        77..=81 => (
            "Deny",
            "Action",
            vec!["*".into()],
            vec!["*".into()],
            r#","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#,
        ),
        82..=85 => (
            "Allow",
            "NotAction",
            vec!["iam:*".into(), "organizations:*".into(), "account:*".into()],
            vec!["*".into()],
            "",
        ),
        86..=89 => (
            "Allow",
            "Action",
            vec!["s3:*".into()],
            vec![
                "arn:aws:s3:::home-${aws:username}".into(),
                "arn:aws:s3:::home-${aws:username}/*".into(),
            ],
            "",
        ),
        90..=94 => (
            "Allow",
            "Action",
            vec![
                "lambda:InvokeFunction".into(),
                "lambda:Get*".into(),
                "lambda:UpdateFunctionCode".into(),
            ],
            vec![format!("arn:aws:lambda:*:{ACCOUNT}:function:team-{team}-*")],
            "",
        ),
        _ => (
            "Allow",
            "Action",
            vec![
                "iam:Get*".into(),
                "iam:List*".into(),
                "iam:*AccessKey*".into(),
            ],
            vec![format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")],
            "",
        ),
    };
    let resource_key = if rng.below(50) == 0 {
        "NotResource"
    } else {
        "Resource"
    };
    format!(
        r#"{{"Sid":"S{roll}","Effect":"{effect}","{action_key}":{},"{resource_key}":{}{condition}}}"#,
        json_list(&actions),
        json_list(&resources)
    )
}

fn policy(rng: &mut Rng, id: String, kind: PolicyKind, team: usize) -> NamedPolicy {
    let statements: Vec<String> = (0..STATEMENTS_PER_POLICY)
        .map(|_| statement(rng, team))
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let document = PolicyDocument::parse(&text).expect("generated policies parse");
    NamedPolicy { id, kind, document }
}

fn scp(id: &str, json: &str) -> NamedPolicy {
    NamedPolicy {
        id: id.into(),
        kind: PolicyKind::Scp,
        document: PolicyDocument::parse(json).expect("SCPs parse"),
    }
}

fn scp_levels() -> Vec<Vec<NamedPolicy>> {
    let full =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    vec![
        vec![
            scp("p-FullAWSAccess", full),
            scp(
                "p-guardrails",
                r#"{"Version":"2012-10-17","Statement":[
                    {"Effect":"Deny","Action":["organizations:LeaveOrganization","account:*"],"Resource":"*"},
                    {"Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/breakglass"}}}]}"#,
            ),
        ],
        vec![scp(
            "p-workloads",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}"#,
        )],
        vec![scp("p-FullAWSAccess", full)],
    ]
}

fn estate() -> Vec<PolicySet> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let scps = scp_levels();
    (0..ROLES)
        .map(|r| {
            let team = r % 50;
            let arn = format!("arn:aws:iam::{ACCOUNT}:role/team-{team}-role-{r}");
            let identity = (0..POLICIES_PER_ROLE)
                .map(|p| {
                    policy(
                        &mut rng,
                        format!("inline:{arn}:p{p}"),
                        PolicyKind::Identity,
                        team,
                    )
                })
                .collect();
            let boundary = (r % 5 == 0).then(|| {
                policy(
                    &mut rng,
                    format!("arn:aws:iam::{ACCOUNT}:policy/boundary-{team}"),
                    PolicyKind::Boundary,
                    team,
                )
            });
            PolicySet {
                identity,
                boundary,
                scp_levels: scps.clone(),
            }
        })
        .collect()
}

/// The 60 questions: the destructive and privilege-escalating actions ringfence asks
/// about, on concrete ARNs and on wildcard ARN patterns.
fn questions() -> Vec<(&'static str, &'static str)> {
    let mut q = vec![
        ("s3:DeleteBucket", "arn:aws:s3:::prod-data"),
        ("s3:DeleteBucket", "arn:aws:s3:::team-7-logs"),
        ("s3:DeleteBucket", "arn:aws:s3:::*"),
        ("s3:DeleteObject", "arn:aws:s3:::prod-data/*"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::prod-data"),
        ("s3:PutLifecycleConfiguration", "arn:aws:s3:::prod-data"),
        ("s3:GetObject", "arn:aws:s3:::team-3-data/report.csv"),
        ("s3:PutObject", "arn:aws:s3:::team-3-*/*"),
        ("s3:ListAllMyBuckets", "*"),
        ("s3:PutBucketVersioning", "arn:aws:s3:::*"),
        (
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
        ),
        ("ec2:TerminateInstances", "arn:aws:ec2:*:*:instance/*"),
        (
            "ec2:DeleteVolume",
            "arn:aws:ec2:us-east-1:123456789012:volume/vol-1",
        ),
        (
            "ec2:DeleteSnapshot",
            "arn:aws:ec2:us-east-1::snapshot/snap-1",
        ),
        (
            "ec2:ModifyInstanceAttribute",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
        ),
        (
            "ec2:DeleteVpc",
            "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1",
        ),
        ("ec2:RunInstances", "*"),
        ("ec2:DescribeInstances", "*"),
        (
            "rds:DeleteDBInstance",
            "arn:aws:rds:us-east-1:123456789012:db:prod-main",
        ),
        (
            "rds:DeleteDBInstance",
            "arn:aws:rds:us-east-1:123456789012:db:dev-main",
        ),
        ("rds:DeleteDBCluster", "arn:aws:rds:*:*:cluster:*"),
        (
            "rds:DeleteDBSnapshot",
            "arn:aws:rds:us-east-1:123456789012:snapshot:s1",
        ),
        (
            "rds:ModifyDBInstance",
            "arn:aws:rds:us-east-1:123456789012:db:prod-main",
        ),
        (
            "dynamodb:DeleteTable",
            "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders",
        ),
        (
            "dynamodb:DeleteTable",
            "arn:aws:dynamodb:us-east-1:123456789012:table/app-3-cache",
        ),
        (
            "dynamodb:DeleteItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/app-3*",
        ),
        (
            "dynamodb:UpdateContinuousBackups",
            "arn:aws:dynamodb:*:*:table/*",
        ),
        (
            "dynamodb:DeleteBackup",
            "arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders/backup/1",
        ),
        ("iam:CreateUser", "arn:aws:iam::123456789012:user/x"),
        (
            "iam:CreateAccessKey",
            "arn:aws:iam::123456789012:user/admin",
        ),
        ("iam:AttachRolePolicy", "arn:aws:iam::123456789012:role/*"),
        ("iam:PutRolePolicy", "arn:aws:iam::123456789012:role/admin"),
        (
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/svc-3-runner",
        ),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/*"),
        (
            "iam:UpdateAssumeRolePolicy",
            "arn:aws:iam::123456789012:role/admin",
        ),
        (
            "iam:CreatePolicyVersion",
            "arn:aws:iam::123456789012:policy/*",
        ),
        ("iam:DeleteRole", "arn:aws:iam::123456789012:role/audit"),
        (
            "kms:ScheduleKeyDeletion",
            "arn:aws:kms:us-east-1:123456789012:key/k-1",
        ),
        ("kms:DisableKey", "arn:aws:kms:*:*:key/*"),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k-1"),
        (
            "kms:PutKeyPolicy",
            "arn:aws:kms:us-east-1:123456789012:key/k-1",
        ),
        (
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:us-east-1:123456789012:function:team-3-api",
        ),
        ("lambda:DeleteFunction", "arn:aws:lambda:*:*:function:*"),
        (
            "lambda:AddPermission",
            "arn:aws:lambda:us-east-1:123456789012:function:team-3-api",
        ),
        (
            "logs:DeleteLogGroup",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail",
        ),
        ("logs:PutRetentionPolicy", "arn:aws:logs:*:*:log-group:*"),
        (
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
        ),
        (
            "cloudtrail:DeleteTrail",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
        ),
        (
            "cloudwatch:DeleteAlarms",
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*",
        ),
        (
            "backup:DeleteBackupVault",
            "arn:aws:backup:us-east-1:123456789012:backup-vault:main",
        ),
        (
            "backup:DeleteRecoveryPoint",
            "arn:aws:backup:*:*:recovery-point:*",
        ),
        ("organizations:LeaveOrganization", "*"),
        ("sts:AssumeRole", "arn:aws:iam::123456789012:role/admin"),
        (
            "sqs:DeleteQueue",
            "arn:aws:sqs:us-east-1:123456789012:orders",
        ),
        (
            "sns:DeleteTopic",
            "arn:aws:sns:us-east-1:123456789012:alerts",
        ),
        (
            "ecr:DeleteRepository",
            "arn:aws:ecr:us-east-1:123456789012:repository/app",
        ),
        (
            "eks:DeleteCluster",
            "arn:aws:eks:us-east-1:123456789012:cluster/prod",
        ),
        (
            "route53:DeleteHostedZone",
            "arn:aws:route53:::hostedzone/Z1",
        ),
        (
            "secretsmanager:DeleteSecret",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*",
        ),
        ("ssm:SendCommand", "*"),
    ];
    q.truncate(60);
    q
}

fn ask_all(sets: &[CompiledPolicySet], contexts: &[Context], questions: &[(&str, &str)]) -> usize {
    let mut allowed = 0;
    if std::env::var_os("ENGINE_VERDICTS").is_some() {
        for (set, ctx) in sets.iter().zip(contexts) {
            for &(action, resource) in questions {
                let v = set.verdict(&Request {
                    action,
                    resource,
                    context: ctx,
                });
                allowed += usize::from(v.may_be_allowed());
            }
        }
        return allowed;
    }
    for (set, ctx) in sets.iter().zip(contexts) {
        for &(action, resource) in questions {
            let d = set.evaluate(&Request {
                action,
                resource,
                context: ctx,
            });
            allowed += usize::from(matches!(
                d,
                Decision::Allowed { .. } | Decision::ConditionallyAllowed { .. }
            ));
            black_box(&d);
        }
    }
    allowed
}

fn ask_all_threads(
    sets: &[CompiledPolicySet],
    contexts: &[Context],
    questions: &[(&str, &str)],
    threads: usize,
) -> usize {
    let chunk = sets.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .chunks(chunk)
            .zip(contexts.chunks(chunk))
            .map(|(s, c)| scope.spawn(move || ask_all(s, c, questions)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

/// Runs `work` over the roles split into `threads` chunks; sums the counts.
fn split<F>(sets: &[CompiledPolicySet], contexts: &[Context], threads: usize, work: F) -> usize
where
    F: Fn(&[CompiledPolicySet], &[Context]) -> usize + Sync,
{
    let chunk = sets.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .chunks(chunk)
            .zip(contexts.chunks(chunk))
            .map(|(s, c)| scope.spawn(|| work(s, c)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

/// Every question the agent checks ask of every role, asked the way they ask it: a
/// verdict for each, full decisions (evidence) for what a finding lists — the first 25
/// held and 25 guardrail-stopped capabilities of each class (PRV001, PRV002, HIL001,
/// INP001), the wildcard writes INP003 lists, the steps of each open escalation path
/// (PRV003), admin equivalence (PRV005) and `sts:AssumeRole` (the trust graph). Returns
/// the number of held capabilities, so nothing is optimised away.
fn ask_as_checks(sets: &[CompiledPolicySet], contexts: &[Context]) -> usize {
    use ringfence::policy::capabilities::{ask, class, holds_all};
    let classes = ["admin", "destructive-data", "infra-mutation", "exec-tools"];
    let writes = wildcard_writes();
    let index = ringfence::policy::actions::Index::new(writes.iter().map(String::as_str));
    let paths = &class("privilege-escalation").paths;
    let mut held = 0;
    for (set, context) in sets.iter().zip(contexts) {
        for id in classes {
            let answers = ask(set, context, ACCOUNT, &class(id).actions, 25);
            held += answers.held.len() + answers.stopped.len();
            black_box(&answers);
        }
        held += usize::from(holds_all(set, context, ACCOUNT, &class("admin").actions));
        let mut listed = 0;
        let patterns = set.allowed_action_patterns();
        for action in index
            .covered(patterns.as_deref())
            .into_iter()
            .map(|i| &writes[i])
        {
            let request = Request {
                action,
                resource: "*",
                context,
            };
            let verdict = set.verdict(&request);
            if verdict == Verdict::ConditionallyAllowed
                || (verdict == Verdict::Allowed && listed < 25)
            {
                listed += 1;
                black_box(set.evaluate(&request));
            }
        }
        for path in paths.iter().filter(|p| !p.graph) {
            let open = path.actions.iter().all(|action| {
                set.verdict(&Request {
                    action,
                    resource: path.resource_of(action),
                    context,
                })
                .may_be_allowed()
            });
            if open {
                held += 1;
                for action in &path.actions {
                    black_box(set.evaluate(&Request {
                        action,
                        resource: path.resource_of(action),
                        context,
                    }));
                }
            }
        }
        held += usize::from(
            set.verdict(&Request {
                action: "sts:AssumeRole",
                resource: "arn:aws:iam::123456789012:role/admin",
                context,
            })
            .may_be_allowed(),
        );
    }
    held
}

/// INP003's questions: every Write and Permissions-management action of the catalogue that
/// can be scoped to resources, on the literal resource `*` (only those an identity Allow
/// statement covers are asked).
fn wildcard_writes() -> Vec<String> {
    ringfence::policy::actions::catalogue()
        .iter()
        .filter(|a| a.access.changes() && a.scopable())
        .map(|a| a.name.to_owned())
        .collect()
}

fn benches(c: &mut Criterion) {
    let started = Instant::now();
    let estate = estate();
    eprintln!(
        "generated and parsed {ROLES} roles in {:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let compiled: Vec<CompiledPolicySet> = estate.iter().map(CompiledPolicySet::new).collect();
    eprintln!("compiled {ROLES} roles in {:?}", started.elapsed());
    let contexts: Vec<Context> = (0..ROLES)
        .map(|r| {
            Context::new().with_principal_arn(&format!(
                "arn:aws:iam::{ACCOUNT}:role/team-{}-role-{r}",
                r % 50
            ))
        })
        .collect();
    let questions = questions();
    assert_eq!(questions.len(), 60);

    // Decision mix, for the record.
    let mut mix = [0usize; 4];
    for (set, ctx) in compiled.iter().zip(&contexts) {
        for &(action, resource) in &questions {
            let i = match set.evaluate(&Request {
                action,
                resource,
                context: ctx,
            }) {
                Decision::Allowed { .. } => 0,
                Decision::ConditionallyAllowed { .. } => 1,
                Decision::ExplicitlyDenied { .. } => 2,
                Decision::ImplicitlyDenied { .. } => 3,
            };
            mix[i] += 1;
        }
    }
    eprintln!(
        "decisions: allowed {}, conditionally allowed {}, explicitly denied {}, implicitly denied {}",
        mix[0], mix[1], mix[2], mix[3]
    );

    let mut group = c.benchmark_group("estate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("10k roles x 60 questions, 1 thread", |b| {
        b.iter(|| ask_all(&compiled, &contexts, &questions))
    });
    group.bench_function("10k roles x 60 questions, 2 threads", |b| {
        b.iter(|| ask_all_threads(&compiled, &contexts, &questions, 2))
    });
    let asked = check_questions().len();
    group.bench_function(
        format!("10k roles x every agent check's questions ({asked}), as the checks ask, 1 thread"),
        |b| b.iter(|| ask_as_checks(&compiled, &contexts)),
    );
    group.bench_function(
        format!(
            "10k roles x every agent check's questions ({asked}), as the checks ask, 2 threads"
        ),
        |b| b.iter(|| split(&compiled, &contexts, 2, ask_as_checks)),
    );
    group.bench_function("compile 10k roles (100 statements each)", |b| {
        b.iter(|| estate.iter().map(CompiledPolicySet::new).count())
    });

    // Shared managed policies: the same 100 statements per role, compiled once per policy.
    let shared: Vec<CompiledPolicySet> = {
        let pool: Vec<Arc<CompiledPolicy>> = estate
            .iter()
            .take(30)
            .flat_map(|set| {
                set.identity
                    .iter()
                    .map(|p| Arc::new(CompiledPolicy::new(p)))
            })
            .collect();
        let scps: Vec<Vec<Arc<CompiledPolicy>>> = scp_levels()
            .iter()
            .map(|level| {
                level
                    .iter()
                    .map(|p| Arc::new(CompiledPolicy::new(p)))
                    .collect()
            })
            .collect();
        (0..ROLES)
            .map(|r| {
                let identity = (0..POLICIES_PER_ROLE)
                    .map(|p| pool[(r * 7 + p * 13) % pool.len()].clone())
                    .collect();
                CompiledPolicySet::from_compiled(identity, None, scps.clone())
            })
            .collect()
    };
    group.bench_function(
        "10k roles x 60 questions, shared managed policies, 1 thread",
        |b| b.iter(|| ask_all(&shared, &contexts, &questions)),
    );
    group.finish();
}

criterion_group!(engine, benches);

/// Nanoseconds this thread has run on a CPU (Linux), to see through a busy machine.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// `ENGINE_QUICK=1 cargo bench --bench policy`: timed passes without criterion
/// (`ENGINE_PASSES`, default 3; `ENGINE_THREADS=1` for the single-threaded passes only).
fn quick() {
    let estate = estate();
    let compiled: Vec<CompiledPolicySet> = estate.iter().map(CompiledPolicySet::new).collect();
    let contexts: Vec<Context> = (0..ROLES)
        .map(|r| {
            Context::new().with_principal_arn(&format!(
                "arn:aws:iam::{ACCOUNT}:role/team-{}-role-{r}",
                r % 50
            ))
        })
        .collect();
    // `ENGINE_CHECKS=1`: every question the agent checks ask (the capability classes, the
    // escalation paths, the wildcard-write questions and sts:AssumeRole) instead of the 60.
    let owned = check_questions();
    let questions: Vec<(&str, &str)> = if std::env::var_os("ENGINE_CHECKS").is_some() {
        owned
            .iter()
            .map(|(a, r)| (a.as_str(), r.as_str()))
            .collect()
    } else {
        questions()
    };
    eprintln!("{} questions per role", questions.len());
    let passes: usize = std::env::var("ENGINE_PASSES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3);
    let max_threads: usize = std::env::var("ENGINE_THREADS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(2);
    let checks_way = std::env::var_os("ENGINE_CHECKS").is_some();
    for threads in (1..=max_threads).filter(|t| *t == 1 || *t == 2) {
        for _ in 0..passes {
            if checks_way {
                let started = Instant::now();
                let cpu = thread_cpu();
                let n = split(&compiled, &contexts, threads, ask_as_checks);
                let cpu = match (cpu, thread_cpu()) {
                    (Some(a), Some(b)) if threads == 1 => format!(", on-CPU {:?}", b - a),
                    _ => String::new(),
                };
                eprintln!(
                    "{threads} thread(s), as the checks ask (verdicts, evidence for what findings list): {:?}{cpu} ({n} held)",
                    started.elapsed()
                );
            }
            let started = Instant::now();
            let cpu = thread_cpu();
            let n = if threads == 1 {
                ask_all(&compiled, &contexts, &questions)
            } else {
                ask_all_threads(&compiled, &contexts, &questions, threads)
            };
            let cpu = match (cpu, thread_cpu()) {
                (Some(a), Some(b)) if threads == 1 => format!(", on-CPU {:?}", b - a),
                _ => String::new(),
            };
            eprintln!(
                "{threads} thread(s), every question with full evidence: {:?}{cpu} ({n} may be allowed)",
                started.elapsed()
            );
        }
    }
}

/// The questions the checks ask of one agent principal.
fn check_questions() -> Vec<(String, String)> {
    use ringfence::policy::capabilities::class;
    let mut q: Vec<(String, String)> = Vec::new();
    for id in ["admin", "destructive-data", "infra-mutation", "exec-tools"] {
        for c in &class(id).actions {
            q.push((c.action.clone(), c.resource.clone()));
            if id != "admin" && c.resource != "*" {
                // INP003 asks the same write on the literal resource `*`.
                q.push((c.action.clone(), "*".to_owned()));
            }
        }
    }
    for path in &class("privilege-escalation").paths {
        for action in &path.actions {
            q.push((action.clone(), path.resource_of(action).to_owned()));
        }
    }
    q.push((
        "sts:AssumeRole".to_owned(),
        "arn:aws:iam::123456789012:role/admin".to_owned(),
    ));
    q
}

fn main() {
    if std::env::var_os("ENGINE_QUICK").is_some() {
        quick();
        return;
    }
    engine();
    Criterion::default().configure_from_args().final_summary();
}
