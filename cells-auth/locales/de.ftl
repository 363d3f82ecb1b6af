# Die Texte von cells-auth und Cells Sync, auf Deutsch.

## Der Zustand eines Kontos.

badge-needs-sign-in = Anmeldung nötig
badge-refreshing = Wird erneuert
badge-retrying = Neuer Versuch
badge-signed-in = Angemeldet
state-needs-sign-in = Anmeldung nötig
state-refreshing = wird erneuert
state-retrying = neuer Versuch
state-signed-in = angemeldet

## Wann das Zugriffstoken abläuft.

expiry-expired = abgelaufen
expiry-under-a-minute = läuft in weniger als einer Minute ab
expiry-minutes = { $minutes ->
    [one] läuft in { $minutes } Minute ab
   *[other] läuft in { $minutes } Minuten ab
}
expiry-hours = { $hours ->
    [one] läuft in { $hours } Stunde ab
   *[other] läuft in { $hours } Stunden ab
}
summary-signed-in = angemeldet, { $expiry }
countdown = Token { $expiry } · { $activity }
summary-expired = angemeldet, Token abgelaufen (wird bei der nächsten Verwendung erneuert)

## Die letzte Erneuerung, oder die Anmeldung.

refreshed-just-now = gerade erneuert
refreshed-minutes = { $minutes ->
    [one] vor { $minutes } Minute erneuert
   *[other] vor { $minutes } Minuten erneuert
}
refreshed-hours = { $hours ->
    [one] vor { $hours } Stunde erneuert
   *[other] vor { $hours } Stunden erneuert
}
signed-in-just-now = gerade angemeldet
signed-in-minutes = { $minutes ->
    [one] vor { $minutes } Minute angemeldet
   *[other] vor { $minutes } Minuten angemeldet
}
signed-in-hours = { $hours ->
    [one] vor { $hours } Stunde angemeldet
   *[other] vor { $hours } Stunden angemeldet
}

## Warum ein Konto es erneut versucht.

last-error = letzter Fehler: { $error }
retry-under-a-minute = nächster Versuch in weniger als einer Minute
retry-minutes = { $minutes ->
    [one] nächster Versuch in { $minutes } Minute
   *[other] nächster Versuch in { $minutes } Minuten
}
retry-hours = { $hours ->
    [one] nächster Versuch in { $hours } Stunde
   *[other] nächster Versuch in { $hours } Stunden
}

## Infobereich und Benachrichtigung.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } auf { $server } muss sich erneut anmelden
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } Konto muss sich anmelden
   *[other] Cells Sync: { $count } Konten müssen sich anmelden
}
tray-reauthenticate = { $user } erneut anmelden
tray-add-account = Konto hinzufügen…
tray-show-window = Fenster anzeigen
tray-quit = Beenden

## Die Zeilen der Kommandozeile für Menschen (was Skripte lesen, ändert sich nie).

cli-plain-http-warning = Warnung: { $server } verwendet unverschlüsseltes http; Tokens gehen unverschlüsselt über das Netz.
cli-open-address = Öffnen Sie diese Adresse im Browser, um sich bei { $server } anzumelden:
cli-open-yourself = Warnung: { $reason }; öffnen Sie die Adresse oben selbst.
cli-paste-back = Ist der Browser auf einem anderen Rechner: Melden Sie sich dort an, fügen Sie hier die Adresse ein, bei der er stehen bleibt (er meldet, dass er keine Verbindung herstellen kann), und drücken Sie die Eingabetaste. Oder leiten Sie zuerst den Port weiter: ssh -L { $port }:localhost:{ $port } <dieser Rechner>
cli-waiting = Warte auf den Browser an { $redirect } (Zeitlimit { $timeout }; Strg-C bricht ab)…
cli-signed-in = Angemeldet als { $user } bei { $server } (Konto { $account })
cli-not-taken = Nicht übernommen: { $reason }.
cli-no-accounts = Keine Konten. Anmelden mit: cells-auth login <Server>
cli-account-on = { $user } auf { $server }
cli-insecure = (unsicher: unverschlüsseltes http)
cli-refreshed = { $user } auf { $server } erneuert: das Zugriffstoken { $expiry }
cli-revoked = der Server hat sein Aktualisierungstoken widerrufen
cli-no-revocation = der Server bietet keinen Widerruf an
cli-nothing-to-revoke = es gab kein Aktualisierungstoken zu widerrufen
cli-revocation-failed = Widerruf fehlgeschlagen (siehe oben)
cli-revocation-warning = Warnung: Das Aktualisierungstoken konnte auf dem Server nicht widerrufen werden: { $reason }
cli-signed-out = { $user } von { $server } abgemeldet (Konto { $account }): lokale Geheimnisse gelöscht; { $outcome }.

## Die letzte Seite im Browser nach einer Anmeldung.

page-title = Cells-Anmeldung: { $title }
page-signed-in = Angemeldet
page-signed-in-detail = Bei { $server } als { $user } angemeldet. Sie können diesen Tab schließen und zur App zurückkehren.
page-sign-in-failed = Anmeldung fehlgeschlagen
page-sign-in-failed-detail = { $error }. Kehren Sie zur App zurück, um es erneut zu versuchen.
page-already-done = Bereits erledigt
page-already-done-detail = Diese Anmeldung wurde bereits beantwortet. Sie können diesen Tab schließen.
page-closed = Anmeldung beendet
page-closed-detail = Die App wartet nicht mehr auf diese Anmeldung. Starten Sie sie in der App neu.
page-back = Zurück zur App
page-back-detail = Die Antwort hat die App erreicht. Kehren Sie zu ihr zurück, um das Ergebnis zu sehen.
page-wrong-address = Falsche Adresse
page-wrong-address-detail = Dieser Server antwortet nur unter localhost.
page-not-found = Nicht gefunden
page-not-found-detail = Hier ist nichts.
page-not-allowed = Nicht erlaubt
page-not-allowed-detail = Hier wird nur die Weiterleitung der Anmeldung bedient.
page-not-this-sign-in = Nicht diese Anmeldung

## Das Fenster. Werte in geschweiften Klammern setzt das Fenster ein.

window-title = Cells Sync: Konten
window-accounts = Konten
window-empty-title = Noch kein Konto.
window-empty-text = Geben Sie unten die Adresse Ihres Cells-Servers an. Ihr Browser öffnet dessen Anmeldeseite; die Tokens werden im Schlüsselbund dieses Computers aufbewahrt.
window-add-heading = Konto hinzufügen
window-server-label = Serveradresse
window-server-placeholder = https://cells.example.com
window-sign-in = Anmelden
window-server-give = Geben Sie die Adresse Ihres Cells-Servers an, etwa https://cells.example.com
window-server-signs-in = Meldet sich bei { $address } an
window-server-insecure = { $address }: unverschlüsseltes http, die Tokens gehen unverschlüsselt über das Netz
window-pending-heading = Warten auf Ihren Browser
window-pending-port = Anmeldung bei { $server }. Die Antwort kommt auf Port { $port } zu dieser App zurück (http://localhost:{ $port }).
window-pending-link = Anmeldung bei { $server }. Der Browser übergibt die Antwort über einen cellsauth://-Link an diese App.
window-pending-url-label = Hat sich kein Browser geöffnet, öffnen Sie diese Adresse selbst:
window-copy = Kopieren
window-copied = Kopiert
window-paste-label = Browser auf einem anderen Rechner oder in einer Sandbox? Melden Sie sich dort an und fügen Sie die Adresse ein, bei der er stehen blieb (er meldet, dass er keine Verbindung herstellen kann):
window-paste-submit = Diese Adresse verwenden
window-paste-taken = Übernommen: Anmeldung wird abgeschlossen…
window-reopen = Browser erneut öffnen
window-cancel = Abbrechen
window-use-link = Anmeldung von einer Firewall blockiert? Stattdessen einen cellsauth://-Link verwenden
window-sign-in-cancelled = Anmeldung abgebrochen.
window-start-at-login = Mit der Sitzung starten, nur im Infobereich
window-copy-diagnostics = Diagnose kopieren
window-open-log = Protokollordner öffnen
window-diagnostics-label = Diagnose (ohne Passwort oder Token)
window-diagnostics-copied = Diagnose kopiert: Fügen Sie sie in Ihren Bericht ein. Sie enthält weder Passwort noch Token.
window-diagnostics-shown = Diagnose unten angezeigt und markiert: Kopieren Sie sie (Strg+C) in Ihren Bericht. Sie enthält weder Passwort noch Token.
window-certificate-heading = Zertifikat dieses Servers prüfen
window-certificate-subject = Inhaber
window-certificate-issuer = Aussteller
window-certificate-valid = Gültig
window-certificate-untrusted = { $server } legt ein Zertifikat vor, dem dieser Computer nicht vertraut ({ $reason }).
window-certificate-changed = { $server } legt ein anderes Zertifikat vor als das, dem für ihn vertraut wird (SHA-256 { $pinned }). So sieht ein Abfangen aus: Vertrauen Sie dem neuen nur, wenn das Zertifikat des Servers absichtlich ersetzt wurde.
window-certificate-hint = Vertrauen Sie ihm nur, wenn sein SHA-256 der ist, den der Administrator Ihres Servers angibt. Auch Ihr Browser wird vor diesem Zertifikat warnen: Akzeptieren Sie es dort nur, wenn er denselben SHA-256 zeigt.
window-trust-certificate = Diesem Zertifikat vertrauen
window-certificate-not-trusted = Dem Zertifikat wurde nicht vertraut; keine Anmeldung wurde gestartet.
window-plain-http = unverschlüsseltes http
window-reauthenticate = Erneut anmelden
window-refresh-now = Jetzt erneuern
window-refreshed = Erneuert.
window-sign-out = Abmelden
window-keep-signed-in = Angemeldet bleiben
window-confirm-sign-out = { $user } von { $server } abmelden?
window-account-action = { $action }: { $user } auf { $server }
window-language = Sprache
window-language-system = Systemsprache

## Die Ergebnismeldungen der App.

app-signed-in = Angemeldet als { $user } bei { $server }
app-signed-out-revoked = { $user } abgemeldet; der Server hat seine Sitzung widerrufen.
app-signed-out = { $user } abgemeldet.
app-signed-out-not-told = { $user } auf diesem Computer abgemeldet, aber der Server konnte nicht benachrichtigt werden: { $reason }
app-browser-not-opened = der Browser konnte nicht geöffnet werden ({ $reason })
app-unknown-language = { $tag } ist keine der Sprachen von Cells Sync

## Was schiefging: jeder Fehler nach seiner Art, mit seinen Werten. Ein
## Wert in Klammern, der vom System, einer Bibliothek oder dem Server
## kommt, wird gezeigt, wie er kam.

# Der Schlüsselbund und die Kontendatei.
error-no-secret-service = kein Secret Service ist da, um die Token aufzubewahren ({ $reason }): Starten Sie gnome-keyring oder einen anderen Secret Service (etwa KeePassXC) in Ihrer Sitzung und versuchen Sie es erneut
error-keyring-locked = der Schlüsselbund ist gesperrt: Entsperren Sie ihn ({ $how }) und versuchen Sie es erneut
keyring-unlock-linux = zum Beispiel in „Passwörter und Verschlüsselung“ oder durch Anmelden an der Sitzung
keyring-unlock-macos = in der Schlüsselbundverwaltung oder durch erneutes Anmelden an Ihrem Mac
keyring-unlock-windows = melden Sie sich erneut als dieser Benutzer bei Windows an; die Anmeldeinformationsverwaltung ist nur in Ihrer eigenen Sitzung offen
error-secret-incomplete = der Schlüsselbund enthält nur einen Teil des Werts „{ $kind }“: Melden Sie sich erneut an
error-keyring-timeout = der Schlüsselbund hat nicht innerhalb von { $seconds } s geantwortet; vielleicht wartet er auf ein Passwort: Entsperren Sie ihn und versuchen Sie es erneut
error-secret-too-long = der Schlüsselbund hat es abgelehnt, „{ $kind }“ mit { $bytes } Bytes aufzubewahren, länger als er annimmt
secret-refresh-token = Aktualisierungstoken
secret-access-token = Zugriffstoken
secret-id-token = ID-Token
secret-any = Geheimnis
error-keyring = der Schlüsselbund ist gescheitert: { $reason }
error-no-config-dir = kein Konfigurationsordner gefunden: Geben Sie einen in { $variable } an
error-io = Fehler beim { $action } von { $path }: { $reason }
io-create = Anlegen
io-write = Schreiben
io-sync = Synchronisieren
io-replace = Ersetzen
io-open = Öffnen
io-lock = Sperren
io-read = Lesen
io-tell-who-owns = Ermitteln des Besitzers
io-read-access-list = Lesen der Zugriffsliste
io-bind = Lauschen auf
io-remove = Entfernen
error-unsafe-dir = der Konfigurationsordner { $path } { $reason }: Wer ihn ändern kann, kann bestimmen, wohin die Token gehen; machen Sie ihn allein zu Ihrem ({ $fix }) und versuchen Sie es erneut
private-dir-other-owner = gehört einem anderen Benutzer ({ $owner })
private-dir-no-owner = gehört niemandem
private-dir-writable-by-others = ist für andere Benutzer beschreibbar ({ $who })
private-dir-no-access-list = hat keine Zugriffsliste, also darf jeder ihn ändern
private-dir-unreadable-access-list = hat eine Zugriffsliste, die sich nicht lesen lässt
private-dir-fix-unix = chmod 700
private-dir-fix-windows = in seinen Eigenschaften, Sicherheit: Nur Ihr Benutzer, SYSTEM und Administratoren dürfen ihn ändern
error-lock-timeout = ein anderer cells-auth-Prozess hält { $path } seit { $seconds } s (er ist vielleicht angehalten oder hängt): Beenden Sie ihn oder versuchen Sie es erneut
error-account-file-damaged = die Kontendatei { $path } ist beschädigt ({ $reason }): Verschieben Sie sie und melden Sie sich erneut an
error-unknown-account = kein Konto passt zu „{ $selector }“: `cells-auth status` listet sie auf
error-missing-secret = „{ $kind }“ des Kontos { $account } fehlt im Schlüsselbund: Melden Sie sich erneut an
error-io-bare = Fehler beim { $action }: { $reason }
io-tell-user = Ermitteln dieses Benutzers
io-make-pipe-permissions = Festlegen der Rechte der Pipe

# Der Token-Agent.
error-agent-running = für diesen Benutzer läuft schon ein Agent (auf { $endpoint }): Nutzen Sie ihn oder beenden Sie ihn zuerst
error-agent-unsafe-dir = der Ordner des Agenten { $path } gehört nicht diesem Benutzer allein (er muss Modus 0700 haben und Ihnen gehören): Entfernen Sie ihn und starten Sie erneut

# Das Netzwerk.
verbatim = { $text }
error-body-too-large = die Antwort ist größer als { $kib } KiB
error-tls-client = der HTTPS-Client lässt sich nicht starten ({ $reason }); prüfen Sie, ob die TLS-Zertifikate des Systems (SSL_CERT_FILE, SSL_CERT_DIR) lesbar sind
error-proxy-address = { $variable } ist keine brauchbare Proxy-Adresse: Geben Sie eine wie http://proxy.example.com:3128 an (oder http://benutzer:passwort@proxy:3128), oder entfernen Sie sie
transport-proxy-authentication = der Proxy verlangt Benutzername und Passwort (HTTP 407): Schreiben Sie sie in die Proxy-Adresse, wie in HTTPS_PROXY=http://benutzer:passwort@proxy.example.com:3128
transport-timed-out = keine Antwort in der Zeit (Zeitüberschreitung)
transport-certificate-refused = das Zertifikat des Servers wird abgelehnt: { $reason }
transport-tls-handshake = der TLS-Handshake ist gescheitert ({ $reason }); bietet der Server auf diesem Port wirklich https an, mit einem Zertifikat, dem dieser Computer vertraut?
transport-refused = Verbindung abgelehnt
transport-reset = Verbindung vom Server zurückgesetzt
transport-no-such-host = der Hostname lässt sich nicht auflösen
transport-cannot-connect = keine Verbindung möglich: { $reason }
json-problem = { $kind } in Zeile { $line }, Spalte { $column }
json-read-error = Lesefehler
json-not-json = kein JSON
json-wrong-field = ein Feld fehlt oder hat den falschen Typ
json-truncated = abgeschnittenes JSON

# Token.
error-token-transport = der Token-Endpunkt { $url } ist nicht erreichbar: { $reason }
error-token-refused = der Server hat die Token-Anfrage abgelehnt: { $error }
error-token-refused-described = der Server hat die Token-Anfrage abgelehnt: { $error } ({ $description })
error-token-status = der Endpunkt { $url } hat mit HTTP { $status } geantwortet, ohne OAuth-Fehler
error-token-no-status = der Endpunkt { $url } hat mit einem Fehler geantwortet, ohne OAuth-Fehler
error-token-invalid = die Antwort des Token-Endpunkts ist keine gültige Token-Antwort: { $reason }
error-bad-endpoint = „{ $what }“ des Servers, „{ $url }“, ist keine gültige URL
endpoint-token = Token-Endpunkt
endpoint-redirect-uri = Weiterleitungs-URI
endpoint-revocation = Widerrufs-Endpunkt
endpoint-authorization = Autorisierungs-Endpunkt
endpoint-key-set = Schlüsselsatz (jwks_uri)
endpoint-logout = Abmelde-Endpunkt
endpoint-userinfo = Userinfo-Endpunkt
token-not-json = es ist kein JSON-Dokument
token-not-bearer = token_type ist „{ $type }“, erwartet wird Bearer
token-empty = das Zugriffstoken ist leer
token-clock-out-of-range = die lokale Uhr liegt außerhalb des Bereichs
json-problem-at = { $problem } (bei { $path })

# Die Serveradresse und was sie anbietet.
error-address-empty = die Serveradresse ist leer: Geben Sie eine wie https://cells.example.com an
error-address-white-space = die Serveradresse „{ $input }“ enthält Leerzeichen: Geben Sie eine wie https://cells.example.com an
error-address-scheme = die Serveradresse „{ $input }“ verwendet „{ $scheme }“: Nur https:// (oder http:// in einem vertrauenswürdigen Netz) wird unterstützt
error-address-invalid = „{ $input }“ ist keine gültige Serveradresse: Geben Sie eine wie https://cells.example.com an
error-address-no-host = die Serveradresse „{ $input }“ hat keinen Hostnamen: Geben Sie eine wie https://cells.example.com an
error-address-credentials = die Serveradresse „{ $input }“ darf weder Benutzernamen noch Passwort enthalten
error-address-query = die Serveradresse „{ $input }“ darf weder Abfrage (?...) noch Fragment (#...) enthalten
error-address-oidc-path = „{ $input }“ ist die Adresse des OpenID-Dienstes, nicht des Servers: Verwenden Sie { $suggestion }
error-discovery-transport = { $url } ist nicht erreichbar: { $reason }
error-discovery-redirected = { $url } leitet nach { $location } weiter: Melden Sie sich mit der Adresse an, zu der es weiterleitet
error-discovery-redirected-elsewhere = { $url } leitet zu einer anderen Adresse weiter: Melden Sie sich mit der Adresse an, zu der es weiterleitet
error-discovery-not-found = keine OpenID-Konfiguration unter { $url } (HTTP 404): Prüfen Sie, ob das die Adresse eines Cells-Servers ist
error-discovery-status = { $url } hat statt der OpenID-Konfiguration mit HTTP { $status } geantwortet: Der Server oder ein Proxy davor hat einen Fehler
error-discovery-too-large = { $url } hat statt einer OpenID-Konfiguration mehr als { $kib } KiB gesendet: Prüfen Sie die Serveradresse
error-discovery-html = { $url } hat statt der OpenID-Konfiguration eine HTML-Seite geliefert: Vielleicht antwortet ein Proxy vor Cells; prüfen Sie die Serveradresse
error-discovery-invalid = { $url } ist keine gültige OpenID-Konfiguration: { $reason }
error-discovery-issuer = { $url } nennt den Aussteller { $found }, aber ein Cells-Server unter dieser Adresse ist { $expected }: Prüfen Sie die Serveradresse (oder die Einstellung seiner externen URL)
error-endpoint-scheme = { $url } gibt als „{ $endpoint }“ { $found } an, keine http(s)-Adresse: Dort wird nichts geöffnet und nichts hingeschickt
error-endpoint-foreign = { $url } schickt „{ $endpoint }“ an { $found }, eine andere Adresse als die des Servers: abgelehnt (ein Endpunkt anderswo ist die Form eines Mix-up-Angriffs)
error-endpoint-insecure = { $url } schickt „{ $endpoint }“ an { $found }, ohne https, obwohl der Server https verwendet: Geheimnisse werden nicht über http geschickt
discovery-issuer-not-a-url = der Aussteller ist keine URL
discovery-endpoint-not-a-url = „{ $endpoint }“, „{ $found }“, ist keine URL
discovery-no-pkce = der Server unterstützt kein PKCE mit S256, das dieser Client verlangt

# Zertifikate.
error-fingerprint = „{ $input }“ ist kein SHA-256-Fingerabdruck: Geben Sie die 64 Hexadezimalziffern an, die die Fehlermeldung zeigte (Doppelpunkte optional)
error-ca-file-unreadable = die CA-Datei { $path } lässt sich nicht lesen: { $reason }
error-ca-file-empty = die CA-Datei { $path } enthält kein PEM-Zertifikat (-----BEGIN CERTIFICATE-----): Geben Sie das Zertifikat der privaten CA an
error-ca-file-bad-anchor = das Zertifikat der CA-Datei taugt nicht als Vertrauensanker: { $reason }
certificate-subject = Inhaber:
certificate-issuer = Aussteller:
certificate-valid = gültig:
certificate-validity = { $from } bis { $to }
error-certificate-untrusted =
    { $server } legt ein Zertifikat vor, dem dieser Computer nicht vertraut ({ $reason }):
    { $certificate }
    Wenn das das Zertifikat Ihres Servers ist (vergleichen Sie SHA-256 mit dem, was sein Administrator sieht), fahren Sie mit einem dieser Befehle fort:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <die PEM-Datei der privaten CA>
    Ihr Browser wird ebenfalls vor diesem Zertifikat warnen: Akzeptieren Sie es dort nur, wenn er denselben SHA-256 zeigt.
error-certificate-changed =
    { $server } legt ein anderes Zertifikat vor als das, dem für ihn vertraut wurde (SHA-256 { $pinned }). Vorgelegt wird:
    { $certificate }
    Es wird nicht stillschweigend angenommen: So sieht ein Abfangen aus. Wenn das Zertifikat des Servers absichtlich ersetzt wurde (fragen Sie seinen Administrator), vertrauen Sie dem neuen mit:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = es ist selbstsigniert oder von einer unbekannten Stelle signiert
certificate-expired = es ist abgelaufen
certificate-not-yet-valid = es ist noch nicht gültig
certificate-wrong-name = es ist nicht für diese Adresse ausgestellt
certificate-not-the-pinned-one = es ist nicht das Zertifikat, dem für diesen Server vertraut wird
certificate-self-signed = es ist selbstsigniert
certificate-unverifiable = es lässt sich nicht prüfen: { $reason }

# Das ID-Token.
error-id-token-malformed = das ID-Token ist kein gültiges signiertes JWT: { $reason }
error-id-token-algorithm = das ID-Token ist mit „{ $algorithm }“ signiert, das nicht angenommen wird (nur RS256 oder ES256)
error-id-token-keys = die Signaturschlüssel des Servers lassen sich nicht von { $url } holen: { $reason }
error-id-token-unknown-key = kein Schlüssel im Schlüsselsatz des Servers passt zum ID-Token (Schlüssel-ID { $kid })
error-id-token-signature = die Signatur des ID-Tokens lässt sich mit den Schlüsseln des Servers nicht bestätigen
error-id-token-issuer = das ID-Token wurde von { $found } ausgestellt, nicht von diesem Server ({ $expected })
error-id-token-audience = das ID-Token ist für { $found } bestimmt, nicht für { $expected }
error-id-token-azp = das ID-Token wurde für { $found } ausgestellt, nicht für { $expected } (azp)
error-id-token-expired = das ID-Token ist am { $at } abgelaufen: Prüfen Sie die Uhr dieses Computers
error-id-token-future = das ID-Token gibt an, am { $at } ausgestellt zu sein, in der Zukunft: Prüfen Sie die Uhr dieses Computers
error-id-token-nonce = die Nonce des ID-Tokens passt nicht zu dieser Anmeldung
error-id-token-no-nonce = das ID-Token trägt keine Nonce, und diese Anmeldung hat kein PKCE verwendet
error-id-token-no-subject = das ID-Token nennt keinen Inhaber
keys-status = HTTP { $status }
keys-not-a-key-set = kein JSON-Schlüsselsatz ({ $problem })
jwt-claims = Claims: { $problem }
jwt-bad-header = der Header ist kein gültiger JWS-Header
jwt-exp-out-of-range = exp liegt außerhalb des Bereichs
jwt-iat-out-of-range = iat liegt außerhalb des Bereichs
jwt-not-three-parts = drei durch Punkte getrennte Teile erwartet
jwt-header-not-base64url = der Header ist kein base64url
jwt-no-alg = der Header hat kein alg

# Die Anmeldung.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = kein freier Port für die Anmelde-Weiterleitung: Die Ports { $first }–{ $last } sind auf 127.0.0.1 und [::1] alle belegt oder verboten; schließen Sie die Programme, die sie halten, und versuchen Sie es erneut
error-dev-port-taken = Port { $port } für die Entwicklungs-Weiterleitung ist auf 127.0.0.1 oder [::1] belegt oder verboten: Geben Sie ihn frei oder melden Sie sich ohne --dev-redirect an
error-loopback = auf der lokalen Schnittstelle lässt sich nicht lauschen: { $reason }
error-sign-in-timeout = keine Antwort vom Browser innerhalb von { $wait }: Melden Sie sich erneut an (--timeout setzt eine längere Wartezeit)
error-sign-in-cancelled = Anmeldung abgebrochen
error-sign-in-denied = die Anmeldung wurde im Browser abgebrochen ({ $error })
error-sign-in-denied-described = die Anmeldung wurde im Browser abgebrochen ({ $error }: { $description })
error-sign-in-refused = der Server hat die Anmeldung abgelehnt ({ $error })
error-sign-in-refused-described = der Server hat die Anmeldung abgelehnt ({ $error }: { $description })
error-sign-in-wrong-issuer = die Antwort kam von { $found }, nicht von { $expected }: Anmeldung abgebrochen (Schutz vor Mix-up)
error-sign-in-unnamed-issuer = die Antwort kam von einem unbenannten Aussteller, nicht von { $expected }: Anmeldung abgebrochen (Schutz vor Mix-up)
error-sign-in-tokens = die Token lassen sich nicht holen: { $reason }
error-sign-in-rejected = Anmeldung zurückgewiesen: { $reason }
error-sign-in-missing-token = der Server hat kein „{ $kind }“ geliefert; prüfen Sie, ob der Client cells-sync die Scopes „openid“ und „offline“ erhalten darf
error-sign-in-aborted = die Anmeldung endete, bevor der Browser antwortete
error-answer-not-a-link = kein cellsauth://callback-Link
error-answer-not-the-redirect = das ist nicht die Adresse, auf die diese Anmeldung wartet: Fügen Sie die ganze Adresse ein, bei der der Browser endete, beginnend mit { $expected }
error-answer-already = diese Anmeldung wurde schon beantwortet
error-answer-closed = die Anmeldung wartet nicht mehr
error-answer-nothing-pending = keine Anmeldung wartet auf einen cellsauth-Link
stray-other-sign-in = diese Antwort gehört zu einer anderen Anmeldung (der Zustand passt nicht)
stray-no-state = diese Antwort trägt keinen Zustand
stray-no-code = diese Antwort trägt weder Code noch Fehler
stray-repeated-parameter = ein Parameter kommt doppelt vor
stray-head-request = eine HEAD-Anfrage kann keine Anmeldung abschließen

# Die Token frisch halten.
error-no-account = kein Konto { $id }
error-needs-sign-in = { $user } auf { $server } muss sich erneut anmelden ({ $reason })
error-retry-later = das Zugriffstoken von { $user } auf { $server } lässt sich nicht erneuern: { $reason }; nächster Versuch am { $at }
error-retry-later-long = das Zugriffstoken von { $user } auf { $server } lässt sich nicht erneuern (nächster Versuch am { $at }): { $reason }
refresh-issuer-changed = der Server nennt seinen Aussteller jetzt { $found }, nicht { $expected }
refresh-account-file-changed = die Kontendatei passt nicht mehr zu diesem Konto (ihr Server oder Aussteller wurde geändert); nichts wurde gesendet: Melden Sie sich erneut an
refresh-token-missing = das Aktualisierungstoken fehlt im Schlüsselbund
refresh-refused = der Server hat das Aktualisierungstoken abgelehnt: { $reason }
refresh-rotated-not-stored = der Schlüsselbund hat das neue Aktualisierungstoken nicht innerhalb von { $seconds } s angenommen ({ $reason }), und das alte ist verbraucht
refresh-rotated-kept = das neue Aktualisierungstoken ließ sich noch nicht speichern ({ $reason }); es wird behalten, bis es geht
refresh-other-user = das erneuerte ID-Token nennt einen anderen Benutzer ({ $user }) als den angemeldeten
refresh-id-token-refused = das erneuerte ID-Token ist nicht annehmbar: { $reason }
refresh-keyring-worker-failed = der Schlüsselbund-Arbeiter ist gescheitert: { $reason }
refresh-last-attempt-failed = der letzte Versuch ist gescheitert
transport-proxy-refused = der Proxy hat die Verbindung zum Server abgelehnt (prüfen Sie seine Regeln oder NO_PROXY)
sign-out-account-file-changed = die Kontendatei passt nicht mehr zu diesem Konto; nichts wurde gesendet
error-no-accounts = keine Konten: Melden Sie sich zuerst mit `cells-auth login <server>` an
error-ambiguous-account = „{ $selector }“ passt zu mehreren Konten ({ $ids }): Geben Sie die Konto-ID an

## Datum und Uhrzeit, in der Zeitzone dieses Computers.
format-moment = { $day }.{ $month }.{ $year }, { $hour }:{ $minute }
format-day = { $day }.{ $month }.{ $year }

## Die eigenen Fehler der Befehlszeile und der App.
cli-cannot-start = Start nicht möglich: { $reason }
cli-log-filter = { $variable } ist kein gültiger Filter ({ $reason }); das Protokoll bleibt aus
cli-rejected-unreadable = das abgelehnte Token lässt sich nicht von der Standardeingabe lesen: { $reason }
cli-rejected-too-long = das abgelehnte Token auf der Standardeingabe ist länger als jedes Zugriffstoken: Geben Sie nur das Token an
cli-rejected-missing = --rejected liest das vom Server abgelehnte Token von der Standardeingabe, und dort war keins: Leiten Sie es hinein, wie in  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = beantwortet Token-Anfragen auf { $address } (Strg-C beendet)
cli-trust-on-plain-http = { $server } verwendet unverschlüsseltes http, das kein Zertifikat hat, dem man vertrauen könnte: Verwenden Sie seine https://-Adresse
cli-cannot-write-json = JSON lässt sich nicht schreiben: { $reason }
browser-not-started = der Browser des Systems ließ sich nicht starten ({ $reason })
sign-in-no-browser = für diese Anmeldung ist kein Browser geöffnet: Öffnen Sie die Adresse selbst
app-cannot-write = { $path } lässt sich nicht schreiben: { $reason }
app-cannot-remove = { $path } lässt sich nicht entfernen: { $reason }
app-no-program-path = es lässt sich nicht ermitteln, wo dieses Programm liegt ({ $reason }), daher kann es nicht bei der Anmeldung starten
app-no-home = kein persönlicher Ordner: { $reason }
app-no-config-dir = kein Konfigurationsordner: { $reason }
app-cannot-change-registry = { $key } lässt sich nicht ändern: { $reason }
app-no-log-folder = kein Protokollordner auf diesem System ({ $reason })
app-log-not-opened = das Protokoll in { $path } lässt sich nicht öffnen ({ $reason })
app-log-filter = { $variable } ist kein gültiger Filter ({ $reason })
app-log-folder-not-opened = der Protokollordner lässt sich nicht öffnen ({ $reason })
app-log-not-started = das Protokoll hat nicht begonnen
app-no-sign-in-waiting = keine Anmeldung wartet

## Die Hilfe der Befehlszeile (`cells-auth --help`).
cli-usage-error = { $problem } (siehe cells-auth --help)
help-about = Bei Pydio-Cells-Servern anmelden und ihre Token im Schlüsselbund des Systems aufbewahren
help-login = Über den Browser bei einem Cells-Server anmelden.
help-login-server = Der Server: https://cells.example.com, cells.example.com oder http://host:port/unter/pfad.
help-login-dev-redirect = Die Antwort auf http://localhost:3000/servers/callback empfangen (von Cells für die Entwicklung registriert).
help-login-timeout = Wie lange auf den Browser gewartet wird, in Sekunden.
help-login-no-browser = Keinen Browser öffnen; nur die zu öffnende Adresse ausgeben.
help-login-trust-certificate = Genau dem Zertifikat mit diesem SHA-256-Fingerabdruck für diesen Server vertrauen (einem selbstsignierten).
help-login-ca-file = Der privaten CA in dieser PEM-Datei für diesen Server vertrauen.
help-status = Die Konten und den Zustand ihrer Token auflisten.
help-status-json = JSON ausgeben: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Ein Zugriffstoken mit mindestens einer Minute Restzeit ausgeben (einem Viertel seiner Lebensdauer, wenn das kürzer ist), vorher erneuert, wenn nötig.
help-token-more = Es bleibt gültig, bis es abläuft oder ersetzt wird, je nachdem, was zuerst eintritt. Es wird ersetzt, wenn nur noch diese Minute bleibt, und Cells widerruft es dann. Auf eine mit 401 abgelehnte Anfrage fragt man mit --rejected erneut.
help-token-account = Die Konto-ID, oder sein Login oder Server, wenn nur ein Konto passt; kann bei nur einem Konto entfallen.
help-token-rejected = Ein Server hat ein Token abgelehnt (401): dieses Token von der Standardeingabe lesen und ein neueres ausgeben. Das Aktualisierungstoken wird nur verbraucht, wenn das abgelehnte Token noch das aktuelle ist, wie viele auch fragen.
help-token-json = JSON ausgeben: {"{"}"access_token","token_type","expires_at"{"}"}, für Aufrufer, die ihre Arbeit selbst planen.
help-refresh = Die Token eines Kontos jetzt erneuern.
help-refresh-account = Die Konto-ID, oder sein Login oder Server, wenn nur ein Konto passt; kann bei nur einem Konto entfallen.
help-logout = Abmelden: das Aktualisierungstoken auf dem Server widerrufen, die lokalen Geheimnisse löschen und das Konto vergessen.
help-logout-account = Die Konto-ID, oder sein Login oder Server, wenn nur ein Konto passt.
help-agent = Die Token im Speicher frisch halten und `cells-auth token` auf dem Socket dieses Benutzers beantworten, im Vordergrund.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    Das Cells-Sync-Fenster: bei Pydio-Cells-Servern anmelden; der Infobereich hält die Token frisch.

      --hidden        nur mit dem Infobereich starten (wie beim Start mit der Sitzung); das Fenster öffnet sich von dort
      --dev-redirect  über http://localhost:3000/servers/callback anmelden
      -V, --version   die Version ausgeben
      -h, --help      diese Hilfe ausgeben

    Die Befehlszeile, für Skripte: cells-auth --help
help-usage = Aufruf:
help-options = Optionen
help-arguments = Argumente
help-commands = Befehle
help-help = Hilfe ausgeben
help-version = Version ausgeben
help-help-command = Diese Meldung oder die Hilfe der angegebenen Unterbefehle ausgeben
