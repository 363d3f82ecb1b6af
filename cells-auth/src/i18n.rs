//! Every text a person reads, in their language: one Fluent catalog per
//! language (`cells-auth/locales/<tag>.ftl`), English the reference. The
//! core formats; the command line, the tray and the window show.
//!
//! Which language: the one chosen (`set_current`), else the system's, else
//! English. What scripts read (`status --json`, exit codes, `token`) never
//! depends on it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// The languages of cells-sync, the client this replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "fr")]
    French,
    #[serde(rename = "de")]
    German,
    #[serde(rename = "es")]
    Spanish,
    #[serde(rename = "it")]
    Italian,
    #[serde(rename = "pt-BR")]
    BrazilianPortuguese,
    #[serde(rename = "sv")]
    Swedish,
    #[serde(rename = "lv")]
    Latvian,
}

impl Language {
    pub const ALL: [Language; 8] = [
        Language::English,
        Language::French,
        Language::German,
        Language::Spanish,
        Language::Italian,
        Language::BrazilianPortuguese,
        Language::Swedish,
        Language::Latvian,
    ];

    /// Its BCP 47 tag, which names its catalog file.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::German => "de",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::BrazilianPortuguese => "pt-BR",
            Language::Swedish => "sv",
            Language::Latvian => "lv",
        }
    }

    /// Its name in itself, for a choice of language.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
            Language::German => "Deutsch",
            Language::Spanish => "Español",
            Language::Italian => "Italiano",
            Language::BrazilianPortuguese => "Português (Brasil)",
            Language::Swedish => "Svenska",
            Language::Latvian => "Latviešu",
        }
    }

    /// The language of exactly this tag (`pt-BR`, as `tag` gives), if it is one of ours.
    pub fn from_tag(tag: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag() == tag)
    }

    fn catalog_source(self) -> &'static str {
        match self {
            Language::English => include_str!("../locales/en.ftl"),
            Language::French => include_str!("../locales/fr.ftl"),
            Language::German => include_str!("../locales/de.ftl"),
            Language::Spanish => include_str!("../locales/es.ftl"),
            Language::Italian => include_str!("../locales/it.ftl"),
            Language::BrazilianPortuguese => include_str!("../locales/pt-BR.ftl"),
            Language::Swedish => include_str!("../locales/sv.ftl"),
            Language::Latvian => include_str!("../locales/lv.ftl"),
        }
    }

    fn index(self) -> usize {
        Language::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The first of `requested` (most wanted first: `pt_BR.UTF-8`, `de-AT`,
    /// `fr`) that has a catalog, by its language and region, else by its
    /// language alone (`pt_BR` → `pt` → English, `es_MX` → `es`); English
    /// when none has.
    pub fn negotiate<'a>(requested: impl IntoIterator<Item = &'a str>) -> Language {
        for wanted in requested {
            // `pt_BR.UTF-8@euro` → `pt` and `BR`.
            let tag = wanted.split(['.', '@']).next().unwrap_or("").replace('_', "-");
            let mut parts = tag.split('-');
            let language = parts.next().unwrap_or("").to_ascii_lowercase();
            if language.is_empty() || language == "c" || language == "posix" {
                continue;
            }
            let exact = Language::ALL.iter().find(|l| l.tag().eq_ignore_ascii_case(&tag));
            let by_language = Language::ALL.iter().find(|l| l.tag().split('-').next() == Some(language.as_str()));
            if let Some(found) = exact.or(by_language) {
                return *found;
            }
        }
        Language::English
    }

    /// The system's choice: `LC_ALL`, `LC_MESSAGES` and `LANG` on Linux (the
    /// first that is set wins, as for every program), the user's preferred
    /// languages on Windows and macOS.
    pub fn of_system() -> Language {
        #[cfg(target_os = "linux")]
        {
            let set = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|name| std::env::var(name).ok())
                .find(|value| !value.is_empty());
            Language::negotiate(set.as_deref())
        }
        #[cfg(not(target_os = "linux"))]
        {
            let preferred: Vec<String> = sys_locale::get_locales().collect();
            Language::negotiate(preferred.iter().map(String::as_str))
        }
    }
}

/// A value in a message: text as it is, or a number that chooses the plural form.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Count(i64),
}

type Bundle = FluentBundle<FluentResource>;

/// A language's catalog, parsed at its first text: a command parses one.
fn loaded(language: Language) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; 8] = [const { OnceLock::new() }; 8];
    BUNDLES[language.index()].get_or_init(|| bundle(language).unwrap_or_else(|_| empty_bundle(language)))
}

/// A language's catalog, parsed; its errors, when it has any (tests read them).
pub fn bundle(language: Language) -> Result<Bundle, Vec<String>> {
    let resource = FluentResource::try_new(language.catalog_source().to_string())
        .map_err(|(_, errors)| errors.iter().map(|e| format!("{}: {e}", language.tag())).collect::<Vec<_>>())?;
    let mut bundle = empty_bundle(language);
    bundle
        .add_resource(resource)
        .map_err(|errors| errors.iter().map(|e| format!("{}: {e:?}", language.tag())).collect::<Vec<_>>())?;
    Ok(bundle)
}

fn empty_bundle(language: Language) -> Bundle {
    let id = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show in terminals and tray menus.
    bundle.set_use_isolating(false);
    bundle
}

/// The text `id` in `language`, with `args`. A message missing from a
/// catalog (the tests make sure none is) is taken from English.
pub fn text_in(language: Language, id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent_args.set(*name, FluentValue::from(*text)),
            Arg::Count(count) => fluent_args.set(*name, FluentValue::from(*count)),
        }
    }
    for language in [language, Language::English] {
        let bundle = loaded(language);
        if let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) {
            let mut errors = Vec::new();
            return bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
        }
    }
    id.to_string()
}

/// The text `id` in the current language.
pub fn text(id: &str, args: &[(&str, Arg)]) -> String {
    text_in(current(), id, args)
}

/// Every message of a catalog, with the variables it uses (none when it
/// does not parse: the tests say so).
fn messages(language: Language) -> Vec<(String, BTreeSet<String>)> {
    let Ok(resource) = fluent_syntax::parser::parse(language.catalog_source()) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in resource.body {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            let mut variables = BTreeSet::new();
            if let Some(pattern) = &message.value {
                collect_variables(pattern, &mut variables);
            }
            found.push((message.id.name.to_string(), variables));
        }
    }
    found
}

fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let fluent_syntax::ast::PatternElement::Placeable { expression } = element {
            collect_in_expression(expression, into);
        }
    }
}

fn collect_in_expression(expression: &fluent_syntax::ast::Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        fluent_syntax::ast::Expression::Select { selector, variants } => {
            collect_in_inline(selector, into);
            for variant in variants {
                collect_variables(&variant.value, into);
            }
        }
        fluent_syntax::ast::Expression::Inline(inline) => collect_in_inline(inline, into),
    }
}

fn collect_in_inline(inline: &fluent_syntax::ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        fluent_syntax::ast::InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        fluent_syntax::ast::InlineExpression::Placeable { expression } => collect_in_expression(expression, into),
        _ => {}
    }
}

/// The window's texts in `language`, by message id (`window-*`): a value
/// stays as `{name}`, which the window fills in (names, addresses; never a
/// count, which would need the plural forms).
pub fn window_texts(language: Language) -> BTreeMap<String, String> {
    messages(Language::English)
        .into_iter()
        .filter(|(id, _)| id.starts_with("window-"))
        .map(|(id, variables)| {
            let marks: Vec<(String, String)> = variables.iter().map(|v| (v.clone(), format!("{{{v}}}"))).collect();
            let args: Vec<(&str, Arg)> = marks.iter().map(|(name, mark)| (name.as_str(), Arg::Text(mark))).collect();
            let text = text_in(language, &id, &args);
            (id, text)
        })
        .collect()
}

/// No language chosen yet: the system's is taken at the first text.
const UNSET: u8 = u8::MAX;
static CURRENT: AtomicU8 = AtomicU8::new(UNSET);

/// The language texts are formatted in: the one chosen, else the system's.
pub fn current() -> Language {
    match CURRENT.load(Ordering::Relaxed) {
        UNSET => {
            let system = Language::of_system();
            CURRENT.store(system.index() as u8, Ordering::Relaxed);
            system
        }
        index => Language::ALL.get(index as usize).copied().unwrap_or(Language::English),
    }
}

/// Chooses the language of every text from now on; `None` goes back to the system's.
pub fn set_current(language: Option<Language>) {
    let language = language.unwrap_or_else(Language::of_system);
    CURRENT.store(language.index() as u8, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_parses_and_has_exactly_the_english_messages_with_the_same_variables() {
        let english = messages(Language::English);
        assert!(english.len() > 30, "the English catalog: {}", english.len());
        for language in Language::ALL {
            bundle(language).unwrap_or_else(|errors| panic!("{errors:?}"));
            let theirs = messages(language);
            let ids = |list: &[(String, BTreeSet<String>)]| list.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&theirs), ids(&english), "{}: the same messages, in the same order", language.tag());
            for ((id, variables), (_, english_variables)) in theirs.iter().zip(&english) {
                assert_eq!(variables, english_variables, "{}: {id} uses the same variables", language.tag());
            }
        }
    }

    #[test]
    fn the_system_s_language_falls_back_by_region_then_language_then_to_english() {
        assert_eq!(Language::negotiate(["pt_BR.UTF-8"]), Language::BrazilianPortuguese);
        assert_eq!(Language::negotiate(["pt_PT.UTF-8"]), Language::BrazilianPortuguese, "pt_PT → pt");
        assert_eq!(Language::negotiate(["es_MX.UTF-8"]), Language::Spanish);
        assert_eq!(Language::negotiate(["de-AT"]), Language::German);
        assert_eq!(Language::negotiate(["fr_CA@euro"]), Language::French);
        assert_eq!(Language::negotiate(["lv_LV.UTF-8"]), Language::Latvian);
        assert_eq!(Language::negotiate(["ja_JP.UTF-8"]), Language::English);
        assert_eq!(Language::negotiate(["C.UTF-8", "sv-SE"]), Language::Swedish, "C says nothing; the next decides");
        assert_eq!(Language::negotiate(["ja", "it-CH", "de"]), Language::Italian, "the first that has a catalog");
        assert_eq!(Language::negotiate([]), Language::English);
    }

    fn minutes(language: Language, count: i64) -> String {
        text_in(language, "expiry-minutes", &[("minutes", Arg::Count(count))])
    }

    #[test]
    fn counts_take_each_language_s_plural_forms() {
        let forms = |language| [0, 1, 2, 5, 21].map(|n| minutes(language, n));
        assert_eq!(
            forms(Language::Latvian),
            [
                "beigsies pēc 0 minūtēm",
                "beigsies pēc 1 minūtes",
                "beigsies pēc 2 minūtēm",
                "beigsies pēc 5 minūtēm",
                "beigsies pēc 21 minūtes"
            ]
        );
        assert_eq!(
            forms(Language::French),
            [
                "expire dans 0 minute",
                "expire dans 1 minute",
                "expire dans 2 minutes",
                "expire dans 5 minutes",
                "expire dans 21 minutes"
            ]
        );
        assert_eq!(
            forms(Language::German),
            [
                "läuft in 0 Minuten ab",
                "läuft in 1 Minute ab",
                "läuft in 2 Minuten ab",
                "läuft in 5 Minuten ab",
                "läuft in 21 Minuten ab"
            ]
        );
        // Latvian's form for zero (0, 10-20, 30...) shows in a nominative count.
        let accounts = |n| text_in(Language::Latvian, "tray-attention", &[("count", Arg::Count(n))]);
        assert_eq!(accounts(0), "Cells Sync: jāpierakstās vēlreiz (0 kontu)");
        assert_eq!(accounts(1), "Cells Sync: jāpierakstās vēlreiz (1 konts)");
        assert_eq!(accounts(2), "Cells Sync: jāpierakstās vēlreiz (2 konti)");
        assert_eq!(accounts(11), "Cells Sync: jāpierakstās vēlreiz (11 kontu)");
        assert_eq!(accounts(21), "Cells Sync: jāpierakstās vēlreiz (21 konts)");
    }

    #[test]
    fn the_window_gets_its_texts_with_its_values_to_fill_in() {
        let texts = window_texts(Language::French);
        assert_eq!(texts["window-accounts"], "Comptes");
        assert_eq!(texts["window-confirm-sign-out"], "Déconnecter {user} de {server} ?");
        assert_eq!(texts.len(), window_texts(Language::English).len());
        assert!(texts.len() > 40);
    }

    #[test]
    fn a_text_needs_no_isolation_marks_and_a_missing_message_is_its_id() {
        let line = text_in(
            Language::German,
            "tray-line",
            &[("user", Arg::Text("alice")), ("server", Arg::Text("Cells")), ("state", Arg::Text("angemeldet"))],
        );
        assert_eq!(line, "alice @ Cells: angemeldet");
        assert_eq!(text_in(Language::French, "no-such-message", &[]), "no-such-message");
    }
}
