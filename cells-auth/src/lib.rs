//! Sign-in core of a Pydio Cells desktop sync client.
//!
//! Cells runs its own OpenID Connect provider; the desktop client signs in as
//! the public OAuth 2 client `cells-sync` with a loopback redirect, PKCE and
//! the system browser (RFC 8252), and keeps its tokens in the OS keyring.
//! Each module holds one concern:
//!
//! - [`discovery`]: the server address and its OpenID configuration;
//! - [`certificates`]: which certificates a server may present (system, pinned, private CA);
//! - [`authorization`]: the authorization request (PKCE S256, state, nonce), on `oauth2`;
//! - [`loopback`]: the redirect listener on `localhost`;
//! - [`callback`]: judging an authorization response, from the listener or a `cellsauth://` link;
//! - [`browser`]: opening the authorization page;
//! - [`sign_in`]: one sign-in, from discovery to a stored account, for the CLI and the app;
//! - [`tokens`]: the token endpoint, on `oauth2`;
//! - [`revocation`]: revoking a refresh token (RFC 7009);
//! - [`verify`]: ID token verification (OpenID Connect Core 3.1.3.7);
//! - [`store`]: the keyring and the account file;
//! - [`manager`]: keeping accounts signed in: refresh, fresh tokens, sign-out;
//! - [`view`]: what a user sees of an account, for every front end;
//! - [`agent`]: the token agent (a Unix socket, or a named pipe on Windows), and its client;
//! - [`untrusted`]: server text made safe to show and store;
//! - [`steps`]: how long each step of a command took, for the log and `make bench`;
//! - [`http`], [`clock`]: the one HTTP client and the injectable clock.
//!
//! The `cells-auth` command is the binary's own module (`src/cli/`).

#[macro_use]
mod secret;

pub mod agent;
pub mod authorization;
pub mod browser;
pub mod callback;
pub mod certificates;
pub mod clock;
pub mod discovery;
pub mod failpoint;
pub mod http;
pub mod i18n;
pub mod loopback;
pub mod manager;
#[cfg(test)]
mod proptests;
pub mod revocation;
pub mod sign_in;
pub mod steps;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub mod tokens;
pub mod untrusted;
pub mod verify;
pub mod view;
#[cfg(windows)]
mod win32;

/// Sets what the log holds, in `RUST_LOG` syntax (`info`, `cells_auth=debug`).
pub const LOG_ENV: &str = "CELLS_AUTH_LOG";

/// The OAuth 2 client Cells registers for its desktop sync client.
pub const CLIENT_ID: &str = "cells-sync";

/// The OAuth 2 client Cells registers for `cellsauth://callback`, used when
/// loopback ports are blocked on a machine.
pub const CUSTOM_SCHEME_CLIENT_ID: &str = "cells-mobile";

/// The scopes Cells grants `cells-sync`; `offline` is Hydra's name for
/// `offline_access`, and without it no refresh token is issued.
pub const SCOPES: &str = "openid email profile pydio offline";
