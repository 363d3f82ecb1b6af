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

## Vad som gick fel: varje fel efter sitt slag, med sina värden. Ett värde
## inom klamrar som kommer från systemet, ett bibliotek eller servern visas
## som det kom.

# Nyckelringen och kontofilen.
error-no-secret-service = ingen Secret Service finns som kan förvara token ({ $reason }): starta gnome-keyring eller en annan Secret Service (som KeePassXC) i din session och försök igen
error-keyring-locked = nyckelringen är låst: lås upp den ({ $how }) och försök igen
keyring-unlock-linux = till exempel i Lösenord och nycklar, eller genom att logga in i skrivbordssessionen
keyring-unlock-macos = i Nyckelringsåtkomst, eller genom att logga in på din Mac igen
keyring-unlock-windows = logga in i Windows som den här användaren igen; Autentiseringshanteraren är bara öppen i din egen session
error-secret-incomplete = nyckelringen har bara en del av { $kind }: logga in igen
error-keyring-timeout = nyckelringen svarade inte inom { $seconds } s; den kanske väntar på ett lösenord: lås upp den och försök igen
error-secret-too-long = nyckelringen vägrade förvara { $kind } på { $bytes } byte, längre än den tar emot
secret-refresh-token = förnyelsetoken
secret-access-token = åtkomsttoken
secret-id-token = ID-token
secret-any = hemlighet
error-keyring = nyckelringen misslyckades: { $reason }
error-no-config-dir = ingen konfigurationsmapp hittades: ange en i { $variable }
error-io = kan inte { $action } { $path }: { $reason }
io-create = skapa
io-write = skriva
io-sync = synkronisera
io-replace = ersätta
io-open = öppna
io-lock = låsa
io-read = läsa
io-tell-who-owns = avgöra vem som äger
io-read-access-list = läsa åtkomstlistan för
io-bind = lyssna på
io-remove = ta bort
error-unsafe-dir = konfigurationsmappen { $path } { $reason }: den som kan ändra den kan bestämma vart token skickas; gör den till bara din ({ $fix }) och försök igen
private-dir-other-owner = tillhör en annan användare ({ $owner })
private-dir-no-owner = tillhör ingen
private-dir-writable-by-others = kan skrivas av andra användare ({ $who })
private-dir-no-access-list = har ingen åtkomstlista, så vem som helst kan ändra den
private-dir-unreadable-access-list = har en åtkomstlista som inte går att läsa
private-dir-fix-unix = chmod 700
private-dir-fix-windows = i dess Egenskaper, Säkerhet: bara din användare, SYSTEM och Administratörer får ändra den
error-lock-timeout = en annan cells-auth-process har hållit { $path } i { $seconds } s (den kan vara stoppad eller hängd): avsluta den, eller försök igen
error-account-file-damaged = kontofilen { $path } är skadad ({ $reason }): flytta undan den och logga in igen
error-unknown-account = inget konto matchar ”{ $selector }”: `cells-auth status` listar dem
error-missing-secret = { $kind } för kontot { $account } saknas i nyckelringen: logga in igen
error-io-bare = kan inte { $action }: { $reason }
io-tell-user = avgöra den här användarens identitet
io-make-pipe-permissions = skapa rättigheterna för röret

# Tokenagenten.
error-agent-running = en agent körs redan för den här användaren (på { $endpoint }): använd den, eller stoppa den först
error-agent-unsafe-dir = agentens mapp { $path } är inte bara den här användarens (den måste ha läge 0700 och vara din): ta bort den och börja om

# Nätverket.
verbatim = { $text }
error-body-too-large = svaret är större än { $kib } KiB
error-tls-client = kan inte starta HTTPS-klienten ({ $reason }); kontrollera att systemets TLS-certifikat (SSL_CERT_FILE, SSL_CERT_DIR) går att läsa
error-proxy-address = { $variable } är ingen användbar proxyadress: ange en som http://proxy.example.com:3128 (eller http://användare:lösenord@proxy:3128), eller ta bort den
transport-proxy-authentication = proxyn kräver användarnamn och lösenord (HTTP 407): skriv dem i proxyadressen, som i HTTPS_PROXY=http://användare:lösenord@proxy.example.com:3128
transport-timed-out = inget svar i tid (tidsgränsen nåddes)
transport-certificate-refused = serverns certifikat avvisas: { $reason }
transport-tls-handshake = TLS-handskakningen misslyckades ({ $reason }); serverar servern verkligen https på den här porten, med ett certifikat som den här datorn litar på?
transport-refused = anslutningen nekades
transport-reset = servern bröt anslutningen
transport-no-such-host = värdnamnet går inte att slå upp
transport-cannot-connect = kan inte ansluta: { $reason }
json-problem = { $kind } på rad { $line }, kolumn { $column }
json-read-error = läsfel
json-not-json = inte JSON
json-wrong-field = ett fält saknas eller har fel typ
json-truncated = avkortad JSON

# Token.
error-token-transport = kan inte nå tokenslutpunkten { $url }: { $reason }
error-token-refused = servern avvisade tokenbegäran: { $error }
error-token-refused-described = servern avvisade tokenbegäran: { $error } ({ $description })
error-token-status = slutpunkten { $url } svarade HTTP { $status } utan OAuth-fel
error-token-no-status = slutpunkten { $url } svarade med ett fel utan OAuth-fel
error-token-invalid = tokenslutpunktens svar är inget giltigt tokensvar: { $reason }
error-bad-endpoint = serverns { $what } ”{ $url }” är ingen giltig URL
endpoint-token = tokenslutpunkt
endpoint-redirect-uri = omdirigerings-URI
endpoint-revocation = återkallningsslutpunkt
endpoint-authorization = auktoriseringsslutpunkt
endpoint-key-set = nyckeluppsättning (jwks_uri)
endpoint-logout = utloggningsslutpunkt
endpoint-userinfo = userinfo-slutpunkt
token-not-json = det är inget JSON-dokument
token-not-bearer = token_type är ”{ $type }”, Bearer väntades
token-empty = åtkomsttoken är tom
token-clock-out-of-range = den lokala klockan ligger utanför intervallet
json-problem-at = { $problem } (vid { $path })

# Serveradressen, och vad den serverar.
error-address-empty = serveradressen är tom: ange en som https://cells.example.com
error-address-white-space = serveradressen ”{ $input }” innehåller blanksteg: ange en som https://cells.example.com
error-address-scheme = serveradressen ”{ $input }” använder ”{ $scheme }”: bara https:// (eller http:// i ett betrott nätverk) stöds
error-address-invalid = ”{ $input }” är ingen giltig serveradress: ange en som https://cells.example.com
error-address-no-host = serveradressen ”{ $input }” har inget värdnamn: ange en som https://cells.example.com
error-address-credentials = serveradressen ”{ $input }” får inte innehålla användarnamn eller lösenord
error-address-query = serveradressen ”{ $input }” får inte innehålla en fråga (?...) eller ett fragment (#...)
error-address-oidc-path = ”{ $input }” är adressen till OpenID-tjänsten, inte till servern: använd { $suggestion }
error-discovery-transport = kan inte nå { $url }: { $reason }
error-discovery-redirected = { $url } omdirigerar till { $location }: logga in med adressen den omdirigerar till
error-discovery-redirected-elsewhere = { $url } omdirigerar till en annan adress: logga in med adressen den omdirigerar till
error-discovery-not-found = ingen OpenID-konfiguration på { $url } (HTTP 404): kontrollera att detta är adressen till en Cells-server
error-discovery-status = { $url } svarade HTTP { $status } i stället för OpenID-konfigurationen: servern, eller en proxy framför den, fungerar inte
error-discovery-too-large = { $url } skickade mer än { $kib } KiB i stället för en OpenID-konfiguration: kontrollera serveradressen
error-discovery-html = { $url } returnerade en HTML-sida i stället för OpenID-konfigurationen: en proxy framför Cells kanske svarar; kontrollera serveradressen
error-discovery-invalid = { $url } är ingen giltig OpenID-konfiguration: { $reason }
error-discovery-issuer = { $url } anger utfärdaren { $found }, men en Cells-server på den här adressen är { $expected }: kontrollera serveradressen (eller inställningen för dess externa URL)
error-endpoint-scheme = { $url } anger som { $endpoint } { $found }, som inte är en http(s)-adress: inget öppnas eller skickas dit
error-endpoint-foreign = { $url } skickar { $endpoint } till { $found }, en annan adress än serverns egen: avvisas (en slutpunkt på annat håll är hur en förväxlingsattack ser ut)
error-endpoint-insecure = { $url } skickar { $endpoint } till { $found }, som inte är https fast servern är det: inga hemligheter skickas över okrypterad http
discovery-issuer-not-a-url = utfärdaren är ingen URL
discovery-endpoint-not-a-url = { $endpoint } ”{ $found }” är ingen URL
discovery-no-pkce = servern stöder inte PKCE med S256, som den här klienten kräver

# Certifikat.
error-fingerprint = ”{ $input }” är inget SHA-256-fingeravtryck: ange de 64 hexadecimala siffror som felmeddelandet visade (kolon valfria)
error-ca-file-unreadable = kan inte läsa CA-filen { $path }: { $reason }
error-ca-file-empty = CA-filen { $path } innehåller inget PEM-certifikat (-----BEGIN CERTIFICATE-----): ange den privata CA:ns certifikat
error-ca-file-bad-anchor = CA-filens certifikat kan inte användas som förtroendeankare: { $reason }
certificate-subject = subjekt:
certificate-issuer = utfärdare:
certificate-valid = giltigt:
certificate-validity = { $from } till { $to }
error-certificate-untrusted =
    { $server } visar ett certifikat som den här datorn inte litar på ({ $reason }):
    { $certificate }
    Om detta är din servers certifikat (jämför SHA-256 med vad dess administratör ser), fortsätt med ett av:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <den privata CA:ns PEM-fil>
    Din webbläsare varnar också för det här certifikatet: godkänn det där bara om den visar samma SHA-256.
error-certificate-changed =
    { $server } visar ett annat certifikat än det som är betrott för den, som var SHA-256 { $pinned }. Den visar:
    { $certificate }
    Det godtas inte i tysthet: så ser en avlyssning ut. Om serverns certifikat byttes avsiktligt (fråga dess administratör), lita på det nya med:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = det är självsignerat eller signerat av en okänd utfärdare
certificate-expired = det har gått ut
certificate-not-yet-valid = det är inte giltigt än
certificate-wrong-name = det är inte utfärdat för den här adressen
certificate-not-the-pinned-one = det är inte certifikatet som är betrott för den här servern
certificate-self-signed = det är självsignerat
certificate-unverifiable = det kan inte verifieras: { $reason }

# ID-token.
error-id-token-malformed = ID-token är ingen giltig signerad JWT: { $reason }
error-id-token-algorithm = ID-token är signerad med ”{ $algorithm }”, som inte godtas (bara RS256 eller ES256)
error-id-token-keys = kan inte hämta serverns signeringsnycklar från { $url }: { $reason }
error-id-token-unknown-key = ingen nyckel i serverns nyckeluppsättning matchar ID-token (nyckel-id { $kid })
error-id-token-signature = ID-tokens signatur kan inte verifieras med serverns nycklar
error-id-token-issuer = ID-token utfärdades av { $found }, inte av den här servern ({ $expected })
error-id-token-audience = ID-token är avsedd för { $found }, inte för { $expected }
error-id-token-azp = ID-token utfärdades till { $found }, inte till { $expected } (azp)
error-id-token-expired = ID-token gick ut { $at }: kontrollera den här datorns klocka
error-id-token-future = ID-token påstår sig vara utfärdad { $at }, i framtiden: kontrollera den här datorns klocka
error-id-token-nonce = ID-tokens nonce stämmer inte med den här inloggningen
error-id-token-no-nonce = ID-token har ingen nonce, och den här inloggningen använde inte PKCE
error-id-token-no-subject = ID-token anger inget subjekt
keys-status = HTTP { $status }
keys-not-a-key-set = ingen JSON-nyckeluppsättning ({ $problem })
jwt-claims = anspråk: { $problem }
jwt-bad-header = huvudet är inget giltigt JWS-huvud
jwt-exp-out-of-range = exp ligger utanför intervallet
jwt-iat-out-of-range = iat ligger utanför intervallet
jwt-not-three-parts = tre punktseparerade delar väntades
jwt-header-not-base64url = huvudet är inte base64url
jwt-no-alg = huvudet har ingen alg

# Inloggningen.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = ingen ledig port för inloggningens omdirigering: portarna { $first }–{ $last } är alla upptagna eller förbjudna på 127.0.0.1 och [::1]; stäng programmen som håller dem och försök igen
error-dev-port-taken = port { $port } för utvecklingsomdirigeringen är upptagen eller förbjuden på 127.0.0.1 eller [::1]: frigör den, eller logga in utan --dev-redirect
error-loopback = kan inte lyssna på det lokala gränssnittet: { $reason }
error-sign-in-timeout = inget svar från webbläsaren inom { $wait }: logga in igen (--timeout ger en längre väntan)
error-sign-in-cancelled = inloggningen avbröts
error-sign-in-denied = inloggningen avbröts i webbläsaren ({ $error })
error-sign-in-denied-described = inloggningen avbröts i webbläsaren ({ $error }: { $description })
error-sign-in-refused = servern avvisade inloggningen ({ $error })
error-sign-in-refused-described = servern avvisade inloggningen ({ $error }: { $description })
error-sign-in-wrong-issuer = svaret kom från { $found }, inte från { $expected }: inloggningen avbröts (skydd mot förväxling)
error-sign-in-unnamed-issuer = svaret kom från en namnlös utfärdare, inte från { $expected }: inloggningen avbröts (skydd mot förväxling)
error-sign-in-tokens = kan inte hämta token: { $reason }
error-sign-in-rejected = inloggningen avvisades: { $reason }
error-sign-in-missing-token = servern returnerade ingen { $kind }; kontrollera att klienten cells-sync får omfången ”openid” och ”offline”
error-sign-in-aborted = inloggningen stoppades innan webbläsaren svarade
error-answer-not-a-link = ingen cellsauth://callback-länk
error-answer-not-the-redirect = det är inte adressen som den här inloggningen väntar på: klistra in hela adressen som webbläsaren stannade på, som börjar med { $expected }
error-answer-already = den här inloggningen har redan fått sitt svar
error-answer-closed = inloggningen väntar inte längre
error-answer-nothing-pending = ingen inloggning väntar på en cellsauth-länk
stray-other-sign-in = det här svaret hör till en annan inloggning (tillståndet stämmer inte)
stray-no-state = det här svaret har inget tillstånd
stray-no-code = det här svaret har varken kod eller fel
stray-repeated-parameter = en parameter upprepas
stray-head-request = en HEAD-begäran kan inte slutföra en inloggning

# Att hålla token färska.
error-no-account = inget konto { $id }
error-needs-sign-in = { $user } på { $server } måste logga in igen ({ $reason })
error-retry-later = kan inte förnya åtkomsttoken för { $user } på { $server }: { $reason }; nästa försök { $at }
error-retry-later-long = kan inte förnya åtkomsttoken för { $user } på { $server } (nästa försök { $at }): { $reason }
refresh-issuer-changed = servern anger nu utfärdaren { $found }, inte { $expected }
refresh-account-file-changed = kontofilen stämmer inte längre med det här kontot (dess server eller utfärdare har ändrats); inget skickades: logga in igen
refresh-token-missing = förnyelsetoken saknas i nyckelringen
refresh-refused = servern avvisade förnyelsetoken: { $reason }
refresh-rotated-not-stored = nyckelringen tog inte emot den nya förnyelsetoken inom { $seconds } s ({ $reason }), och den gamla är förbrukad
refresh-rotated-kept = den nya förnyelsetoken kunde inte sparas än ({ $reason }); den behålls tills det går
refresh-other-user = den förnyade ID-token anger en annan användare ({ $user }) än den inloggade
refresh-id-token-refused = den förnyade ID-token godtas inte: { $reason }
refresh-keyring-worker-failed = nyckelringens arbetare misslyckades: { $reason }
refresh-last-attempt-failed = det senaste försöket misslyckades
transport-proxy-refused = proxyn vägrade ansluta till servern (kontrollera proxyns regler, eller NO_PROXY)
sign-out-account-file-changed = kontofilen stämmer inte längre med det här kontot; inget skickades
error-no-accounts = inga konton: logga in först med `cells-auth login <server>`
error-ambiguous-account = ”{ $selector }” matchar flera konton ({ $ids }): ange kontots id

## Datum och tider, i den här datorns tidszon.
format-moment = { $year }-{ $month }-{ $day } { $hour }:{ $minute }
format-day = { $year }-{ $month }-{ $day }

## Kommandoradens egna fel, och appens.
cli-cannot-start = kan inte starta: { $reason }
cli-log-filter = { $variable } är inget giltigt filter ({ $reason }); loggningen förblir avstängd
cli-rejected-unreadable = kan inte läsa den avvisade token från standard in: { $reason }
cli-rejected-too-long = den avvisade token på standard in är längre än någon åtkomsttoken: ange bara token
cli-rejected-missing = --rejected läser token som servern avvisade från standard in, och där fanns ingen: skicka in den via ett rör, som i  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = svarar på tokenbegäranden på { $address } (Ctrl-C stoppar)
cli-trust-on-plain-http = { $server } använder okrypterad http, som inte har något certifikat att lita på: använd dess https://-adress
cli-cannot-write-json = kan inte skriva JSON: { $reason }
browser-not-started = systemets webbläsare kunde inte startas ({ $reason })
sign-in-no-browser = ingen webbläsare är öppen för den här inloggningen: öppna adressen själv
app-cannot-write = kan inte skriva { $path }: { $reason }
app-cannot-remove = kan inte ta bort { $path }: { $reason }
app-no-program-path = kan inte avgöra var det här programmet finns ({ $reason }), så det kan inte starta vid inloggning
app-no-home = ingen hemmapp: { $reason }
app-no-config-dir = ingen konfigurationsmapp: { $reason }
app-cannot-change-registry = kan inte ändra { $key }: { $reason }
app-no-log-folder = ingen loggmapp på det här systemet ({ $reason })
app-log-not-opened = kan inte öppna loggen i { $path } ({ $reason })
app-log-filter = { $variable } är inget giltigt filter ({ $reason })
app-log-folder-not-opened = kan inte öppna loggmappen ({ $reason })
app-log-not-started = loggen har inte startat
app-no-sign-in-waiting = ingen inloggning väntar

## Kommandoradens hjälp (`cells-auth --help`).
cli-usage-error = { $problem } (se cells-auth --help)
help-about = Logga in på Pydio Cells-servrar och förvara deras token i systemets nyckelring
help-login = Logga in på en Cells-server via webbläsaren.
help-login-server = Servern: https://cells.example.com, cells.example.com eller http://värd:port/under/sökväg.
help-login-dev-redirect = Ta emot svaret på http://localhost:3000/servers/callback (registrerad av Cells för utveckling).
help-login-timeout = Hur länge webbläsaren inväntas, i sekunder.
help-login-no-browser = Öppna ingen webbläsare; skriv bara ut adressen som ska öppnas.
help-login-trust-certificate = Lita på exakt certifikatet med detta SHA-256-fingeravtryck för den här servern (ett självsignerat).
help-login-ca-file = Lita på den privata CA:n i den här PEM-filen för den här servern.
help-status = Lista kontona och tillståndet för deras token.
help-status-json = Skriv ut JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Skriv ut en åtkomsttoken med minst en minut kvar (en fjärdedel av dess livslängd om det är kortare), förnyad först vid behov.
help-token-more = Den gäller tills den går ut eller ersätts, det som kommer först. Den ersätts när bara den minuten återstår, och Cells återkallar den då. En begäran som avvisas med 401 besvaras genom att fråga igen med --rejected.
help-token-account = Kontots id, eller dess inloggning eller server när bara ett konto matchar; kan utelämnas när det finns ett konto.
help-token-rejected = En server avvisade en token (401): läs den token från standard in och skriv ut en nyare. Förnyelsetoken förbrukas bara om den avvisade token fortfarande är den aktuella, hur många som än frågar.
help-token-json = Skriv ut JSON: {"{"}"access_token","token_type","expires_at"{"}"}, för anropare som planerar sitt eget arbete.
help-refresh = Förnya ett kontos token nu.
help-refresh-account = Kontots id, eller dess inloggning eller server när bara ett konto matchar; kan utelämnas när det finns ett konto.
help-logout = Logga ut: återkalla förnyelsetoken på servern, radera de lokala hemligheterna och glöm kontot.
help-logout-account = Kontots id, eller dess inloggning eller server när bara ett konto matchar.
help-agent = Håll token färska i minnet och svara på `cells-auth token` på den här användarens socket, i förgrunden.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    Cells Sync-fönstret: logga in på Pydio Cells-servrar; meddelandefältet håller token färska.

      --hidden        starta med bara meddelandefältet (som en start vid inloggning); fönstret öppnas därifrån
      --dev-redirect  logga in via http://localhost:3000/servers/callback
      -V, --version   skriv ut versionen
      -h, --help      skriv ut den här hjälpen

    Kommandoraden, för skript: cells-auth --help
help-usage = Användning:
help-options = Flaggor
help-arguments = Argument
help-commands = Kommandon
help-help = Skriv ut hjälpen
help-version = Skriv ut versionen
help-help-command = Skriv ut det här meddelandet eller hjälpen för de angivna underkommandona
