//! SDK configuration: credentials per account, and clients per (account, region, service), each
//! with the recorder, adaptive retries, timeouts and a retry partition of its own.

use std::sync::Arc;
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_runtime::client::retries::RetryPartition;
use aws_types::region::Region;

use super::CollectOptions;
use super::breaker::{Breaker, Breakers, Scope};
use super::cause::{self, Cause};
use super::limit::Limit;
use super::recorder::{CallLog, Recorder};
use crate::error::Error;
use crate::inventory::CollectionError;

/// How long a call may take, by the kind of call. Each bounds one attempt; the whole call,
/// retries and backoff included, may take [`OPERATION_ATTEMPTS`] times as long. A timed-out
/// attempt counts towards its scope's breaker like a refused connection, so an endpoint that
/// hangs costs a scope about three attempts, and `--timeout` bounds the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTimeouts {
    /// Opening a connection to the endpoint.
    pub connect: Duration,
    /// One attempt of an ordinary read: a page of a List, Describe or Get call.
    pub read: Duration,
    /// One attempt of an IAM read. IAM builds some answers for the whole account
    /// (`GetAccountAuthorizationDetails` pages, the credential report), which can be slow on
    /// accounts with many principals.
    pub iam: Duration,
}

/// A call's time limit, as a multiple of its attempt's.
pub const OPERATION_ATTEMPTS: u32 = 3;

impl Default for CallTimeouts {
    fn default() -> Self {
        CallTimeouts {
            connect: Duration::from_secs(3),
            read: Duration::from_secs(20),
            iam: Duration::from_secs(30),
        }
    }
}

impl CallTimeouts {
    /// The SDK's timeouts for calls whose attempts may take `attempt`.
    fn config(&self, attempt: Duration) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(attempt)
            .operation_timeout(attempt * OPERATION_ATTEMPTS)
            .build()
    }
}

/// The identity the collector runs as.
pub struct Caller {
    pub account: String,
    /// `aws`, `aws-cn`, `aws-us-gov` — from the caller's ARN.
    pub partition: String,
}

/// Attempts per call: `AWS_MAX_ATTEMPTS` as every AWS SDK reads it (a whole number, 1 or
/// more), else 5. Anything else is refused rather than silently replaced.
fn max_attempts(value: Option<&str>) -> Result<u32, Error> {
    let Some(value) = value else {
        return Ok(5);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Error::Usage(format!(
            "AWS_MAX_ATTEMPTS={value}: the number of attempts per call must be a whole number, 1 or more (1 means no retries); unset it for the default of 5"
        ))),
    }
}

/// Refuses an endpoint that is not an http(s) URL with a host, before anything is sent.
pub fn check_endpoint_url(text: &str) -> Result<(), String> {
    let shape = "an endpoint is an http:// or https:// URL such as http://localhost:4566";
    if !text.contains("://") {
        return Err(format!("`{text}` has no scheme: {shape}"));
    }
    let url =
        url::Url::parse(text).map_err(|err| format!("`{text}` is not a URL ({err}): {shape}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{text}`: the scheme {}:// is not supported: {shape}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` names no host: {shape}"));
    }
    Ok(())
}

/// What the collector asks of the SDK configuration, read from the process environment.
#[derive(Debug, Default)]
pub struct Environment {
    pub max_attempts: Option<String>,
    pub endpoint_url: Option<String>,
}

impl Environment {
    pub fn read() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Environment {
            max_attempts: var("AWS_MAX_ATTEMPTS"),
            endpoint_url: var("AWS_ENDPOINT_URL"),
        }
    }
}

/// The SDK configuration every client starts from. With `--profile`, the profile's credentials
/// are used even when AWS_ACCESS_KEY_ID is set (as the AWS CLI does), and a profile that is in
/// neither AWS config file is bad usage. The region comes from AWS_REGION, else the profile,
/// else instance metadata, else us-east-1.
pub async fn base_config(options: &CollectOptions) -> Result<SdkConfig, Error> {
    let environment = Environment::read();
    let attempts = max_attempts(environment.max_attempts.as_deref())?;
    if options.endpoint_url.is_none()
        && let Some(url) = &environment.endpoint_url
    {
        check_endpoint_url(url).map_err(|err| Error::Usage(format!("AWS_ENDPOINT_URL: {err}")))?;
    }
    let mut region_chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(profile) = &options.profile {
        check_profile(profile).await?;
        region_chain = region_chain.profile_name(profile);
    }
    let region = RegionProviderChain::first_try(region_chain.build())
        .or_else("us-east-1")
        .region()
        .await
        .unwrap_or_else(|| Region::from_static("us-east-1"));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region.clone())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(options.call_timeouts.config(options.call_timeouts.read));
    if let Some(profile) = &options.profile {
        // `profile_name` alone selects the profile for settings, but the default credential
        // chain still tries the environment's keys first.
        let credentials = ProfileFileCredentialsProvider::builder()
            .configure(&ProviderConfig::default().with_region(Some(region)))
            .profile_name(profile)
            .build();
        loader = loader
            .profile_name(profile)
            .credentials_provider(credentials);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    Ok(loader.load().await)
}

/// Refuses a profile that neither AWS config file defines.
async fn check_profile(name: &str) -> Result<(), Error> {
    use aws_types::os_shim_internal::{Env, Fs};
    let files = super::workstation::AwsFiles::standard();
    let looked_in = files.as_ref().map_or_else(
        || "the AWS config files (no home folder; set AWS_CONFIG_FILE)".to_owned(),
        |f| format!("{} and {}", f.config.display(), f.credentials.display()),
    );
    let profiles = aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .map_err(|err| {
            Error::Usage(format!(
                "--profile {name}: the AWS config files could not be read: {}",
                cause::chain(&err)
            ))
        })?;
    if profiles.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = profiles.profiles().collect();
    known.sort_unstable();
    let known = if known.is_empty() {
        "they define no profile".to_owned()
    } else {
        format!("the profiles there: {}", known.join(", "))
    };
    Err(Error::Usage(format!(
        "--profile {name}: no such profile in {looked_in} ({known}); AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE choose other files"
    )))
}

/// Why the caller's identity could not be learned.
pub struct CallerError {
    pub cause: Cause,
    /// The SDK's whole error, for `--verbose`.
    pub debug: String,
}

pub async fn caller_identity(
    config: &SdkConfig,
    log: &Arc<CallLog>,
) -> Result<Caller, CallerError> {
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    let sts = sts_client(config, Recorder::new(log), "caller");
    let identity = sts.get_caller_identity().send().await.map_err(|err| {
        let cause = match cause::classify(&err, err.code()) {
            // An AWS error answer: its code and message say it best.
            Cause::Other(_) if err.code().is_some() || err.message().is_some() => {
                let (code, message) = explain("sts", "GetCallerIdentity", &err);
                Cause::Other(code.map_or(message.clone(), |code| format!("{code}: {message}")))
            }
            other => other,
        };
        CallerError {
            cause,
            debug: format!("{err:#?}"),
        }
    })?;
    let arn = identity.arn().unwrap_or_default();
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_owned();
    Ok(Caller {
        account: identity.account().unwrap_or_default().to_owned(),
        partition,
    })
}

/// An STS client with the caller's credentials.
pub fn sts(config: &SdkConfig, log: &Arc<CallLog>) -> aws_sdk_sts::Client {
    sts_client(config, Recorder::new(log), "caller")
}

fn sts_client(config: &SdkConfig, recorder: Recorder, partition: &str) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(config)
        .interceptor(recorder)
        .retry_partition(RetryPartition::new(format!("{partition}-sts")))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// Credentials for one account, the breakers its clients answer to, and their timeouts.
pub struct AccountSession {
    config: SdkConfig,
    account: String,
    breakers: Arc<Breakers>,
    timeouts: CallTimeouts,
}

impl AccountSession {
    pub fn caller(
        config: SdkConfig,
        caller: &Caller,
        breakers: &Arc<Breakers>,
        timeouts: CallTimeouts,
    ) -> Self {
        AccountSession {
            config,
            account: caller.account.clone(),
            breakers: breakers.clone(),
            timeouts,
        }
    }

    /// The recorder of this account's `service` clients in `region`, with the scope's
    /// breaker.
    fn recorder(&self, log: &Arc<CallLog>, region: &str, service: &str) -> Recorder {
        Recorder::scoped(log, self.breaker(region, service))
    }

    fn breaker(&self, region: &str, service: &str) -> Breaker {
        self.breakers.breaker(Scope {
            account: self.account.clone(),
            region: region.to_owned(),
            service: service.to_owned(),
        })
    }

    /// Assumes the audit role in `account`, and proves it works before anything else is asked.
    pub async fn assume(
        base: &SdkConfig,
        log: &Arc<CallLog>,
        caller: &Caller,
        account: &str,
        role_name: &str,
        breakers: &Arc<Breakers>,
        timeouts: CallTimeouts,
    ) -> Result<Self, CollectionError> {
        let role_arn = format!("arn:{}:iam::{account}:role/{role_name}", caller.partition);
        let provider = aws_config::sts::AssumeRoleProvider::builder(&role_arn)
            .session_name("ringfence")
            .configure(base)
            .build()
            .await;
        let config = base
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
        let session = AccountSession {
            config,
            account: account.to_owned(),
            breakers: breakers.clone(),
            timeouts,
        };
        // The first call assumes the role; a failure is the account's collection error.
        let recorder = session.recorder(log, session.home_region(), "sts");
        match sts_client(&session.config, recorder, account)
            .get_caller_identity()
            .send()
            .await
        {
            Ok(identity) if identity.account() == Some(account) => Ok(session),
            Ok(identity) => Err(CollectionError {
                account_id: Some(account.to_owned()),
                region: None,
                service: "sts".into(),
                operation: "AssumeRole".into(),
                code: None,
                message: format!(
                    "assuming {role_arn} gave credentials of account {}",
                    identity.account().unwrap_or("?")
                ),
            }),
            Err(err) => {
                let (code, cause) = assume_role_cause(&err);
                Err(CollectionError {
                    account_id: Some(account.to_owned()),
                    region: None,
                    service: "sts".into(),
                    operation: "AssumeRole".into(),
                    code,
                    message: format!("could not assume {role_arn}: {cause}"),
                })
            }
        }
    }

    /// An S3 client for buckets of `region`. Path-style addressing when an endpoint is set, so
    /// that local endpoints work.
    pub fn s3_client(&self, log: &Arc<CallLog>, region: &str) -> aws_sdk_s3::Client {
        let config = self
            .config
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        let conf = aws_sdk_s3::config::Builder::from(&config)
            .interceptor(self.recorder(log, region, "s3"))
            .retry_partition(RetryPartition::new(format!("{}-{region}-s3", self.account)))
            .force_path_style(self.config.endpoint_url().is_some())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// The region the session was configured with.
    pub fn home_region(&self) -> &str {
        self.config.region().map_or("us-east-1", |r| r.as_ref())
    }
}

/// The code and message of the STS error behind a failed role assumption (it arrives wrapped
/// in a credentials error inside a dispatch failure), or the network failure that kept it from
/// being asked.
fn assume_role_cause(err: &(dyn std::error::Error + 'static)) -> (Option<String>, String) {
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    type AssumeRoleSdkError = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_smithy_runtime_api::http::Response,
    >;
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(sdk) = error.downcast_ref::<AssumeRoleSdkError>() {
            if let Some(message) = sdk.message() {
                return (sdk.code().map(str::to_owned), message.to_owned());
            }
            break;
        }
        current = error.source();
    }
    match cause::classify(err, None) {
        Cause::Unreachable(connection) => (None, connection.reason()),
        Cause::NotSent(reason) | Cause::Credentials(reason) | Cause::Other(reason) => {
            (None, reason)
        }
    }
}

/// The service clients of one account and region.
#[derive(Clone)]
pub struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub rds: aws_sdk_rds::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub iam: aws_sdk_iam::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub rbin: aws_sdk_rbin::Client,
    pub ram: aws_sdk_ram::Client,
    pub region: String,
    /// The account's id.
    pub account: String,
    /// The bound on work in flight that the collectors' groups of calls run under.
    pub limit: Limit,
}

/// A client of `$service` (its IAM prefix) with its scope's recorder and breaker, its own
/// retry partition, and the timeouts of its kind of call.
macro_rules! client {
    ($sdk:ident, $session:expr, $config:expr, $log:expr, $region:expr, $service:literal) => {{
        let timeouts = &$session.timeouts;
        let attempt = if $service == "iam" {
            timeouts.iam
        } else {
            timeouts.read
        };
        let conf = $sdk::config::Builder::from($config)
            .interceptor($session.recorder($log, $region, $service))
            .retry_partition(RetryPartition::new(format!(
                "{}-{}-{}",
                $session.account, $region, $service
            )))
            .timeout_config(timeouts.config(attempt))
            .build();
        $sdk::Client::from_conf(conf)
    }};
}

impl Clients {
    pub fn new(
        session: &AccountSession,
        log: &Arc<CallLog>,
        region: &str,
        limit: &Limit,
    ) -> Clients {
        let config = session
            .config
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        Clients {
            ec2: client!(aws_sdk_ec2, session, &config, log, region, "ec2"),
            rds: client!(aws_sdk_rds, session, &config, log, region, "rds"),
            dynamodb: client!(aws_sdk_dynamodb, session, &config, log, region, "dynamodb"),
            iam: client!(aws_sdk_iam, session, &config, log, region, "iam"),
            cloudtrail: client!(
                aws_sdk_cloudtrail,
                session,
                &config,
                log,
                region,
                "cloudtrail"
            ),
            events: client!(aws_sdk_eventbridge, session, &config, log, region, "events"),
            logs: client!(
                aws_sdk_cloudwatchlogs,
                session,
                &config,
                log,
                region,
                "logs"
            ),
            cloudwatch: client!(
                aws_sdk_cloudwatch,
                session,
                &config,
                log,
                region,
                "cloudwatch"
            ),
            cloudformation: client!(
                aws_sdk_cloudformation,
                session,
                &config,
                log,
                region,
                "cloudformation"
            ),
            rbin: client!(aws_sdk_rbin, session, &config, log, region, "rbin"),
            ram: client!(aws_sdk_ram, session, &config, log, region, "ram"),
            region: region.to_owned(),
            account: session.account.clone(),
            limit: limit.clone(),
        }
    }

    /// Runs a group of `service` calls that depends on no other under the bound, shown as
    /// `account region service group` while it runs.
    pub async fn group<T>(
        &self,
        service: &str,
        group: &str,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let label = format!("{} {} {service} {group}", self.account, self.region);
        self.limit.run(label, work).await
    }
}

/// Turns an SDK error into a collection error (account and region are filled in by the caller).
pub fn failure<E>(
    service: &str,
    operation: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> CollectionError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = explain(service, operation, err);
    CollectionError {
        account_id: None,
        region: None,
        service: service.to_owned(),
        operation: operation.to_owned(),
        code,
        message,
    }
}

/// The AWS error code of a failed call and a short message: the service's own, or why there
/// was no answer. Never the SDK's debug text.
fn explain<E>(
    service: &str,
    operation: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> (Option<String>, String)
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    let code = err.code().map(str::to_owned);
    let message = match (err.message(), err.raw_response()) {
        (Some(message), _) => message.to_owned(),
        // No answer: say why in a few words (the breaker's refusal, the connection failure).
        (None, None) => match cause::classify(err, None) {
            Cause::Unreachable(connection) => connection.reason(),
            Cause::NotSent(reason) | Cause::Credentials(reason) | Cause::Other(reason) => reason,
        },
        // An answer that is not an AWS error document (an emulator or proxy page): the whole
        // error would dump the response; its status says what matters.
        (None, Some(response)) if code.is_none() => format!(
            "HTTP {}, with a response that could not be read as {service}:{operation} (the endpoint may not implement it)",
            response.status().as_u16()
        ),
        (None, _) => cause::chain(err),
    };
    (code, message)
}

/// Tags from (key, value) pairs as the SDKs give them; a tag without a key is dropped, one
/// without a value has an empty value.
pub fn tags<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> crate::inventory::Tags {
    pairs
        .into_iter()
        .filter_map(|(key, value)| Some((key?.to_owned(), value.unwrap_or_default().to_owned())))
        .collect()
}

/// An SDK timestamp as a jiff timestamp.
pub fn timestamp(dt: &aws_smithy_types::DateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(dt.secs(), i32::try_from(dt.subsec_nanos()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_attempts_is_a_whole_number_of_one_or_more() {
        assert_eq!(max_attempts(None).unwrap(), 5);
        assert_eq!(max_attempts(Some("3")).unwrap(), 3);
        assert_eq!(max_attempts(Some(" 1 ")).unwrap(), 1);
        for bad in ["0", "abc", "-2", "2.5", ""] {
            let err = max_attempts(Some(bad)).unwrap_err().to_string();
            assert!(err.contains(&format!("AWS_MAX_ATTEMPTS={bad}:")), "{err}");
            assert!(err.contains("1 or more"), "{err}");
        }
    }

    #[test]
    fn an_endpoint_is_an_http_url_with_a_host() {
        for good in [
            "http://127.0.0.1:4566",
            "https://vpce-1.sts.eu-west-1.vpce.amazonaws.com",
        ] {
            assert!(check_endpoint_url(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("not-a-url", "no scheme"),
            ("localhost:4566", "no scheme"),
            ("ftp://host", "ftp:// is not supported"),
            ("http://", "not a URL"),
            ("http:// spaces", "not a URL"),
        ] {
            let err = check_endpoint_url(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
