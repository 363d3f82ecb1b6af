//! When: the freshness margin, the proactive refresh time and the backoff.

use chrono::{DateTime, Duration, Utc};

use crate::store::Account;

/// An access token is handed out only with this much life left, or a quarter
/// of its lifetime when that is shorter (very short test lifetimes).
pub const FRESHNESS_MARGIN: Duration = Duration::seconds(60);
const BACKOFF_FIRST: Duration = Duration::seconds(5);
const BACKOFF_CAP: Duration = Duration::minutes(5);

/// The access token's lifetime as the account file says, kept within
/// what a token response can give (0 to a day): an edited or damaged file
/// must not make date arithmetic overflow.
fn lifetime(account: &Account) -> Duration {
    (account.access_token_expires_at - account.access_token_issued_at)
        .clamp(Duration::zero(), crate::tokens::MAX_ACCESS_TOKEN_LIFETIME)
}

/// The margin an access token must have left to be handed out.
pub fn freshness_margin(account: &Account) -> Duration {
    FRESHNESS_MARGIN.min(lifetime(account) / 4)
}

pub(super) fn usable(account: &Account, now: DateTime<Utc>) -> bool {
    account.needs_reauth.is_none()
        && now.checked_add_signed(freshness_margin(account)).is_some_and(|then| then < account.access_token_expires_at)
}

/// Whether the current token may answer a caller that was refused an older
/// one: usable, and not about to be replaced by the scheduled refresh (a
/// quarter of the margin before it), so that the caller's retry does not
/// meet a 401 again. Otherwise that caller's refresh comes a little early.
pub(super) fn good_for_a_retry(account: &Account, now: DateTime<Utc>) -> bool {
    let grace = freshness_margin(account) / 4;
    usable(account, now) && due_at(account).is_some_and(|due| now.checked_add_signed(grace).is_some_and(|t| t < due))
}

/// When this account should next be refreshed in the background: the retry
/// time after a passing failure, else the moment its access token stops
/// being handed out, the freshness margin before it expires. Never for an
/// account that needs a new sign-in.
///
/// No earlier: a server that revokes the access token a refresh replaces
/// (Cells' Hydra) cuts short every token callers still hold at each refresh,
/// so the fewest refreshes cut the fewest requests short (docs/decisions.md).
pub fn due_at(account: &Account) -> Option<DateTime<Utc>> {
    if account.needs_reauth.is_some() {
        return None;
    }
    if let Some(next) = account.next_attempt_at {
        return Some(next);
    }
    let expires = account.access_token_expires_at;
    Some(expires.checked_sub_signed(freshness_margin(account)).unwrap_or(expires))
}

/// Exponential backoff with jitter: 5 s doubling per failure, capped at 5
/// min, and a random half of it taken off (`jitter` in 0..1) so that many
/// clients do not retry in step.
pub fn backoff_delay(failures: u32, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let full = (BACKOFF_FIRST * 2i32.pow(exponent)).min(BACKOFF_CAP);
    let jitter = jitter.clamp(0.0, 1.0);
    let full_ms = full.num_milliseconds() as f64;
    Duration::milliseconds((full_ms / 2.0 + full_ms / 2.0 * jitter) as i64)
}
