# The texts of cells-auth and Cells Sync, in English: the reference catalog.
# Every other language has exactly these messages, with the same variables.
# A count is always a selector's number, so that each language says it with
# its own plural forms (Latvian has one for zero, French counts 0 as one).

## An account's state: the badge in the window, and the one-word state of
## the tray and of `cells-auth status`.

badge-needs-sign-in = Needs sign-in
badge-refreshing = Refreshing
badge-retrying = Retrying
badge-signed-in = Signed in
state-needs-sign-in = needs sign-in
state-refreshing = refreshing
state-retrying = retrying
state-signed-in = signed in

## When the access token expires.

expiry-expired = expired
expiry-under-a-minute = expires in under a minute
expiry-minutes = { $minutes ->
    [one] expires in { $minutes } minute
   *[other] expires in { $minutes } minutes
}
expiry-hours = { $hours ->
    [one] expires in { $hours } hour
   *[other] expires in { $hours } hours
}
summary-signed-in = signed in, { $expiry }
countdown = token { $expiry } · { $activity }
summary-expired = signed in, token expired (the next use refreshes it)

## The last refresh, or the sign-in when there was none.

refreshed-just-now = refreshed just now
refreshed-minutes = { $minutes ->
    [one] refreshed { $minutes } minute ago
   *[other] refreshed { $minutes } minutes ago
}
refreshed-hours = { $hours ->
    [one] refreshed { $hours } hour ago
   *[other] refreshed { $hours } hours ago
}
signed-in-just-now = signed in just now
signed-in-minutes = { $minutes ->
    [one] signed in { $minutes } minute ago
   *[other] signed in { $minutes } minutes ago
}
signed-in-hours = { $hours ->
    [one] signed in { $hours } hour ago
   *[other] signed in { $hours } hours ago
}

## Why an account is retrying.

last-error = last error: { $error }
retry-under-a-minute = next retry in under a minute
retry-minutes = { $minutes ->
    [one] next retry in { $minutes } minute
   *[other] next retry in { $minutes } minutes
}
retry-hours = { $hours ->
    [one] next retry in { $hours } hour
   *[other] next retry in { $hours } hours
}

## The tray and the desktop notification.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } on { $server } needs to sign in again
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } account needs sign-in
   *[other] Cells Sync: { $count } accounts need sign-in
}
tray-reauthenticate = Re-authenticate { $user }
tray-add-account = Add account…
tray-show-window = Show window
tray-quit = Quit

## The command line's lines for people (what scripts read never changes).

cli-plain-http-warning = Warning: { $server } uses plain http; tokens will cross the network unencrypted.
cli-open-address = Open this address in your browser to sign in to { $server }:
cli-open-yourself = Warning: { $reason }; open the address above yourself.
cli-paste-back = If the browser is on another machine: sign in there, then paste here the address it ends on (it says it cannot connect) and press Enter. Or forward the port first: ssh -L { $port }:localhost:{ $port } <this machine>
cli-waiting = Waiting for the browser on { $redirect } (times out in { $timeout }; Ctrl-C cancels)...
cli-signed-in = Signed in as { $user } on { $server } (account { $account })
cli-not-taken = Not taken: { $reason }.
cli-no-accounts = No accounts. Sign in with: cells-auth login <server>
cli-account-on = { $user } on { $server }
cli-insecure = (insecure: plain http)
cli-refreshed = Refreshed { $user } on { $server }: the access token { $expiry }
cli-revoked = the server revoked its refresh token
cli-no-revocation = the server offers no revocation
cli-nothing-to-revoke = there was no refresh token to revoke
cli-revocation-failed = revocation failed (see above)
cli-revocation-warning = Warning: could not revoke the refresh token on the server: { $reason }
cli-signed-out = Signed out { $user } from { $server } (account { $account }): local secrets deleted; { $outcome }.

## The browser's last page, after a sign-in, in the app's language.

page-title = Cells sign-in: { $title }
page-signed-in = Signed in
page-signed-in-detail = Signed in to { $server } as { $user }. You can close this tab and return to the app.
page-sign-in-failed = Sign-in failed
page-sign-in-failed-detail = { $error }. Return to the app to try again.
page-already-done = Already done
page-already-done-detail = This sign-in has already been answered. You can close this tab.
page-closed = Sign-in closed
page-closed-detail = The app is no longer waiting for this sign-in. Start it again from the app.
page-back = Back to the app
page-back-detail = The answer reached the app. Return to it to see the result.
page-wrong-address = Wrong address
page-wrong-address-detail = This server only answers at localhost.
page-not-found = Not found
page-not-found-detail = Nothing here.
page-not-allowed = Not allowed
page-not-allowed-detail = Only the sign-in redirect is served here.
page-not-this-sign-in = Not this sign-in

## The window. Values in braces are filled in by the window itself.

window-title = Cells Sync: accounts
window-accounts = Accounts
window-empty-title = No account yet.
window-empty-text = Give the address of your Cells server below. Your browser opens its sign-in page; the tokens are kept in this computer's keyring.
window-add-heading = Add an account
window-server-label = Server address
window-server-placeholder = https://cells.example.com
window-sign-in = Sign in
window-server-give = Give the address of your Cells server, like https://cells.example.com
window-server-signs-in = Signs in to { $address }
window-server-insecure = { $address }: plain http, the tokens cross the network unencrypted
window-pending-heading = Waiting for your browser
window-pending-port = Signing in to { $server }. The answer comes back to this app on port { $port } (http://localhost:{ $port }).
window-pending-link = Signing in to { $server }. The browser will hand the answer to this app through a cellsauth:// link.
window-pending-url-label = If no browser opened, open this address yourself:
window-copy = Copy
window-copied = Copied
window-paste-label = Browser on another machine, or in a sandbox? Sign in there, then paste the address it ended on (it says it cannot connect):
window-paste-submit = Use this address
window-paste-taken = Taken: finishing the sign-in…
window-reopen = Open the browser again
window-cancel = Cancel
window-use-link = Sign-in blocked by a firewall? Use a cellsauth:// link instead
window-sign-in-cancelled = Sign-in cancelled.
window-start-at-login = Start at login, with only the tray
window-copy-diagnostics = Copy diagnostics
window-open-log = Open the log folder
window-diagnostics-label = Diagnostics (no password or token in them)
window-diagnostics-copied = Diagnostics copied: paste them into your report. They hold no password or token.
window-diagnostics-shown = Diagnostics shown below, selected: copy them (Ctrl+C) into your report. They hold no password or token.
window-certificate-heading = Check this server's certificate
window-certificate-subject = Subject
window-certificate-issuer = Issuer
window-certificate-valid = Valid
window-certificate-validity = { $from } to { $to }
window-certificate-untrusted = { $server } presents a certificate this computer does not trust ({ $reason }).
window-certificate-changed = { $server } presents another certificate than the one trusted for it (SHA-256 { $pinned }). This is how an interception looks: trust the new one only if the server's certificate was replaced on purpose.
window-certificate-hint = Trust it only if its SHA-256 is the one your server's administrator gives. Your browser will warn about this certificate too: accept it there only if it shows the same SHA-256.
window-trust-certificate = Trust this certificate
window-certificate-not-trusted = The certificate was not trusted; no sign-in was started.
window-plain-http = plain http
window-reauthenticate = Re-authenticate
window-refresh-now = Refresh now
window-refreshed = Refreshed.
window-sign-out = Sign out
window-keep-signed-in = Keep signed in
window-confirm-sign-out = Sign out { $user } from { $server }?
window-account-action = { $action } { $user } on { $server }
window-language = Language
window-language-system = System language

## The app's outcome lines.

app-signed-in = Signed in as { $user } on { $server }
app-signed-out-revoked = Signed out { $user }; the server revoked its session.
app-signed-out = Signed out { $user }.
app-signed-out-not-told = Signed out { $user } on this computer, but the server could not be told: { $reason }
app-browser-not-opened = the browser could not be opened ({ $reason })
app-unknown-language = { $tag } is not one of the languages of Cells Sync
