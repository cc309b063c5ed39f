//! Live collection from AWS: fills a [`Snapshot`] from the caller's account, or from every
//! account of an organization through an audit role, concurrently and read-only.
//!
//! Nothing outside this module names an `aws_sdk_*` type: SDK output is converted into the
//! owned inventory types here. A failed call never aborts the run: it becomes a
//! [`CollectionError`] and the list it would have filled stays `None` (not collected).

mod breaker;
mod cause;
mod clients;
mod dynamodb;
mod ec2;
mod iam;
mod keyinfo;
mod limit;
pub mod local;
mod logging;
mod ops;
mod org;
mod rds;
pub mod recorder;

pub use clients::{CallTimeouts, check_endpoint_url};
pub use keyinfo::key_accounts;
mod s3;
pub mod workstation;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::Timestamp;

use crate::classify::{Classification, EnvClass};
use crate::config::Config;
use crate::error::Error;
use crate::inventory::{
    Account, CallStats, CollectionError, CollectionStats, Region, ServiceStats, Snapshot,
};
use clients::{AccountSession, Clients};
use recorder::CallLog;

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// List the organization's accounts and assume `role_name` in each.
    pub org: bool,
    /// The audit role assumed in accounts other than the caller's.
    pub role_name: String,
    /// Only these account ids.
    pub accounts: Option<Vec<String>>,
    /// Only these regions (else each account's enabled regions).
    pub regions: Option<Vec<String>>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// How many calls may be in flight at once.
    pub concurrency: usize,
    /// Show progress on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Add the SDK's whole error (its `Debug` form) to a failure that stops the run.
    pub verbose: bool,
    /// How long collection may take in all: at the deadline, whatever is still being
    /// collected or waiting is recorded as not collected (see [`Deadline`]).
    pub timeout: Duration,
    /// How long each kind of call may take.
    pub call_timeouts: CallTimeouts,
}

/// The code of a collection error that the deadline caused.
pub const DEADLINE_REACHED: &str = "DeadlineReached";

/// The end of collection. Work still running or waiting when it passes is dropped, and what
/// it would have filled stays `None` with a collection error per service saying so: the
/// checks that needed it are `unknown`, and the report is still produced from the rest.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: tokio::time::Instant,
    timeout: Duration,
}

impl Deadline {
    fn new(timeout: Duration) -> Deadline {
        Deadline {
            at: tokio::time::Instant::now() + timeout,
            timeout,
        }
    }

    fn passed(&self) -> bool {
        tokio::time::Instant::now() >= self.at
    }

    /// Runs `work` unless the deadline passes first.
    async fn run<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        if self.passed() {
            return None;
        }
        tokio::time::timeout_at(self.at, work).await.ok()
    }

    /// `--timeout 3s`.
    fn flag(&self) -> String {
        format!(
            "--timeout {}",
            jiff::SignedDuration::try_from(self.timeout)
                .map(|d| format!("{d:#}"))
                .unwrap_or_else(|_| format!("{}s", self.timeout.as_secs()))
        )
    }

    fn reason(&self) -> String {
        format!(
            "not collected: deadline reached ({}); raise --timeout, or narrow the run with --regions or --accounts",
            self.flag()
        )
    }

    /// The collection error of a call (or of the rest of a service's calls: `*`) that the
    /// deadline stopped.
    fn error(&self, service: &str, operation: &str) -> CollectionError {
        CollectionError {
            account_id: None,
            region: None,
            service: service.to_owned(),
            operation: operation.to_owned(),
            code: Some(DEADLINE_REACHED.to_owned()),
            message: self.reason(),
        }
    }
}

/// One unit of work: a service in an account (and region), returning what it found.
type Task<'a> = futures::future::BoxFuture<'a, Piece>;

/// What a task brings back.
struct Piece {
    account: usize,
    region: Option<String>,
    service: &'static str,
    data: Data,
    errors: Vec<CollectionError>,
}

enum Data {
    Iam(Option<crate::inventory::Iam>),
    S3(Option<Vec<crate::inventory::Bucket>>),
    GlobalClusters(Option<Vec<crate::inventory::RdsGlobalCluster>>),
    Ec2(Box<ec2::Ec2Data>),
    Rds(rds::RdsData),
    DynamoDb(Option<Vec<crate::inventory::DynamoDbTable>>),
    Logging(logging::LoggingData),
    Ops(ops::OpsData),
}

/// Collects the estate. Blocks on its own runtime.
/// `now` becomes the snapshot's `collected_at`.
pub fn collect(
    options: &CollectOptions,
    config: &Config,
    now: Timestamp,
) -> Result<Snapshot, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::io("async runtime", err))?;
    runtime.block_on(collect_async(options, config, now))
}

async fn collect_async(
    options: &CollectOptions,
    config: &Config,
    now: Timestamp,
) -> Result<Snapshot, Error> {
    let started = Instant::now();
    let log = Arc::new(CallLog::default());
    let base = clients::base_config(options).await?;
    let deadline = Deadline::new(options.timeout);
    let caller = deadline
        .run(clients::caller_identity(&base, &log))
        .await
        .ok_or_else(|| {
            Error::NothingCollected(format!(
                "the caller's identity (sts:GetCallerIdentity, the first call) was not learned before the deadline: {}",
                deadline.reason()
            ))
        })?
        .map_err(|err| caller_failure(&base, &err, options.verbose))?;
    let breakers = breaker::Breakers::new(breaker::THRESHOLD);
    let mut errors = Vec::new();

    // The accounts to audit.
    let (organization, mut accounts) = if options.org {
        let listed = deadline
            .run(org::collect(&base, &log, &mut errors))
            .await
            .ok_or_else(|| {
                Error::NothingCollected(format!(
                    "the organization's accounts were not listed before the deadline: {}",
                    deadline.reason()
                ))
            })?;
        let (organization, accounts) = listed.map_err(|err| {
            Error::NothingCollected(format!(
                "the organization's accounts could not be listed from account {}: {err}. Run from the management \
                 account or a delegated administrator, or list accounts with --accounts",
                caller.account
            ))
        })?;
        (Some(organization), accounts)
    } else {
        let ids = options
            .accounts
            .clone()
            .unwrap_or_else(|| vec![caller.account.clone()]);
        (
            None,
            ids.into_iter()
                .map(|id| Account {
                    id,
                    ..Default::default()
                })
                .collect(),
        )
    };
    if let Some(only) = &options.accounts {
        accounts.retain(|a| only.contains(&a.id));
        for id in only {
            if !accounts.iter().any(|a| &a.id == id) {
                return Err(Error::Usage(format!(
                    "--accounts: {id} is not an active account of the organization"
                )));
            }
        }
    }

    // A session per account: the caller's own credentials, or the audit role. Assumed in
    // parallel, in account order.
    let concurrency = options.concurrency.max(1);
    let results: Vec<Result<AccountSession, CollectionError>> =
        futures::stream::iter(accounts.iter().map(|account| {
            let (base, log, caller, breakers, deadline) =
                (&base, &log, &caller, &breakers, &deadline);
            async move {
                if account.id == caller.account {
                    Ok(AccountSession::caller(
                        base.clone(),
                        caller,
                        breakers,
                        options.call_timeouts,
                    ))
                } else {
                    let assumed = deadline
                        .run(AccountSession::assume(
                            base,
                            log,
                            caller,
                            &account.id,
                            &options.role_name,
                            breakers,
                            options.call_timeouts,
                        ))
                        .await;
                    match assumed {
                        Some(result) => result,
                        None => {
                            let mut error = deadline.error("sts", "AssumeRole");
                            error.account_id = Some(account.id.clone());
                            Err(error)
                        }
                    }
                }
            }
        }))
        .buffered(concurrency)
        .collect()
        .await;
    let mut sessions = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(session) => sessions.push(Some(session)),
            Err(error) => {
                errors.push(error);
                sessions.push(None);
            }
        }
    }

    // Regions per account, asked in parallel.
    let limit = limit::Limit::new(concurrency);
    let asked: Vec<Result<Vec<String>, CollectionError>> =
        futures::stream::iter(sessions.iter().map(|session| {
            let (log, deadline, limit) = (&log, &deadline, &limit);
            async move {
                match (session, &options.regions) {
                    (None, _) => Ok(Vec::new()),
                    (Some(_), Some(list)) => Ok(list.clone()),
                    (Some(session), None) => {
                        let clients = Clients::new(session, log, session.home_region(), limit);
                        match deadline.run(ec2::enabled_regions(&clients)).await {
                            Some(result) => result,
                            None => Err(deadline.error("ec2", "DescribeRegions")),
                        }
                    }
                }
            }
        }))
        .buffered(concurrency)
        .collect()
        .await;
    let mut regions: Vec<Vec<String>> = Vec::with_capacity(accounts.len());
    for ((account, session), result) in accounts.iter().zip(&sessions).zip(asked) {
        match result {
            Ok(list) => regions.push(list),
            Err(mut error) => {
                // Without the list, collect the session's own region and say so: the other
                // regions are not audited, which the record states with the way out.
                let home: Vec<String> =
                    session.iter().map(|s| s.home_region().to_owned()).collect();
                error.account_id = Some(account.id.clone());
                error.message = format!(
                    "{}; the account's regions are unknown, so only {} was collected: name the regions to audit with --regions",
                    error.message,
                    home.first().map_or("no region", String::as_str)
                );
                errors.push(error);
                regions.push(home);
            }
        }
    }

    // Which accounts are production decides which per-resource calls are worth making.
    let classes = {
        let mut skeleton = Snapshot::new(now);
        skeleton.accounts = accounts.clone();
        Classification::new(&skeleton, config)
    };

    let units = Units {
        deadline: &deadline,
        limit: &limit,
        names: accounts.iter().map(|a| a.id.clone()).collect(),
    };
    let mut tasks: Vec<Task> = Vec::new();
    for (index, (account, session)) in accounts.iter().zip(&sessions).enumerate() {
        let Some(session) = session else { continue };
        let prod = classes.account(&account.id).class != EnvClass::Nonprod;
        let global = Clients::new(session, &log, session.home_region(), &limit);
        tasks.push(Box::pin(task(&units, index, None, "iam", async move {
            let mut errors = Vec::new();
            let iam = iam::collect(&global, &mut errors).await;
            (Data::Iam(iam), errors)
        })));
        let home = Clients::new(session, &log, session.home_region(), &limit);
        tasks.push(Box::pin(task(
            &units,
            index,
            None,
            "rds-global",
            async move {
                let mut errors = Vec::new();
                let clusters = rds::global_clusters(&home, &mut errors).await;
                (Data::GlobalClusters(clusters), errors)
            },
        )));
        let log_ref = &log;
        tasks.push(Box::pin(task(&units, index, None, "s3", async move {
            let mut errors = Vec::new();
            let buckets = s3::collect(session, log_ref, &mut errors).await;
            (Data::S3(buckets), errors)
        })));
        for region in &regions[index] {
            let clients = Clients::new(session, &log, region, &limit);
            let classes = &classes;
            let account_id = account.id.clone();
            tasks.push(Box::pin(task(
                &units,
                index,
                Some(region.clone()),
                "ec2",
                {
                    let clients = clients.clone();
                    async move {
                        let mut errors = Vec::new();
                        let data = ec2::collect(&clients, &mut errors, |tags| {
                            prod && classes.resource(&account_id, tags).class == EnvClass::Prod
                        })
                        .await;
                        (Data::Ec2(Box::new(data)), errors)
                    }
                },
            )));
            tasks.push(Box::pin(task(
                &units,
                index,
                Some(region.clone()),
                "rds",
                {
                    let clients = clients.clone();
                    async move {
                        let mut errors = Vec::new();
                        let data = rds::collect(&clients, &mut errors).await;
                        (Data::Rds(data), errors)
                    }
                },
            )));
            tasks.push(Box::pin(task(
                &units,
                index,
                Some(region.clone()),
                "logging",
                {
                    let clients = clients.clone();
                    async move {
                        let mut errors = Vec::new();
                        let data = logging::collect(&clients, &mut errors).await;
                        (Data::Logging(data), errors)
                    }
                },
            )));
            tasks.push(Box::pin(task(
                &units,
                index,
                Some(region.clone()),
                "ops",
                {
                    let clients = clients.clone();
                    async move {
                        let mut errors = Vec::new();
                        let data = ops::collect(&clients, &mut errors).await;
                        (Data::Ops(data), errors)
                    }
                },
            )));
            tasks.push(Box::pin(task(
                &units,
                index,
                Some(region.clone()),
                "dynamodb",
                async move {
                    let mut errors = Vec::new();
                    let data = dynamodb::collect(&clients, &mut errors).await;
                    (Data::DynamoDb(data), errors)
                },
            )));
        }
    }

    let total = tasks.len();
    let bar = progress_bar(options.progress, total, accounts.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    // Tasks wait for their permits in [`limit::Limit`], which is the bound; more tasks are
    // started than permits so that EC2's groups and the other services' tasks share them.
    let work = futures::stream::iter(tasks)
        .buffer_unordered(concurrency.saturating_mul(4))
        .inspect(|_| {
            bar.inc(1);
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .collect::<Vec<Piece>>();
    // What is running, and the longest-running unit: on the bar each second, and for a log
    // (stderr not a terminal) a line each minute.
    let ticker = async {
        let started = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut logged = 0;
        loop {
            tick.tick().await;
            let running = limit.running();
            bar.set_message(running.describe());
            let minutes = started.elapsed().as_secs() / 60;
            if options.progress && bar.is_hidden() && minutes > logged {
                logged = minutes;
                eprintln!(
                    "ringfence: collecting for {}: {}/{total} tasks done; {}",
                    limit::seconds(started.elapsed()),
                    done.load(std::sync::atomic::Ordering::Relaxed),
                    running.describe()
                );
            }
        }
    };
    let mut pieces = match futures::future::select(Box::pin(work), Box::pin(ticker)).await {
        futures::future::Either::Left((pieces, _)) => pieces,
        // The ticker does not end; were it to, the work still is awaited.
        futures::future::Either::Right(((), work)) => work.await,
    };
    bar.finish_and_clear();
    pieces
        .sort_by(|a, b| (a.account, &a.region, a.service).cmp(&(b.account, &b.region, b.service)));

    // Assemble.
    for (account, session) in accounts.iter_mut().zip(&sessions) {
        if session.is_some() {
            account.regions = Some(BTreeMap::new());
        }
    }
    for piece in pieces {
        let account = &mut accounts[piece.account];
        for mut error in piece.errors {
            error.account_id = Some(account.id.clone());
            if error.region.is_none() && piece.region.is_some() {
                error.region = piece.region.clone();
            }
            errors.push(error);
        }
        let region = piece.region.map(|name| {
            account
                .regions
                .get_or_insert_with(BTreeMap::new)
                .entry(name)
                .or_insert_with(Region::default)
        });
        match (piece.data, region) {
            (Data::Iam(iam), _) => account.iam = iam,
            (Data::S3(buckets), _) => account.s3_buckets = buckets,
            (Data::GlobalClusters(clusters), _) => account.rds_global_clusters = clusters,
            (Data::Ec2(data), Some(region)) => data.apply(region),
            (Data::Rds(data), Some(region)) => data.apply(region),
            (Data::DynamoDb(tables), Some(region)) => region.dynamodb_tables = tables,
            (Data::Logging(data), Some(region)) => data.apply(region),
            (Data::Ops(data), Some(region)) => data.apply(region),
            _ => {}
        }
    }

    let mut snapshot = Snapshot::new(now);
    snapshot.organization = organization;
    snapshot.accounts = accounts;
    snapshot.errors = errors;
    snapshot.collection = Some(stats(&log, started.elapsed()));
    snapshot.normalize();
    Ok(snapshot)
}

/// Why nothing could be collected when the caller's identity could not be learned, with the
/// hint that fits: the endpoint for a network failure, the ways to provide credentials only
/// when the credentials were the problem.
fn caller_failure(
    base: &aws_config::SdkConfig,
    err: &clients::CallerError,
    verbose: bool,
) -> Error {
    let endpoint = base.endpoint_url().map_or_else(
        || {
            format!(
                "AWS STS in {}",
                base.region().map_or("us-east-1", |r| r.as_ref())
            )
        },
        |url| url.to_owned(),
    );
    let mut message = match &err.cause {
        cause::Cause::Unreachable(connection) => format!(
            "could not reach {endpoint} (sts:GetCallerIdentity, the first call): {}. Check --endpoint-url \
             (or AWS_ENDPOINT_URL), the network, and any proxy (HTTPS_PROXY, NO_PROXY)",
            connection.reason()
        ),
        cause::Cause::Credentials(reason) => format!(
            "no AWS credentials could be used: {reason}. Provide them the usual way: `--profile NAME` or AWS_PROFILE, \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws sso login`, or an instance role"
        ),
        cause::Cause::NotSent(reason) | cause::Cause::Other(reason) => format!(
            "the caller's identity could not be learned from {endpoint} (sts:GetCallerIdentity): {reason}"
        ),
    };
    if verbose {
        message.push_str("\n\nThe SDK's error:\n");
        message.push_str(&err.debug);
    } else {
        message.push_str(" (--verbose shows the SDK's whole error)");
    }
    Error::NothingCollected(message)
}

/// A bar of collection tasks (an account's service in a region) on stderr, with a second line
/// saying what is in flight and the longest-running unit; hidden when stderr is not a terminal
/// or progress is off.
fn progress_bar(enabled: bool, tasks: usize, accounts: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(tasks as u64);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "collecting {accounts} accounts [{{bar:30}}] {{pos}}/{{len}} tasks {{elapsed}}\n  {{wide_msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// What every task runs under: the deadline, the bound on work in flight, and the accounts'
/// ids for the progress display.
struct Units<'a> {
    deadline: &'a Deadline,
    limit: &'a limit::Limit,
    names: Vec<String>,
}

/// The tasks made of groups of calls that depend on no other, each group holding its own
/// permit (see [`ec2::collect`], [`logging::collect`], [`ops::collect`]). A task of these
/// must not hold one itself: its groups would wait for permits it holds.
const GROUPED: &[&str] = &["ec2", "logging", "ops"];

/// Runs a task, unless the deadline passes first, and labels what it brings back. The task
/// holds one of the `--concurrency` permits while it runs, unless it is [`GROUPED`].
async fn task<F>(
    units: &Units<'_>,
    account: usize,
    region: Option<String>,
    service: &'static str,
    work: F,
) -> Piece
where
    F: std::future::Future<Output = (Data, Vec<CollectionError>)>,
{
    let deadline = units.deadline;
    let label = format!(
        "{} {} {service}",
        units.names[account],
        region.as_deref().unwrap_or("global")
    );
    let bounded = async {
        if GROUPED.contains(&service) {
            work.await
        } else {
            units.limit.run(label, work).await
        }
    };
    let (data, errors) = match deadline.run(bounded).await {
        Some(done) => done,
        None => not_collected(deadline, service),
    };
    Piece {
        account,
        region,
        service,
        data,
        errors,
    }
}

/// What a task the deadline stopped brings back: nothing collected, and an error for each
/// service it would have asked (by IAM prefix, as the checks look errors up).
fn not_collected(deadline: &Deadline, task: &str) -> (Data, Vec<CollectionError>) {
    let (data, services): (Data, &[&str]) = match task {
        "iam" => (Data::Iam(None), &["iam"]),
        "s3" => (Data::S3(None), &["s3"]),
        "rds-global" => (Data::GlobalClusters(None), &["rds"]),
        "ec2" => (Data::Ec2(Box::default()), &["ec2"]),
        "rds" => (Data::Rds(rds::RdsData::default()), &["rds"]),
        "dynamodb" => (Data::DynamoDb(None), &["dynamodb"]),
        "logging" => (
            Data::Logging(logging::LoggingData::default()),
            &["cloudtrail", "events", "logs", "cloudwatch"],
        ),
        _ => (
            Data::Ops(ops::OpsData::default()),
            &["cloudformation", "rbin", "ram"],
        ),
    };
    let errors = services
        .iter()
        .map(|service| deadline.error(service, "*"))
        .collect();
    (data, errors)
}

fn stats(log: &CallLog, wall: Duration) -> CollectionStats {
    let counts = log.snapshot();
    let operations: Vec<CallStats> = counts
        .iter()
        .map(|((service, operation), c)| CallStats {
            service: recorder::iam_prefix(service),
            operation: operation.clone(),
            calls: c.calls,
            retries: c.attempts.saturating_sub(c.calls),
            errors: c.errors,
            seconds: (c.seconds * 1000.0).round() / 1000.0,
        })
        .collect();
    let mut services: BTreeMap<String, ServiceStats> = BTreeMap::new();
    for op in &operations {
        let entry = services
            .entry(op.service.clone())
            .or_insert_with(|| ServiceStats {
                service: op.service.clone(),
                ..Default::default()
            });
        entry.calls += op.calls;
        entry.retries += op.retries;
        entry.errors += op.errors;
    }
    for op in &operations {
        if let Some(entry) = services.get_mut(&op.service) {
            entry.seconds += op.seconds;
        }
    }
    for entry in services.values_mut() {
        entry.seconds = (entry.seconds * 1000.0).round() / 1000.0;
    }
    CollectionStats {
        wall_seconds: (wall.as_secs_f64() * 1000.0).round() / 1000.0,
        services: services.into_values().collect(),
        operations,
    }
}
