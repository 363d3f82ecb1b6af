//! How long the steps of a command take: one trace event per step under the
//! target `cells_auth::steps` (`CELLS_AUTH_LOG=cells_auth::steps=trace`), so
//! that `make bench` can split a refresh into HTTP, verification, keyring and
//! file time, and a slow user's log says where the time went. An event
//! carries the step's name and its duration, nothing else; with no
//! subscriber asking, a step costs one check.

use std::future::Future;
use std::time::Instant;

/// The log target of the step events.
pub const TARGET: &str = "cells_auth::steps";

/// The kinds of step.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// A request to a server, answer read.
    Http,
    /// ID token verification.
    Verify,
    /// One keyring call: reading, or writing or deleting.
    KeyringRead,
    KeyringWrite,
    /// The account file, its locks, the kept server documents.
    File,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Http => "http",
            Step::Verify => "verify",
            Step::KeyringRead => "keyring_read",
            Step::KeyringWrite => "keyring_write",
            Step::File => "file",
        }
    }
}

fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::TRACE)
}

fn record(step: Step, started: Instant) {
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::trace!(target: TARGET, step = step.as_str(), micros, "step");
}

/// Runs `work`, recording how long it took as `step`.
pub(crate) fn timed<T>(step: Step, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let started = Instant::now();
    let out = work();
    record(step, started);
    out
}

/// Awaits `work`, recording how long it took as `step`.
pub(crate) async fn timed_async<T>(step: Step, work: impl Future<Output = T>) -> T {
    if !enabled() {
        return work.await;
    }
    let started = Instant::now();
    let out = work.await;
    record(step, started);
    out
}
