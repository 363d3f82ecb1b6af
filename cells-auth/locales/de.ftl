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
window-certificate-validity = { $from } bis { $to }
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
