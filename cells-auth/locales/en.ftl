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

## What went wrong: each error, by its kind, with its values. A value in
## braces that is a reason from the system, a library or the server is
## shown as it came.

# The keyring and the account file.
error-no-secret-service = no Secret Service is available to keep the tokens ({ $reason }): start gnome-keyring or another Secret Service (such as KeePassXC) in your desktop session, then try again
error-keyring-locked = the keyring is locked: unlock it ({ $how }) and try again
keyring-unlock-linux = for example in Passwords and Keys, or by signing in to the desktop session
keyring-unlock-macos = in Keychain Access, or by signing in to your Mac again
keyring-unlock-windows = sign in to Windows as this user again; Credential Manager is open only in your own session
error-secret-incomplete = the keyring holds only part of the { $kind }: sign in again
error-keyring-timeout = the keyring did not answer within { $seconds } s; it may be waiting for a password prompt: unlock it and try again
error-secret-too-long = the keyring refused to store a { $kind } of { $bytes } bytes, longer than it accepts
secret-refresh-token = refresh token
secret-access-token = access token
secret-id-token = ID token
secret-any = secret
error-keyring = the keyring failed: { $reason }
error-no-config-dir = cannot find a configuration directory: set { $variable } to one
error-io = cannot { $action } { $path }: { $reason }
io-create = create
io-write = write
io-sync = sync
io-replace = replace
io-open = open
io-lock = lock
io-read = read
io-tell-who-owns = tell who owns
io-read-access-list = read the access list of
io-bind = listen on
io-remove = remove
error-unsafe-dir = the configuration directory { $path } { $reason }: whoever can change it can say where the tokens are sent; make it yours alone ({ $fix }) and try again
private-dir-other-owner = belongs to another user ({ $owner })
private-dir-no-owner = belongs to nobody
private-dir-writable-by-others = can be written by other users ({ $who })
private-dir-no-access-list = has no access list, so anyone may change it
private-dir-unreadable-access-list = has an access list that cannot be read
private-dir-fix-unix = chmod 700
private-dir-fix-windows = in its Properties, Security: only your user, SYSTEM and Administrators may change it
error-lock-timeout = another cells-auth process has held { $path } for { $seconds } s (it may be stopped or hung): end it, or try again
error-account-file-damaged = the account file { $path } is damaged ({ $reason }): move it away and sign in again
error-unknown-account = no account matches '{ $selector }': `cells-auth status` lists them
error-missing-secret = the { $kind } of account { $account } is missing from the keyring: sign in again
error-io-bare = cannot { $action }: { $reason }
io-tell-user = tell this user's identity
io-make-pipe-permissions = make the pipe's permissions

# The token agent.
error-agent-running = an agent is already running for this user (on { $endpoint }): use it, or stop it first
error-agent-unsafe-dir = the agent's directory { $path } is not this user's alone (it must be mode 0700 and yours): remove it and start again

# The network.
verbatim = { $text }
error-body-too-large = the answer is larger than { $kib } KiB
error-tls-client = cannot start the HTTPS client ({ $reason }); check that the system's TLS certificates (SSL_CERT_FILE, SSL_CERT_DIR) are readable
error-proxy-address = { $variable } is not a usable proxy address: give one like http://proxy.example.com:3128 (or http://user:password@proxy:3128), or unset it
transport-proxy-authentication = the proxy asks for a user name and password (HTTP 407): put them in the proxy address, as in HTTPS_PROXY=http://user:password@proxy.example.com:3128
transport-timed-out = no answer in time (timed out)
transport-certificate-refused = the server's certificate is refused: { $reason }
transport-tls-handshake = TLS handshake failed ({ $reason }); is the server really serving https on this port, with a certificate this computer trusts?
transport-refused = connection refused
transport-reset = connection reset by the server
transport-no-such-host = cannot resolve the host name
transport-cannot-connect = cannot connect: { $reason }
json-problem = { $kind } at line { $line } column { $column }
json-read-error = read error
json-not-json = not JSON
json-wrong-field = a field is missing or of the wrong type
json-truncated = truncated JSON

# Tokens.
error-token-transport = cannot reach the token endpoint { $url }: { $reason }
error-token-refused = the server refused the token request: { $error }
error-token-refused-described = the server refused the token request: { $error } ({ $description })
error-token-status = the endpoint { $url } answered HTTP { $status } without an OAuth error
error-token-no-status = the endpoint { $url } answered an error without an OAuth error
error-token-invalid = the token endpoint's answer is not a valid token response: { $reason }
error-bad-endpoint = the server's { $what } '{ $url }' is not a valid URL
endpoint-token = token endpoint
endpoint-redirect-uri = redirect URI
endpoint-revocation = revocation endpoint
endpoint-authorization = authorization endpoint
endpoint-key-set = key set (jwks_uri)
endpoint-logout = logout endpoint
endpoint-userinfo = userinfo endpoint
token-not-json = it is not a JSON document
token-not-bearer = token_type is '{ $type }', expected Bearer
token-empty = the access token is empty
token-clock-out-of-range = the local clock is out of range
json-problem-at = { $problem } (at { $path })

# The server address, and what it serves.
error-address-empty = the server address is empty: give one like https://cells.example.com
error-address-white-space = the server address '{ $input }' contains white space: give one like https://cells.example.com
error-address-scheme = the server address '{ $input }' uses '{ $scheme }': only https:// (or http:// on a trusted network) is supported
error-address-invalid = '{ $input }' is not a valid server address: give one like https://cells.example.com
error-address-no-host = the server address '{ $input }' has no host name: give one like https://cells.example.com
error-address-credentials = the server address '{ $input }' must not contain a user name or password
error-address-query = the server address '{ $input }' must not contain a query (?...) or fragment (#...)
error-address-oidc-path = '{ $input }' is the address of the OpenID service, not of the server: use { $suggestion }
error-discovery-transport = cannot reach { $url }: { $reason }
error-discovery-redirected = { $url } redirects to { $location }: sign in with the address it redirects to
error-discovery-redirected-elsewhere = { $url } redirects to another address: sign in with the address it redirects to
error-discovery-not-found = no OpenID configuration at { $url } (HTTP 404): check that this is the address of a Cells server
error-discovery-status = { $url } answered HTTP { $status } instead of the OpenID configuration: the server or a proxy in front of it is failing
error-discovery-too-large = { $url } sent more than { $kib } KiB instead of an OpenID configuration: check the server address
error-discovery-html = { $url } returned an HTML page instead of the OpenID configuration: a proxy in front of Cells may be answering; check the server address
error-discovery-invalid = { $url } is not a valid OpenID configuration: { $reason }
error-discovery-issuer = { $url } names the issuer { $found }, but a Cells server at this address is { $expected }: check the server address (or the server's external URL setting)
error-endpoint-scheme = { $url } gives the { $endpoint } as { $found }, which is not an http(s) address: refusing to open or send anything there
error-endpoint-foreign = { $url } sends the { $endpoint } to { $found }, on another address than the server's own: refusing it (an endpoint elsewhere is how a mix-up attack looks)
error-endpoint-insecure = { $url } sends the { $endpoint } to { $found }, which is not https although the server is: refusing to send secrets over plain http
discovery-issuer-not-a-url = the issuer is not a URL
discovery-endpoint-not-a-url = the { $endpoint } '{ $found }' is not a URL
discovery-no-pkce = the server does not support PKCE with S256, which this client requires

# Certificates.
error-fingerprint = '{ $input }' is not a SHA-256 fingerprint: give the 64 hex digits the error message showed (colons optional)
error-ca-file-unreadable = cannot read the CA file { $path }: { $reason }
error-ca-file-empty = the CA file { $path } holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the private CA's certificate
error-ca-file-bad-anchor = the CA file's certificate cannot be used as a trust anchor: { $reason }
certificate-subject = subject:
certificate-issuer = issuer:
certificate-valid = valid:
certificate-validity = { $from } to { $to }
error-certificate-untrusted =
    { $server } presents a certificate this computer does not trust ({ $reason }):
    { $certificate }
    If this is your server's certificate (compare the SHA-256 with what its administrator sees), go on with one of:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <the private CA's PEM file>
    Your browser will warn about this certificate too: accept it there only if it shows the same SHA-256.
error-certificate-changed =
    { $server } presents another certificate than the one trusted for it, which was SHA-256 { $pinned }. It presents:
    { $certificate }
    It is not accepted silently: this is how an interception looks. If the server's certificate was replaced on purpose (ask its administrator), trust the new one with:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = it is self-signed or signed by an authority it does not know
certificate-expired = it has expired
certificate-not-yet-valid = it is not valid yet
certificate-wrong-name = it is not issued for this address
certificate-not-the-pinned-one = it is not the certificate trusted for this server
certificate-self-signed = it is self-signed
certificate-unverifiable = it cannot be verified: { $reason }

# The ID token.
error-id-token-malformed = the ID token is not a valid signed JWT: { $reason }
error-id-token-algorithm = the ID token is signed with '{ $algorithm }', which is not accepted (RS256 or ES256 only)
error-id-token-keys = cannot fetch the server's signing keys from { $url }: { $reason }
error-id-token-unknown-key = no key in the server's key set matches the ID token (key id { $kid })
error-id-token-signature = the ID token's signature does not verify with the server's keys
error-id-token-issuer = the ID token was issued by { $found }, not by this server ({ $expected })
error-id-token-audience = the ID token is meant for { $found }, not for { $expected }
error-id-token-azp = the ID token was issued to { $found }, not to { $expected } (azp)
error-id-token-expired = the ID token expired at { $at }: check this computer's clock
error-id-token-future = the ID token claims to be issued at { $at }, in the future: check this computer's clock
error-id-token-nonce = the ID token's nonce does not match this sign-in
error-id-token-no-nonce = the ID token carries no nonce, and this sign-in did not use PKCE
error-id-token-no-subject = the ID token names no subject
keys-status = HTTP { $status }
keys-not-a-key-set = not a JSON key set ({ $problem })
jwt-claims = claims: { $problem }
jwt-bad-header = the header is not a valid JWS header
jwt-exp-out-of-range = exp is out of range
jwt-iat-out-of-range = iat is out of range
jwt-not-three-parts = expected three dot-separated parts
jwt-header-not-base64url = the header is not base64url
jwt-no-alg = the header has no alg

# Signing in.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = no free port for the sign-in redirect: ports { $first }-{ $last } are all in use or forbidden on 127.0.0.1 and [::1]; close the programs holding them and try again
error-dev-port-taken = port { $port } for the development redirect is in use or forbidden on 127.0.0.1 or [::1]: free it, or sign in without --dev-redirect
error-loopback = cannot listen on the loopback interface: { $reason }
error-sign-in-timeout = no answer from the browser within { $wait }: sign in again (--timeout sets a longer wait)
error-sign-in-cancelled = sign-in cancelled
error-sign-in-denied = the sign-in was cancelled in the browser ({ $error })
error-sign-in-denied-described = the sign-in was cancelled in the browser ({ $error }: { $description })
error-sign-in-refused = the server refused the sign-in ({ $error })
error-sign-in-refused-described = the server refused the sign-in ({ $error }: { $description })
error-sign-in-wrong-issuer = the answer came from { $found }, not from { $expected }: sign-in aborted (mix-up defence)
error-sign-in-unnamed-issuer = the answer came from an unnamed issuer, not from { $expected }: sign-in aborted (mix-up defence)
error-sign-in-tokens = cannot get the tokens: { $reason }
error-sign-in-rejected = sign-in rejected: { $reason }
error-sign-in-missing-token = the server returned no { $kind }; check that the client cells-sync is allowed the 'openid' and 'offline' scopes
error-sign-in-aborted = the sign-in stopped before the browser answered
error-answer-not-a-link = not a cellsauth://callback link
error-answer-not-the-redirect = that is not the address this sign-in waits for: paste the whole address the browser ended on, starting with { $expected }?
error-answer-already = this sign-in has already been answered
error-answer-closed = the sign-in is no longer waiting
error-answer-nothing-pending = no sign-in is waiting for a cellsauth link
stray-other-sign-in = this answer is for another sign-in (state does not match)
stray-no-state = this answer carries no state
stray-no-code = this answer carries neither a code nor an error
stray-repeated-parameter = a parameter is repeated
stray-head-request = a HEAD request cannot complete a sign-in

# Keeping the tokens fresh.
error-no-account = no account { $id }
error-needs-sign-in = { $user } on { $server } needs a new sign-in ({ $reason })
error-retry-later = cannot refresh the access token of { $user } on { $server }: { $reason }; next attempt at { $at }
error-retry-later-long = cannot refresh the access token of { $user } on { $server } (next attempt at { $at }): { $reason }
refresh-issuer-changed = the server now names its issuer { $found }, not { $expected }
refresh-account-file-changed = the account file no longer matches this account (its server or issuer was changed); nothing was sent: sign in again
refresh-token-missing = the refresh token is missing from the keyring
refresh-refused = the server refused the refresh token: { $reason }
refresh-rotated-not-stored = the keyring did not take the new refresh token within { $seconds } s ({ $reason }), and the old one is spent
refresh-rotated-kept = the new refresh token could not be stored yet ({ $reason }); it is kept until it can be
refresh-other-user = the refreshed ID token names another user ({ $user }) than the one signed in
refresh-id-token-refused = the refreshed ID token is not acceptable: { $reason }
refresh-keyring-worker-failed = the keyring worker failed: { $reason }
refresh-last-attempt-failed = the last attempt failed
transport-proxy-refused = the proxy refused to connect to the server (check the proxy's rules, or NO_PROXY)
sign-out-account-file-changed = the account file no longer matches this account; nothing was sent
error-no-accounts = no accounts: sign in first with `cells-auth login <server>`
error-ambiguous-account = '{ $selector }' matches several accounts ({ $ids }): give the account id

## Dates and times, in this computer's time zone.
format-moment = { $year }-{ $month }-{ $day } { $hour }:{ $minute }
format-day = { $year }-{ $month }-{ $day }

## The command line's own errors, and the app's.
cli-cannot-start = cannot start: { $reason }
cli-log-filter = { $variable } is not a valid filter ({ $reason }); logging stays off
cli-rejected-unreadable = cannot read the refused token from standard input: { $reason }
cli-rejected-too-long = the refused token on standard input is longer than any access token: give the token alone
cli-rejected-missing = --rejected reads the token the server refused from standard input, and there was none: pipe it in, as in  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = answering token requests on { $address } (Ctrl-C stops)
cli-trust-on-plain-http = { $server } uses plain http, which has no certificate to trust: use its https:// address
cli-cannot-write-json = cannot write JSON: { $reason }
browser-not-started = the system browser could not be started ({ $reason })
sign-in-no-browser = no browser is opened for this sign-in: open the address yourself
app-cannot-write = cannot write { $path }: { $reason }
app-cannot-remove = cannot remove { $path }: { $reason }
app-no-program-path = cannot tell where this program is ({ $reason }), so it cannot be started at login
app-no-home = no home directory: { $reason }
app-no-config-dir = no configuration directory: { $reason }
app-cannot-change-registry = cannot change { $key }: { $reason }
app-no-log-folder = no log folder on this system ({ $reason })
app-log-not-opened = cannot open the log in { $path } ({ $reason })
app-log-filter = { $variable } is not a valid filter ({ $reason })
app-log-folder-not-opened = cannot open the log folder ({ $reason })
app-log-not-started = the log has not started
app-no-sign-in-waiting = no sign-in is waiting

## The command line's help (`cells-auth --help`).
cli-usage-error = { $problem } (see cells-auth --help)
help-about = Sign in to Pydio Cells servers and keep their tokens in the OS keyring
help-login = Sign in to a Cells server through the browser.
help-login-server = The server: https://cells.example.com, cells.example.com or http://host:port/sub/path.
help-login-dev-redirect = Receive the answer on http://localhost:3000/servers/callback (registered by Cells for development).
help-login-timeout = How long to wait for the browser, in seconds.
help-login-no-browser = Do not open a browser; only print the address to open.
help-login-trust-certificate = Trust exactly the certificate with this SHA-256 fingerprint for this server (a self-signed one).
help-login-ca-file = Trust the private CA in this PEM file for this server.
help-status = List the accounts and the state of their tokens.
help-status-json = Print JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Print an access token with at least a minute left (a quarter of its lifetime when that is shorter), refreshing first if needed.
help-token-more = It stays good until it expires or is replaced, whichever comes first. It is replaced when only that minute is left, and Cells then revokes it. A request refused with 401 is answered by asking again with --rejected.
help-token-account = The account id, or its login or server when only one account matches; may be left out when there is one account.
help-token-rejected = A server refused a token (401): read that token from standard input and print a newer one. The refresh token is spent only if the refused token is still the current one, however many ask.
help-token-json = Print JSON: {"{"}"access_token","token_type","expires_at"{"}"}, for callers that schedule their own work.
help-refresh = Refresh an account's tokens now.
help-refresh-account = The account id, or its login or server when only one account matches; may be left out when there is one account.
help-logout = Sign out: revoke the refresh token on the server, delete the local secrets and forget the account.
help-logout-account = The account id, or its login or server when only one account matches.
help-agent = Keep the tokens fresh in memory and answer `cells-auth token` on this user's socket, in the foreground.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    The Cells Sync window: sign in to Pydio Cells servers; the tray keeps the tokens fresh.

      --hidden        start with only the tray (as a start at login does); the window opens from it
      --dev-redirect  sign in through http://localhost:3000/servers/callback
      -V, --version   print the version
      -h, --help      print this

    The command line, for scripts: cells-auth --help
help-usage = Usage:
help-options = Options
help-arguments = Arguments
help-commands = Commands
help-help = Print help
help-version = Print version
help-help-command = Print this message or the help of the given subcommand(s)
