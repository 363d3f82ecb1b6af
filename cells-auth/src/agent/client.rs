//! Asking the agent: for `cells-auth token`, and for a sync engine in Rust.
//! Blocking and bounded: no runtime is needed, and an agent that is gone,
//! stopped or of another store only means asking the store directly.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::server::comparable;
use super::{is_private, socket_path, Answer, Request, MAX_LINE};

/// An agent that has not answered by then is stuck; the direct path answers instead.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// The agent's answer for the account `account` names (or the only one) in
/// the store at `store_dir`: a token, or the failure the direct path would
/// have given. `None` when no agent of this user and store answers; then
/// ask the store directly.
pub fn ask_token(account: Option<&str>, store_dir: &Path) -> Option<Answer> {
    let path = socket_path();
    // Only an agent in a directory of this user's alone is believed.
    if !is_private(path.parent()?) {
        return None;
    }
    let mut stream = UnixStream::connect(&path).ok()?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(ANSWER_TIMEOUT)).ok()?;
    let request = Request { account: account.map(str::to_string), store: comparable(store_dir) };
    let mut line = serde_json::to_string(&request).ok()?;
    line.push('\n');
    stream.write_all(line.as_bytes()).ok()?;
    let mut answer = String::new();
    BufReader::new(stream.take(MAX_LINE)).read_line(&mut answer).ok()?;
    match serde_json::from_str::<Answer>(&answer).ok()? {
        answer @ (Answer::Token { .. } | Answer::Failed { .. }) => Some(answer),
        Answer::OtherStore | Answer::Refused { .. } => None,
    }
}
