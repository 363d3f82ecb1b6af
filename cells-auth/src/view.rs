//! What a user sees of an account, computed once: the window, the tray and
//! `cells-auth status` all render this and decide nothing themselves.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::discovery::ServerUrl;
use crate::store::{Account, AccountState};

/// An account's status, most urgent first: when several hold, the first wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Only a new sign-in in the browser helps.
    NeedsReauth,
    /// A refresh is under way in this process.
    Refreshing,
    /// The last refresh failed in a way that may pass; another is scheduled.
    Retrying,
    /// The access token has expired; the next use refreshes it.
    Expired,
    SignedIn,
}

impl Status {
    pub fn of(account: &Account, refreshing: bool, now: DateTime<Utc>) -> Self {
        match account.state(now) {
            AccountState::NeedsReauth => Status::NeedsReauth,
            _ if refreshing => Status::Refreshing,
            _ if account.last_error.is_some() => Status::Retrying,
            AccountState::Expired => Status::Expired,
            AccountState::SignedIn => Status::SignedIn,
        }
    }

    /// The badge in the window.
    pub fn badge(self) -> &'static str {
        match self {
            Status::NeedsReauth => "Needs sign-in",
            Status::Refreshing => "Refreshing",
            Status::Retrying => "Retrying",
            Status::Expired | Status::SignedIn => "Signed in",
        }
    }
}

/// One account as every front end shows it, at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    /// The token state alone, as `status --json` reports it.
    pub state: AccountState,
    pub refreshing: bool,
    pub status: Status,
    pub badge: &'static str,
    /// The server's label, else its host.
    pub server_name: String,
    /// Plain http: tokens cross the network readable by anyone on it.
    pub insecure: bool,
    /// The server's own trust, when it is not the system's: `Pinned
    /// certificate SHA-256 AB:…` or `Private CA CN=…`.
    pub certificate: Option<String>,
    /// One line of state: `signed in, expires in 6 min`, `retrying`.
    pub summary: String,
    /// Why a sign-in is needed, or the last error and the next retry while
    /// retrying; may be empty.
    pub detail: String,
    /// `expires in 6 min`, `expired`, or empty when a sign-in is needed.
    pub expiry: String,
    /// `refreshed 2 min ago` or `signed in 1 h ago`.
    pub activity: String,
}

impl AccountView {
    pub fn new(account: &Account, refreshing: bool, now: DateTime<Utc>) -> Self {
        let status = Status::of(account, refreshing, now);
        let expiry = match status {
            Status::NeedsReauth => String::new(),
            _ if now >= account.access_token_expires_at => "expired".to_string(),
            _ => format!("expires in {}", approximate(account.access_token_expires_at - now)),
        };
        let summary = match status {
            Status::NeedsReauth => "needs sign-in".to_string(),
            Status::Refreshing => "refreshing".to_string(),
            Status::Retrying => "retrying".to_string(),
            Status::Expired => "signed in, token expired (the next use refreshes it)".to_string(),
            Status::SignedIn => format!("signed in, {expiry}"),
        };
        let next_retry = account.next_attempt_at.map(|next| format!("; next retry in {}", approximate(next - now)));
        let detail = match status {
            Status::NeedsReauth => account.needs_reauth.clone().unwrap_or_default(),
            _ => account
                .last_error
                .as_ref()
                .map(|e| format!("last error: {e}{}", next_retry.unwrap_or_default()))
                .unwrap_or_default(),
        };
        let activity = match account.last_refresh_at {
            Some(at) => format!("refreshed {}", ago(now - at)),
            None => format!("signed in {}", ago(now - account.signed_in_at)),
        };
        Self {
            account: account.clone(),
            state: account.state(now),
            refreshing,
            status,
            badge: status.badge(),
            server_name: server_name(account),
            insecure: ServerUrl::parse(&account.server).is_ok_and(|server| server.is_insecure()),
            certificate: account.trust.describe(),
            summary,
            detail,
            expiry,
            activity,
        }
    }

    /// The tray's line: `alice @ Cells: signed in`. No countdown: a tray
    /// menu is read whenever it is opened, and a line that changed every
    /// minute would wake the app every minute for nobody.
    pub fn headline(&self) -> String {
        let state = match self.status {
            Status::NeedsReauth => "needs sign-in",
            Status::Refreshing => "refreshing",
            Status::Retrying => "retrying",
            Status::Expired | Status::SignedIn => "signed in",
        };
        format!("{} @ {}: {state}", self.account.user, self.server_name)
    }

    /// What a desktop notification says when this account needs a new sign-in.
    pub fn sign_in_notice(&self) -> String {
        format!("{} on {} needs to sign in again", self.account.user, self.server_name)
    }

    /// When a text of this view will read differently, so that a front end
    /// redraws then and not more often. None while nothing counts.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let account = &self.account;
        let mut moments = vec![account.last_refresh_at.unwrap_or(account.signed_in_at)];
        if self.status != Status::NeedsReauth {
            moments.push(account.access_token_expires_at);
        }
        moments.extend(account.next_attempt_at);
        moments.into_iter().filter_map(|moment| next_minute_step(moment, now)).min()
    }
}

/// Whether any account needs the user (the tray's attention icon).
pub fn needs_attention(views: &[AccountView]) -> bool {
    views.iter().any(|view| view.status == Status::NeedsReauth)
}

/// The soonest [`AccountView::next_change`] of several views.
pub fn next_change(views: &[AccountView], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    views.iter().filter_map(|view| view.next_change(now)).min()
}

/// What to call the server: its label, else its host.
pub fn server_name(account: &Account) -> String {
    account.label.clone().unwrap_or_else(|| {
        ServerUrl::parse(&account.server).map(|s| s.host()).unwrap_or_else(|_| account.server.clone())
    })
}

/// `90 s`, `9 min`, `2 h`, rounded down: for messages.
pub fn human_duration(duration: StdDuration) -> String {
    match duration.as_secs() {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

/// A distance in time to the minute, for texts that stay true for a while:
/// `under a minute`, `9 min`, `2 h`.
pub fn approximate(distance: Duration) -> String {
    let seconds = distance.num_seconds().max(0);
    match seconds {
        s if s < 60 => "under a minute".to_string(),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

fn ago(distance: Duration) -> String {
    match distance.num_seconds() {
        s if s < 60 => "just now".to_string(),
        _ => format!("{} ago", approximate(distance)),
    }
}

/// The next moment after `now` when the whole minutes between `now` and
/// `moment` change. Texts are in minutes up to two hours (hours after, which
/// change more seldom; a minute step is early enough for them).
fn next_minute_step(moment: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let distance = (moment - now).num_milliseconds();
    let minute = 60_000;
    let step = if distance > 0 {
        // Counting down: the whole minutes left drop just past a multiple.
        distance % minute + 1
    } else {
        minute - (-distance) % minute
    };
    // Long past (a day), the text no longer changes in a way worth a redraw.
    (distance > -24 * 3600 * 1000).then(|| now + Duration::milliseconds(step))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Identity;
    use crate::testing::token_set;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn account() -> Account {
        let identity =
            Identity { issuer: "https://h/oidc/".into(), sub: "u".into(), user: "alice".into(), email: None };
        let mut account = Account::signed_in(
            "https://cells.example.com",
            crate::CLIENT_ID,
            identity,
            &token_set("x", t0(), Duration::minutes(10)),
            None,
        );
        account.label = Some("Cells".into());
        account
    }

    #[test]
    fn a_signed_in_account_reads_the_same_everywhere() {
        let view = AccountView::new(&account(), false, t0() + Duration::seconds(210));
        assert_eq!(view.status, Status::SignedIn);
        assert_eq!(view.badge, "Signed in");
        assert_eq!(view.summary, "signed in, expires in 6 min");
        assert_eq!(view.headline(), "alice @ Cells: signed in");
        assert_eq!(view.expiry, "expires in 6 min");
        assert_eq!(view.activity, "signed in 3 min ago");
        assert_eq!(view.detail, "");
        assert!(!view.insecure);
    }

    #[test]
    fn the_most_urgent_status_wins() {
        let mut account = account();
        let now = t0() + Duration::minutes(11);
        assert_eq!(Status::of(&account, false, now), Status::Expired);
        account.last_error = Some("HTTP 502".into());
        account.next_attempt_at = Some(now + Duration::seconds(150));
        assert_eq!(Status::of(&account, false, now), Status::Retrying);
        let view = AccountView::new(&account, false, now);
        assert_eq!(view.summary, "retrying");
        assert_eq!(view.detail, "last error: HTTP 502; next retry in 2 min");
        assert_eq!(Status::of(&account, true, now), Status::Refreshing);
        account.needs_reauth = Some("invalid_grant".into());
        let view = AccountView::new(&account, true, now);
        assert_eq!(
            (view.status, view.badge, view.summary.as_str()),
            (Status::NeedsReauth, "Needs sign-in", "needs sign-in")
        );
        assert_eq!(view.detail, "invalid_grant");
        assert_eq!(view.expiry, "");
        assert!(needs_attention(&[AccountView::new(&self::account(), false, now), view]));
    }

    #[test]
    fn the_server_is_named_by_its_label_else_its_host_and_plain_http_is_flagged() {
        let mut account = account();
        account.label = None;
        account.server = "http://nas.local:8080/cells".into();
        let view = AccountView::new(&account, false, t0());
        assert_eq!(view.server_name, "nas.local:8080");
        assert!(view.insecure);
    }

    #[test]
    fn texts_change_at_whole_minutes_and_the_next_change_says_when() {
        let account = account();
        // 6 min 30 s left and signed in 3 min 30 s ago: both texts change in 30 s.
        let now = t0() + Duration::seconds(210);
        let view = AccountView::new(&account, false, now);
        let later = view.next_change(now).unwrap();
        assert!(later - now >= Duration::seconds(30) && later - now <= Duration::milliseconds(30_001), "{later}");
        let texts = |at| {
            let view = AccountView::new(&account, false, at);
            (view.summary, view.activity)
        };
        assert_ne!(texts(later), texts(now));
        assert_eq!(texts(later - Duration::milliseconds(1)), texts(now), "nothing changes before");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(StdDuration::from_secs(300)), "5 min");
        assert_eq!(human_duration(StdDuration::from_secs(90)), "90 s");
        assert_eq!(human_duration(StdDuration::from_secs(599)), "9 min");
        assert_eq!(human_duration(StdDuration::from_secs(7200)), "2 h");
        assert_eq!(approximate(Duration::seconds(59)), "under a minute");
        assert_eq!(approximate(Duration::seconds(-5)), "under a minute");
        assert_eq!(approximate(Duration::seconds(119)), "1 min");
    }
}
