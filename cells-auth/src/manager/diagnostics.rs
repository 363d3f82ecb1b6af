//! What a user can paste into a bug report: versions, the system, and per
//! account its state, last error and the server's configuration as
//! discovered. Nothing in it is a secret.

use std::fmt::Write as _;

use super::registry::AccountManager;
use crate::discovery::ProviderMetadata;

impl AccountManager {
    /// A plain-text report, safe to share.
    pub async fn diagnostics(&self) -> String {
        let mut report = String::new();
        let _ = writeln!(report, "cells-auth {}", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(report, "system: {} ({} {})", os_name(), std::env::consts::OS, std::env::consts::ARCH);
        let _ = writeln!(report, "now: {}", self.inner.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let views = self.accounts();
        if views.is_empty() {
            let _ = writeln!(report, "no accounts");
        }
        for view in &views {
            let account = &view.account;
            let _ = writeln!(report, "\naccount {} on {} ({})", account.id, account.server, view.server_name);
            let _ = writeln!(report, "  issuer: {}; client: {}", account.issuer, account.client_id);
            let _ = writeln!(report, "  state: {}; {}", view.summary, view.activity);
            if !view.detail.is_empty() {
                let _ = writeln!(report, "  {}", view.detail);
            }
            let _ = writeln!(report, "  failures in a row: {}", account.failures);
            match self.inner.providers.cached(&account.server).await {
                Some(metadata) => summarise(&mut report, &metadata),
                None => {
                    let _ = writeln!(report, "  discovery: not fetched by this process yet");
                }
            }
        }
        report
    }
}

fn summarise(report: &mut String, metadata: &ProviderMetadata) {
    let _ = writeln!(report, "  discovery: issuer {}", metadata.issuer);
    let _ = writeln!(report, "    authorization {}", metadata.authorization_endpoint);
    let _ = writeln!(report, "    token {}", metadata.token_endpoint);
    let _ = writeln!(report, "    keys {}", metadata.jwks_uri);
    let _ = writeln!(report, "    revocation {}", metadata.revocation_endpoint.as_deref().unwrap_or("none"));
    let _ = writeln!(
        report,
        "    PKCE {}; iss in answers {}",
        metadata.code_challenge_methods_supported.as_ref().map_or("not announced".to_string(), |m| m.join(", ")),
        if metadata.authorization_response_iss_parameter_supported { "yes" } else { "no" }
    );
}

/// The distribution's name, where the system says it.
fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}
