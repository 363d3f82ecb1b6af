//! What a user sees of an account, computed once: the window, the tray and
//! `cells-auth status` all render this and decide nothing themselves.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::discovery::ServerUrl;
use crate::i18n::{text_in, Arg, Language, Message};
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
    pub fn badge(self, language: Language) -> String {
        text_in(language, &format!("badge-{}", self.key()), &[])
    }

    /// The state in a line of the tray or of `cells-auth status`.
    pub fn state(self, language: Language) -> String {
        text_in(language, &format!("state-{}", self.key()), &[])
    }

    fn key(self) -> &'static str {
        match self {
            Status::NeedsReauth => "needs-sign-in",
            Status::Refreshing => "refreshing",
            Status::Retrying => "retrying",
            Status::Expired | Status::SignedIn => "signed-in",
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
    pub badge: String,
    /// The server's label, else its host.
    pub server_name: String,
    /// Plain http: tokens cross the network readable by anyone on it.
    pub insecure: bool,
    /// The server's own trust, when it is not the system's: `Pinned
    /// certificate SHA-256 AB:…` or `Private CA CN=…`.
    pub certificate: Option<String>,
    /// The language of its texts.
    pub language: Language,
    /// One line of state: `signed in, expires in 6 minutes`, `retrying`.
    pub summary: String,
    /// Why a sign-in is needed, or the last error and the next retry while
    /// retrying; may be empty.
    pub detail: String,
    /// `expires in 6 minutes`, `expired`, or empty when a sign-in is needed.
    pub expiry: String,
    /// `refreshed 2 minutes ago` or `signed in 1 hour ago`.
    pub activity: String,
    /// The window's line: `token expires in 6 minutes · refreshed just now`,
    /// or empty when a sign-in is needed.
    pub countdown: String,
}

impl AccountView {
    /// In the current language ([`crate::i18n::current`]).
    pub fn new(account: &Account, refreshing: bool, now: DateTime<Utc>) -> Self {
        Self::in_language(account, refreshing, now, crate::i18n::current())
    }

    pub fn in_language(account: &Account, refreshing: bool, now: DateTime<Utc>, language: Language) -> Self {
        let status = Status::of(account, refreshing, now);
        let say = |id: &str, args: &[(&str, Arg)]| text_in(language, id, args);
        let expiry = match status {
            Status::NeedsReauth => String::new(),
            _ if now >= account.access_token_expires_at => say("expiry-expired", &[]),
            _ => in_time(language, "expiry", account.access_token_expires_at - now),
        };
        let summary = match status {
            Status::Expired => say("summary-expired", &[]),
            Status::SignedIn => say("summary-signed-in", &[("expiry", Arg::Text(&expiry))]),
            other => other.state(language),
        };
        let detail = match status {
            Status::NeedsReauth => account.needs_reauth.as_ref().map(|why| why.say(language)).unwrap_or_default(),
            _ => match (&account.last_error, account.next_attempt_at) {
                (Some(error), Some(next)) => {
                    let retry = in_time(language, "retry", next - now);
                    format!("{}; {retry}", say("last-error", &[("error", Arg::Text(&error.say(language)))]))
                }
                (Some(error), None) => say("last-error", &[("error", Arg::Text(&error.say(language)))]),
                (None, _) => String::new(),
            },
        };
        let activity = match account.last_refresh_at {
            Some(at) => in_time(language, "refreshed", now - at),
            None => in_time(language, "signed-in", now - account.signed_in_at),
        };
        let countdown = match expiry.is_empty() {
            true => String::new(),
            false => say("countdown", &[("expiry", Arg::Text(&expiry)), ("activity", Arg::Text(&activity))]),
        };
        Self {
            account: account.clone(),
            state: account.state(now),
            refreshing,
            status,
            badge: status.badge(language),
            server_name: server_name(account),
            insecure: ServerUrl::parse(&account.server).is_ok_and(|server| server.is_insecure()),
            certificate: account.trust.describe(),
            language,
            summary,
            detail,
            expiry,
            activity,
            countdown,
        }
    }

    /// The tray's line: `alice @ Cells: signed in`. No countdown: a tray
    /// menu is read whenever it is opened, and a line that changed every
    /// minute would wake the app every minute for nobody.
    pub fn headline(&self) -> String {
        let state = self.status.state(self.language);
        let args = [
            ("user", Arg::Text(&self.account.user)),
            ("server", Arg::Text(&self.server_name)),
            ("state", Arg::Text(&state)),
        ];
        text_in(self.language, "tray-line", &args)
    }

    /// What a desktop notification says when this account needs a new sign-in.
    pub fn sign_in_notice(&self) -> String {
        let args = [("user", Arg::Text(&self.account.user)), ("server", Arg::Text(&self.server_name))];
        text_in(self.language, "notice-needs-sign-in", &args)
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

/// `90 s`, `9 min`, `2 h` (in English), rounded down: for messages.
pub fn duration(duration: StdDuration) -> Message {
    let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
    match seconds {
        s if s < 120 => Message::new("duration-seconds").count("count", s),
        s if s < 2 * 3600 => Message::new("duration-minutes").count("count", s / 60),
        s => Message::new("duration-hours").count("count", s / 3600),
    }
}

/// A distance in time to the minute, in the message family `kind`
/// (`expiry`, `retry`, `refreshed`, `signed-in`): `expires in 6 minutes`,
/// `refreshed 2 hours ago`; under a minute, `-under-a-minute` (or, for
/// what is past, `-just-now`). Each language says the count with its own
/// plural forms.
fn in_time(language: Language, kind: &str, distance: Duration) -> String {
    // A moment on the wrong side of now (a clock set back) reads as now.
    let seconds = distance.num_seconds().max(0);
    let past = matches!(kind, "refreshed" | "signed-in");
    match seconds {
        s if s < 60 && past => text_in(language, &format!("{kind}-just-now"), &[]),
        s if s < 60 => text_in(language, &format!("{kind}-under-a-minute"), &[]),
        s if s < 2 * 3600 => text_in(language, &format!("{kind}-minutes"), &[("minutes", Arg::Count(s / 60))]),
        s => text_in(language, &format!("{kind}-hours"), &[("hours", Arg::Count(s / 3600))]),
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

    /// Whatever the language of the machine that runs the tests.
    fn english(account: &Account, refreshing: bool, now: DateTime<Utc>) -> AccountView {
        AccountView::in_language(account, refreshing, now, Language::English)
    }

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
        let view = english(&account(), false, t0() + Duration::seconds(210));
        assert_eq!(view.status, Status::SignedIn);
        assert_eq!(view.badge, "Signed in");
        assert_eq!(view.summary, "signed in, expires in 6 minutes");
        assert_eq!(view.headline(), "alice @ Cells: signed in");
        assert_eq!(view.expiry, "expires in 6 minutes");
        assert_eq!(view.activity, "signed in 3 minutes ago");
        assert_eq!(view.detail, "");
        assert!(!view.insecure);
    }

    #[test]
    fn the_most_urgent_status_wins() {
        let mut account = account();
        let now = t0() + Duration::minutes(11);
        assert_eq!(Status::of(&account, false, now), Status::Expired);
        account.last_error = Some(Message::verbatim("HTTP 502"));
        account.next_attempt_at = Some(now + Duration::seconds(150));
        assert_eq!(Status::of(&account, false, now), Status::Retrying);
        let view = english(&account, false, now);
        assert_eq!(view.summary, "retrying");
        assert_eq!(view.detail, "last error: HTTP 502; next retry in 2 minutes");
        assert_eq!(Status::of(&account, true, now), Status::Refreshing);
        account.needs_reauth = Some(Message::verbatim("invalid_grant"));
        let view = english(&account, true, now);
        assert_eq!(
            (view.status, view.badge.as_str(), view.summary.as_str()),
            (Status::NeedsReauth, "Needs sign-in", "needs sign-in")
        );
        assert_eq!(view.detail, "invalid_grant");
        assert_eq!(view.expiry, "");
        assert!(needs_attention(&[english(&self::account(), false, now), view]));
    }

    #[test]
    fn the_server_is_named_by_its_label_else_its_host_and_plain_http_is_flagged() {
        let mut account = account();
        account.label = None;
        account.server = "http://nas.local:8080/cells".into();
        let view = english(&account, false, t0());
        assert_eq!(view.server_name, "nas.local:8080");
        assert!(view.insecure);
    }

    #[test]
    fn texts_change_at_whole_minutes_and_the_next_change_says_when() {
        let account = account();
        // 6 min 30 s left and signed in 3 min 30 s ago: both texts change in 30 s.
        let now = t0() + Duration::seconds(210);
        let view = english(&account, false, now);
        let later = view.next_change(now).unwrap();
        assert!(later - now >= Duration::seconds(30) && later - now <= Duration::milliseconds(30_001), "{later}");
        let texts = |at| {
            let view = english(&account, false, at);
            (view.summary, view.activity)
        };
        assert_ne!(texts(later), texts(now));
        assert_eq!(texts(later - Duration::milliseconds(1)), texts(now), "nothing changes before");
    }

    #[test]
    fn durations_read_naturally() {
        let said = |seconds| duration(StdDuration::from_secs(seconds)).say(Language::English);
        assert_eq!(said(300), "5 min");
        assert_eq!(said(90), "90 s");
        assert_eq!(said(599), "9 min");
        assert_eq!(said(7200), "2 h");
        let english = |kind, seconds| in_time(Language::English, kind, Duration::seconds(seconds));
        assert_eq!(english("expiry", 59), "expires in under a minute");
        assert_eq!(english("retry", -5), "next retry in under a minute");
        assert_eq!(english("expiry", 119), "expires in 1 minute");
        assert_eq!(english("refreshed", 30), "refreshed just now");
        assert_eq!(english("signed-in", 3 * 3600), "signed in 3 hours ago");
    }

    #[test]
    fn a_view_speaks_the_language_it_is_made_in() {
        let now = t0() + Duration::seconds(210);
        let french = AccountView::in_language(&account(), false, now, Language::French);
        assert_eq!(french.badge, "Connecté");
        assert_eq!(french.summary, "connecté, expire dans 6 minutes");
        assert_eq!(french.activity, "connecté il y a 3 minutes");
        assert_eq!(french.countdown, "jeton expire dans 6 minutes · connecté il y a 3 minutes");
        assert_eq!(french.headline(), "alice @ Cells : connecté");
        let mut account = account();
        account.needs_reauth = Some(Message::verbatim("invalid_grant"));
        let german = AccountView::in_language(&account, false, now, Language::German);
        assert_eq!(german.badge, "Anmeldung nötig");
        assert_eq!(german.sign_in_notice(), "alice auf Cells muss sich erneut anmelden");
        // What scripts read does not change with the language.
        assert_eq!(german.state, AccountView::in_language(&account, false, now, Language::English).state);
    }
}
