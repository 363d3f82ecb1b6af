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
    if std::env::var_os(PSEUDO_ENV).is_some_and(|on| on == "1") {
        bundle.set_transform(Some(pseudo));
    }
    bundle
}

/// `CELLS_AUTH_PSEUDO=1`: every text of the catalogs is shown accented and
/// about a third longer (its values as they are), so that a text that
/// bypasses the catalog stands out, and a layout too tight for German shows.
pub const PSEUDO_ENV: &str = "CELLS_AUTH_PSEUDO";

/// The pseudo-language of a text: its vowels accented and doubled.
pub fn pseudo(text: &str) -> std::borrow::Cow<'_, str> {
    let mut said = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        let accented = match c {
            'a' => "áá",
            'e' => "éé",
            'i' => "íí",
            'o' => "öö",
            'u' => "üü",
            'A' => "ÁÁ",
            'E' => "ÉÉ",
            'I' => "ÍÍ",
            'O' => "ÖÖ",
            'U' => "ÜÜ",
            _ => {
                said.push(c);
                continue;
            }
        };
        said.push_str(accented);
    }
    std::borrow::Cow::Owned(said)
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

/// A text as its catalog id and its values, not yet said in a language:
/// what every error carries, so that each view says it in its own language
/// (and `status --json` in English), and what an account keeps of its last
/// failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "MessageForm")]
pub struct Message {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, Value)>,
}

/// Said in the current language, as errors are.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.say(current()))
    }
}

/// A message as kept, or a plain sentence as account files kept it before
/// messages were (read as said, in no language of ours).
#[derive(Deserialize)]
#[serde(untagged)]
enum MessageForm {
    Sentence(String),
    Message {
        id: String,
        #[serde(default)]
        values: Vec<(String, Value)>,
    },
}

impl From<MessageForm> for Message {
    fn from(form: MessageForm) -> Self {
        match form {
            MessageForm::Sentence(sentence) => Message::verbatim(sentence),
            MessageForm::Message { id, values } => Message { id, values },
        }
    }
}

/// A value of a [`Message`]: a count chooses the plural form; a message is
/// said in the same language as the one holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Count(i64),
    Time(chrono::DateTime<chrono::Utc>),
    Text(String),
    Message(Box<Message>),
}

impl Message {
    pub fn new(id: &str) -> Self {
        Self { id: id.to_string(), values: Vec::new() }
    }

    /// A text that comes as it is, in no language of ours: the system's,
    /// a library's or the server's own words.
    pub fn verbatim(text: impl std::fmt::Display) -> Self {
        Self::new("verbatim").with("text", text)
    }

    /// With the value `name` as it is (an address, a user's name, a reason
    /// from the system or the server).
    pub fn with(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.values.push((name.to_string(), Value::Text(value.to_string())));
        self
    }

    pub fn count(mut self, name: &str, count: i64) -> Self {
        self.values.push((name.to_string(), Value::Count(count)));
        self
    }

    /// With the moment `name`, said in the language's own format.
    pub fn time(mut self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.values.push((name.to_string(), Value::Time(at)));
        self
    }

    /// With the value `name` said by another message (a cause inside an error).
    pub fn message(mut self, name: &str, message: Message) -> Self {
        self.values.push((name.to_string(), Value::Message(Box::new(message))));
        self
    }

    pub fn say(&self, language: Language) -> String {
        let said: Vec<(&str, String)> = self
            .values
            .iter()
            .filter_map(|(name, value)| match value {
                Value::Text(text) => Some((name.as_str(), text.clone())),
                Value::Message(message) => Some((name.as_str(), message.say(language))),
                Value::Time(at) => Some((name.as_str(), moment(language, *at))),
                Value::Count(_) => None,
            })
            .collect();
        let mut args: Vec<(&str, Arg)> = said.iter().map(|(name, text)| (*name, Arg::Text(text))).collect();
        for (name, value) in &self.values {
            if let Value::Count(count) = value {
                args.push((name, Arg::Count(*count)));
            }
        }
        text_in(language, &self.id, &args)
    }
}

/// A moment in this computer's time zone, as `language` writes a date and
/// a time (`format-moment` of its catalog).
pub fn moment(language: Language, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike as _, Timelike as _};
    let local = at.with_timezone(&chrono::Local);
    let (year, month, day) = (local.year().to_string(), format!("{:02}", local.month()), format!("{:02}", local.day()));
    let (hour, minute) = (format!("{:02}", local.hour()), format!("{:02}", local.minute()));
    text_in(
        language,
        "format-moment",
        &[
            ("year", Arg::Text(&year)),
            ("month", Arg::Text(&month)),
            ("day", Arg::Text(&day)),
            ("hour", Arg::Text(&hour)),
            ("minute", Arg::Text(&minute)),
        ],
    )
}

/// A day as `language` writes it (`format-day` of its catalog).
pub fn day(language: Language, date: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    let (year, month, day) = (date.year().to_string(), format!("{:02}", date.month()), format!("{:02}", date.day()));
    text_in(
        language,
        "format-day",
        &[("year", Arg::Text(&year)), ("month", Arg::Text(&month)), ("day", Arg::Text(&day))],
    )
}

/// What an error says, as a [`Message`]; its `Display` is that message in
/// the current language.
pub trait Said {
    fn message(&self) -> Message;

    fn said(&self) -> String {
        self.message().say(current())
    }
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

    /// Every id the code names (a message, a text, a fragment such as
    /// `secret-refresh-token`) is in the catalog: a missing one would be
    /// shown as its id.
    #[test]
    fn every_id_the_code_names_is_in_the_catalog() {
        let known: BTreeSet<String> = messages(Language::English).into_iter().map(|(id, _)| id).collect();
        let prefixes = [
            "error-",
            "io-",
            "secret-",
            "endpoint-",
            "stray-",
            "keyring-unlock-",
            "private-dir-",
            "transport-",
            "json-",
            "token-",
            "jwt-",
            "keys-",
            "discovery-",
            "refresh-",
            "certificate-",
            "duration-",
            "sign-out-",
            "app-",
            "page-",
            "cli-",
            "tray-",
            "window-",
            "notice-",
            "badge-",
            "state-",
            "format-",
            "browser-",
        ];
        let mut named = BTreeSet::new();
        let roots =
            [concat!(env!("CARGO_MANIFEST_DIR"), "/src"), concat!(env!("CARGO_MANIFEST_DIR"), "/../src-tauri/src")];
        let mut files: Vec<std::path::PathBuf> = roots.iter().map(std::path::PathBuf::from).collect();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
                continue;
            }
            // Property tests make up secrets that look like ids.
            if path.extension().is_none_or(|ext| ext != "rs") || path.ends_with("proptests.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let pieces: Vec<&str> = source.split('"').collect();
            for pair in pieces.chunks(2).filter(|pair| pair.len() == 2) {
                let (before, literal) = (pair[0], pair[1]);
                // Failpoints are named like ids too: not texts.
                if before.ends_with("hit(") {
                    continue;
                }
                let is_id = literal.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && prefixes.iter().any(|prefix| literal.starts_with(prefix) && literal.len() > prefix.len());
                if is_id {
                    named.insert((path.display().to_string(), literal.to_string()));
                }
            }
        }
        assert!(named.len() > 100, "the ids found: {}", named.len());
        let missing: Vec<_> = named.iter().filter(|(_, id)| !known.contains(id)).collect();
        assert!(missing.is_empty(), "named in the code but not in the catalog: {missing:?}");
    }

    #[test]
    fn days_are_written_as_each_language_writes_them() {
        let day_of = |language| day(language, chrono::NaiveDate::from_ymd_opt(2026, 3, 7).unwrap());
        assert_eq!(day_of(Language::English), "2026-03-07");
        assert_eq!(day_of(Language::French), "07/03/2026");
        assert_eq!(day_of(Language::German), "07.03.2026");
        assert_eq!(day_of(Language::Swedish), "2026-03-07");
        assert_eq!(day_of(Language::Latvian), "07.03.2026.");
        // A moment is the same in this computer's time zone, whatever it is.
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-07T09:05:00Z").unwrap().with_timezone(&chrono::Utc);
        let local = at.with_timezone(&chrono::Local);
        let (hour, minute) = (local.format("%H").to_string(), local.format("%M").to_string());
        let german = moment(Language::German, at);
        assert!(german.ends_with(&format!(", {hour}:{minute}")), "{german}");
        assert!(moment(Language::French, at).contains(&format!(" à {hour}:{minute}")));
    }

    #[test]
    fn the_pseudo_language_accents_and_lengthens_the_catalog_s_words_but_not_the_values() {
        assert_eq!(pseudo("Sign in"), "Síígn íín");
        let mut bundle = bundle(Language::English).unwrap();
        bundle.set_transform(Some(pseudo));
        let message = bundle.get_message("notice-needs-sign-in").and_then(|m| m.value()).unwrap();
        let mut args = FluentArgs::new();
        args.set("user", "alice");
        args.set("server", "Cells Test Server");
        let said = bundle.format_pattern(message, Some(&args), &mut Vec::new()).into_owned();
        assert_eq!(said, "alice öön Cells Test Server nééééds töö síígn íín áágááíín");
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
