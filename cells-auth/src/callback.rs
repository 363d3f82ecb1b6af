//! The authorization response (RFC 6749 4.1.2), wherever it arrives: at
//! the loopback listener or in a `cellsauth://` link. What the pending
//! sign-in expects of it, how a query is judged, and what an accepted
//! answer carries back to the sign-in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::secret::constant_time_eq;
use crate::tokens::AuthorizationCode;

pub use oauth2::CsrfToken;

/// What the pending sign-in expects of its callback.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub state: CsrfToken,
    /// The issuer, to check the RFC 9207 `iss` parameter against.
    pub issuer: String,
    /// The server announced `authorization_response_iss_parameter_supported`.
    pub require_iss: bool,
}

/// What the one accepted callback said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    Code(AuthorizationCode),
    /// The server ended the sign-in with `error=` (the user pressed Cancel, say).
    Denied {
        error: String,
        description: Option<String>,
    },
    /// The `iss` parameter names another server than the one signed in to
    /// (an authorization server mix-up, RFC 9207), or is missing though promised.
    WrongIssuer {
        found: Option<String>,
    },
}

impl CallbackOutcome {
    /// What kind of answer this is, for the log (never its values).
    pub fn kind(&self) -> &'static str {
        match self {
            CallbackOutcome::Code(_) => "code",
            CallbackOutcome::Denied { .. } => "error",
            CallbackOutcome::WrongIssuer { .. } => "wrong issuer",
        }
    }
}

/// The page shown in the browser once the sign-in has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinalPage {
    Success { detail: String },
    Failure { detail: String },
}

/// The accepted callback, with the way to answer the waiting browser.
#[derive(Debug)]
pub struct Callback {
    pub outcome: CallbackOutcome,
    /// None when nobody waits for a page (a `cellsauth://` link).
    reply: Option<oneshot::Sender<FinalPage>>,
}

impl Callback {
    /// A callback whose browser waits for the page sent to the receiver.
    pub fn with_page(outcome: CallbackOutcome) -> (Self, oneshot::Receiver<FinalPage>) {
        let (reply, page) = oneshot::channel();
        (Self { outcome, reply: Some(reply) }, page)
    }

    /// A callback with no browser waiting for its page.
    pub fn without_page(outcome: CallbackOutcome) -> Self {
        Self { outcome, reply: None }
    }

    /// Shows `page` in the browser that delivered the callback.
    pub fn reply(self, page: FinalPage) {
        // The browser may have gone away; nothing to do then.
        if let Some(reply) = self.reply {
            let _ = reply.send(page);
        }
    }
}

/// Where the one answer to a pending sign-in goes, whichever way it comes:
/// the loopback listener, a pasted address or a `cellsauth://` link. The
/// first accepted answer closes it for all the others.
#[derive(Clone)]
pub struct AnswerGate {
    accepted: Arc<AtomicBool>,
    callbacks: mpsc::Sender<Callback>,
}

impl AnswerGate {
    pub fn new(callbacks: mpsc::Sender<Callback>) -> Self {
        Self { accepted: Arc::new(AtomicBool::new(false)), callbacks }
    }

    /// True for the first answer only.
    pub fn admit_once(&self) -> bool {
        !self.accepted.swap(true, Ordering::SeqCst)
    }

    pub fn callbacks(&self) -> &mpsc::Sender<Callback> {
        &self.callbacks
    }
}

/// Reads an authorization response's query (RFC 6749 4.1.2), from the
/// loopback listener or a `cellsauth://` link. `Err` says why it is not the
/// answer to the pending sign-in; such a request never ends it.
/// Why not, as the catalog id of the reason.
pub fn judge_query(query: &str, expected: &Expectation) -> Result<CallbackOutcome, &'static str> {
    let params = CallbackParams::parse(query)?;
    // Only a response carrying the pending state may end the sign-in, with a
    // code or with an error; anything else is a stray (RFC 6749 10.12).
    match &params.state {
        Some(state) if constant_time_eq(expected.state.secret().as_bytes(), state.as_bytes()) => {}
        Some(_) => return Err("stray-other-sign-in"),
        None => return Err("stray-no-state"),
    }
    // RFC 9207 2.4: check `iss` when present; require it when the server promised it.
    match &params.iss {
        Some(iss) if iss != &expected.issuer => {
            return Ok(CallbackOutcome::WrongIssuer { found: Some(crate::untrusted::server_text(iss, &[])) })
        }
        None if expected.require_iss => return Ok(CallbackOutcome::WrongIssuer { found: None }),
        _ => {}
    }
    if let Some(error) = params.error {
        // Whoever wrote the redirect chose these words: never shown verbatim.
        let clean = |text: &str| crate::untrusted::server_text(text, &[expected.state.secret()]);
        return Ok(CallbackOutcome::Denied {
            error: clean(&error),
            description: params.error_description.as_deref().map(clean),
        });
    }
    match params.code {
        Some(code) if !code.is_empty() => Ok(CallbackOutcome::Code(AuthorizationCode::new(code))),
        _ => Err("stray-no-code"),
    }
}

/// The query parameters of an authorization response (RFC 6749 4.1.2).
#[derive(Debug, Default)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

impl CallbackParams {
    fn parse(query: &str) -> Result<Self, &'static str> {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                "error_description" => &mut params.error_description,
                "iss" => &mut params.iss,
                _ => continue,
            };
            // RFC 6749 3.1: parameters must not be repeated.
            if slot.replace(value.into_owned()).is_some() {
                return Err("stray-repeated-parameter");
            }
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::expectation;

    fn judge(query: &str) -> Result<CallbackOutcome, &'static str> {
        judge_query(query, &expectation())
    }

    #[test]
    fn accepts_the_code_with_the_pending_state() {
        assert_eq!(
            judge("code=abc&state=s3cr3t-state"),
            Ok(CallbackOutcome::Code(AuthorizationCode::new("abc".into())))
        );
    }

    #[test]
    fn ignores_answers_without_the_pending_state() {
        for query in [
            "code=abc&state=other",
            "code=abc",
            "",
            "code=abc&state=s3cr3t-state&state=other",
            "state=s3cr3t-state",
            "code=&state=s3cr3t-state",
        ] {
            assert!(judge(query).is_err(), "{query}");
        }
    }

    #[test]
    fn an_error_ends_the_sign_in_only_with_the_pending_state() {
        assert_eq!(
            judge("error=access_denied&error_description=End-User+aborted&state=s3cr3t-state"),
            Ok(CallbackOutcome::Denied { error: "access_denied".into(), description: Some("End-User aborted".into()) })
        );
        assert!(judge("error=access_denied").is_err());
        assert!(judge("error=access_denied&state=forged").is_err());
    }

    #[test]
    fn an_error_s_words_are_cleaned_before_anyone_sees_them() {
        let outcome =
            judge("error=access_denied%1b%5b2J&error_description=click+%E2%80%AEhere%0d%0aforged&state=s3cr3t-state");
        assert_eq!(
            outcome,
            Ok(CallbackOutcome::Denied {
                error: "access_denied[2J".into(),
                description: Some("click here forged".into())
            })
        );
    }

    #[test]
    fn checks_the_iss_parameter() {
        assert_eq!(
            judge("code=abc&state=s3cr3t-state&iss=https%3A%2F%2Fevil%2Foidc%2F"),
            Ok(CallbackOutcome::WrongIssuer { found: Some("https://evil/oidc/".into()) })
        );
        assert!(matches!(
            judge("code=abc&state=s3cr3t-state&iss=https%3A%2F%2Fhost%2Foidc%2F"),
            Ok(CallbackOutcome::Code(_))
        ));
        let mut strict = expectation();
        strict.require_iss = true;
        assert_eq!(
            judge_query("code=abc&state=s3cr3t-state", &strict),
            Ok(CallbackOutcome::WrongIssuer { found: None })
        );
    }
}
