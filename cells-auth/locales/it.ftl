# I testi di cells-auth e Cells Sync, in italiano.

## Lo stato di un account.

badge-needs-sign-in = Accesso richiesto
badge-refreshing = Rinnovo in corso
badge-retrying = Nuovo tentativo
badge-signed-in = Connesso
state-needs-sign-in = accesso richiesto
state-refreshing = rinnovo in corso
state-retrying = nuovo tentativo
state-signed-in = connesso

## Quando scade il token di accesso.

expiry-expired = scaduto
expiry-under-a-minute = scade tra meno di un minuto
expiry-minutes = { $minutes ->
    [one] scade tra { $minutes } minuto
   *[other] scade tra { $minutes } minuti
}
expiry-hours = { $hours ->
    [one] scade tra { $hours } ora
   *[other] scade tra { $hours } ore
}
summary-signed-in = connesso, { $expiry }
countdown = token { $expiry } · { $activity }
summary-expired = connesso, token scaduto (verrà rinnovato al prossimo utilizzo)

## L’ultimo rinnovo, o l’accesso.

refreshed-just-now = rinnovato ora
refreshed-minutes = { $minutes ->
    [one] rinnovato { $minutes } minuto fa
   *[other] rinnovato { $minutes } minuti fa
}
refreshed-hours = { $hours ->
    [one] rinnovato { $hours } ora fa
   *[other] rinnovato { $hours } ore fa
}
signed-in-just-now = connesso ora
signed-in-minutes = { $minutes ->
    [one] connesso { $minutes } minuto fa
   *[other] connesso { $minutes } minuti fa
}
signed-in-hours = { $hours ->
    [one] connesso { $hours } ora fa
   *[other] connesso { $hours } ore fa
}

## Perché un account riprova.

last-error = ultimo errore: { $error }
retry-under-a-minute = prossimo tentativo tra meno di un minuto
retry-minutes = { $minutes ->
    [one] prossimo tentativo tra { $minutes } minuto
   *[other] prossimo tentativo tra { $minutes } minuti
}
retry-hours = { $hours ->
    [one] prossimo tentativo tra { $hours } ora
   *[other] prossimo tentativo tra { $hours } ore
}

## L’area di notifica e la notifica.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } su { $server } deve accedere di nuovo
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } account deve accedere di nuovo
   *[other] Cells Sync: { $count } account devono accedere di nuovo
}
tray-reauthenticate = Accedi di nuovo ({ $user })
tray-add-account = Aggiungi account…
tray-show-window = Mostra finestra
tray-quit = Esci

## Le righe della riga di comando per le persone (ciò che leggono gli script non cambia mai).

cli-plain-http-warning = Attenzione: { $server } usa http non cifrato; i token attraverseranno la rete in chiaro.
cli-open-address = Apri questo indirizzo nel browser per accedere a { $server }:
cli-open-yourself = Attenzione: { $reason }; apri tu l’indirizzo qui sopra.
cli-paste-back = Se il browser è su un’altra macchina: accedi lì, poi incolla qui l’indirizzo su cui si ferma (dice che non riesce a connettersi) e premi Invio. Oppure inoltra prima la porta: ssh -L { $port }:localhost:{ $port } <questa macchina>
cli-waiting = In attesa del browser su { $redirect } (scade tra { $timeout }; Ctrl-C annulla)…
cli-signed-in = Accesso eseguito come { $user } su { $server } (account { $account })
cli-not-taken = Non accettato: { $reason }.
cli-no-accounts = Nessun account. Accedi con: cells-auth login <server>
cli-account-on = { $user } su { $server }
cli-insecure = (non sicuro: http non cifrato)
cli-refreshed = { $user } su { $server } rinnovato: il token di accesso { $expiry }
cli-revoked = il server ha revocato il suo token di aggiornamento
cli-no-revocation = il server non offre la revoca
cli-nothing-to-revoke = non c’era alcun token di aggiornamento da revocare
cli-revocation-failed = revoca non riuscita (vedi sopra)
cli-revocation-warning = Attenzione: impossibile revocare il token di aggiornamento sul server: { $reason }
cli-signed-out = { $user } disconnesso da { $server } (account { $account }): segreti locali eliminati; { $outcome }.

## L’ultima pagina del browser, dopo un accesso.

page-title = Accesso a Cells: { $title }
page-signed-in = Accesso eseguito
page-signed-in-detail = Accesso eseguito a { $server } come { $user }. Puoi chiudere questa scheda e tornare all’app.
page-sign-in-failed = Accesso non riuscito
page-sign-in-failed-detail = { $error }. Torna all’app per riprovare.
page-already-done = Già fatto
page-already-done-detail = Questo accesso ha già ricevuto una risposta. Puoi chiudere questa scheda.
page-closed = Accesso chiuso
page-closed-detail = L’app non attende più questo accesso. Riavvialo dall’app.
page-back = Torna all’app
page-back-detail = La risposta è arrivata all’app. Torna lì per vedere il risultato.
page-wrong-address = Indirizzo errato
page-wrong-address-detail = Questo server risponde solo su localhost.
page-not-found = Non trovato
page-not-found-detail = Qui non c’è niente.
page-not-allowed = Non consentito
page-not-allowed-detail = Qui viene servito solo il reindirizzamento dell’accesso.
page-not-this-sign-in = Non questo accesso

## La finestra. I valori tra graffe li inserisce la finestra.

window-title = Cells Sync: account
window-accounts = Account
window-empty-title = Ancora nessun account.
window-empty-text = Indica qui sotto l’indirizzo del tuo server Cells. Il browser apre la sua pagina di accesso; i token sono conservati nel portachiavi di questo computer.
window-add-heading = Aggiungi un account
window-server-label = Indirizzo del server
window-server-placeholder = https://cells.example.com
window-sign-in = Accedi
window-server-give = Indica l’indirizzo del tuo server Cells, ad esempio https://cells.example.com
window-server-signs-in = Accede a { $address }
window-server-insecure = { $address }: http non cifrato, i token attraversano la rete in chiaro
window-pending-heading = In attesa del browser
window-pending-port = Accesso a { $server }. La risposta torna a questa app sulla porta { $port } (http://localhost:{ $port }).
window-pending-link = Accesso a { $server }. Il browser consegnerà la risposta a questa app tramite un link cellsauth://.
window-pending-url-label = Se non si è aperto alcun browser, apri tu questo indirizzo:
window-copy = Copia
window-copied = Copiato
window-paste-label = Browser su un’altra macchina o in una sandbox? Accedi lì, poi incolla l’indirizzo su cui si è fermato (dice che non riesce a connettersi):
window-paste-submit = Usa questo indirizzo
window-paste-taken = Ricevuto: completamento dell’accesso…
window-reopen = Riapri il browser
window-cancel = Annulla
window-use-link = Accesso bloccato da un firewall? Usa invece un link cellsauth://
window-sign-in-cancelled = Accesso annullato.
window-start-at-login = Avvia all’accesso, solo nell’area di notifica
window-copy-diagnostics = Copia la diagnostica
window-open-log = Apri la cartella del registro
window-diagnostics-label = Diagnostica (senza password né token)
window-diagnostics-copied = Diagnostica copiata: incollala nella tua segnalazione. Non contiene password né token.
window-diagnostics-shown = Diagnostica mostrata qui sotto, selezionata: copiala (Ctrl+C) nella tua segnalazione. Non contiene password né token.
window-certificate-heading = Verifica il certificato di questo server
window-certificate-subject = Soggetto
window-certificate-issuer = Emittente
window-certificate-valid = Valido
window-certificate-untrusted = { $server } presenta un certificato di cui questo computer non si fida ({ $reason }).
window-certificate-changed = { $server } presenta un certificato diverso da quello approvato (SHA-256 { $pinned }). Così si presenta un’intercettazione: approva il nuovo solo se il certificato del server è stato sostituito di proposito.
window-certificate-hint = Approvalo solo se il suo SHA-256 è quello indicato dall’amministratore del server. Anche il browser ti avviserà di questo certificato: accettalo lì solo se mostra lo stesso SHA-256.
window-trust-certificate = Approva questo certificato
window-certificate-not-trusted = Il certificato non è stato approvato; nessun accesso è stato avviato.
window-plain-http = http non cifrato
window-reauthenticate = Accedi di nuovo
window-refresh-now = Rinnova ora
window-refreshed = Rinnovato.
window-sign-out = Esci
window-keep-signed-in = Resta connesso
window-confirm-sign-out = Disconnettere { $user } da { $server }?
window-account-action = { $action }: { $user } su { $server }
window-language = Lingua
window-language-system = Lingua del sistema

## I messaggi di esito dell’app.

app-signed-in = Accesso eseguito come { $user } su { $server }
app-signed-out-revoked = { $user } disconnesso; il server ha revocato la sua sessione.
app-signed-out = { $user } disconnesso.
app-signed-out-not-told = { $user } disconnesso su questo computer, ma non è stato possibile avvisare il server: { $reason }
app-browser-not-opened = non è stato possibile aprire il browser ({ $reason })
app-unknown-language = { $tag } non è una delle lingue di Cells Sync

## Che cosa non è andato: ogni errore, per tipo, con i suoi valori. Un
## valore tra parentesi che viene dal sistema, da una libreria o dal
## server è mostrato così com’è.

# Il portachiavi e il file degli account.
error-no-secret-service = nessun Secret Service disponibile per custodire i token ({ $reason }): avvia gnome-keyring o un altro Secret Service (come KeePassXC) nella tua sessione, poi riprova
error-keyring-locked = il portachiavi è bloccato: sbloccalo ({ $how }) e riprova
keyring-unlock-linux = per esempio in Password e chiavi, o accedendo alla sessione del desktop
keyring-unlock-macos = in Accesso Portachiavi, o accedendo di nuovo al tuo Mac
keyring-unlock-windows = accedi di nuovo a Windows con questo utente; Gestione credenziali è aperta solo nella tua sessione
error-secret-incomplete = il portachiavi contiene solo una parte del { $kind }: accedi di nuovo
error-keyring-timeout = il portachiavi non ha risposto entro { $seconds } s; forse attende una password: sbloccalo e riprova
error-secret-too-long = il portachiavi ha rifiutato di custodire un { $kind } di { $bytes } byte, più lungo di quanto accetta
secret-refresh-token = token di rinnovo
secret-access-token = token di accesso
secret-id-token = token di identità
secret-any = segreto
error-keyring = il portachiavi non ha funzionato: { $reason }
error-no-config-dir = nessuna cartella di configurazione trovata: indicane una in { $variable }
error-io = impossibile { $action } { $path }: { $reason }
io-create = creare
io-write = scrivere
io-sync = sincronizzare
io-replace = sostituire
io-open = aprire
io-lock = bloccare
io-read = leggere
io-tell-who-owns = sapere a chi appartiene
io-read-access-list = leggere l’elenco di accesso di
io-bind = ascoltare su
io-remove = rimuovere
error-unsafe-dir = la cartella di configurazione { $path } { $reason }: chi può modificarla può decidere dove vanno i token; rendila solo tua ({ $fix }) e riprova
private-dir-other-owner = appartiene a un altro utente ({ $owner })
private-dir-no-owner = non appartiene a nessuno
private-dir-writable-by-others = è scrivibile da altri utenti ({ $who })
private-dir-no-access-list = non ha un elenco di accesso, quindi chiunque può modificarla
private-dir-unreadable-access-list = ha un elenco di accesso illeggibile
private-dir-fix-unix = chmod 700
private-dir-fix-windows = nelle sue Proprietà, Sicurezza: solo il tuo utente, SYSTEM e gli Amministratori possono modificarla
error-lock-timeout = un altro processo cells-auth tiene { $path } da { $seconds } s (forse è fermo o bloccato): chiudilo, o riprova
error-account-file-damaged = il file degli account { $path } è danneggiato ({ $reason }): spostalo altrove e accedi di nuovo
error-unknown-account = nessun account corrisponde a «{ $selector }»: `cells-auth status` li elenca
error-missing-secret = il { $kind } dell’account { $account } manca dal portachiavi: accedi di nuovo
error-io-bare = impossibile { $action }: { $reason }
io-tell-user = conoscere l’identità di questo utente
io-make-pipe-permissions = preparare i permessi della pipe

# L’agente dei token.
error-agent-running = un agente è già in esecuzione per questo utente (su { $endpoint }): usalo, o fermalo prima
error-agent-unsafe-dir = la cartella dell’agente { $path } non è solo di questo utente (deve avere modo 0700 ed essere tua): rimuovila e ricomincia

# La rete.
verbatim = { $text }
error-body-too-large = la risposta supera { $kib } KiB
error-tls-client = impossibile avviare il client HTTPS ({ $reason }); verifica che i certificati TLS del sistema (SSL_CERT_FILE, SSL_CERT_DIR) siano leggibili
error-proxy-address = { $variable } non è un indirizzo proxy utilizzabile: indicane uno come http://proxy.example.com:3128 (o http://utente:password@proxy:3128), o rimuovilo
transport-proxy-authentication = il proxy chiede nome utente e password (HTTP 407): mettili nell’indirizzo del proxy, come HTTPS_PROXY=http://utente:password@proxy.example.com:3128
transport-timed-out = nessuna risposta in tempo (tempo scaduto)
transport-certificate-refused = il certificato del server è rifiutato: { $reason }
transport-tls-handshake = la negoziazione TLS non è riuscita ({ $reason }); il server offre davvero https su questa porta, con un certificato di cui questo computer si fida?
transport-refused = connessione rifiutata
transport-reset = connessione interrotta dal server
transport-no-such-host = impossibile risolvere il nome host
transport-cannot-connect = impossibile connettersi: { $reason }
json-problem = { $kind } alla riga { $line }, colonna { $column }
json-read-error = errore di lettura
json-not-json = non è JSON
json-wrong-field = un campo manca o è del tipo sbagliato
json-truncated = JSON troncato

# I token.
error-token-transport = impossibile raggiungere l’endpoint dei token { $url }: { $reason }
error-token-refused = il server ha rifiutato la richiesta di token: { $error }
error-token-refused-described = il server ha rifiutato la richiesta di token: { $error } ({ $description })
error-token-status = l’endpoint { $url } ha risposto HTTP { $status } senza un errore OAuth
error-token-no-status = l’endpoint { $url } ha risposto con un errore senza un errore OAuth
error-token-invalid = la risposta dell’endpoint dei token non è una risposta di token valida: { $reason }
error-bad-endpoint = il { $what } del server «{ $url }» non è un URL valido
endpoint-token = endpoint dei token
endpoint-redirect-uri = URI di reindirizzamento
endpoint-revocation = endpoint di revoca
endpoint-authorization = endpoint di autorizzazione
endpoint-key-set = insieme di chiavi (jwks_uri)
endpoint-logout = endpoint di disconnessione
endpoint-userinfo = endpoint userinfo
token-not-json = non è un documento JSON
token-not-bearer = token_type è «{ $type }», atteso Bearer
token-empty = il token di accesso è vuoto
token-clock-out-of-range = l’orologio locale è fuori intervallo
json-problem-at = { $problem } (in { $path })

# L’indirizzo del server, e ciò che offre.
error-address-empty = l’indirizzo del server è vuoto: indicane uno come https://cells.example.com
error-address-white-space = l’indirizzo del server «{ $input }» contiene spazi: indicane uno come https://cells.example.com
error-address-scheme = l’indirizzo del server «{ $input }» usa «{ $scheme }»: è supportato solo https:// (o http:// su una rete fidata)
error-address-invalid = «{ $input }» non è un indirizzo di server valido: indicane uno come https://cells.example.com
error-address-no-host = l’indirizzo del server «{ $input }» non ha un nome host: indicane uno come https://cells.example.com
error-address-credentials = l’indirizzo del server «{ $input }» non deve contenere nome utente o password
error-address-query = l’indirizzo del server «{ $input }» non deve contenere una query (?...) o un frammento (#...)
error-address-oidc-path = «{ $input }» è l’indirizzo del servizio OpenID, non del server: usa { $suggestion }
error-discovery-transport = impossibile raggiungere { $url }: { $reason }
error-discovery-redirected = { $url } reindirizza a { $location }: accedi con l’indirizzo a cui reindirizza
error-discovery-redirected-elsewhere = { $url } reindirizza a un altro indirizzo: accedi con l’indirizzo a cui reindirizza
error-discovery-not-found = nessuna configurazione OpenID su { $url } (HTTP 404): verifica che sia l’indirizzo di un server Cells
error-discovery-status = { $url } ha risposto HTTP { $status } invece della configurazione OpenID: il server, o un proxy davanti a esso, ha un guasto
error-discovery-too-large = { $url } ha inviato più di { $kib } KiB invece di una configurazione OpenID: verifica l’indirizzo del server
error-discovery-html = { $url } ha restituito una pagina HTML invece della configurazione OpenID: forse risponde un proxy davanti a Cells; verifica l’indirizzo del server
error-discovery-invalid = { $url } non è una configurazione OpenID valida: { $reason }
error-discovery-issuer = { $url } indica l’emittente { $found }, ma un server Cells a questo indirizzo è { $expected }: verifica l’indirizzo del server (o l’impostazione del suo URL esterno)
error-endpoint-scheme = { $url } indica come { $endpoint } { $found }, che non è un indirizzo http(s): lì non verrà aperto né inviato nulla
error-endpoint-foreign = { $url } manda il { $endpoint } a { $found }, un indirizzo diverso da quello del server: rifiutato (un endpoint altrove è la forma di un attacco di confusione)
error-endpoint-insecure = { $url } manda il { $endpoint } a { $found }, che non è https mentre il server lo è: nessun segreto verrà inviato in http
discovery-issuer-not-a-url = l’emittente non è un URL
discovery-endpoint-not-a-url = il { $endpoint } «{ $found }» non è un URL
discovery-no-pkce = il server non supporta PKCE con S256, richiesto da questo client

# I certificati.
error-fingerprint = «{ $input }» non è un’impronta SHA-256: indica le 64 cifre esadecimali mostrate dal messaggio di errore (i due punti sono facoltativi)
error-ca-file-unreadable = impossibile leggere il file della CA { $path }: { $reason }
error-ca-file-empty = il file della CA { $path } non contiene alcun certificato PEM (-----BEGIN CERTIFICATE-----): indica il certificato della CA privata
error-ca-file-bad-anchor = il certificato del file della CA non può fare da ancora di fiducia: { $reason }
certificate-subject = soggetto:
certificate-issuer = emittente:
certificate-valid = valido:
certificate-validity = dal { $from } al { $to }
error-certificate-untrusted =
    { $server } presenta un certificato di cui questo computer non si fida ({ $reason }):
    { $certificate }
    Se è il certificato del tuo server (confronta lo SHA-256 con ciò che vede il suo amministratore), continua con uno di questi comandi:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <il file PEM della CA privata>
    Anche il tuo browser avviserà per questo certificato: accettalo lì solo se mostra lo stesso SHA-256.
error-certificate-changed =
    { $server } presenta un certificato diverso da quello accettato per lui, che era SHA-256 { $pinned }. Presenta:
    { $certificate }
    Non è accettato in silenzio: così appare un’intercettazione. Se il certificato del server è stato sostituito di proposito (chiedi al suo amministratore), fidati del nuovo con:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = è autofirmato o firmato da un’autorità sconosciuta
certificate-expired = è scaduto
certificate-not-yet-valid = non è ancora valido
certificate-wrong-name = non è emesso per questo indirizzo
certificate-not-the-pinned-one = non è il certificato accettato per questo server
certificate-self-signed = è autofirmato
certificate-unverifiable = non può essere verificato: { $reason }

# Il token di identità.
error-id-token-malformed = il token di identità non è un JWT firmato valido: { $reason }
error-id-token-algorithm = il token di identità è firmato con «{ $algorithm }», che non è accettato (solo RS256 o ES256)
error-id-token-keys = impossibile ottenere le chiavi di firma del server da { $url }: { $reason }
error-id-token-unknown-key = nessuna chiave dell’insieme di chiavi del server corrisponde al token di identità (id chiave { $kid })
error-id-token-signature = la firma del token di identità non si verifica con le chiavi del server
error-id-token-issuer = il token di identità è stato emesso da { $found }, non da questo server ({ $expected })
error-id-token-audience = il token di identità è destinato a { $found }, non a { $expected }
error-id-token-azp = il token di identità è stato emesso per { $found }, non per { $expected } (azp)
error-id-token-expired = il token di identità è scaduto il { $at }: controlla l’orologio di questo computer
error-id-token-future = il token di identità dice di essere stato emesso il { $at }, nel futuro: controlla l’orologio di questo computer
error-id-token-nonce = il nonce del token di identità non corrisponde a questo accesso
error-id-token-no-nonce = il token di identità non porta un nonce, e questo accesso non ha usato PKCE
error-id-token-no-subject = il token di identità non indica alcun soggetto
keys-status = HTTP { $status }
keys-not-a-key-set = non è un insieme di chiavi JSON ({ $problem })
jwt-claims = claim: { $problem }
jwt-bad-header = l’intestazione non è un’intestazione JWS valida
jwt-exp-out-of-range = exp è fuori intervallo
jwt-iat-out-of-range = iat è fuori intervallo
jwt-not-three-parts = attese tre parti separate da punti
jwt-header-not-base64url = l’intestazione non è in base64url
jwt-no-alg = l’intestazione non ha alg

# L’accesso.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = nessuna porta libera per il reindirizzamento dell’accesso: le porte { $first }-{ $last } sono tutte occupate o vietate su 127.0.0.1 e [::1]; chiudi i programmi che le occupano e riprova
error-dev-port-taken = la porta { $port } del reindirizzamento di sviluppo è occupata o vietata su 127.0.0.1 o [::1]: liberala, o accedi senza --dev-redirect
error-loopback = impossibile ascoltare sull’interfaccia locale: { $reason }
error-sign-in-timeout = nessuna risposta dal browser entro { $wait }: accedi di nuovo (--timeout imposta un’attesa più lunga)
error-sign-in-cancelled = accesso annullato
error-sign-in-denied = l’accesso è stato annullato nel browser ({ $error })
error-sign-in-denied-described = l’accesso è stato annullato nel browser ({ $error }: { $description })
error-sign-in-refused = il server ha rifiutato l’accesso ({ $error })
error-sign-in-refused-described = il server ha rifiutato l’accesso ({ $error }: { $description })
error-sign-in-wrong-issuer = la risposta è arrivata da { $found }, non da { $expected }: accesso interrotto (difesa contro la confusione)
error-sign-in-unnamed-issuer = la risposta è arrivata da un emittente senza nome, non da { $expected }: accesso interrotto (difesa contro la confusione)
error-sign-in-tokens = impossibile ottenere i token: { $reason }
error-sign-in-rejected = accesso rifiutato: { $reason }
error-sign-in-missing-token = il server non ha restituito alcun { $kind }; verifica che al client cells-sync siano permessi gli scope «openid» e «offline»
error-sign-in-aborted = l’accesso si è fermato prima che il browser rispondesse
error-answer-not-a-link = non è un link cellsauth://callback
error-answer-not-the-redirect = non è l’indirizzo che questo accesso attende: incolla l’intero indirizzo su cui è finito il browser, che inizia con { $expected }
error-answer-already = questo accesso ha già ricevuto la sua risposta
error-answer-closed = l’accesso non è più in attesa
error-answer-nothing-pending = nessun accesso attende un link cellsauth
stray-other-sign-in = questa risposta è per un altro accesso (lo stato non corrisponde)
stray-no-state = questa risposta non porta uno stato
stray-no-code = questa risposta non porta né un codice né un errore
stray-repeated-parameter = un parametro è ripetuto
stray-head-request = una richiesta HEAD non può completare un accesso

# Tenere i token aggiornati.
error-no-account = nessun account { $id }
error-needs-sign-in = { $user } su { $server } deve accedere di nuovo ({ $reason })
error-retry-later = impossibile rinnovare il token di accesso di { $user } su { $server }: { $reason }; prossimo tentativo il { $at }
error-retry-later-long = impossibile rinnovare il token di accesso di { $user } su { $server } (prossimo tentativo il { $at }): { $reason }
refresh-issuer-changed = il server ora indica come emittente { $found }, non { $expected }
refresh-account-file-changed = il file degli account non corrisponde più a questo account (il suo server o emittente è stato cambiato); non è stato inviato nulla: accedi di nuovo
refresh-token-missing = il token di rinnovo manca dal portachiavi
refresh-refused = il server ha rifiutato il token di rinnovo: { $reason }
refresh-rotated-not-stored = il portachiavi non ha accettato il nuovo token di rinnovo entro { $seconds } s ({ $reason }), e il vecchio è già usato
refresh-rotated-kept = il nuovo token di rinnovo non ha ancora potuto essere salvato ({ $reason }); è tenuto finché si potrà
refresh-other-user = il token di identità rinnovato indica un altro utente ({ $user }) rispetto a quello connesso
refresh-id-token-refused = il token di identità rinnovato non è accettabile: { $reason }
refresh-keyring-worker-failed = il processo del portachiavi non è riuscito: { $reason }
refresh-last-attempt-failed = l’ultimo tentativo non è riuscito
transport-proxy-refused = il proxy ha rifiutato di connettersi al server (controlla le sue regole, o NO_PROXY)
sign-out-account-file-changed = il file degli account non corrisponde più a questo account; non è stato inviato nulla
error-no-accounts = nessun account: accedi prima con `cells-auth login <server>`
error-ambiguous-account = «{ $selector }» corrisponde a più account ({ $ids }): indica l’id dell’account

## Date e ore, nel fuso orario di questo computer.
format-moment = { $day }/{ $month }/{ $year } { $hour }:{ $minute }
format-day = { $day }/{ $month }/{ $year }

## Gli errori propri della riga di comando e dell’app.
cli-cannot-start = impossibile avviare: { $reason }
cli-log-filter = { $variable } non è un filtro valido ({ $reason }); il registro resta spento
cli-rejected-unreadable = impossibile leggere il token rifiutato dallo standard input: { $reason }
cli-rejected-too-long = il token rifiutato sullo standard input è più lungo di qualsiasi token di accesso: indica solo il token
cli-rejected-missing = --rejected legge dallo standard input il token che il server ha rifiutato, e non ce n’era: passalo con una pipe, come in  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = risponde alle richieste di token su { $address } (Ctrl-C ferma)
cli-trust-on-plain-http = { $server } usa http non cifrato, che non ha un certificato di cui fidarsi: usa il suo indirizzo https://
cli-cannot-write-json = impossibile scrivere il JSON: { $reason }
browser-not-started = impossibile avviare il browser di sistema ({ $reason })
sign-in-no-browser = nessun browser è aperto per questo accesso: apri l’indirizzo tu stesso
app-cannot-write = impossibile scrivere { $path }: { $reason }
app-cannot-remove = impossibile rimuovere { $path }: { $reason }
app-no-program-path = impossibile sapere dove si trova questo programma ({ $reason }), quindi non può avviarsi all’accesso
app-no-home = nessuna cartella personale: { $reason }
app-no-config-dir = nessuna cartella di configurazione: { $reason }
app-cannot-change-registry = impossibile modificare { $key }: { $reason }
app-no-log-folder = nessuna cartella di registro su questo sistema ({ $reason })
app-log-not-opened = impossibile aprire il registro in { $path } ({ $reason })
app-log-filter = { $variable } non è un filtro valido ({ $reason })
app-log-folder-not-opened = impossibile aprire la cartella del registro ({ $reason })
app-log-not-started = il registro non è iniziato
app-no-sign-in-waiting = nessun accesso in attesa

## L’aiuto della riga di comando (`cells-auth --help`).
cli-usage-error = { $problem } (vedi cells-auth --help)
help-about = Accedere ai server Pydio Cells e custodire i loro token nel portachiavi del sistema
help-login = Accedere a un server Cells tramite il browser.
help-login-server = Il server: https://cells.example.com, cells.example.com o http://host:porta/sotto/percorso.
help-login-dev-redirect = Ricevere la risposta su http://localhost:3000/servers/callback (registrato da Cells per lo sviluppo).
help-login-timeout = Quanto attendere il browser, in secondi.
help-login-no-browser = Non aprire un browser; mostrare solo l’indirizzo da aprire.
help-login-trust-certificate = Fidarsi esattamente del certificato con questa impronta SHA-256 per questo server (uno autofirmato).
help-login-ca-file = Fidarsi della CA privata in questo file PEM per questo server.
help-status = Elencare gli account e lo stato dei loro token.
help-status-json = Mostrare JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Mostrare un token di accesso con almeno un minuto rimasto (un quarto della sua durata se è meno), rinnovandolo prima se serve.
help-token-more = Resta valido finché scade o viene sostituito, quale che avvenga prima. Viene sostituito quando gli resta solo quel minuto, e Cells allora lo revoca. A una richiesta rifiutata con 401 si risponde chiedendo di nuovo con --rejected.
help-token-account = L’id dell’account, o il suo login o server quando corrisponde un solo account; si può omettere se c’è un solo account.
help-token-rejected = Un server ha rifiutato un token (401): leggere quel token dallo standard input e mostrarne uno più recente. Il token di rinnovo viene usato solo se il token rifiutato è ancora quello attuale, per quanti lo chiedano.
help-token-json = Mostrare JSON: {"{"}"access_token","token_type","expires_at"{"}"}, per chi pianifica il proprio lavoro.
help-refresh = Rinnovare ora i token di un account.
help-refresh-account = L’id dell’account, o il suo login o server quando corrisponde un solo account; si può omettere se c’è un solo account.
help-logout = Disconnettersi: revocare il token di rinnovo sul server, eliminare i segreti locali e dimenticare l’account.
help-logout-account = L’id dell’account, o il suo login o server quando corrisponde un solo account.
help-agent = Tenere i token aggiornati in memoria e rispondere a `cells-auth token` sul socket di questo utente, in primo piano.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    La finestra di Cells Sync: accedere ai server Pydio Cells; l’area di notifica tiene aggiornati i token.

      --hidden        avviare solo con l’area di notifica (come all’accesso); la finestra si apre da lì
      --dev-redirect  accedere tramite http://localhost:3000/servers/callback
      -V, --version   mostrare la versione
      -h, --help      mostrare questo aiuto

    La riga di comando, per gli script: cells-auth --help
help-usage = Uso:
help-options = Opzioni
help-arguments = Argomenti
help-commands = Comandi
help-help = Mostrare l’aiuto
help-version = Mostrare la versione
help-help-command = Mostrare questo messaggio o l’aiuto dei sottocomandi indicati
