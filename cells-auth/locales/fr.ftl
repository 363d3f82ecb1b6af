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
window-certificate-validity = du { $from } au { $to }
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
