//! Asking the agent: for `cells-auth token`, and for a sync engine in Rust.
//! Blocking and bounded: no runtime is needed, and an agent that is gone,
//! stopped, of another user or of another store only means asking the
//! store directly.

use std::path::Path;
use std::time::Duration;

use super::server::comparable;
use super::{endpoint, Answer, Request, MAX_LINE, NOT_A_REQUEST};
use crate::tokens::AccessToken;

/// An agent that has not answered by then is stuck; the direct path answers instead.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// The agent's answer for the account `account` names (or the only one) in
/// the store at `store_dir`: a token, or the failure the direct path would
/// have given. With `rejected`, the token a server refused: the answer is a
/// newer one (the refresh token is spent only if it is still the current
/// token). `None` when no agent of this user and store answers; then ask
/// the store directly.
pub fn ask_token(account: Option<&str>, store_dir: &Path, rejected: Option<&AccessToken>) -> Option<Answer> {
    let request = Request {
        account: account.map(str::to_string),
        store: comparable(store_dir),
        rejected: rejected.map(|token| token.secret().to_string()),
    };
    let mut line = serde_json::to_string(&request).ok()?;
    line.push('\n');
    let answer = endpoint::exchange(&line, ANSWER_TIMEOUT, MAX_LINE)?;
    match serde_json::from_str::<Answer>(&answer).ok()? {
        // An agent started before this client's question existed (`rejected`).
        Answer::Failed { message, .. } if message == NOT_A_REQUEST => None,
        answer @ (Answer::Token { .. } | Answer::Failed { .. }) => Some(answer),
        Answer::OtherStore | Answer::Refused { .. } => None,
    }
}
