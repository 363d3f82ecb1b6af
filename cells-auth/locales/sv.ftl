# Texterna i cells-auth och Cells Sync, på svenska.

## Ett kontos tillstånd.

badge-needs-sign-in = Inloggning krävs
badge-refreshing = Förnyar
badge-retrying = Försöker igen
badge-signed-in = Inloggad
state-needs-sign-in = inloggning krävs
state-refreshing = förnyar
state-retrying = försöker igen
state-signed-in = inloggad

## När åtkomsttoken går ut.

expiry-expired = har gått ut
expiry-under-a-minute = går ut om mindre än en minut
expiry-minutes = { $minutes ->
    [one] går ut om { $minutes } minut
   *[other] går ut om { $minutes } minuter
}
expiry-hours = { $hours ->
    [one] går ut om { $hours } timme
   *[other] går ut om { $hours } timmar
}
summary-signed-in = inloggad, { $expiry }
countdown = token { $expiry } · { $activity }
summary-expired = inloggad, token har gått ut (förnyas vid nästa användning)

## Den senaste förnyelsen, eller inloggningen.

refreshed-just-now = förnyad nyss
refreshed-minutes = { $minutes ->
    [one] förnyad för { $minutes } minut sedan
   *[other] förnyad för { $minutes } minuter sedan
}
refreshed-hours = { $hours ->
    [one] förnyad för { $hours } timme sedan
   *[other] förnyad för { $hours } timmar sedan
}
signed-in-just-now = inloggad nyss
signed-in-minutes = { $minutes ->
    [one] inloggad för { $minutes } minut sedan
   *[other] inloggad för { $minutes } minuter sedan
}
signed-in-hours = { $hours ->
    [one] inloggad för { $hours } timme sedan
   *[other] inloggad för { $hours } timmar sedan
}

## Varför ett konto försöker igen.

last-error = senaste fel: { $error }
retry-under-a-minute = nästa försök om mindre än en minut
retry-minutes = { $minutes ->
    [one] nästa försök om { $minutes } minut
   *[other] nästa försök om { $minutes } minuter
}
retry-hours = { $hours ->
    [one] nästa försök om { $hours } timme
   *[other] nästa försök om { $hours } timmar
}

## Meddelandefältet och aviseringen.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } på { $server } måste logga in igen
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } konto måste logga in igen
   *[other] Cells Sync: { $count } konton måste logga in igen
}
tray-reauthenticate = Logga in igen ({ $user })
tray-add-account = Lägg till konto…
tray-show-window = Visa fönster
tray-quit = Avsluta

## Kommandoradens rader för människor (det skript läser ändras aldrig).

cli-plain-http-warning = Varning: { $server } använder okrypterad http; token skickas okrypterade över nätverket.
cli-open-address = Öppna den här adressen i webbläsaren för att logga in på { $server }:
cli-open-yourself = Varning: { $reason }; öppna adressen ovan själv.
cli-paste-back = Om webbläsaren finns på en annan dator: logga in där, klistra sedan in adressen den stannar på (den säger att den inte kan ansluta) och tryck på Retur. Eller vidarebefordra porten först: ssh -L { $port }:localhost:{ $port } <den här datorn>
cli-waiting = Väntar på webbläsaren på { $redirect } (tidsgräns { $timeout }; Ctrl-C avbryter)…
cli-signed-in = Inloggad som { $user } på { $server } (konto { $account })
cli-not-taken = Inte godtagen: { $reason }.
cli-no-accounts = Inga konton. Logga in med: cells-auth login <server>
cli-account-on = { $user } på { $server }
cli-insecure = (osäker: okrypterad http)
cli-refreshed = { $user } på { $server } förnyad: åtkomsttoken { $expiry }
cli-revoked = servern återkallade sin uppdateringstoken
cli-no-revocation = servern erbjuder ingen återkallelse
cli-nothing-to-revoke = det fanns ingen uppdateringstoken att återkalla
cli-revocation-failed = återkallelsen misslyckades (se ovan)
cli-revocation-warning = Varning: kunde inte återkalla uppdateringstoken på servern: { $reason }
cli-signed-out = { $user } utloggad från { $server } (konto { $account }): lokala hemligheter raderade; { $outcome }.

## Webbläsarens sista sida efter en inloggning.

page-title = Cells-inloggning: { $title }
page-signed-in = Inloggad
page-signed-in-detail = Inloggad på { $server } som { $user }. Du kan stänga den här fliken och gå tillbaka till appen.
page-sign-in-failed = Inloggningen misslyckades
page-sign-in-failed-detail = { $error }. Gå tillbaka till appen för att försöka igen.
page-already-done = Redan klart
page-already-done-detail = Den här inloggningen har redan besvarats. Du kan stänga den här fliken.
page-closed = Inloggningen stängd
page-closed-detail = Appen väntar inte längre på den här inloggningen. Starta den igen från appen.
page-back = Tillbaka till appen
page-back-detail = Svaret nådde appen. Gå tillbaka till den för att se resultatet.
page-wrong-address = Fel adress
page-wrong-address-detail = Den här servern svarar bara på localhost.
page-not-found = Hittades inte
page-not-found-detail = Här finns inget.
page-not-allowed = Inte tillåtet
page-not-allowed-detail = Här serveras bara inloggningens omdirigering.
page-not-this-sign-in = Inte den här inloggningen

## Fönstret. Värden inom klammer fyller fönstret i.

window-title = Cells Sync: konton
window-accounts = Konton
window-empty-title = Inget konto ännu.
window-empty-text = Ange adressen till din Cells-server nedan. Webbläsaren öppnar dess inloggningssida; token sparas i den här datorns nyckelring.
window-add-heading = Lägg till ett konto
window-server-label = Serveradress
window-server-placeholder = https://cells.example.com
window-sign-in = Logga in
window-server-give = Ange adressen till din Cells-server, till exempel https://cells.example.com
window-server-signs-in = Loggar in på { $address }
window-server-insecure = { $address }: okrypterad http, token skickas okrypterade över nätverket
window-pending-heading = Väntar på din webbläsare
window-pending-port = Loggar in på { $server }. Svaret kommer tillbaka till appen på port { $port } (http://localhost:{ $port }).
window-pending-link = Loggar in på { $server }. Webbläsaren lämnar svaret till appen via en cellsauth://-länk.
window-pending-url-label = Öppnades ingen webbläsare? Öppna den här adressen själv:
window-copy = Kopiera
window-copied = Kopierat
window-paste-label = Webbläsare på en annan dator eller i en sandlåda? Logga in där och klistra in adressen den stannade på (den säger att den inte kan ansluta):
window-paste-submit = Använd den här adressen
window-paste-taken = Mottaget: slutför inloggningen…
window-reopen = Öppna webbläsaren igen
window-cancel = Avbryt
window-use-link = Blockeras inloggningen av en brandvägg? Använd en cellsauth://-länk i stället
window-sign-in-cancelled = Inloggningen avbröts.
window-start-at-login = Starta vid inloggning, bara i meddelandefältet
window-copy-diagnostics = Kopiera diagnostik
window-open-log = Öppna loggmappen
window-diagnostics-label = Diagnostik (utan lösenord eller token)
window-diagnostics-copied = Diagnostiken kopierad: klistra in den i din rapport. Den innehåller inga lösenord eller token.
window-diagnostics-shown = Diagnostiken visas nedan, markerad: kopiera den (Ctrl+C) till din rapport. Den innehåller inga lösenord eller token.
window-certificate-heading = Kontrollera serverns certifikat
window-certificate-subject = Ämne
window-certificate-issuer = Utfärdare
window-certificate-valid = Giltigt
window-certificate-validity = { $from } till { $to }
window-certificate-untrusted = { $server } visar ett certifikat som den här datorn inte litar på ({ $reason }).
window-certificate-changed = { $server } visar ett annat certifikat än det som är godkänt för den (SHA-256 { $pinned }). Så ser en avlyssning ut: lita bara på det nya om serverns certifikat byttes med avsikt.
window-certificate-hint = Lita bara på det om dess SHA-256 är den som serverns administratör anger. Även webbläsaren varnar för certifikatet: godkänn det där bara om den visar samma SHA-256.
window-trust-certificate = Lita på certifikatet
window-certificate-not-trusted = Certifikatet godkändes inte; ingen inloggning startades.
window-plain-http = okrypterad http
window-reauthenticate = Logga in igen
window-refresh-now = Förnya nu
window-refreshed = Förnyad.
window-sign-out = Logga ut
window-keep-signed-in = Förbli inloggad
window-confirm-sign-out = Logga ut { $user } från { $server }?
window-account-action = { $action }: { $user } på { $server }
window-language = Språk
window-language-system = Systemets språk

## Appens resultatmeddelanden.

app-signed-in = Inloggad som { $user } på { $server }
app-signed-out-revoked = { $user } utloggad; servern återkallade sessionen.
app-signed-out = { $user } utloggad.
app-signed-out-not-told = { $user } utloggad på den här datorn, men servern kunde inte meddelas: { $reason }
app-browser-not-opened = webbläsaren kunde inte öppnas ({ $reason })
app-unknown-language = { $tag } är inte ett av Cells Syncs språk
