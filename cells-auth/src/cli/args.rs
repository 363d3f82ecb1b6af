//! The command line's definition: parsed by `cells-auth`, and turned into
//! its man page and shell completions by `cells-auth-assets` for the packages.

use clap::{Parser, Subcommand};

use cells_auth::certificates::Fingerprint;

/// The version, marked when this build can stop at failpoints (tests only).
const VERSION: &str = if cells_auth::failpoint::ENABLED {
    concat!(env!("CARGO_PKG_VERSION"), " (failpoints)")
} else {
    env!("CARGO_PKG_VERSION")
};

#[derive(Debug, Parser)]
#[command(name = "cells-auth", version = VERSION, about = "Sign in to Pydio Cells servers and keep their tokens in the OS keyring")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to a Cells server through the browser.
    Login {
        /// The server: https://cells.example.com, cells.example.com or http://host:port/sub/path.
        server: String,
        /// Receive the answer on http://localhost:3000/servers/callback (registered by Cells for development).
        #[arg(long)]
        dev_redirect: bool,
        /// How long to wait for the browser, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        timeout: u64,
        /// Do not open a browser; only print the address to open.
        #[arg(long)]
        no_browser: bool,
        /// Trust exactly the certificate with this SHA-256 fingerprint for this server (a self-signed one).
        #[arg(long, value_name = "SHA256", value_parser = parse_fingerprint)]
        trust_certificate: Option<Fingerprint>,
        /// Trust the private CA in this PEM file for this server.
        #[arg(long, value_name = "PEM", conflicts_with = "trust_certificate")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// List the accounts and the state of their tokens.
    Status {
        /// Print JSON: {"accounts":[{"id","server","issuer","user","email","state","access_token_expires_at"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Print an access token with at least a minute left (a quarter of its lifetime when that is shorter), refreshing first if needed.
    ///
    /// It stays good until it expires or is replaced, whichever comes first. It is replaced when only that minute is left,
    /// and Cells then revokes it. A request refused with 401 is answered by asking again with --rejected.
    Token {
        /// The account id, or its login or server when only one account matches; may be left out when there is one account.
        account: Option<String>,
        /// A server refused a token (401): read that token from standard input and print a newer one. The refresh token is
        /// spent only if the refused token is still the current one, however many ask.
        #[arg(long)]
        rejected: bool,
        /// Print JSON: {"access_token","token_type","expires_at"}, for callers that schedule their own work.
        #[arg(long)]
        json: bool,
    },
    /// Refresh an account's tokens now.
    Refresh {
        /// The account id, or its login or server when only one account matches; may be left out when there is one account.
        account: Option<String>,
    },
    /// Sign out: revoke the refresh token on the server, delete the local secrets and forget the account.
    Logout {
        /// The account id, or its login or server when only one account matches.
        account: String,
    },
    /// Keep the tokens fresh in memory and answer `cells-auth token` on this user's socket, in the foreground.
    Agent,
}

/// The command line with its help in the current language, from the
/// catalog (`help-*`), clap's own headings and flags included; the derive's
/// English above is what the man page says.
#[allow(dead_code)] // `cells-auth-assets` writes the man page from the English.
pub fn command_in_current_language() -> clap::Command {
    use cells_auth::i18n::text;
    use clap::CommandFactory as _;
    let said = |id: String| text(&id, &[]);
    let subcommands: [(&str, &[&str]); 6] = [
        ("login", &["server", "dev_redirect", "timeout", "no_browser", "trust_certificate", "ca_file"]),
        ("status", &["json"]),
        ("token", &["account", "rejected", "json"]),
        ("refresh", &["account"]),
        ("logout", &["account"]),
        ("agent", &[]),
    ];
    let mut command = Cli::command().about(said("help-about".into()));
    for (name, arguments) in subcommands {
        command = command.mut_subcommand(name, |mut sub| {
            sub = sub.about(said(format!("help-{name}")));
            if name == "token" {
                sub = sub.long_about(format!("{}\n\n{}", said("help-token".into()), said("help-token-more".into())));
            }
            for argument in arguments {
                let id = format!("help-{name}-{}", argument.replace('_', "-"));
                sub = sub.mut_arg(*argument, |arg| arg.help(said(id)));
            }
            sub
        });
    }
    // clap adds its help and version flags and its `help` command when it
    // builds the command: built first, they can be said too.
    command.build();
    let mut command = clap_words_in_current_language(command);
    let names: Vec<String> = command.get_subcommands().map(|sub| sub.get_name().to_string()).collect();
    for name in names {
        command = command.mut_subcommand(name, clap_words_in_current_language);
    }
    command
}

/// clap's own words of one (built) command: its headings, its help and
/// version flags, and its `help` command.
#[allow(dead_code)]
fn clap_words_in_current_language(command: clap::Command) -> clap::Command {
    use cells_auth::i18n::text;
    let said = |id: &str| text(id, &[]);
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        said("help-usage")
    );
    let mut command = command.help_template(template).subcommand_help_heading(said("help-commands"));
    let arguments: Vec<(String, bool)> =
        command.get_arguments().map(|arg| (arg.get_id().to_string(), arg.is_positional())).collect();
    for (id, positional) in arguments {
        let heading = said(if positional { "help-arguments" } else { "help-options" });
        command = command.mut_arg(&id, |arg| {
            let arg = arg.help_heading(heading);
            match id.as_str() {
                "help" => arg.help(said("help-help")),
                "version" => arg.help(said("help-version")),
                _ => arg,
            }
        });
    }
    if command.find_subcommand("help").is_some() {
        command = command.mut_subcommand("help", |help| help.about(said("help-help-command")));
    }
    command
}

/// `token`, `token --json`, `token ACCOUNT` and `token --json ACCOUNT` (in
/// either order): the forms scripts run many times a minute, read without
/// building the parser so that a running agent answers sooner. `None` for
/// anything else, which clap reads. Gives (account, json), as clap would.
#[allow(dead_code)] // `cells-auth-assets` reads no arguments.
pub fn plain_token_request(args: &[std::ffi::OsString]) -> Option<(Option<String>, bool)> {
    let args: Vec<&str> = args.iter().map(|arg| arg.to_str()).collect::<Option<_>>()?;
    let ["token", rest @ ..] = args.as_slice() else { return None };
    let (mut account, mut json) = (None, false);
    for arg in rest {
        match *arg {
            "--json" if !json => json = true,
            value if !value.starts_with('-') && account.is_none() => account = Some(value.to_string()),
            _ => return None,
        }
    }
    Some((account, json))
}

fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_token_forms_are_read_as_clap_reads_them_and_nothing_else_is() {
        let cases: [&[&str]; 16] = [
            &["token"],
            &["token", "--json"],
            &["token", "alice"],
            &["token", "alice", "--json"],
            &["token", "--json", "alice"],
            &["token", ""],
            &["token", "help"],
            &["token", "--json", "--json"],
            &["token", "alice", "bob"],
            &["token", "--rejected"],
            &["token", "-"],
            &["token", "--", "alice"],
            &["token", "--account=alice"],
            &["token", "--help"],
            &["status"],
            &["toke"],
        ];
        let mut plain = 0;
        for case in cases {
            let args: Vec<std::ffi::OsString> = case.iter().map(Into::into).collect();
            let Some((account, json)) = plain_token_request(&args) else { continue };
            plain += 1;
            let parsed = Cli::try_parse_from(std::iter::once("cells-auth").chain(case.iter().copied()))
                .unwrap_or_else(|err| panic!("{case:?}: clap refused what was read as plain: {err}"));
            match parsed.command {
                Command::Token { account: clap_account, rejected, json: clap_json } => {
                    assert_eq!((account, json, false), (clap_account, clap_json, rejected), "{case:?}");
                }
                other => panic!("{case:?}: clap read {other:?}"),
            }
        }
        assert_eq!(plain, 7, "the seven plain forms above are read without clap");
    }
}
