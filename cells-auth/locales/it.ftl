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
