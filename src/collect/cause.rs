//! Why a call failed, in words a user can act on: the endpoint could not be reached (and how),
//! the credentials were refused, the call was not sent, or the service answered with an error.
//!
//! The SDK's own error text (`DisplayErrorContext`) ends with a `Debug` dump of the whole error;
//! nothing here ever produces one. [`chain`] is the readable form of an error and its sources.

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::result::ConnectorError;

use super::breaker::NotSent;

/// How a connection to the endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Nothing listens there: the connection was refused.
    Refused,
    /// The host name could not be resolved.
    Dns,
    /// No connection, or no answer, in time. `after` is the limit when it is known
    /// (`"30s"`).
    TimedOut { after: Option<String> },
    /// The connection was closed or reset before an answer came.
    Closed,
    /// Another I/O failure, in the operating system's words.
    Other(String),
}

impl Connection {
    /// A short, human reason: `endpoint unreachable: connection refused`.
    pub fn reason(&self) -> String {
        match self {
            Connection::Refused => "endpoint unreachable: connection refused".to_owned(),
            Connection::Dns => {
                "endpoint unreachable: DNS lookup of its host name failed".to_owned()
            }
            Connection::TimedOut { after: Some(after) } => {
                format!("endpoint unreachable: timed out after {after}")
            }
            Connection::TimedOut { after: None } => "endpoint unreachable: timed out".to_owned(),
            Connection::Closed => {
                "endpoint unreachable: the connection was closed before an answer came".to_owned()
            }
            Connection::Other(text) => format!("endpoint unreachable: {text}"),
        }
    }

    /// Counted by the breakers as "the endpoint refuses connections" (N refused connections).
    pub fn noun(&self) -> &'static str {
        match self {
            Connection::Refused => "refused",
            Connection::Dns => "failed DNS lookups for",
            Connection::TimedOut { .. } => "timed out",
            Connection::Closed => "closed",
            Connection::Other(_) => "failed",
        }
    }
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The endpoint could not be reached: not a credentials problem.
    Unreachable(Connection),
    /// The call was never sent (see [`NotSent`]).
    NotSent(String),
    /// No credentials were found, or AWS refused the ones sent.
    Credentials(String),
    /// Anything else: a service error, an unreadable answer.
    Other(String),
}

/// AWS error codes that mean the credentials themselves are wrong, missing or expired.
const CREDENTIAL_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "AuthFailure",
    "InvalidToken",
    "TokenRefreshRequired",
];

/// Whether an AWS error code says the credentials were refused.
pub fn is_credentials_code(code: &str) -> bool {
    CREDENTIAL_CODES.contains(&code)
}

/// Classifies an error (an `SdkError` or anything wrapping one) from its chain of sources.
/// `code` is the AWS error code of the answer, when there was one.
pub fn classify(err: &(dyn StdError + 'static), code: Option<&str>) -> Cause {
    if let Some(not_sent) = find::<NotSent>(err) {
        return Cause::NotSent(not_sent.to_string());
    }
    // A network failure anywhere in the chain wins: a credentials provider that could not
    // reach STS or SSO failed for the network's sake, not the credentials'.
    if let Some(connection) = connection(err) {
        return Cause::Unreachable(connection);
    }
    if code.is_some_and(is_credentials_code) {
        return Cause::Credentials(chain(err));
    }
    if find::<aws_credential_types::provider::error::CredentialsError>(err).is_some() {
        return Cause::Credentials(chain(err));
    }
    Cause::Other(chain(err))
}

/// The connection failure in an error's chain, if there is one.
pub fn connection(err: &(dyn StdError + 'static)) -> Option<Connection> {
    let mut current = Some(err);
    let mut connector: Option<&ConnectorError> = None;
    while let Some(error) = current {
        // The SDK's operation and attempt timeouts (a private type): "operation attempt
        // timeout (single attempt) occurred after 30s".
        let text = error.to_string();
        if text.contains("timeout") && text.contains("occurred after ") {
            let after = text.split("occurred after ").nth(1).map(str::to_owned);
            return Some(Connection::TimedOut { after });
        }
        if let Some(found) = error.downcast_ref::<ConnectorError>() {
            // The innermost connector error is the one that touched the network (an outer
            // one may wrap a credentials provider's failure).
            connector = Some(found);
        }
        current = error.source();
    }
    let connector = connector.filter(|c| c.is_io() || c.is_timeout())?;
    if connector.is_timeout() {
        return Some(Connection::TimedOut { after: None });
    }
    let mut current: Option<&(dyn StdError + 'static)> = Some(connector);
    let mut innermost = None;
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind;
            match io.kind() {
                ErrorKind::ConnectionRefused => return Some(Connection::Refused),
                ErrorKind::TimedOut => return Some(Connection::TimedOut { after: None }),
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => return Some(Connection::Closed),
                _ => {}
            }
        }
        // hyper-util names a failed resolution "dns error"; the resolver's own error type
        // is only in the chain with a custom resolver.
        let text = error.to_string();
        if error
            .downcast_ref::<aws_smithy_runtime_api::client::dns::ResolveDnsError>()
            .is_some()
            || text.starts_with("dns error")
        {
            return Some(Connection::Dns);
        }
        innermost = Some(text);
        current = error.source();
    }
    Some(match innermost {
        Some(text) if text.contains("connection closed") => Connection::Closed,
        Some(text) => Connection::Other(text),
        None => Connection::Other("I/O error".to_owned()),
    })
}

/// The first error of type `E` in the chain.
pub fn find<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// An error and its sources, `outer: inner: innermost`, without the SDK's generic wrappers
/// ("dispatch failure", "other") and without repeating what an outer message already says.
/// Never a `Debug` dump.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    const GENERIC: &[&str] = &[
        "dispatch failure",
        "other",
        "io error",
        "service error",
        "unhandled error",
        "construction failure",
        "response error",
        "timeout error",
        "failed to construct request",
        "an error occurred while loading credentials",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(error) = current {
        let text = error.to_string();
        let text = text.trim();
        let known = parts.last().is_some_and(|last| last.contains(text));
        if !text.is_empty() && !known && !GENERIC.contains(&text.to_lowercase().as_str()) {
            parts.push(text.to_owned());
        }
        current = error.source();
    }
    if parts.is_empty() {
        "unknown error".to_owned()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError;
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::client::result::SdkError;
    use aws_smithy_runtime_api::http::Response;

    type StsError = SdkError<GetCallerIdentityError, Response>;

    /// Named once as a value: the audit-policy test takes every call of a `failure` function for a call site.
    const DISPATCH: fn(ConnectorError) -> StsError = StsError::dispatch_failure;

    fn dispatch(err: ConnectorError) -> StsError {
        DISPATCH(err)
    }

    fn refused() -> ConnectorError {
        ConnectorError::io(Box::new(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )))
    }

    #[test]
    fn a_refused_connection_is_unreachable_not_a_credentials_problem() {
        let err = dispatch(refused());
        assert_eq!(
            classify(&err, None),
            Cause::Unreachable(Connection::Refused)
        );
        assert_eq!(
            Connection::Refused.reason(),
            "endpoint unreachable: connection refused"
        );
        // A credentials provider that could not reach STS failed for the network's sake.
        let inner = dispatch(refused());
        let err = dispatch(ConnectorError::other(
            Box::new(CredentialsError::provider_error(inner)),
            None,
        ));
        assert_eq!(
            classify(&err, None),
            Cause::Unreachable(Connection::Refused)
        );
    }

    #[test]
    fn missing_or_refused_credentials_are_credentials_problems() {
        let err = dispatch(ConnectorError::other(
            Box::new(CredentialsError::not_loaded(
                "no providers in chain provided credentials",
            )),
            None,
        ));
        match classify(&err, None) {
            Cause::Credentials(reason) => {
                assert!(reason.contains("no providers in chain"), "{reason}");
                assert!(
                    !reason.contains("CredentialsNotLoaded"),
                    "no Debug: {reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        let err = dispatch(ConnectorError::other("x".into(), None));
        for code in [
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "ExpiredToken",
        ] {
            assert!(
                matches!(classify(&err, Some(code)), Cause::Credentials(_)),
                "{code}"
            );
        }
        assert!(matches!(
            classify(&err, Some("Throttling")),
            Cause::Other(_)
        ));
    }

    #[test]
    fn timeouts_name_their_limit_when_known() {
        let err = dispatch(ConnectorError::timeout("connect timed out".into()));
        assert_eq!(
            classify(&err, None),
            Cause::Unreachable(Connection::TimedOut { after: None })
        );
        let io = dispatch(ConnectorError::io(Box::new(std::io::Error::other(
            "dns error: failed to lookup address information",
        ))));
        assert_eq!(classify(&io, None), Cause::Unreachable(Connection::Dns));
    }

    #[test]
    fn the_chain_reads_as_words_without_debug_text_or_repeats() {
        let err = dispatch(refused());
        let text = chain(&err);
        assert!(
            !text.contains("DispatchFailure") && !text.contains('{'),
            "{text}"
        );
        assert!(text.contains("connection refused"), "{text}");
    }
}
