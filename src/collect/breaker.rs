//! Stops sending calls to a scope whose endpoint keeps failing to connect.
//!
//! Each client of a collection belongs to a [`Scope`] (an account, a region and a service).
//! After [`THRESHOLD`] connection failures in a row in a scope (refused, an attempt or a
//! connection that timed out, DNS), its
//! breaker opens: every later call of the scope fails at once, before it is sent, with a
//! [`NotSent`] error that the collectors record like any other failure, so what those calls
//! would have filled stays "not collected" and its checks come out `unknown`. Any answer from
//! the endpoint, an error answer included, resets the count.
//!
//! The breaker never closes again within a run: a collection is short, and an endpoint that
//! refused three connections in a row is not worth probing. Scopes are per service because one
//! service's endpoint can hang while the others of the region answer (a VPC endpoint, a proxy
//! rule, a regional outage of one service): the others go on.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::cause::Connection;

/// Consecutive connection failures after which a scope's breaker opens.
pub const THRESHOLD: u32 = 3;

/// Where a call goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scope {
    pub account: String,
    pub region: String,
    /// The service's IAM prefix (`ec2`, `iam`, `s3`).
    pub service: String,
}

/// The breakers of one collection, by scope.
#[derive(Debug)]
pub struct Breakers {
    threshold: u32,
    scopes: Mutex<BTreeMap<Scope, State>>,
}

#[derive(Debug, Default, Clone)]
struct State {
    consecutive: u32,
    /// Set once the breaker opened: the failures that opened it and the last one's kind.
    open: Option<(u32, Connection)>,
}

impl Breakers {
    pub fn new(threshold: u32) -> Arc<Breakers> {
        Arc::new(Breakers {
            threshold: threshold.max(1),
            scopes: Mutex::new(BTreeMap::new()),
        })
    }

    /// The breaker of `scope`.
    pub fn breaker(self: &Arc<Self>, scope: Scope) -> Breaker {
        Breaker {
            breakers: self.clone(),
            scope,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Scope, State>> {
        // A panic while holding the lock leaves counts that are still meaningful.
        self.scopes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One scope's breaker, held by every client of the scope.
#[derive(Debug, Clone)]
pub struct Breaker {
    breakers: Arc<Breakers>,
    scope: Scope,
}

impl Breaker {
    /// `Err` when the scope's breaker is open: the call must not be sent.
    pub fn check(&self) -> Result<(), NotSent> {
        match &self
            .breakers
            .lock()
            .get(&self.scope)
            .and_then(|s| s.open.clone())
        {
            Some((failures, kind)) => Err(NotSent {
                scope: self.scope.clone(),
                failures: *failures,
                kind: kind.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The endpoint answered (with anything).
    pub fn answered(&self) {
        let mut scopes = self.breakers.lock();
        if let Some(state) = scopes.get_mut(&self.scope)
            && state.open.is_none()
        {
            state.consecutive = 0;
        }
    }

    /// A connection to the endpoint failed.
    pub fn failed(&self, kind: Connection) {
        let threshold = self.breakers.threshold;
        let mut scopes = self.breakers.lock();
        let state = scopes.entry(self.scope.clone()).or_default();
        if state.open.is_some() {
            return;
        }
        state.consecutive += 1;
        if state.consecutive >= threshold {
            state.open = Some((state.consecutive, kind));
        }
    }
}

/// The error of a call the breaker did not send.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "not collected: the {} endpoint {} {failures} connections in a row in account {} {}; nothing more was sent to {} there",
    scope.service, kind.noun(), scope.account, scope.region, scope.service
)]
pub struct NotSent {
    pub scope: Scope,
    pub failures: u32,
    pub kind: Connection,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(region: &str) -> Scope {
        service(region, "ec2")
    }

    fn service(region: &str, service: &str) -> Scope {
        Scope {
            account: "123456789012".into(),
            region: region.into(),
            service: service.into(),
        }
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures_and_stays_open() {
        let breakers = Breakers::new(3);
        let east = breakers.breaker(scope("us-east-1"));
        east.failed(Connection::Refused);
        east.failed(Connection::Refused);
        assert!(east.check().is_ok(), "two failures do not open it");
        east.failed(Connection::Refused);
        let err = east.check().unwrap_err();
        assert_eq!(err.failures, 3);
        assert_eq!(
            err.to_string(),
            "not collected: the ec2 endpoint refused 3 connections in a row in account 123456789012 us-east-1; nothing more was sent to ec2 there"
        );
        east.answered();
        assert!(east.check().is_err(), "an open breaker stays open");
    }

    #[test]
    fn an_answer_resets_the_count_and_scopes_are_apart() {
        let breakers = Breakers::new(3);
        let east = breakers.breaker(scope("us-east-1"));
        let west = breakers.breaker(scope("eu-west-1"));
        east.failed(Connection::Refused);
        east.failed(Connection::Refused);
        east.answered();
        east.failed(Connection::Refused);
        east.failed(Connection::Refused);
        assert!(east.check().is_ok(), "not three in a row");
        for _ in 0..3 {
            west.failed(Connection::TimedOut { after: None });
        }
        assert!(west.check().is_err());
        assert!(
            east.check().is_ok(),
            "another scope's failures do not count"
        );
        // The same scope reached through another client shares the state.
        assert!(breakers.breaker(scope("eu-west-1")).check().is_err());
    }

    #[test]
    fn timeouts_open_a_service_scope_and_the_region_s_other_services_go_on() {
        let breakers = Breakers::new(3);
        let ec2 = breakers.breaker(service("us-east-1", "ec2"));
        for _ in 0..3 {
            ec2.failed(Connection::TimedOut {
                after: Some("20s".into()),
            });
        }
        let err = ec2.check().unwrap_err();
        assert!(
            err.to_string()
                .contains("the ec2 endpoint timed out 3 connections in a row"),
            "{err}"
        );
        assert!(
            breakers
                .breaker(service("us-east-1", "rds"))
                .check()
                .is_ok()
        );
        assert!(
            breakers
                .breaker(service("us-east-1", "iam"))
                .check()
                .is_ok()
        );
    }
}
