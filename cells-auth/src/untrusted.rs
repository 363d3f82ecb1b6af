//! Text that comes from a server, a proxy or a callback: an
//! `error_description`, a proxy's page, an `error=` in a redirect. It is
//! never shown or stored as it came: it is cut short, its control
//! characters (terminal escapes, new lines) are dropped, and anything equal
//! to a secret of the request that provoked it (a proxy may echo the request
//! body) is replaced.

/// At most this many characters of server text are kept.
pub const MAX_SERVER_TEXT: usize = 200;
/// Secrets shorter than this are not searched for: a scrub of `a` would
/// mangle every message, and such a value is no bearer secret.
const MIN_SECRET_LEN: usize = 8;

/// `text`, safe to show and store: secrets of the request replaced by
/// `[redacted]`, control characters dropped, white space folded, cut to
/// [`MAX_SERVER_TEXT`] characters.
pub fn server_text(text: &str, secrets: &[&str]) -> String {
    let mut scrubbed = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
        scrubbed = scrubbed.replace(secret, "[redacted]");
        // Echoed form-encoded, as a request body carries it.
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if encoded != *secret {
            scrubbed = scrubbed.replace(&encoded, "[redacted]");
        }
    }
    let mut clean = String::with_capacity(scrubbed.len().min(MAX_SERVER_TEXT * 4));
    let mut count = 0;
    let mut last_space = true;
    for c in scrubbed.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c.is_control() || is_bidi_control(c) || (c == ' ' && last_space) {
            continue;
        }
        if count == MAX_SERVER_TEXT {
            clean.push('…');
            break;
        }
        last_space = c == ' ';
        clean.push(c);
        count += 1;
    }
    clean.trim_end().to_string()
}

/// What is wrong with a JSON document from outside, in words that never
/// quote it (serde's own message may quote a value).
pub fn json_problem(err: &serde_json::Error) -> crate::i18n::Message {
    let kind = match err.classify() {
        serde_json::error::Category::Io => "json-read-error",
        serde_json::error::Category::Syntax => "json-not-json",
        serde_json::error::Category::Data => "json-wrong-field",
        serde_json::error::Category::Eof => "json-truncated",
    };
    crate::i18n::Message::new("json-problem")
        .message("kind", crate::i18n::Message::new(kind))
        .with("line", err.line())
        .with("column", err.column())
}

/// Characters that reorder how a line is displayed (CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_echoed_by_a_proxy_are_replaced_even_form_encoded() {
        let token = "rt/secret+value=42";
        let echoed = format!("bad request: grant_type=refresh_token&refresh_token={}", {
            let e: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
            e
        });
        let shown = server_text(&format!("{echoed} raw {token}"), &[token]);
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(shown.matches("[redacted]").count(), 2, "{shown}");
    }

    #[test]
    fn control_characters_go_and_long_text_is_cut() {
        let shown = server_text("red \u{1b}[31mALERT\u{7}\r\nnext\u{202E}line\t\tend", &[]);
        assert_eq!(shown, "red [31mALERT nextline end");
        let long = "x".repeat(10_000);
        let shown = server_text(&long, &[]);
        assert_eq!(shown.chars().count(), MAX_SERVER_TEXT + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn short_values_are_not_taken_for_secrets() {
        assert_eq!(server_text("a grant", &["a"]), "a grant");
    }
}
