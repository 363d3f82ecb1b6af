//! Per server: its configuration and keys, discovered once per process and
//! kept on disk between processes for as long as the server allows (at most
//! a day), so that a refresh in a new process sends only its token request.
//! A key id the kept set lacks still fetches the set again.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::certificates::ServerTrust;
use crate::clock::Clock;
use crate::discovery::{check_kept, discover_cacheable, ProviderMetadata, ServerUrl};
use crate::i18n::{Message, Said};
use crate::store::{Account, Store};
use crate::verify::JwksCache;

/// Per server: its configuration and keys.
pub(super) struct Provider {
    pub(super) metadata: ProviderMetadata,
    pub(super) keys: JwksCache,
}

/// Keyed by server and trust: a configuration read under one trust is not
/// taken for another.
pub(super) struct Providers {
    known: tokio::sync::Mutex<HashMap<(String, ServerTrust), Arc<Provider>>>,
    /// Where the documents are kept between processes.
    store: Store,
}

/// What is kept on disk of one server.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    server: String,
    metadata: Option<(ProviderMetadata, DateTime<Utc>)>,
    keys: Option<(JwkSet, DateTime<Utc>)>,
}

impl Providers {
    pub(super) fn new(store: Store) -> Self {
        Self { known: Default::default(), store }
    }

    /// The server's configuration: known to this process, kept on disk and
    /// still fresh, or discovered now. The issuer must still be the one the
    /// account signed in with.
    pub(super) async fn get(
        &self,
        http: &reqwest::Client,
        account: &Account,
        clock: &Arc<dyn Clock>,
    ) -> Result<Arc<Provider>, Message> {
        let key = (account.server.clone(), account.trust.clone());
        let mut known = self.known.lock().await;
        if let Some(provider) = known.get(&key) {
            return Ok(provider.clone());
        }
        let name = kept_name(&account.server, &account.trust);
        let now = clock.now();
        let kept = read_kept(&self.store, &name, &account.server);
        let server = ServerUrl::parse(&account.server).map_err(|e| e.message())?;
        let fresh = kept.metadata.filter(|(_, until)| now < *until).and_then(|(m, _)| check_kept(&server, m));
        let metadata = match fresh {
            Some(metadata) => metadata,
            None => {
                let (metadata, lifetime) =
                    discover_cacheable(http, &server, &account.trust).await.map_err(|e| e.message())?;
                update_kept(&self.store, &name, &account.server, |kept| {
                    kept.metadata = until(now, lifetime).map(|until| (metadata.clone(), until));
                });
                metadata
            }
        };
        if metadata.issuer != account.issuer {
            return Err(Message::new("refresh-issuer-changed")
                .with("found", &metadata.issuer)
                .with("expected", &account.issuer));
        }
        let keys = kept.keys.filter(|(_, until)| now < *until).map(|(keys, _)| keys);
        let (server, saved_clock, store) = (account.server.clone(), clock.clone(), self.store.clone());
        let keys = JwksCache::kept(
            &metadata.jwks_uri,
            keys,
            Box::new(move |keys, lifetime| {
                let until = until(saved_clock.now(), lifetime);
                update_kept(&store, &name, &server, |kept| kept.keys = until.map(|until| (keys.clone(), until)));
            }),
        );
        let provider = Arc::new(Provider { keys, metadata });
        known.insert(key, provider.clone());
        Ok(provider)
    }

    /// Forgets `server`'s configuration, here and on disk, so that the next
    /// request discovers it again (and says what is wrong with its
    /// certificate, if that is what failed).
    pub(super) async fn forget(&self, server: &str) {
        let mut known = self.known.lock().await;
        for (_, trust) in known.keys().filter(|(known, _)| known == server) {
            self.store.forget_cached(&kept_name(server, trust));
        }
        known.retain(|(known, _), _| known != server);
    }

    /// The configuration this process discovered for `server`, if it did.
    pub(super) async fn cached(&self, server: &str) -> Option<ProviderMetadata> {
        self.known.lock().await.iter().find(|((known, _), _)| known == server).map(|(_, p)| p.metadata.clone())
    }
}

/// The file kept for a server and trust.
fn kept_name(server: &str, trust: &ServerTrust) -> String {
    let trust = serde_json::to_string(trust).unwrap_or_default();
    let digest = Sha256::digest(format!("{server}\n{trust}").as_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{name}.json")
}

fn until(now: DateTime<Utc>, lifetime: Option<std::time::Duration>) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(lifetime?).ok().and_then(|lifetime| now.checked_add_signed(lifetime))
}

/// What is kept for `server` under `name`; nothing if it is missing,
/// damaged, or another server's.
fn read_kept(store: &Store, name: &str, server: &str) -> Kept {
    store
        .read_cached(name)
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|kept| kept.server == server)
        .unwrap_or_default()
}

/// Best effort: a cache that cannot be written only costs a request later.
fn update_kept(store: &Store, name: &str, server: &str, change: impl FnOnce(&mut Kept)) {
    let mut kept = read_kept(store, name, server);
    kept.server = server.to_string();
    change(&mut kept);
    if let Ok(json) = serde_json::to_vec(&kept) {
        let _ = store.write_cached(name, &json);
    }
}
