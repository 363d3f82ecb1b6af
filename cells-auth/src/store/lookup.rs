//! Which account a command names: an id, or a login or server address when
//! only one account matches. The command line and the agent read it alike.

use super::Account;
use crate::discovery::ServerUrl;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", crate::i18n::Said::said(self))]
pub enum LookupError {
    Unknown(String),
    NoAccounts,
    Ambiguous { selector: String, ids: String },
}

impl crate::i18n::Said for LookupError {
    fn message(&self) -> crate::i18n::Message {
        use crate::i18n::Message;
        match self {
            LookupError::Unknown(selector) => Message::new("error-unknown-account").with("selector", selector),
            LookupError::NoAccounts => Message::new("error-no-accounts"),
            LookupError::Ambiguous { selector, ids } => {
                Message::new("error-ambiguous-account").with("selector", selector).with("ids", ids)
            }
        }
    }
}

/// The account `selector` names: its id, or, when only one matches, its login or server.
pub fn find_account(accounts: &[Account], selector: &str) -> Result<Account, LookupError> {
    if let Some(account) = accounts.iter().find(|a| a.id == selector) {
        return Ok(account.clone());
    }
    let server = ServerUrl::parse(selector).ok();
    let matches: Vec<&Account> = accounts
        .iter()
        .filter(|a| a.user == selector || server.as_ref().is_some_and(|s| s.as_str() == a.server))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(LookupError::Unknown(selector.to_string())),
        many => Err(LookupError::Ambiguous {
            selector: selector.to_string(),
            ids: many.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// The account `selector` names, or the only account when none is named.
pub fn find_account_or_only(accounts: &[Account], selector: Option<&str>) -> Result<Account, LookupError> {
    if let Some(selector) = selector {
        return find_account(accounts, selector);
    }
    match accounts {
        [one] => Ok(one.clone()),
        [] => Err(LookupError::NoAccounts),
        many => Err(LookupError::Ambiguous {
            selector: "no account named".to_string(),
            ids: many.iter().map(|a| format!("{} ({} on {})", a.id, a.user, a.server)).collect::<Vec<_>>().join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::account;

    #[test]
    fn finds_accounts_by_id_login_or_server_when_unambiguous() {
        let (alice, bob) = (account("u-1", "alice"), account("u-2", "bob"));
        let both = [alice.clone(), bob.clone()];
        assert_eq!(find_account(&both, &alice.id), Ok(alice.clone()));
        assert_eq!(find_account(&both, "bob"), Ok(bob.clone()));
        assert!(matches!(find_account(&both, "https://h/"), Err(LookupError::Ambiguous { .. })));
        assert_eq!(find_account(&both, "carol"), Err(LookupError::Unknown("carol".into())));
        assert_eq!(find_account(std::slice::from_ref(&alice), "h"), Ok(alice.clone()));
    }

    #[test]
    fn no_selector_means_the_only_account() {
        let alice = account("u-1", "alice");
        assert_eq!(find_account_or_only(std::slice::from_ref(&alice), None), Ok(alice.clone()));
        assert_eq!(find_account_or_only(&[], None), Err(LookupError::NoAccounts));
        assert!(matches!(
            find_account_or_only(&[alice, account("u-2", "bob")], None),
            Err(LookupError::Ambiguous { .. })
        ));
    }
}
