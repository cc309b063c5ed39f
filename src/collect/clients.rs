//! SDK configuration: credentials per account, and clients per (account, region, service), each
//! with the recorder, adaptive retries, timeouts and a retry partition of its own.

use std::sync::Arc;
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_runtime::client::retries::RetryPartition;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_types::region::Region;

use super::CollectOptions;
use super::recorder::{CallLog, Recorder};
use crate::inventory::CollectionError;

/// The identity the collector runs as.
pub struct Caller {
    pub account: String,
    /// `aws`, `aws-cn`, `aws-us-gov` — from the caller's ARN.
    pub partition: String,
}

/// Attempts per call: `AWS_MAX_ATTEMPTS` as every AWS SDK reads it, else 5.
fn max_attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(5)
}

pub async fn base_config(options: &CollectOptions) -> SdkConfig {
    let region = RegionProviderChain::default_provider().or_else("us-east-1");
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(max_attempts())
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

pub async fn caller_identity(config: &SdkConfig, log: &Arc<CallLog>) -> Result<Caller, String> {
    let sts = sts_client(config, log, "caller");
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| DisplayErrorContext(&err).to_string())?;
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
    sts_client(config, log, "caller")
}

fn sts_client(config: &SdkConfig, log: &Arc<CallLog>, partition: &str) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(config)
        .interceptor(Recorder(log.clone()))
        .retry_partition(RetryPartition::new(format!("{partition}-sts")))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// Credentials for one account.
pub struct AccountSession {
    config: SdkConfig,
    account: String,
}

impl AccountSession {
    pub fn caller(config: SdkConfig, caller: &Caller) -> Self {
        AccountSession {
            config,
            account: caller.account.clone(),
        }
    }

    /// Assumes the audit role in `account`, and proves it works before anything else is asked.
    pub async fn assume(
        base: &SdkConfig,
        log: &Arc<CallLog>,
        caller: &Caller,
        account: &str,
        role_name: &str,
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
        };
        // The first call assumes the role; a failure is the account's collection error.
        match sts_client(&session.config, log, account)
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
            .interceptor(Recorder(log.clone()))
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
/// in a credentials error inside a dispatch failure).
fn assume_role_cause(err: &(dyn std::error::Error + 'static)) -> (Option<String>, String) {
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    type AssumeRoleSdkError = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_smithy_runtime_api::http::Response,
    >;
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(sdk) = error.downcast_ref::<AssumeRoleSdkError>() {
            let message = sdk
                .message()
                .map_or_else(|| DisplayErrorContext(sdk).to_string(), str::to_owned);
            return (sdk.code().map(str::to_owned), message);
        }
        current = error.source();
    }
    (None, DisplayErrorContext(err).to_string())
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
}

macro_rules! client {
    ($sdk:ident, $config:expr, $log:expr, $partition:expr) => {{
        let conf = $sdk::config::Builder::from($config)
            .interceptor(Recorder($log.clone()))
            .retry_partition(RetryPartition::new($partition))
            .build();
        $sdk::Client::from_conf(conf)
    }};
}

impl Clients {
    pub fn new(session: &AccountSession, log: &Arc<CallLog>, region: &str) -> Clients {
        let config = session
            .config
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        let partition = |service: &str| format!("{}-{region}-{service}", session.account);
        Clients {
            ec2: client!(aws_sdk_ec2, &config, log, partition("ec2")),
            rds: client!(aws_sdk_rds, &config, log, partition("rds")),
            dynamodb: client!(aws_sdk_dynamodb, &config, log, partition("dynamodb")),
            iam: client!(aws_sdk_iam, &config, log, partition("iam")),
            cloudtrail: client!(aws_sdk_cloudtrail, &config, log, partition("cloudtrail")),
            events: client!(aws_sdk_eventbridge, &config, log, partition("events")),
            logs: client!(aws_sdk_cloudwatchlogs, &config, log, partition("logs")),
            cloudwatch: client!(aws_sdk_cloudwatch, &config, log, partition("cloudwatch")),
            cloudformation: client!(
                aws_sdk_cloudformation,
                &config,
                log,
                partition("cloudformation")
            ),
            rbin: client!(aws_sdk_rbin, &config, log, partition("rbin")),
            ram: client!(aws_sdk_ram, &config, log, partition("ram")),
            region: region.to_owned(),
        }
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
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    let code = err.code().map(str::to_owned);
    let message = match (err.message(), err.raw_response()) {
        (Some(message), _) => message.to_owned(),
        // An answer that is not an AWS error document (an emulator or proxy page): the whole
        // error would dump the response; its status says what matters.
        (None, Some(response)) if code.is_none() => format!(
            "HTTP {}, with a response that could not be read as {service}:{operation} (the endpoint may not implement it)",
            response.status().as_u16()
        ),
        (None, _) => DisplayErrorContext(err).to_string(),
    };
    CollectionError {
        account_id: None,
        region: None,
        service: service.to_owned(),
        operation: operation.to_owned(),
        code,
        message,
    }
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
