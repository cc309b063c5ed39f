//! The bound on collection work in flight (`--concurrency`), and what is running now.
//!
//! Every unit of work (a service's calls in an account and region, or one group of a
//! service's calls that do not depend on each other) holds a permit while it runs, so the
//! units of one scope run side by side without the whole collection sending more than the
//! bound at once. What holds a permit, and since when, is what the progress display shows:
//! a call that hangs is visible as the longest-running unit.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct Limit(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    permits: Semaphore,
    next: AtomicU64,
    running: Mutex<BTreeMap<u64, (String, Instant)>>,
}

impl Limit {
    /// At most `bound` units at once (at least one).
    pub fn new(bound: usize) -> Limit {
        Limit(Arc::new(Inner {
            permits: Semaphore::new(bound.max(1)),
            next: AtomicU64::new(0),
            running: Mutex::new(BTreeMap::new()),
        }))
    }

    /// Runs `work` once a permit is free, shown as `label` while it runs.
    pub async fn run<T>(&self, label: String, work: impl std::future::Future<Output = T>) -> T {
        // The semaphore is never closed, so `acquire` only fails if it were; the work then
        // runs unbounded rather than not at all.
        let _permit = self.0.permits.acquire().await.ok();
        let id = self.0.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, (label, Instant::now()));
        // Dropped when the work ends or is cancelled (the deadline): it is no longer running.
        let _shown = Shown { limit: self, id };
        work.await
    }

    /// What runs now.
    pub fn running(&self) -> Running {
        let running = self.lock();
        let now = Instant::now();
        let longest = running
            .values()
            .min_by_key(|(_, since)| *since)
            .map(|(label, since)| (label.clone(), now.saturating_duration_since(*since)));
        Running {
            count: running.len(),
            longest,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, (String, Instant)>> {
        self.0.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Shown<'a> {
    limit: &'a Limit,
    id: u64,
}

impl Drop for Shown<'_> {
    fn drop(&mut self) {
        self.limit.lock().remove(&self.id);
    }
}

/// The units running at one moment, and the one that has run longest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub count: usize,
    pub longest: Option<(String, Duration)>,
}

impl Running {
    /// `3 in flight; the longest: 123456789012 eu-west-1 ec2 network, for 42s`.
    pub fn describe(&self) -> String {
        match &self.longest {
            None => "nothing in flight".to_owned(),
            Some((label, since)) => format!(
                "{} in flight; the longest: {label}, for {}",
                self.count,
                seconds(*since)
            ),
        }
    }
}

/// A duration to the second: `42s`, `2m 03s`, `1h 02m`.
pub fn seconds(duration: Duration) -> String {
    let total = duration.as_secs();
    match total {
        0..60 => format!("{total}s"),
        60..3600 => format!("{}m {:02}s", total / 60, total % 60),
        _ => format!("{}h {:02}m", total / 3600, total % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn at_most_the_bound_runs_at_once_and_the_longest_running_unit_is_named() {
        let limit = Limit::new(2);
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let unit = |label: &str| {
            let (limit, mut release) = (limit.clone(), release_rx.clone());
            let label = label.to_owned();
            tokio::spawn(async move {
                limit
                    .run(label, async move {
                        let _ = release.wait_for(|go| *go).await;
                    })
                    .await
            })
        };
        let first = unit("111111111111 eu-west-1 ec2 network");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let second = unit("111111111111 eu-west-1 rds");
        let third = unit("111111111111 eu-west-1 logging");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let running = limit.running();
        assert_eq!(running.count, 2, "the third waits for a permit");
        assert_eq!(
            running.describe(),
            "2 in flight; the longest: 111111111111 eu-west-1 ec2 network, for 1s"
        );
        release_tx.send(true).unwrap();
        for unit in [first, second, third] {
            unit.await.unwrap();
        }
        assert_eq!(limit.running().describe(), "nothing in flight");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_cancelled_unit_is_no_longer_shown() {
        let limit = Limit::new(4);
        let stopped = tokio::time::timeout(
            Duration::from_millis(20),
            limit.run("hangs".to_owned(), std::future::pending::<()>()),
        )
        .await;
        assert!(stopped.is_err());
        assert_eq!(limit.running().count, 0);
    }

    #[test]
    fn durations_read_to_the_second() {
        assert_eq!(seconds(Duration::from_millis(42_900)), "42s");
        assert_eq!(seconds(Duration::from_secs(123)), "2m 03s");
        assert_eq!(seconds(Duration::from_secs(3725)), "1h 02m");
    }
}
