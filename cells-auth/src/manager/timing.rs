//! When: the freshness margin, the proactive refresh time and the backoff.

use chrono::{DateTime, Duration, Utc};

use crate::store::Account;

/// An access token is handed out only with this much life left, or a quarter
/// of its lifetime when that is shorter (very short test lifetimes).
pub const FRESHNESS_MARGIN: Duration = Duration::seconds(60);
/// Proactive refresh happens at this fraction of the lifetime...
const PROACTIVE_FRACTION: f64 = 0.75;
/// ...and at least this long before expiry.
const PROACTIVE_LEAD: Duration = Duration::seconds(60);
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

/// When this account should next be refreshed in the background: the retry
/// time after a passing failure, else 75 % into the access token's lifetime
/// and at least a minute before it expires. Never for an account that needs
/// a new sign-in.
pub fn due_at(account: &Account) -> Option<DateTime<Utc>> {
    if account.needs_reauth.is_some() {
        return None;
    }
    if let Some(next) = account.next_attempt_at {
        return Some(next);
    }
    let expires = account.access_token_expires_at;
    let lifetime_ms = lifetime(account).num_milliseconds() as f64;
    // Counted back from the expiry, which the checks above keep within a day of the receipt.
    let before_expiry = |ms: f64| expires.checked_sub_signed(Duration::milliseconds(ms as i64)).unwrap_or(expires);
    let by_fraction = before_expiry(lifetime_ms * (1.0 - PROACTIVE_FRACTION));
    let by_lead = expires.checked_sub_signed(PROACTIVE_LEAD).unwrap_or(expires);
    let halfway = before_expiry(lifetime_ms / 2.0);
    // A lifetime too short for a minute's lead (tests) refreshes at 75 %.
    Some(if by_lead < halfway { by_fraction } else { by_fraction.min(by_lead) })
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
