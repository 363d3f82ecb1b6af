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
window-certificate-validity = dal { $from } al { $to }
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
