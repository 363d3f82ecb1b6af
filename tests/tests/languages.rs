//! The command line in the user's language: the system's choice decides
//! (`LC_ALL`, then `LC_MESSAGES`, then `LANG`), and what scripts read never
//! changes with it.

use cells_auth_e2e::{Fixture, Sandbox};

fn run_in(sandbox: &Sandbox, environment: &[(&str, &str)], args: &[&str]) -> cells_auth_e2e::Output {
    let mut command = sandbox.command(args);
    for (name, value) in environment {
        command.env(name, value);
    }
    cells_auth_e2e::run_command(command)
}

#[test]
fn status_speaks_the_system_s_language_and_scripts_read_the_same_in_every_one() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    let id = sandbox.sign_in(&idp);
    let french = [("LANG", "fr_FR.UTF-8")];
    let out = run_in(&sandbox, &french, &["status"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains(&format!("{id}  alice <alice@example.com> sur http://127.0.0.1:")), "{}", out.stdout);
    assert!(out.stdout.contains("connecté, expire dans 9 minutes; connecté à l’instant"), "{}", out.stdout);
    assert!(out.stdout.contains("(non sécurisé : http sans chiffrement)"), "{}", out.stdout);

    // LC_ALL wins over LANG, and LC_MESSAGES over LANG.
    let german = run_in(&sandbox, &[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "de_DE.UTF-8")], &["status"]);
    assert!(german.stdout.contains("angemeldet, läuft in 9 Minuten ab"), "{}", german.stdout);
    let latvian = run_in(&sandbox, &[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "lv_LV.UTF-8")], &["status"]);
    assert!(latvian.stdout.contains("pierakstījies, beigsies pēc 9 minūtēm"), "{}", latvian.stdout);
    // A language without a catalog, by region then language then English.
    let brazil = run_in(&sandbox, &[("LANG", "pt_PT.UTF-8")], &["status"]);
    assert!(brazil.stdout.contains("conectado, expira em 9 minutos"), "{}", brazil.stdout);
    let japanese = run_in(&sandbox, &[("LANG", "ja_JP.UTF-8")], &["status"]);
    assert!(japanese.stdout.contains("signed in, expires in 9 minutes"), "{}", japanese.stdout);

    let refreshed = run_in(&sandbox, &french, &["refresh"]);
    assert_eq!(refreshed.code, Some(0), "{}", refreshed.stderr);
    assert!(refreshed.stdout.starts_with("alice sur http://127.0.0.1:"), "{}", refreshed.stdout);
    assert!(refreshed.stdout.contains("renouvelé : le jeton d’accès expire dans 9 minutes"), "{}", refreshed.stdout);

    // What scripts read is the same in every language.
    let json = |environment: &[(&str, &str)]| run_in(&sandbox, environment, &["status", "--json"]).stdout;
    assert_eq!(json(&french), json(&[("LANG", "C.UTF-8")]));
    let token = run_in(&sandbox, &[("LANG", "lv_LV.UTF-8")], &["token"]);
    assert_eq!(token.stdout.lines().count(), 1);
    assert!(token.stdout.trim().chars().all(|c| c.is_ascii_graphic()), "only the token");
    let wrong = run_in(&sandbox, &french, &["frobnicate"]);
    assert_eq!(wrong.code, Some(64), "exit codes do not change");
}

#[test]
fn signing_in_in_french_the_browser_s_last_page_and_the_command_s_lines_are_french() {
    let Fixture { idp, sandbox, ports: _ports } = Fixture::start();
    sandbox.forget_browser();
    let out = run_in(&sandbox, &[("LANG", "fr_FR.UTF-8")], &["login", &idp.url(), "--timeout", "30"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("Ouvrez cette adresse dans votre navigateur pour vous connecter à http://127.0.0.1:"));
    assert!(out.stderr.contains("Attention : http://127.0.0.1:"), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("Connecté en tant que alice <alice@example.com> sur http://127.0.0.1:"),
        "{}",
        out.stdout
    );
    let page = sandbox.browser_report().unwrap()["callback"]["body"].as_str().unwrap().to_string();
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(page.contains("<h1>Connecté</h1>"), "{page}");
    assert!(page.contains("Vous pouvez fermer cet onglet et revenir à l’application."), "{page}");
}

#[test]
fn the_help_of_both_programs_speaks_the_system_s_language_and_a_usage_error_says_where_to_look() {
    let sandbox = Sandbox::new();
    let help = run_in(&sandbox, &[("LANG", "de_DE.UTF-8")], &["--help"]);
    assert_eq!(help.code, Some(0), "{}", help.stderr);
    assert!(help.stdout.starts_with("Bei Pydio-Cells-Servern anmelden"), "{}", help.stdout);
    assert!(help.stdout.contains("Die Konten und den Zustand ihrer Token auflisten."), "{}", help.stdout);
    // clap's own words too: its headings and its flags.
    for words in ["Aufruf: cells-auth <COMMAND>", "Befehle:", "Optionen:", "-h, --help     Hilfe ausgeben"] {
        assert!(help.stdout.contains(words), "{words}: {}", help.stdout);
    }
    let token = run_in(&sandbox, &[("LANG", "lv_LV.UTF-8")], &["token", "--help"]);
    assert!(token.stdout.contains("Serveris noraidīja pilnvaru (401)"), "{}", token.stdout);
    let wrong = run_in(&sandbox, &[("LANG", "fr_FR.UTF-8")], &["bogus"]);
    assert_eq!(wrong.code, Some(64), "{}", wrong.stderr);
    assert!(wrong.stderr.trim_end().ends_with("(voir cells-auth --help)"), "{}", wrong.stderr);

    let mut app = sandbox.program(cells_auth_e2e::window::app_bin(), &["--help"]);
    app.env("LANG", "fr_FR.UTF-8");
    let app_help = cells_auth_e2e::run_command(app);
    assert_eq!(app_help.code, Some(0), "{}", app_help.stderr);
    assert!(app_help.stdout.contains("  -V, --version   afficher la version"), "{}", app_help.stdout);
    assert!(app_help.stdout.contains("La fenêtre Cells Sync"), "{}", app_help.stdout);
}
