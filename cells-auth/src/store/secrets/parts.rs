//! A secret longer than one keyring entry may hold, stored whole in parts.
//!
//! The entry named for the secret then holds a header, `cells-auth-parts:
//! <generation>:<count>`, and the parts are `<name>#<generation>.<i>`. The
//! parts are written first and the header last, so that the header is the
//! moment the new value takes over: a crash before it leaves the old value
//! whole. The previous generation's parts are deleted after.
//!
//! Where the system has no limit, a secret is one entry, as before, and no
//! call is added.

use super::EntryError;

const HEADER: &str = "cells-auth-parts:";

/// The keyring's entries, by name.
pub(super) trait Entries {
    fn get(&self, name: &str) -> Result<Option<String>, EntryError>;
    fn set(&self, name: &str, value: &str) -> Result<(), EntryError>;
    /// Deleting an entry that is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), EntryError>;
}

/// A header whose parts are not all there.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Incomplete;

fn part_name(name: &str, generation: &str, index: usize) -> String {
    format!("{name}#{generation}.{index}")
}

/// (generation, count) of a header.
fn header(value: &str) -> Option<(&str, usize)> {
    let (generation, count) = value.strip_prefix(HEADER)?.split_once(':')?;
    Some((generation, count.parse().ok()?))
}

/// Splits at character boundaries into pieces of at most `limit` characters.
fn pieces(value: &str, limit: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let end = rest.char_indices().nth(limit).map_or(rest.len(), |(at, _)| at);
        let (piece, after) = rest.split_at(end);
        pieces.push(piece);
        rest = after;
    }
    pieces
}

pub(super) fn set(entries: &impl Entries, name: &str, value: &str, limit: Option<usize>) -> Result<(), EntryError> {
    let Some(limit) = limit else { return entries.set(name, value) };
    let previous = entries.get(name)?;
    if value.chars().count() <= limit && !value.starts_with(HEADER) {
        entries.set(name, value)?;
    } else {
        let generation = format!("{:08x}", rand::random::<u32>());
        let pieces = pieces(value, limit);
        for (index, piece) in pieces.iter().enumerate() {
            entries.set(&part_name(name, &generation, index), piece)?;
        }
        entries.set(name, &format!("{HEADER}{generation}:{}", pieces.len()))?;
    }
    if let Some((generation, count)) = previous.as_deref().and_then(header) {
        for index in 0..count {
            let _ = entries.delete(&part_name(name, generation, index));
        }
    }
    Ok(())
}

pub(super) fn get(
    entries: &impl Entries,
    name: &str,
    limit: Option<usize>,
) -> Result<Result<Option<String>, Incomplete>, EntryError> {
    let value = entries.get(name)?;
    let Some((generation, count)) = value.as_deref().filter(|_| limit.is_some()).and_then(header) else {
        return Ok(Ok(value));
    };
    let mut whole = String::new();
    for index in 0..count {
        match entries.get(&part_name(name, generation, index))? {
            Some(piece) => whole.push_str(&piece),
            None => return Ok(Err(Incomplete)),
        }
    }
    Ok(Ok(Some(whole)))
}

pub(super) fn delete(entries: &impl Entries, name: &str, limit: Option<usize>) -> Result<(), EntryError> {
    if limit.is_some() {
        if let Some((generation, count)) = entries.get(name)?.as_deref().and_then(header) {
            for index in 0..count {
                entries.delete(&part_name(name, generation, index))?;
            }
        }
    }
    entries.delete(name)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;

    /// Entries that refuse a value longer than `limit`, as Credential Manager does.
    struct Capped {
        limit: usize,
        entries: RefCell<BTreeMap<String, String>>,
    }

    impl Capped {
        fn new(limit: usize) -> Self {
            Self { limit, entries: RefCell::default() }
        }
        fn names(&self) -> Vec<String> {
            self.entries.borrow().keys().cloned().collect()
        }
    }

    impl Entries for Capped {
        fn get(&self, name: &str) -> Result<Option<String>, EntryError> {
            Ok(self.entries.borrow().get(name).cloned())
        }
        fn set(&self, name: &str, value: &str) -> Result<(), EntryError> {
            if value.chars().count() > self.limit {
                return Err(EntryError::TooLong(value.chars().count()));
            }
            self.entries.borrow_mut().insert(name.into(), value.into());
            Ok(())
        }
        fn delete(&self, name: &str) -> Result<(), EntryError> {
            self.entries.borrow_mut().remove(name);
            Ok(())
        }
    }

    #[test]
    fn a_secret_longer_than_an_entry_is_stored_whole_in_parts_and_read_back_whole() {
        let store = Capped::new(100);
        let token = "x".repeat(250) + "-end";
        set(&store, "a/id_token", &token, Some(100)).unwrap();
        assert_eq!(get(&store, "a/id_token", Some(100)).unwrap(), Ok(Some(token.clone())));
        assert_eq!(store.names().len(), 4, "a header and three parts: {:?}", store.names());
        // Shorter again: one entry, and the old parts are gone.
        set(&store, "a/id_token", "short", Some(100)).unwrap();
        assert_eq!(store.names(), ["a/id_token"]);
        assert_eq!(get(&store, "a/id_token", Some(100)).unwrap(), Ok(Some("short".into())));
    }

    #[test]
    fn a_new_long_value_replaces_the_old_parts_and_deleting_removes_them_all() {
        let store = Capped::new(40);
        set(&store, "a/id_token", &"1".repeat(140), Some(40)).unwrap();
        set(&store, "a/id_token", &"2".repeat(100), Some(40)).unwrap();
        assert_eq!(store.names().len(), 4, "only the new generation's three parts: {:?}", store.names());
        assert_eq!(get(&store, "a/id_token", Some(40)).unwrap(), Ok(Some("2".repeat(100))));
        delete(&store, "a/id_token", Some(40)).unwrap();
        assert!(store.names().is_empty(), "{:?}", store.names());
    }

    #[test]
    fn a_missing_part_is_said_not_glued_over() {
        let store = Capped::new(40);
        set(&store, "a/id_token", &"3".repeat(100), Some(40)).unwrap();
        let part = store.names().into_iter().find(|name| name.ends_with(".1")).unwrap();
        store.delete(&part).unwrap();
        assert_eq!(get(&store, "a/id_token", Some(40)).unwrap(), Err(Incomplete));
    }

    #[test]
    fn without_a_limit_a_secret_is_one_entry_whatever_its_length() {
        let store = Capped::new(usize::MAX);
        set(&store, "a/id_token", &"y".repeat(5000), None).unwrap();
        assert_eq!(store.names(), ["a/id_token"]);
        assert_eq!(get(&store, "a/id_token", None).unwrap(), Ok(Some("y".repeat(5000))));
    }

    #[test]
    fn pieces_split_at_characters_not_bytes() {
        assert_eq!(pieces("ééééé", 2), ["éé", "éé", "é"]);
        assert_eq!(pieces("", 2), Vec::<&str>::new());
    }
}
