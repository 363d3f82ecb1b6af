//! Per server: its configuration and keys, discovered once per process.

use std::collections::HashMap;
use std::sync::Arc;

use crate::certificates::ServerTrust;
use crate::discovery::{discover, ProviderMetadata, ServerUrl};
use crate::store::Account;
use crate::verify::JwksCache;

/// Per server: its configuration and keys, discovered once per process.
pub(super) struct Provider {
    pub(super) metadata: ProviderMetadata,
    pub(super) keys: JwksCache,
}

/// Keyed by server and trust: a configuration read under one trust is not
/// taken for another.
#[derive(Default)]
pub(super) struct Providers(tokio::sync::Mutex<HashMap<(String, ServerTrust), Arc<Provider>>>);

impl Providers {
    /// The server's configuration, discovered once per process. The issuer
    /// must still be the one the account signed in with.
    pub(super) async fn get(&self, http: &reqwest::Client, account: &Account) -> Result<Arc<Provider>, String> {
        let mut providers = self.0.lock().await;
        let key = (account.server.clone(), account.trust.clone());
        if let Some(provider) = providers.get(&key) {
            return Ok(provider.clone());
        }
        let server = ServerUrl::parse(&account.server).map_err(|e| e.to_string())?;
        let metadata = discover(http, &server, &account.trust).await.map_err(|e| e.to_string())?;
        if metadata.issuer != account.issuer {
            return Err(format!("the server now names its issuer {}, not {}", metadata.issuer, account.issuer));
        }
        let provider = Arc::new(Provider { keys: JwksCache::new(&metadata.jwks_uri), metadata });
        providers.insert(key, provider.clone());
        Ok(provider)
    }

    /// Forgets `server`'s configuration, so that the next request discovers
    /// it again (and says what is wrong with its certificate, if that is
    /// what failed).
    pub(super) async fn forget(&self, server: &str) {
        self.0.lock().await.retain(|(known, _), _| known != server);
    }

    /// The configuration this process discovered for `server`, if it did.
    pub(super) async fn cached(&self, server: &str) -> Option<ProviderMetadata> {
        self.0
            .lock()
            .await
            .iter()
            .find(|((known, _), _)| known == server)
            .map(|(_, provider)| provider.metadata.clone())
    }
}
