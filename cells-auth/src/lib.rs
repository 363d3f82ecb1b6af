//! Sign-in core of a Pydio Cells desktop sync client.
//!
//! Cells runs its own OpenID Connect provider; the desktop client signs in as
//! the public OAuth 2 client `cells-sync` with a loopback redirect, PKCE and
//! the system browser (RFC 8252), and keeps its tokens in the OS keyring.
//! Each module holds one protocol concern:
//!
//! - [`discovery`]: the server address and its OpenID configuration;
//! - [`pkce`]: proof key for code exchange (RFC 7636);
//! - [`loopback`]: the redirect listener on `localhost`;
//! - [`browser`]: opening the authorization page;
//! - [`flow`]: one sign-in, from discovery to a stored account;
//! - [`tokens`]: the token endpoint;
//! - [`verify`]: ID token verification (OpenID Connect Core 3.1.3.7);
//! - [`store`]: the keyring and the account file;
//! - [`manager`]: keeping accounts signed in: refresh, fresh tokens, sign-out;
//! - [`cli`]: the `cells-auth` command.

#[macro_use]
mod secret;

pub mod browser;
pub mod cli;
pub mod clock;
pub mod discovery;
pub mod failpoint;
pub mod flow;
pub mod http;
pub mod loopback;
pub mod manager;
pub mod pkce;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub mod tokens;
pub mod verify;

/// The OAuth 2 client Cells registers for its desktop sync client.
pub const CLIENT_ID: &str = "cells-sync";

/// The OAuth 2 client Cells registers for `cellsauth://callback`, used when
/// loopback ports are blocked on a machine.
pub const CUSTOM_SCHEME_CLIENT_ID: &str = "cells-mobile";

/// The scopes Cells grants `cells-sync`; `offline` is Hydra's name for
/// `offline_access`, and without it no refresh token is issued.
pub const SCOPES: &str = "openid email profile pydio offline";
