//! Keeps accounts signed in: fresh access tokens on demand, proactive
//! refresh, backoff on passing failures, sign-out with revocation.
//!
//! Cells rotates refresh tokens on every use, so a refresh must happen once
//! per expiry however many callers want a token: one at a time per account
//! within a process (single flight), and across processes under a file lock,
//! re-reading the stored tokens once the lock is held. A rotated refresh
//! token is written to the keyring before anything else.
//!
//! One concern per file: `registry` holds the accounts and their events;
//! `refresh` the token API and the refresh engine; `sign_out` revocation;
//! `scheduler` the background refresh; `providers` the per-server
//! configuration; `timing` the rules of when.

mod diagnostics;
mod providers;
mod refresh;
mod registry;
mod scheduler;
mod sign_out;
#[cfg(test)]
mod tests;
mod timing;

pub use refresh::{HandedToken, ONE_COMMAND_WRITE_BOUND};
pub use registry::{AccountEvent, AccountManager, ManagerError};
pub use sign_out::Revocation;
pub use timing::{backoff_delay, due_at, freshness_margin, FRESHNESS_MARGIN};
