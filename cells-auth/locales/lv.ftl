# cells-auth un Cells Sync teksti latviešu valodā.
# Latviešu valodā skaitlim ir trīs formas: nulles (0, 10–20, 30…), vienskaitļa
# (1, 21, 31…, bet ne 11) un pārējās.

## Konta stāvoklis.

badge-needs-sign-in = Jāpierakstās
badge-refreshing = Atjauno
badge-retrying = Mēģina vēlreiz
badge-signed-in = Pierakstījies
state-needs-sign-in = jāpierakstās
state-refreshing = atjauno
state-retrying = mēģina vēlreiz
state-signed-in = pierakstījies

## Kad beidzas piekļuves pilnvara.

expiry-expired = beigusies
expiry-under-a-minute = beigsies pēc mazāk nekā minūtes
expiry-minutes = { $minutes ->
    [zero] beigsies pēc { $minutes } minūtēm
    [one] beigsies pēc { $minutes } minūtes
   *[other] beigsies pēc { $minutes } minūtēm
}
expiry-hours = { $hours ->
    [zero] beigsies pēc { $hours } stundām
    [one] beigsies pēc { $hours } stundas
   *[other] beigsies pēc { $hours } stundām
}
summary-signed-in = pierakstījies, { $expiry }
countdown = pilnvara { $expiry } · { $activity }
summary-expired = pierakstījies, pilnvara beigusies (to atjaunos nākamajā lietošanas reizē)

## Pēdējā atjaunošana vai pierakstīšanās.

refreshed-just-now = atjaunots tikko
refreshed-minutes = { $minutes ->
    [zero] atjaunots pirms { $minutes } minūtēm
    [one] atjaunots pirms { $minutes } minūtes
   *[other] atjaunots pirms { $minutes } minūtēm
}
refreshed-hours = { $hours ->
    [zero] atjaunots pirms { $hours } stundām
    [one] atjaunots pirms { $hours } stundas
   *[other] atjaunots pirms { $hours } stundām
}
signed-in-just-now = pierakstījies tikko
signed-in-minutes = { $minutes ->
    [zero] pierakstījies pirms { $minutes } minūtēm
    [one] pierakstījies pirms { $minutes } minūtes
   *[other] pierakstījies pirms { $minutes } minūtēm
}
signed-in-hours = { $hours ->
    [zero] pierakstījies pirms { $hours } stundām
    [one] pierakstījies pirms { $hours } stundas
   *[other] pierakstījies pirms { $hours } stundām
}

## Kāpēc konts mēģina vēlreiz.

last-error = pēdējā kļūda: { $error }
retry-under-a-minute = nākamais mēģinājums pēc mazāk nekā minūtes
retry-minutes = { $minutes ->
    [zero] nākamais mēģinājums pēc { $minutes } minūtēm
    [one] nākamais mēģinājums pēc { $minutes } minūtes
   *[other] nākamais mēģinājums pēc { $minutes } minūtēm
}
retry-hours = { $hours ->
    [zero] nākamais mēģinājums pēc { $hours } stundām
    [one] nākamais mēģinājums pēc { $hours } stundas
   *[other] nākamais mēģinājums pēc { $hours } stundām
}

## Paziņojumu apgabals un paziņojums.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } serverī { $server } jāpierakstās vēlreiz
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [zero] Cells Sync: jāpierakstās vēlreiz ({ $count } kontu)
    [one] Cells Sync: jāpierakstās vēlreiz ({ $count } konts)
   *[other] Cells Sync: jāpierakstās vēlreiz ({ $count } konti)
}
tray-reauthenticate = Pierakstīties vēlreiz ({ $user })
tray-add-account = Pievienot kontu…
tray-show-window = Rādīt logu
tray-quit = Iziet

## Komandrindas rindas cilvēkiem (tas, ko lasa skripti, nekad nemainās).

cli-plain-http-warning = Brīdinājums: { $server } izmanto nešifrētu http; pilnvaras tīklā būs nešifrētas.
cli-open-address = Atveriet šo adresi pārlūkā, lai pierakstītos serverī { $server }:
cli-open-yourself = Brīdinājums: { $reason }; atveriet augstāk redzamo adresi paši.
cli-paste-back = Ja pārlūks ir citā datorā: pierakstieties tur, tad ielīmējiet šeit adresi, pie kuras tas apstājas (tas saka, ka nevar savienoties), un nospiediet Enter. Vai vispirms pārsūtiet portu: ssh -L { $port }:localhost:{ $port } <šis dators>
cli-waiting = Gaida pārlūku adresē { $redirect } (noildze { $timeout }; Ctrl-C atceļ)…
cli-signed-in = Pierakstījies kā { $user } serverī { $server } (konts { $account })
cli-not-taken = Nepieņemts: { $reason }.
cli-no-accounts = Nav kontu. Pierakstieties ar: cells-auth login <serveris>
cli-account-on = { $user } serverī { $server }
cli-insecure = (nedrošs: nešifrēts http)
cli-refreshed = { $user } serverī { $server } atjaunots: piekļuves pilnvara { $expiry }
cli-revoked = serveris atsauca atjaunošanas pilnvaru
cli-no-revocation = serveris nepiedāvā atsaukšanu
cli-nothing-to-revoke = nebija atjaunošanas pilnvaras, ko atsaukt
cli-revocation-failed = atsaukšana neizdevās (skatīt augstāk)
cli-revocation-warning = Brīdinājums: neizdevās atsaukt atjaunošanas pilnvaru serverī: { $reason }
cli-signed-out = { $user } izrakstīts no servera { $server } (konts { $account }): lokālie noslēpumi dzēsti; { $outcome }.

## Pārlūka pēdējā lapa pēc pierakstīšanās.

page-title = Pierakstīšanās Cells: { $title }
page-signed-in = Pierakstījies
page-signed-in-detail = Pierakstījies serverī { $server } kā { $user }. Varat aizvērt šo cilni un atgriezties lietotnē.
page-sign-in-failed = Pierakstīšanās neizdevās
page-sign-in-failed-detail = { $error }. Atgriezieties lietotnē, lai mēģinātu vēlreiz.
page-already-done = Jau izdarīts
page-already-done-detail = Šī pierakstīšanās jau ir saņēmusi atbildi. Varat aizvērt šo cilni.
page-closed = Pierakstīšanās slēgta
page-closed-detail = Lietotne vairs negaida šo pierakstīšanos. Sāciet to no jauna lietotnē.
page-back = Atpakaļ uz lietotni
page-back-detail = Atbilde sasniedza lietotni. Atgriezieties tajā, lai redzētu rezultātu.
page-wrong-address = Nepareiza adrese
page-wrong-address-detail = Šis serveris atbild tikai adresē localhost.
page-not-found = Nav atrasts
page-not-found-detail = Šeit nekā nav.
page-not-allowed = Nav atļauts
page-not-allowed-detail = Šeit tiek apkalpota tikai pierakstīšanās pāradresācija.
page-not-this-sign-in = Ne šī pierakstīšanās

## Logs. Vērtības figūriekavās aizpilda logs.

window-title = Cells Sync: konti
window-accounts = Konti
window-empty-title = Vēl nav neviena konta.
window-empty-text = Norādiet zemāk sava Cells servera adresi. Pārlūks atver tā pierakstīšanās lapu; pilnvaras glabājas šī datora atslēgu saišķī.
window-add-heading = Pievienot kontu
window-server-label = Servera adrese
window-server-placeholder = https://cells.example.com
window-sign-in = Pierakstīties
window-server-give = Norādiet sava Cells servera adresi, piemēram, https://cells.example.com
window-server-signs-in = Pierakstās serverī { $address }
window-server-insecure = { $address }: nešifrēts http, pilnvaras tīklā ir nešifrētas
window-pending-heading = Gaida jūsu pārlūku
window-pending-port = Pierakstās serverī { $server }. Atbilde atgriežas šajā lietotnē caur portu { $port } (http://localhost:{ $port }).
window-pending-link = Pierakstās serverī { $server }. Pārlūks nodos atbildi šai lietotnei ar cellsauth:// saiti.
window-pending-url-label = Ja pārlūks neatvērās, atveriet šo adresi paši:
window-copy = Kopēt
window-copied = Nokopēts
window-paste-label = Pārlūks citā datorā vai smilškastē? Pierakstieties tur, tad ielīmējiet adresi, pie kuras tas apstājās (tas saka, ka nevar savienoties):
window-paste-submit = Izmantot šo adresi
window-paste-taken = Saņemts: pabeidz pierakstīšanos…
window-reopen = Atvērt pārlūku vēlreiz
window-cancel = Atcelt
window-use-link = Pierakstīšanos bloķē ugunsmūris? Izmantojiet cellsauth:// saiti
window-sign-in-cancelled = Pierakstīšanās atcelta.
window-start-at-login = Palaist, piesakoties sistēmā, tikai paziņojumu apgabalā
window-copy-diagnostics = Kopēt diagnostiku
window-open-log = Atvērt žurnāla mapi
window-diagnostics-label = Diagnostika (bez parolēm un pilnvarām)
window-diagnostics-copied = Diagnostika nokopēta: ielīmējiet to savā ziņojumā. Tajā nav paroļu un pilnvaru.
window-diagnostics-shown = Diagnostika parādīta zemāk un atlasīta: nokopējiet to (Ctrl+C) savā ziņojumā. Tajā nav paroļu un pilnvaru.
window-certificate-heading = Pārbaudiet šī servera sertifikātu
window-certificate-subject = Subjekts
window-certificate-issuer = Izdevējs
window-certificate-valid = Derīgs
window-certificate-validity = no { $from } līdz { $to }
window-certificate-untrusted = { $server } uzrāda sertifikātu, kam šis dators neuzticas ({ $reason }).
window-certificate-changed = { $server } uzrāda citu sertifikātu, nevis to, kam tam uzticas (SHA-256 { $pinned }). Tā izskatās pārtveršana: uzticieties jaunajam tikai tad, ja servera sertifikāts tika nomainīts apzināti.
window-certificate-hint = Uzticieties tam tikai tad, ja tā SHA-256 ir tas, ko norāda jūsu servera administrators. Arī pārlūks brīdinās par šo sertifikātu: pieņemiet to tur tikai tad, ja tas rāda to pašu SHA-256.
window-trust-certificate = Uzticēties šim sertifikātam
window-certificate-not-trusted = Sertifikātam neuzticējās; pierakstīšanās netika sākta.
window-plain-http = nešifrēts http
window-reauthenticate = Pierakstīties vēlreiz
window-refresh-now = Atjaunot tagad
window-refreshed = Atjaunots.
window-sign-out = Izrakstīties
window-keep-signed-in = Palikt pierakstītam
window-confirm-sign-out = Izrakstīt { $user } no servera { $server }?
window-account-action = { $action }: { $user } serverī { $server }
window-language = Valoda
window-language-system = Sistēmas valoda

## Lietotnes rezultātu ziņojumi.

app-signed-in = Pierakstījies kā { $user } serverī { $server }
app-signed-out-revoked = { $user } izrakstīts; serveris atsauca sesiju.
app-signed-out = { $user } izrakstīts.
app-signed-out-not-told = { $user } izrakstīts šajā datorā, bet serverim neizdevās paziņot: { $reason }
app-browser-not-opened = pārlūku neizdevās atvērt ({ $reason })
app-unknown-language = { $tag } nav neviena no Cells Sync valodām
