# Les textes de cells-auth et de Cells Sync, en français.

## L’état d’un compte.

badge-needs-sign-in = Connexion requise
badge-refreshing = Renouvellement
badge-retrying = Nouvel essai
badge-signed-in = Connecté
state-needs-sign-in = connexion requise
state-refreshing = renouvellement
state-retrying = nouvel essai
state-signed-in = connecté

## L’expiration du jeton d’accès.

expiry-expired = expiré
expiry-under-a-minute = expire dans moins d’une minute
expiry-minutes = { $minutes ->
    [one] expire dans { $minutes } minute
   *[other] expire dans { $minutes } minutes
}
expiry-hours = { $hours ->
    [one] expire dans { $hours } heure
   *[other] expire dans { $hours } heures
}
summary-signed-in = connecté, { $expiry }
countdown = jeton { $expiry } · { $activity }
summary-expired = connecté, jeton expiré (il sera renouvelé à la prochaine utilisation)

## Le dernier renouvellement, ou la connexion.

refreshed-just-now = renouvelé à l’instant
refreshed-minutes = { $minutes ->
    [one] renouvelé il y a { $minutes } minute
   *[other] renouvelé il y a { $minutes } minutes
}
refreshed-hours = { $hours ->
    [one] renouvelé il y a { $hours } heure
   *[other] renouvelé il y a { $hours } heures
}
signed-in-just-now = connecté à l’instant
signed-in-minutes = { $minutes ->
    [one] connecté il y a { $minutes } minute
   *[other] connecté il y a { $minutes } minutes
}
signed-in-hours = { $hours ->
    [one] connecté il y a { $hours } heure
   *[other] connecté il y a { $hours } heures
}

## Pourquoi un compte réessaie.

last-error = dernière erreur : { $error }
retry-under-a-minute = prochain essai dans moins d’une minute
retry-minutes = { $minutes ->
    [one] prochain essai dans { $minutes } minute
   *[other] prochain essai dans { $minutes } minutes
}
retry-hours = { $hours ->
    [one] prochain essai dans { $hours } heure
   *[other] prochain essai dans { $hours } heures
}

## La zone de notification et la notification.

tray-line = { $user } @ { $server } : { $state }
notice-needs-sign-in = { $user } sur { $server } doit se reconnecter
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync : { $count } compte doit se reconnecter
   *[other] Cells Sync : { $count } comptes doivent se reconnecter
}
tray-reauthenticate = Se reconnecter ({ $user })
tray-add-account = Ajouter un compte…
tray-show-window = Afficher la fenêtre
tray-quit = Quitter

## Les lignes de la ligne de commande (ce que lisent les scripts ne change jamais).

cli-plain-http-warning = Attention : { $server } utilise http sans chiffrement ; les jetons traverseront le réseau en clair.
cli-open-address = Ouvrez cette adresse dans votre navigateur pour vous connecter à { $server } :
cli-open-yourself = Attention : { $reason } ; ouvrez vous-même l’adresse ci-dessus.
cli-paste-back = Si le navigateur est sur une autre machine : connectez-vous-y, puis collez ici l’adresse sur laquelle il s’arrête (il dit ne pas pouvoir se connecter) et appuyez sur Entrée. Ou redirigez d’abord le port : ssh -L { $port }:localhost:{ $port } <cette machine>
cli-waiting = En attente du navigateur sur { $redirect } (délai : { $timeout } ; Ctrl-C annule)…
cli-signed-in = Connecté en tant que { $user } sur { $server } (compte { $account })
cli-not-taken = Refusé : { $reason }.
cli-no-accounts = Aucun compte. Connectez-vous avec : cells-auth login <serveur>
cli-account-on = { $user } sur { $server }
cli-insecure = (non sécurisé : http sans chiffrement)
cli-refreshed = { $user } sur { $server } renouvelé : le jeton d’accès { $expiry }
cli-revoked = le serveur a révoqué son jeton de renouvellement
cli-no-revocation = le serveur ne propose pas de révocation
cli-nothing-to-revoke = il n’y avait aucun jeton de renouvellement à révoquer
cli-revocation-failed = la révocation a échoué (voir ci-dessus)
cli-revocation-warning = Attention : impossible de révoquer le jeton de renouvellement sur le serveur : { $reason }
cli-signed-out = { $user } déconnecté de { $server } (compte { $account }) : secrets locaux supprimés ; { $outcome }.

## La dernière page du navigateur, après une connexion.

page-title = Connexion Cells : { $title }
page-signed-in = Connecté
page-signed-in-detail = Connecté à { $server } en tant que { $user }. Vous pouvez fermer cet onglet et revenir à l’application.
page-sign-in-failed = Échec de la connexion
page-sign-in-failed-detail = { $error }. Revenez à l’application pour réessayer.
page-already-done = Déjà fait
page-already-done-detail = Cette connexion a déjà reçu sa réponse. Vous pouvez fermer cet onglet.
page-closed = Connexion fermée
page-closed-detail = L’application n’attend plus cette connexion. Relancez-la depuis l’application.
page-back = Retour à l’application
page-back-detail = La réponse est parvenue à l’application. Revenez-y pour voir le résultat.
page-wrong-address = Mauvaise adresse
page-wrong-address-detail = Ce serveur ne répond qu’à l’adresse localhost.
page-not-found = Introuvable
page-not-found-detail = Rien ici.
page-not-allowed = Non autorisé
page-not-allowed-detail = Seule la redirection de connexion est servie ici.
page-not-this-sign-in = Pas cette connexion

## La fenêtre. Les valeurs entre accolades sont remplies par la fenêtre.

window-title = Cells Sync : comptes
window-accounts = Comptes
window-empty-title = Aucun compte pour l’instant.
window-empty-text = Indiquez ci-dessous l’adresse de votre serveur Cells. Votre navigateur ouvre sa page de connexion ; les jetons sont gardés dans le trousseau de cet ordinateur.
window-add-heading = Ajouter un compte
window-server-label = Adresse du serveur
window-server-placeholder = https://cells.example.com
window-sign-in = Se connecter
window-server-give = Indiquez l’adresse de votre serveur Cells, par exemple https://cells.example.com
window-server-signs-in = Connexion à { $address }
window-server-insecure = { $address } : http sans chiffrement, les jetons traversent le réseau en clair
window-pending-heading = En attente de votre navigateur
window-pending-port = Connexion à { $server }. La réponse revient à cette application sur le port { $port } (http://localhost:{ $port }).
window-pending-link = Connexion à { $server }. Le navigateur transmettra la réponse à cette application par un lien cellsauth://.
window-pending-url-label = Si aucun navigateur ne s’est ouvert, ouvrez vous-même cette adresse :
window-copy = Copier
window-copied = Copié
window-paste-label = Navigateur sur une autre machine ou dans un bac à sable ? Connectez-vous-y, puis collez l’adresse sur laquelle il s’est arrêté (il dit ne pas pouvoir se connecter) :
window-paste-submit = Utiliser cette adresse
window-paste-taken = Reçu : fin de la connexion…
window-reopen = Rouvrir le navigateur
window-cancel = Annuler
window-use-link = Connexion bloquée par un pare-feu ? Utilisez plutôt un lien cellsauth://
window-sign-in-cancelled = Connexion annulée.
window-start-at-login = Démarrer à l’ouverture de session, dans la zone de notification seulement
window-copy-diagnostics = Copier le diagnostic
window-open-log = Ouvrir le dossier du journal
window-diagnostics-label = Diagnostic (sans mot de passe ni jeton)
window-diagnostics-copied = Diagnostic copié : collez-le dans votre rapport. Il ne contient ni mot de passe ni jeton.
window-diagnostics-shown = Diagnostic affiché ci-dessous, sélectionné : copiez-le (Ctrl+C) dans votre rapport. Il ne contient ni mot de passe ni jeton.
window-certificate-heading = Vérifiez le certificat de ce serveur
window-certificate-subject = Sujet
window-certificate-issuer = Émetteur
window-certificate-valid = Validité
window-certificate-untrusted = { $server } présente un certificat auquel cet ordinateur ne fait pas confiance ({ $reason }).
window-certificate-changed = { $server } présente un autre certificat que celui approuvé pour lui (SHA-256 { $pinned }). C’est ainsi que se présente une interception : n’approuvez le nouveau que si le certificat du serveur a été remplacé volontairement.
window-certificate-hint = Approuvez-le seulement si son SHA-256 est celui que donne l’administrateur de votre serveur. Votre navigateur vous avertira aussi à propos de ce certificat : acceptez-le seulement s’il affiche le même SHA-256.
window-trust-certificate = Approuver ce certificat
window-certificate-not-trusted = Le certificat n’a pas été approuvé ; aucune connexion n’a été lancée.
window-plain-http = http sans chiffrement
window-reauthenticate = Se reconnecter
window-refresh-now = Renouveler maintenant
window-refreshed = Renouvelé.
window-sign-out = Se déconnecter
window-keep-signed-in = Rester connecté
window-confirm-sign-out = Déconnecter { $user } de { $server } ?
window-account-action = { $action } : { $user } sur { $server }
window-language = Langue
window-language-system = Langue du système

## Les messages de résultat de l’application.

app-signed-in = Connecté en tant que { $user } sur { $server }
app-signed-out-revoked = { $user } déconnecté ; le serveur a révoqué sa session.
app-signed-out = { $user } déconnecté.
app-signed-out-not-told = { $user } déconnecté sur cet ordinateur, mais le serveur n’a pas pu être prévenu : { $reason }
app-browser-not-opened = le navigateur n’a pas pu être ouvert ({ $reason })
app-unknown-language = { $tag } n’est pas une des langues de Cells Sync

## Ce qui a échoué : chaque erreur, par sa nature, avec ses valeurs. Une
## valeur entre accolades qui vient du système, d’une bibliothèque ou du
## serveur est montrée telle quelle.

# Le trousseau et le fichier des comptes.
error-no-secret-service = aucun Secret Service n’est disponible pour garder les jetons ({ $reason }) : démarrez gnome-keyring ou un autre Secret Service (comme KeePassXC) dans votre session, puis réessayez
error-keyring-locked = le trousseau est verrouillé : déverrouillez-le ({ $how }) et réessayez
keyring-unlock-linux = par exemple dans Mots de passe et clés, ou en ouvrant votre session
keyring-unlock-macos = dans Trousseaux d’accès, ou en vous reconnectant à votre Mac
keyring-unlock-windows = reconnectez-vous à Windows sous cet utilisateur ; le Gestionnaire d’identification n’est ouvert que dans votre propre session
error-secret-incomplete = le trousseau ne contient qu’une partie du { $kind } : reconnectez-vous
error-keyring-timeout = le trousseau n’a pas répondu en { $seconds } s ; il attend peut-être un mot de passe : déverrouillez-le et réessayez
error-secret-too-long = le trousseau a refusé de garder un { $kind } de { $bytes } octets, plus long qu’il n’accepte
secret-refresh-token = jeton de renouvellement
secret-access-token = jeton d’accès
secret-id-token = jeton d’identité
secret-any = secret
error-keyring = le trousseau a échoué : { $reason }
error-no-config-dir = aucun dossier de configuration trouvé : indiquez-en un dans { $variable }
error-io = impossible de { $action } { $path } : { $reason }
io-create = créer
io-write = écrire
io-sync = synchroniser
io-replace = remplacer
io-open = ouvrir
io-lock = verrouiller
io-read = lire
io-tell-who-owns = savoir à qui appartient
io-read-access-list = lire la liste d’accès de
io-bind = écouter sur
io-remove = supprimer
error-unsafe-dir = le dossier de configuration { $path } { $reason } : qui peut le modifier peut choisir où partent les jetons ; rendez-le à vous seul ({ $fix }) et réessayez
private-dir-other-owner = appartient à un autre utilisateur ({ $owner })
private-dir-no-owner = n’appartient à personne
private-dir-writable-by-others = est modifiable par d’autres utilisateurs ({ $who })
private-dir-no-access-list = n’a pas de liste d’accès, donc tout le monde peut le modifier
private-dir-unreadable-access-list = a une liste d’accès illisible
private-dir-fix-unix = chmod 700
private-dir-fix-windows = dans ses Propriétés, Sécurité : seuls votre utilisateur, SYSTEM et les Administrateurs doivent pouvoir le modifier
error-lock-timeout = un autre processus cells-auth tient { $path } depuis { $seconds } s (il est peut-être arrêté ou bloqué) : terminez-le, ou réessayez
error-account-file-damaged = le fichier des comptes { $path } est endommagé ({ $reason }) : mettez-le de côté et reconnectez-vous
error-unknown-account = aucun compte ne correspond à « { $selector } » : `cells-auth status` les liste
error-missing-secret = le { $kind } du compte { $account } manque dans le trousseau : reconnectez-vous
error-io-bare = impossible de { $action } : { $reason }
io-tell-user = connaître l’identité de cet utilisateur
io-make-pipe-permissions = préparer les droits du canal nommé

# L’agent de jetons.
error-agent-running = un agent tourne déjà pour cet utilisateur (sur { $endpoint }) : utilisez-le, ou arrêtez-le d’abord
error-agent-unsafe-dir = le dossier de l’agent { $path } n’est pas à cet utilisateur seul (il doit être en mode 0700 et à vous) : supprimez-le et recommencez

# Le réseau.
verbatim = { $text }
error-body-too-large = la réponse dépasse { $kib } Kio
error-tls-client = impossible de démarrer le client HTTPS ({ $reason }) ; vérifiez que les certificats TLS du système (SSL_CERT_FILE, SSL_CERT_DIR) sont lisibles
error-proxy-address = { $variable } n’est pas une adresse de proxy utilisable : donnez-en une comme http://proxy.example.com:3128 (ou http://utilisateur:motdepasse@proxy:3128), ou retirez-la
transport-proxy-authentication = le proxy demande un nom d’utilisateur et un mot de passe (HTTP 407) : mettez-les dans l’adresse du proxy, comme HTTPS_PROXY=http://utilisateur:motdepasse@proxy.example.com:3128
transport-timed-out = pas de réponse à temps (délai dépassé)
transport-certificate-refused = le certificat du serveur est refusé : { $reason }
transport-tls-handshake = la négociation TLS a échoué ({ $reason }) ; le serveur sert-il vraiment du https sur ce port, avec un certificat auquel cet ordinateur fait confiance ?
transport-refused = connexion refusée
transport-reset = connexion interrompue par le serveur
transport-no-such-host = le nom d’hôte est introuvable
transport-cannot-connect = connexion impossible : { $reason }
json-problem = { $kind } à la ligne { $line }, colonne { $column }
json-read-error = erreur de lecture
json-not-json = pas du JSON
json-wrong-field = un champ manque ou n’a pas le bon type
json-truncated = JSON tronqué

# Les jetons.
error-token-transport = impossible de joindre le point d’accès des jetons { $url } : { $reason }
error-token-refused = le serveur a refusé la demande de jeton : { $error }
error-token-refused-described = le serveur a refusé la demande de jeton : { $error } ({ $description })
error-token-status = le point d’accès { $url } a répondu HTTP { $status } sans erreur OAuth
error-token-no-status = le point d’accès { $url } a répondu une erreur sans erreur OAuth
error-token-invalid = la réponse du point d’accès des jetons n’est pas une réponse de jeton valide : { $reason }
error-bad-endpoint = le { $what } du serveur « { $url } » n’est pas une URL valide
endpoint-token = point d’accès des jetons
endpoint-redirect-uri = URI de redirection
endpoint-revocation = point d’accès de révocation
endpoint-authorization = point d’accès d’autorisation
endpoint-key-set = jeu de clés (jwks_uri)
endpoint-logout = point d’accès de déconnexion
endpoint-userinfo = point d’accès userinfo
token-not-json = ce n’est pas un document JSON
token-not-bearer = token_type vaut « { $type } », Bearer attendu
token-empty = le jeton d’accès est vide
token-clock-out-of-range = l’horloge locale est hors limites
json-problem-at = { $problem } (à { $path })

# L’adresse du serveur, et ce qu’elle sert.
error-address-empty = l’adresse du serveur est vide : donnez-en une comme https://cells.example.com
error-address-white-space = l’adresse du serveur « { $input } » contient des espaces : donnez-en une comme https://cells.example.com
error-address-scheme = l’adresse du serveur « { $input } » utilise « { $scheme } » : seul https:// (ou http:// sur un réseau de confiance) est pris en charge
error-address-invalid = « { $input } » n’est pas une adresse de serveur valide : donnez-en une comme https://cells.example.com
error-address-no-host = l’adresse du serveur « { $input } » n’a pas de nom d’hôte : donnez-en une comme https://cells.example.com
error-address-credentials = l’adresse du serveur « { $input } » ne doit contenir ni nom d’utilisateur ni mot de passe
error-address-query = l’adresse du serveur « { $input } » ne doit contenir ni requête (?...) ni fragment (#...)
error-address-oidc-path = « { $input } » est l’adresse du service OpenID, pas du serveur : utilisez { $suggestion }
error-discovery-transport = impossible de joindre { $url } : { $reason }
error-discovery-redirected = { $url } redirige vers { $location } : connectez-vous avec l’adresse vers laquelle il redirige
error-discovery-redirected-elsewhere = { $url } redirige vers une autre adresse : connectez-vous avec l’adresse vers laquelle il redirige
error-discovery-not-found = pas de configuration OpenID à { $url } (HTTP 404) : vérifiez que c’est bien l’adresse d’un serveur Cells
error-discovery-status = { $url } a répondu HTTP { $status } au lieu de la configuration OpenID : le serveur, ou un proxy devant lui, est en panne
error-discovery-too-large = { $url } a envoyé plus de { $kib } Kio au lieu d’une configuration OpenID : vérifiez l’adresse du serveur
error-discovery-html = { $url } a renvoyé une page HTML au lieu de la configuration OpenID : un proxy devant Cells répond peut-être ; vérifiez l’adresse du serveur
error-discovery-invalid = { $url } n’est pas une configuration OpenID valide : { $reason }
error-discovery-issuer = { $url } nomme l’émetteur { $found }, mais un serveur Cells à cette adresse est { $expected } : vérifiez l’adresse du serveur (ou le réglage de son URL externe)
error-endpoint-scheme = { $url } donne pour { $endpoint } { $found }, qui n’est pas une adresse http(s) : rien n’y sera ouvert ni envoyé
error-endpoint-foreign = { $url } envoie le { $endpoint } vers { $found }, à une autre adresse que celle du serveur : refusé (un point d’accès ailleurs est la forme d’une attaque par confusion)
error-endpoint-insecure = { $url } envoie le { $endpoint } vers { $found }, qui n’est pas en https alors que le serveur l’est : aucun secret ne sera envoyé en http
discovery-issuer-not-a-url = l’émetteur n’est pas une URL
discovery-endpoint-not-a-url = le { $endpoint } « { $found } » n’est pas une URL
discovery-no-pkce = le serveur ne prend pas en charge PKCE avec S256, que ce client exige

# Les certificats.
error-fingerprint = « { $input } » n’est pas une empreinte SHA-256 : donnez les 64 chiffres hexadécimaux que le message d’erreur affichait (deux-points facultatifs)
error-ca-file-unreadable = impossible de lire le fichier d’autorité { $path } : { $reason }
error-ca-file-empty = le fichier d’autorité { $path } ne contient aucun certificat PEM (-----BEGIN CERTIFICATE-----) : donnez le certificat de l’autorité privée
error-ca-file-bad-anchor = le certificat du fichier d’autorité ne peut pas servir d’ancre de confiance : { $reason }
certificate-subject = sujet :
certificate-issuer = émetteur :
certificate-valid = validité :
certificate-validity = du { $from } au { $to }
error-certificate-untrusted =
    { $server } présente un certificat auquel cet ordinateur ne fait pas confiance ({ $reason }) :
    { $certificate }
    Si c’est le certificat de votre serveur (comparez le SHA-256 avec ce que voit son administrateur), continuez avec l’une de ces commandes :
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <le fichier PEM de l’autorité privée>
    Votre navigateur avertira aussi pour ce certificat : acceptez-le seulement s’il montre le même SHA-256.
error-certificate-changed =
    { $server } présente un autre certificat que celui approuvé pour lui, qui était SHA-256 { $pinned }. Il présente :
    { $certificate }
    Il n’est pas accepté en silence : c’est ainsi qu’une interception se présente. Si le certificat du serveur a été remplacé volontairement (demandez à son administrateur), approuvez le nouveau avec :
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = il est auto-signé ou signé par une autorité inconnue
certificate-expired = il a expiré
certificate-not-yet-valid = il n’est pas encore valide
certificate-wrong-name = il n’est pas émis pour cette adresse
certificate-not-the-pinned-one = ce n’est pas le certificat approuvé pour ce serveur
certificate-self-signed = il est auto-signé
certificate-unverifiable = il ne peut pas être vérifié : { $reason }

# Le jeton d’identité.
error-id-token-malformed = le jeton d’identité n’est pas un JWT signé valide : { $reason }
error-id-token-algorithm = le jeton d’identité est signé avec « { $algorithm } », qui n’est pas accepté (RS256 ou ES256 seulement)
error-id-token-keys = impossible d’obtenir les clés de signature du serveur depuis { $url } : { $reason }
error-id-token-unknown-key = aucune clé du jeu de clés du serveur ne correspond au jeton d’identité (identifiant de clé { $kid })
error-id-token-signature = la signature du jeton d’identité ne se vérifie pas avec les clés du serveur
error-id-token-issuer = le jeton d’identité a été émis par { $found }, pas par ce serveur ({ $expected })
error-id-token-audience = le jeton d’identité est destiné à { $found }, pas à { $expected }
error-id-token-azp = le jeton d’identité a été émis pour { $found }, pas pour { $expected } (azp)
error-id-token-expired = le jeton d’identité a expiré le { $at } : vérifiez l’horloge de cet ordinateur
error-id-token-future = le jeton d’identité dit avoir été émis le { $at }, dans le futur : vérifiez l’horloge de cet ordinateur
error-id-token-nonce = le nonce du jeton d’identité ne correspond pas à cette connexion
error-id-token-no-nonce = le jeton d’identité ne porte pas de nonce, et cette connexion n’a pas utilisé PKCE
error-id-token-no-subject = le jeton d’identité ne nomme aucun sujet
keys-status = HTTP { $status }
keys-not-a-key-set = pas un jeu de clés JSON ({ $problem })
jwt-claims = revendications : { $problem }
jwt-bad-header = l’en-tête n’est pas un en-tête JWS valide
jwt-exp-out-of-range = exp est hors limites
jwt-iat-out-of-range = iat est hors limites
jwt-not-three-parts = trois parties séparées par des points attendues
jwt-header-not-base64url = l’en-tête n’est pas en base64url
jwt-no-alg = l’en-tête n’a pas d’alg

# La connexion.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = aucun port libre pour la redirection de connexion : les ports { $first } à { $last } sont tous occupés ou interdits sur 127.0.0.1 et [::1] ; fermez les programmes qui les tiennent et réessayez
error-dev-port-taken = le port { $port } de la redirection de développement est occupé ou interdit sur 127.0.0.1 ou [::1] : libérez-le, ou connectez-vous sans --dev-redirect
error-loopback = impossible d’écouter sur l’interface locale : { $reason }
error-sign-in-timeout = pas de réponse du navigateur en { $wait } : reconnectez-vous (--timeout permet d’attendre plus longtemps)
error-sign-in-cancelled = connexion annulée
error-sign-in-denied = la connexion a été annulée dans le navigateur ({ $error })
error-sign-in-denied-described = la connexion a été annulée dans le navigateur ({ $error } : { $description })
error-sign-in-refused = le serveur a refusé la connexion ({ $error })
error-sign-in-refused-described = le serveur a refusé la connexion ({ $error } : { $description })
error-sign-in-wrong-issuer = la réponse vient de { $found }, pas de { $expected } : connexion interrompue (défense contre la confusion)
error-sign-in-unnamed-issuer = la réponse vient d’un émetteur sans nom, pas de { $expected } : connexion interrompue (défense contre la confusion)
error-sign-in-tokens = impossible d’obtenir les jetons : { $reason }
error-sign-in-rejected = connexion refusée : { $reason }
error-sign-in-missing-token = le serveur n’a renvoyé aucun { $kind } ; vérifiez que le client cells-sync a droit aux portées « openid » et « offline »
error-sign-in-aborted = la connexion s’est arrêtée avant la réponse du navigateur
error-answer-not-a-link = ce n’est pas un lien cellsauth://callback
error-answer-not-the-redirect = ce n’est pas l’adresse qu’attend cette connexion : collez l’adresse entière où le navigateur s’est arrêté, qui commence par { $expected }
error-answer-already = cette connexion a déjà reçu sa réponse
error-answer-closed = la connexion n’attend plus
error-answer-nothing-pending = aucune connexion n’attend de lien cellsauth
stray-other-sign-in = cette réponse est pour une autre connexion (l’état ne correspond pas)
stray-no-state = cette réponse ne porte pas d’état
stray-no-code = cette réponse ne porte ni code ni erreur
stray-repeated-parameter = un paramètre est répété
stray-head-request = une requête HEAD ne peut pas terminer une connexion

# Le renouvellement des jetons.
error-no-account = aucun compte { $id }
error-needs-sign-in = { $user } sur { $server } doit se reconnecter ({ $reason })
error-retry-later = impossible de renouveler le jeton d’accès de { $user } sur { $server } : { $reason } ; prochain essai le { $at }
error-retry-later-long = impossible de renouveler le jeton d’accès de { $user } sur { $server } (prochain essai le { $at }) : { $reason }
refresh-issuer-changed = le serveur nomme maintenant son émetteur { $found }, et non { $expected }
refresh-account-file-changed = le fichier des comptes ne correspond plus à ce compte (son serveur ou son émetteur a été changé) ; rien n’a été envoyé : reconnectez-vous
refresh-token-missing = le jeton de renouvellement manque dans le trousseau
refresh-refused = le serveur a refusé le jeton de renouvellement : { $reason }
refresh-rotated-not-stored = le trousseau n’a pas pris le nouveau jeton de renouvellement en { $seconds } s ({ $reason }), et l’ancien est utilisé
refresh-rotated-kept = le nouveau jeton de renouvellement n’a pas encore pu être enregistré ({ $reason }) ; il est gardé jusqu’à ce qu’il le soit
refresh-other-user = le jeton d’identité renouvelé nomme un autre utilisateur ({ $user }) que celui connecté
refresh-id-token-refused = le jeton d’identité renouvelé n’est pas acceptable : { $reason }
refresh-keyring-worker-failed = le processus du trousseau a échoué : { $reason }
refresh-last-attempt-failed = le dernier essai a échoué
transport-proxy-refused = le proxy a refusé de se connecter au serveur (vérifiez ses règles, ou NO_PROXY)
sign-out-account-file-changed = le fichier des comptes ne correspond plus à ce compte ; rien n’a été envoyé
error-no-accounts = aucun compte : connectez-vous d’abord avec `cells-auth login <serveur>`
error-ambiguous-account = « { $selector } » correspond à plusieurs comptes ({ $ids }) : donnez l’identifiant du compte

## Les dates et heures, dans le fuseau horaire de cet ordinateur.
format-moment = { $day }/{ $month }/{ $year } à { $hour }:{ $minute }
format-day = { $day }/{ $month }/{ $year }

## Les erreurs de la ligne de commande, et celles de l’application.
cli-cannot-start = impossible de démarrer : { $reason }
cli-log-filter = { $variable } n’est pas un filtre valide ({ $reason }) ; la journalisation reste désactivée
cli-rejected-unreadable = impossible de lire le jeton refusé sur l’entrée standard : { $reason }
cli-rejected-too-long = le jeton refusé sur l’entrée standard est plus long que tout jeton d’accès : donnez le jeton seul
cli-rejected-missing = --rejected lit sur l’entrée standard le jeton que le serveur a refusé, et il n’y en avait pas : passez-le par un tube, comme  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = répond aux demandes de jetons sur { $address } (Ctrl-C arrête)
cli-trust-on-plain-http = { $server } utilise http sans chiffrement, sans certificat à approuver : utilisez son adresse https://
cli-cannot-write-json = impossible d’écrire le JSON : { $reason }
browser-not-started = le navigateur du système n’a pas pu être lancé ({ $reason })
sign-in-no-browser = aucun navigateur n’est ouvert pour cette connexion : ouvrez l’adresse vous-même
app-cannot-write = impossible d’écrire { $path } : { $reason }
app-cannot-remove = impossible de supprimer { $path } : { $reason }
app-no-program-path = impossible de savoir où est ce programme ({ $reason }), il ne peut donc pas démarrer à l’ouverture de session
app-no-home = pas de dossier personnel : { $reason }
app-no-config-dir = pas de dossier de configuration : { $reason }
app-cannot-change-registry = impossible de modifier { $key } : { $reason }
app-no-log-folder = pas de dossier de journal sur ce système ({ $reason })
app-log-not-opened = impossible d’ouvrir le journal dans { $path } ({ $reason })
app-log-filter = { $variable } n’est pas un filtre valide ({ $reason })
app-log-folder-not-opened = impossible d’ouvrir le dossier du journal ({ $reason })
app-log-not-started = le journal n’a pas démarré
app-no-sign-in-waiting = aucune connexion n’attend

## L’aide de la ligne de commande (`cells-auth --help`).
cli-usage-error = { $problem } (voir cells-auth --help)
help-about = Se connecter à des serveurs Pydio Cells et garder leurs jetons dans le trousseau du système
help-login = Se connecter à un serveur Cells par le navigateur.
help-login-server = Le serveur : https://cells.example.com, cells.example.com ou http://hôte:port/sous/chemin.
help-login-dev-redirect = Recevoir la réponse sur http://localhost:3000/servers/callback (enregistrée par Cells pour le développement).
help-login-timeout = Combien de temps attendre le navigateur, en secondes.
help-login-no-browser = Ne pas ouvrir de navigateur ; seulement afficher l’adresse à ouvrir.
help-login-trust-certificate = Approuver exactement le certificat de cette empreinte SHA-256 pour ce serveur (un certificat auto-signé).
help-login-ca-file = Approuver l’autorité privée de ce fichier PEM pour ce serveur.
help-status = Lister les comptes et l’état de leurs jetons.
help-status-json = Afficher du JSON : {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Afficher un jeton d’accès qui a encore au moins une minute (un quart de sa durée de vie si c’est moins), après l’avoir renouvelé si besoin.
help-token-more = Il reste bon jusqu’à ce qu’il expire ou soit remplacé, selon ce qui arrive en premier. Il est remplacé quand il ne lui reste que cette minute, et Cells le révoque alors. Une requête refusée avec 401 se règle en redemandant avec --rejected.
help-token-account = L’identifiant du compte, ou son identifiant de connexion ou son serveur quand un seul compte correspond ; peut être omis s’il n’y a qu’un compte.
help-token-rejected = Un serveur a refusé un jeton (401) : lire ce jeton sur l’entrée standard et en afficher un plus récent. Le jeton de renouvellement n’est utilisé que si le jeton refusé est encore le jeton courant, quel que soit le nombre de demandes.
help-token-json = Afficher du JSON : {"{"}"access_token","token_type","expires_at"{"}"}, pour qui planifie son propre travail.
help-refresh = Renouveler maintenant les jetons d’un compte.
help-refresh-account = L’identifiant du compte, ou son identifiant de connexion ou son serveur quand un seul compte correspond ; peut être omis s’il n’y a qu’un compte.
help-logout = Se déconnecter : révoquer le jeton de renouvellement sur le serveur, supprimer les secrets locaux et oublier le compte.
help-logout-account = L’identifiant du compte, ou son identifiant de connexion ou son serveur quand un seul compte correspond.
help-agent = Garder les jetons à jour en mémoire et répondre à `cells-auth token` sur le socket de cet utilisateur, au premier plan.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    La fenêtre Cells Sync : se connecter à des serveurs Pydio Cells ; la zone de notification garde les jetons à jour.

      --hidden        démarrer avec la seule zone de notification (comme au démarrage de session) ; la fenêtre s’ouvre depuis elle
      --dev-redirect  se connecter par http://localhost:3000/servers/callback
      -V, --version   afficher la version
      -h, --help      afficher cette aide

    La ligne de commande, pour les scripts : cells-auth --help
help-usage = Utilisation :
help-options = Options
help-arguments = Arguments
help-commands = Commandes
help-help = Afficher l’aide
help-version = Afficher la version
help-help-command = Afficher ce message ou l’aide des sous-commandes données
