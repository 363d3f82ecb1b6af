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

## Kas nogāja greizi: katra kļūda pēc tās veida, ar tās vērtībām. Vērtība
## iekavās, kas nāk no sistēmas, bibliotēkas vai servera, ir parādīta tāda,
## kāda tā atnāca.

# Atslēgu saišķis un kontu fails.
error-no-secret-service = nav pieejams neviens Secret Service, kur glabāt pilnvaras ({ $reason }): palaidiet gnome-keyring vai citu Secret Service (piemēram, KeePassXC) savā sesijā un mēģiniet vēlreiz
error-keyring-locked = atslēgu saišķis ir aizslēgts: atslēdziet to ({ $how }) un mēģiniet vēlreiz
keyring-unlock-linux = piemēram, lietotnē “Paroles un atslēgas” vai pierakstoties darbvirsmas sesijā
keyring-unlock-macos = lietotnē “Atslēgu piekļuve” vai vēlreiz pierakstoties savā Mac datorā
keyring-unlock-windows = vēlreiz pierakstieties Windows kā šis lietotājs; akreditācijas datu pārvaldnieks ir atvērts tikai jūsu paša sesijā
error-secret-incomplete = atslēgu saišķī ir tikai daļa no vērtības “{ $kind }”: pierakstieties vēlreiz
error-keyring-timeout = atslēgu saišķis neatbildēja { $seconds } s laikā; varbūt tas gaida paroli: atslēdziet to un mēģiniet vēlreiz
error-secret-too-long = atslēgu saišķis atteicās glabāt vērtību “{ $kind }” { $bytes } baitu garumā, garāku, nekā tas pieņem
secret-refresh-token = atjaunošanas pilnvara
secret-access-token = piekļuves pilnvara
secret-id-token = ID pilnvara
secret-any = noslēpums
error-keyring = atslēgu saišķis kļūdījās: { $reason }
error-no-config-dir = nav atrasta konfigurācijas mape: norādiet to mainīgajā { $variable }
error-io = nevar { $action } { $path }: { $reason }
io-create = izveidot
io-write = ierakstīt
io-sync = sinhronizēt
io-replace = aizstāt
io-open = atvērt
io-lock = aizslēgt
io-read = nolasīt
io-tell-who-owns = noteikt īpašnieku objektam
io-read-access-list = nolasīt piekļuves sarakstu objektam
io-bind = klausīties uz
io-remove = noņemt
error-unsafe-dir = konfigurācijas mape { $path } { $reason }: kas to var mainīt, tas var noteikt, kurp tiek sūtītas pilnvaras; padariet to tikai par savu ({ $fix }) un mēģiniet vēlreiz
private-dir-other-owner = pieder citam lietotājam ({ $owner })
private-dir-no-owner = nepieder nevienam
private-dir-writable-by-others = tajā var rakstīt citi lietotāji ({ $who })
private-dir-no-access-list = tai nav piekļuves saraksta, tāpēc to var mainīt jebkurš
private-dir-unreadable-access-list = tai ir piekļuves saraksts, ko nevar nolasīt
private-dir-fix-unix = chmod 700
private-dir-fix-windows = tās rekvizītos, cilnē “Drošība”: mainīt to drīkst tikai jūsu lietotājs, SYSTEM un administratori
error-lock-timeout = cits cells-auth process tur { $path } jau { $seconds } s (tas varbūt ir apturēts vai iestrēdzis): apturiet to vai mēģiniet vēlreiz
error-account-file-damaged = kontu fails { $path } ir bojāts ({ $reason }): pārvietojiet to citur un pierakstieties vēlreiz
error-unknown-account = neviens konts neatbilst “{ $selector }”: `cells-auth status` tos uzskaita
error-missing-secret = konta { $account } vērtība “{ $kind }” atslēgu saišķī trūkst: pierakstieties vēlreiz
error-io-bare = nevar { $action }: { $reason }
io-tell-user = noteikt šī lietotāja identitāti
io-make-pipe-permissions = sagatavot kanāla atļaujas

# Pilnvaru aģents.
error-agent-running = šim lietotājam jau darbojas aģents (uz { $endpoint }): izmantojiet to vai vispirms apturiet
error-agent-unsafe-dir = aģenta mape { $path } nepieder tikai šim lietotājam (tai jābūt ar režīmu 0700 un jūsu): noņemiet to un sāciet no jauna

# Tīkls.
verbatim = { $text }
error-body-too-large = atbilde ir lielāka par { $kib } KiB
error-tls-client = nevar palaist HTTPS klientu ({ $reason }); pārbaudiet, vai sistēmas TLS sertifikāti (SSL_CERT_FILE, SSL_CERT_DIR) ir nolasāmi
error-proxy-address = { $variable } nav lietojama starpniekservera adrese: norādiet tādu kā http://proxy.example.com:3128 (vai http://lietotajs:parole@proxy:3128) vai noņemiet to
transport-proxy-authentication = starpniekserveris prasa lietotājvārdu un paroli (HTTP 407): ierakstiet tos starpniekservera adresē, kā HTTPS_PROXY=http://lietotajs:parole@proxy.example.com:3128
transport-timed-out = atbilde nepienāca laikā (noildze)
transport-certificate-refused = servera sertifikāts ir noraidīts: { $reason }
transport-tls-handshake = TLS rokasspiediens neizdevās ({ $reason }); vai serveris šajā portā tiešām piedāvā https ar sertifikātu, kuram šis dators uzticas?
transport-refused = savienojums atteikts
transport-reset = serveris pārtrauca savienojumu
transport-no-such-host = resursdatora nosaukumu nevar atrisināt
transport-cannot-connect = nevar savienoties: { $reason }
json-problem = { $kind } { $line }. rindā, { $column }. kolonnā
json-read-error = lasīšanas kļūda
json-not-json = nav JSON
json-wrong-field = trūkst lauka vai tam ir nepareizs tips
json-truncated = nepilnīgs JSON

# Pilnvaras.
error-token-transport = nevar sasniegt pilnvaru galapunktu { $url }: { $reason }
error-token-refused = serveris noraidīja pilnvaras pieprasījumu: { $error }
error-token-refused-described = serveris noraidīja pilnvaras pieprasījumu: { $error } ({ $description })
error-token-status = galapunkts { $url } atbildēja ar HTTP { $status } bez OAuth kļūdas
error-token-no-status = galapunkts { $url } atbildēja ar kļūdu bez OAuth kļūdas
error-token-invalid = pilnvaru galapunkta atbilde nav derīga pilnvaras atbilde: { $reason }
error-bad-endpoint = servera “{ $what }” “{ $url }” nav derīgs URL
endpoint-token = pilnvaru galapunkts
endpoint-redirect-uri = novirzīšanas URI
endpoint-revocation = atsaukšanas galapunkts
endpoint-authorization = autorizācijas galapunkts
endpoint-key-set = atslēgu kopa (jwks_uri)
endpoint-logout = izrakstīšanās galapunkts
endpoint-userinfo = userinfo galapunkts
token-not-json = tas nav JSON dokuments
token-not-bearer = token_type ir “{ $type }”, gaidīts Bearer
token-empty = piekļuves pilnvara ir tukša
token-clock-out-of-range = vietējais pulkstenis ir ārpus diapazona
json-problem-at = { $problem } (vietā { $path })

# Servera adrese un tas, ko tā piedāvā.
error-address-empty = servera adrese ir tukša: norādiet tādu kā https://cells.example.com
error-address-white-space = servera adresē “{ $input }” ir atstarpes: norādiet tādu kā https://cells.example.com
error-address-scheme = servera adrese “{ $input }” izmanto “{ $scheme }”: atbalstīts ir tikai https:// (vai http:// uzticamā tīklā)
error-address-invalid = “{ $input }” nav derīga servera adrese: norādiet tādu kā https://cells.example.com
error-address-no-host = servera adresei “{ $input }” nav resursdatora nosaukuma: norādiet tādu kā https://cells.example.com
error-address-credentials = servera adresē “{ $input }” nedrīkst būt lietotājvārds vai parole
error-address-query = servera adresē “{ $input }” nedrīkst būt vaicājums (?...) vai fragments (#...)
error-address-oidc-path = “{ $input }” ir OpenID pakalpojuma adrese, nevis servera: izmantojiet { $suggestion }
error-discovery-transport = nevar sasniegt { $url }: { $reason }
error-discovery-redirected = { $url } novirza uz { $location }: pierakstieties ar adresi, uz kuru tas novirza
error-discovery-redirected-elsewhere = { $url } novirza uz citu adresi: pierakstieties ar adresi, uz kuru tas novirza
error-discovery-not-found = adresē { $url } nav OpenID konfigurācijas (HTTP 404): pārbaudiet, vai tā ir Cells servera adrese
error-discovery-status = { $url } OpenID konfigurācijas vietā atbildēja ar HTTP { $status }: serverim vai starpniekserverim pirms tā ir kļūme
error-discovery-too-large = { $url } OpenID konfigurācijas vietā nosūtīja vairāk nekā { $kib } KiB: pārbaudiet servera adresi
error-discovery-html = { $url } OpenID konfigurācijas vietā atgrieza HTML lapu: varbūt atbild starpniekserveris pirms Cells; pārbaudiet servera adresi
error-discovery-invalid = { $url } nav derīga OpenID konfigurācija: { $reason }
error-discovery-issuer = { $url } nosauc izdevēju { $found }, bet Cells serveris šajā adresē ir { $expected }: pārbaudiet servera adresi (vai tā ārējā URL iestatījumu)
error-endpoint-scheme = { $url } norāda “{ $endpoint }” kā { $found }, kas nav http(s) adrese: tur nekas netiks atvērts vai sūtīts
error-endpoint-foreign = { $url } sūta “{ $endpoint }” uz { $found }, citu adresi nekā servera paša: noraidīts (galapunkts citur ir sajaukšanas uzbrukuma pazīme)
error-endpoint-insecure = { $url } sūta “{ $endpoint }” uz { $found }, kas nav https, lai gan serveris ir: noslēpumi netiks sūtīti pa nešifrētu http
discovery-issuer-not-a-url = izdevējs nav URL
discovery-endpoint-not-a-url = “{ $endpoint }” “{ $found }” nav URL
discovery-no-pkce = serveris neatbalsta PKCE ar S256, ko prasa šis klients

# Sertifikāti.
error-fingerprint = “{ $input }” nav SHA-256 nospiedums: norādiet 64 heksadecimālos ciparus, ko rādīja kļūdas ziņojums (kolas nav obligātas)
error-ca-file-unreadable = nevar nolasīt CA failu { $path }: { $reason }
error-ca-file-empty = CA failā { $path } nav neviena PEM sertifikāta (-----BEGIN CERTIFICATE-----): norādiet privātās CA sertifikātu
error-ca-file-bad-anchor = CA faila sertifikātu nevar izmantot kā uzticības enkuru: { $reason }
certificate-subject = subjekts:
certificate-issuer = izdevējs:
certificate-valid = derīgs:
certificate-validity = no { $from } līdz { $to }
error-certificate-untrusted =
    { $server } uzrāda sertifikātu, kuram šis dators neuzticas ({ $reason }):
    { $certificate }
    Ja tas ir jūsu servera sertifikāts (salīdziniet SHA-256 ar to, ko redz tā administrators), turpiniet ar kādu no:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <privātās CA PEM fails>
    Jūsu pārlūks arī brīdinās par šo sertifikātu: pieņemiet to tur tikai tad, ja tas rāda to pašu SHA-256.
error-certificate-changed =
    { $server } uzrāda citu sertifikātu nekā to, kuram tam uzticējās (SHA-256 { $pinned }). Tas uzrāda:
    { $certificate }
    Tas netiek pieņemts klusējot: tā izskatās pārtveršana. Ja servera sertifikāts tika nomainīts apzināti (jautājiet tā administratoram), uzticieties jaunajam ar:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = tas ir pašparakstīts vai to parakstījusi nezināma iestāde
certificate-expired = tā derīgums ir beidzies
certificate-not-yet-valid = tas vēl nav derīgs
certificate-wrong-name = tas nav izdots šai adresei
certificate-not-the-pinned-one = tas nav sertifikāts, kuram uzticas šim serverim
certificate-self-signed = tas ir pašparakstīts
certificate-unverifiable = to nevar pārbaudīt: { $reason }

# ID pilnvara.
error-id-token-malformed = ID pilnvara nav derīgs parakstīts JWT: { $reason }
error-id-token-algorithm = ID pilnvara ir parakstīta ar “{ $algorithm }”, kas netiek pieņemts (tikai RS256 vai ES256)
error-id-token-keys = nevar iegūt servera parakstīšanas atslēgas no { $url }: { $reason }
error-id-token-unknown-key = neviena servera atslēgu kopas atslēga neatbilst ID pilnvarai (atslēgas id { $kid })
error-id-token-signature = ID pilnvaras parakstu nevar apstiprināt ar servera atslēgām
error-id-token-issuer = ID pilnvaru izdeva { $found }, nevis šis serveris ({ $expected })
error-id-token-audience = ID pilnvara ir paredzēta { $found }, nevis { $expected }
error-id-token-azp = ID pilnvara izdota { $found }, nevis { $expected } (azp)
error-id-token-expired = ID pilnvaras derīgums beidzās { $at }: pārbaudiet šī datora pulksteni
error-id-token-future = ID pilnvara apgalvo, ka izdota { $at }, nākotnē: pārbaudiet šī datora pulksteni
error-id-token-nonce = ID pilnvaras nonce neatbilst šai pierakstīšanās reizei
error-id-token-no-nonce = ID pilnvarai nav nonce, un šajā pierakstīšanās reizē netika izmantots PKCE
error-id-token-no-subject = ID pilnvara nenosauc subjektu
keys-status = HTTP { $status }
keys-not-a-key-set = nav JSON atslēgu kopa ({ $problem })
jwt-claims = apgalvojumi: { $problem }
jwt-bad-header = galvene nav derīga JWS galvene
jwt-exp-out-of-range = exp ir ārpus diapazona
jwt-iat-out-of-range = iat ir ārpus diapazona
jwt-not-three-parts = gaidītas trīs ar punktiem atdalītas daļas
jwt-header-not-base64url = galvene nav base64url
jwt-no-alg = galvenei nav alg

# Pierakstīšanās.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = nav brīva porta pierakstīšanās novirzīšanai: porti { $first }–{ $last } adresēs 127.0.0.1 un [::1] visi ir aizņemti vai aizliegti; aizveriet programmas, kas tos tur, un mēģiniet vēlreiz
error-dev-port-taken = izstrādes novirzīšanas ports { $port } adresē 127.0.0.1 vai [::1] ir aizņemts vai aizliegts: atbrīvojiet to vai pierakstieties bez --dev-redirect
error-loopback = nevar klausīties uz lokālās saskarnes: { $reason }
error-sign-in-timeout = pārlūks neatbildēja { $wait } laikā: pierakstieties vēlreiz (--timeout nosaka ilgāku gaidīšanu)
error-sign-in-cancelled = pierakstīšanās atcelta
error-sign-in-denied = pierakstīšanās tika atcelta pārlūkā ({ $error })
error-sign-in-denied-described = pierakstīšanās tika atcelta pārlūkā ({ $error }: { $description })
error-sign-in-refused = serveris noraidīja pierakstīšanos ({ $error })
error-sign-in-refused-described = serveris noraidīja pierakstīšanos ({ $error }: { $description })
error-sign-in-wrong-issuer = atbilde nāca no { $found }, nevis no { $expected }: pierakstīšanās pārtraukta (aizsardzība pret sajaukšanu)
error-sign-in-unnamed-issuer = atbilde nāca no nenosaukta izdevēja, nevis no { $expected }: pierakstīšanās pārtraukta (aizsardzība pret sajaukšanu)
error-sign-in-tokens = nevar iegūt pilnvaras: { $reason }
error-sign-in-rejected = pierakstīšanās noraidīta: { $reason }
error-sign-in-missing-token = serveris neatgrieza vērtību “{ $kind }”; pārbaudiet, vai klientam cells-sync ir atļauti tvērumi “openid” un “offline”
error-sign-in-aborted = pierakstīšanās apstājās, pirms pārlūks atbildēja
error-answer-not-a-link = tā nav cellsauth://callback saite
error-answer-not-the-redirect = tā nav adrese, ko gaida šī pierakstīšanās: ielīmējiet visu adresi, pie kuras pārlūks apstājās, sākot ar { $expected }
error-answer-already = šī pierakstīšanās jau ir saņēmusi atbildi
error-answer-closed = pierakstīšanās vairs negaida
error-answer-nothing-pending = neviena pierakstīšanās negaida cellsauth saiti
stray-other-sign-in = šī atbilde ir citai pierakstīšanās reizei (stāvoklis neatbilst)
stray-no-state = šai atbildei nav stāvokļa
stray-no-code = šai atbildei nav ne koda, ne kļūdas
stray-repeated-parameter = parametrs ir atkārtots
stray-head-request = HEAD pieprasījums nevar pabeigt pierakstīšanos

# Pilnvaru uzturēšana svaigas.
error-no-account = nav konta { $id }
error-needs-sign-in = { $user } serverī { $server } jāpierakstās vēlreiz ({ $reason })
error-retry-later = nevar atjaunot { $user } piekļuves pilnvaru serverī { $server }: { $reason }; nākamais mēģinājums { $at }
error-retry-later-long = nevar atjaunot { $user } piekļuves pilnvaru serverī { $server } (nākamais mēģinājums { $at }): { $reason }
refresh-issuer-changed = serveris tagad nosauc savu izdevēju { $found }, nevis { $expected }
refresh-account-file-changed = kontu fails vairs neatbilst šim kontam (tā serveris vai izdevējs tika mainīts); nekas netika nosūtīts: pierakstieties vēlreiz
refresh-token-missing = atjaunošanas pilnvara atslēgu saišķī trūkst
refresh-refused = serveris noraidīja atjaunošanas pilnvaru: { $reason }
refresh-rotated-not-stored = atslēgu saišķis { $seconds } s laikā nepieņēma jauno atjaunošanas pilnvaru ({ $reason }), un vecā ir izlietota
refresh-rotated-kept = jauno atjaunošanas pilnvaru vēl nevarēja saglabāt ({ $reason }); tā tiek glabāta, līdz varēs
refresh-other-user = atjaunotā ID pilnvara nosauc citu lietotāju ({ $user }), nevis pierakstījušos
refresh-id-token-refused = atjaunotā ID pilnvara nav pieņemama: { $reason }
refresh-keyring-worker-failed = atslēgu saišķa process kļūdījās: { $reason }
refresh-last-attempt-failed = pēdējais mēģinājums neizdevās
transport-proxy-refused = starpniekserveris atteicās savienoties ar serveri (pārbaudiet tā noteikumus vai NO_PROXY)
sign-out-account-file-changed = kontu fails vairs neatbilst šim kontam; nekas netika nosūtīts
error-no-accounts = nav kontu: vispirms pierakstieties ar `cells-auth login <serveris>`
error-ambiguous-account = “{ $selector }” atbilst vairākiem kontiem ({ $ids }): norādiet konta id

## Datumi un laiki, šī datora laika joslā.
format-moment = { $day }.{ $month }.{ $year }. { $hour }:{ $minute }
format-day = { $day }.{ $month }.{ $year }.

## Komandrindas un lietotnes pašu kļūdas.
cli-cannot-start = nevar palaist: { $reason }
cli-log-filter = { $variable } nav derīgs filtrs ({ $reason }); žurnalēšana paliek izslēgta
cli-rejected-unreadable = nevar nolasīt noraidīto pilnvaru no standarta ievades: { $reason }
cli-rejected-too-long = noraidītā pilnvara standarta ievadē ir garāka par jebkuru piekļuves pilnvaru: norādiet tikai pilnvaru
cli-rejected-missing = --rejected nolasa no standarta ievades pilnvaru, ko serveris noraidīja, un tur tādas nebija: padodiet to caur konveijeru, kā  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = atbild uz pilnvaru pieprasījumiem adresē { $address } (Ctrl-C aptur)
cli-trust-on-plain-http = { $server } izmanto nešifrētu http, kam nav sertifikāta, kam uzticēties: izmantojiet tā https:// adresi
cli-cannot-write-json = nevar ierakstīt JSON: { $reason }
browser-not-started = sistēmas pārlūku nevarēja palaist ({ $reason })
sign-in-no-browser = šai pierakstīšanās reizei nav atvērts neviens pārlūks: atveriet adresi pats
app-cannot-write = nevar ierakstīt { $path }: { $reason }
app-cannot-remove = nevar noņemt { $path }: { $reason }
app-no-program-path = nevar noteikt, kur atrodas šī programma ({ $reason }), tāpēc to nevar palaist pierakstoties
app-no-home = nav mājas mapes: { $reason }
app-no-config-dir = nav konfigurācijas mapes: { $reason }
app-cannot-change-registry = nevar mainīt { $key }: { $reason }
app-no-log-folder = šajā sistēmā nav žurnāla mapes ({ $reason })
app-log-not-opened = nevar atvērt žurnālu mapē { $path } ({ $reason })
app-log-filter = { $variable } nav derīgs filtrs ({ $reason })
app-log-folder-not-opened = nevar atvērt žurnāla mapi ({ $reason })
app-log-not-started = žurnāls nav sācies
app-no-sign-in-waiting = neviena pierakstīšanās negaida

## Komandrindas palīdzība (`cells-auth --help`).
cli-usage-error = { $problem } (skatiet cells-auth --help)
help-about = Pierakstīties Pydio Cells serveros un glabāt to pilnvaras sistēmas atslēgu saišķī
help-login = Pierakstīties Cells serverī caur pārlūku.
help-login-server = Serveris: https://cells.example.com, cells.example.com vai http://resursdators:ports/apakš/ceļš.
help-login-dev-redirect = Saņemt atbildi adresē http://localhost:3000/servers/callback (Cells to reģistrējis izstrādei).
help-login-timeout = Cik ilgi gaidīt pārlūku, sekundēs.
help-login-no-browser = Neatvērt pārlūku; tikai izdrukāt atveramo adresi.
help-login-trust-certificate = Uzticēties tieši sertifikātam ar šo SHA-256 nospiedumu šim serverim (pašparakstītam).
help-login-ca-file = Uzticēties privātajai CA šajā PEM failā šim serverim.
help-status = Uzskaitīt kontus un to pilnvaru stāvokli.
help-status-json = Izdrukāt JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Izdrukāt piekļuves pilnvaru, kurai atlikusi vismaz minūte (ceturtdaļa no tās mūža, ja tas ir mazāk), vajadzības gadījumā vispirms to atjaunojot.
help-token-more = Tā ir derīga, līdz tās derīgums beidzas vai tā tiek aizstāta, kas notiek pirmais. Tā tiek aizstāta, kad atlikusi tikai šī minūte, un Cells to tad atsauc. Uz pieprasījumu, kas noraidīts ar 401, atbild, vaicājot vēlreiz ar --rejected.
help-token-account = Konta id vai tā lietotājvārds vai serveris, ja atbilst tikai viens konts; var izlaist, ja ir viens konts.
help-token-rejected = Serveris noraidīja pilnvaru (401): nolasīt šo pilnvaru no standarta ievades un izdrukāt jaunāku. Atjaunošanas pilnvara tiek izlietota tikai tad, ja noraidītā pilnvara joprojām ir pašreizējā, lai cik daudzi vaicātu.
help-token-json = Izdrukāt JSON: {"{"}"access_token","token_type","expires_at"{"}"}, tiem, kas paši plāno savu darbu.
help-refresh = Atjaunot konta pilnvaras tūlīt.
help-refresh-account = Konta id vai tā lietotājvārds vai serveris, ja atbilst tikai viens konts; var izlaist, ja ir viens konts.
help-logout = Izrakstīties: atsaukt atjaunošanas pilnvaru serverī, dzēst lokālos noslēpumus un aizmirst kontu.
help-logout-account = Konta id vai tā lietotājvārds vai serveris, ja atbilst tikai viens konts.
help-agent = Uzturēt pilnvaras svaigas atmiņā un atbildēt uz `cells-auth token` šī lietotāja ligzdā, priekšplānā.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    Cells Sync logs: pierakstīties Pydio Cells serveros; paziņojumu apgabals uztur pilnvaras svaigas.

      --hidden        sākt tikai ar paziņojumu apgabalu (kā palaižot, pierakstoties); logs atveras no tā
      --dev-redirect  pierakstīties caur http://localhost:3000/servers/callback
      -V, --version   izdrukāt versiju
      -h, --help      izdrukāt šo palīdzību

    Komandrinda skriptiem: cells-auth --help
help-usage = Lietojums:
help-options = Opcijas
help-arguments = Argumenti
help-commands = Komandas
help-help = Izdrukāt palīdzību
help-version = Izdrukāt versiju
help-help-command = Izdrukāt šo ziņojumu vai norādīto apakškomandu palīdzību
