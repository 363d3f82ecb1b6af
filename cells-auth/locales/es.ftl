# Los textos de cells-auth y Cells Sync, en español.

## El estado de una cuenta.

badge-needs-sign-in = Requiere iniciar sesión
badge-refreshing = Renovando
badge-retrying = Reintentando
badge-signed-in = Sesión iniciada
state-needs-sign-in = requiere iniciar sesión
state-refreshing = renovando
state-retrying = reintentando
state-signed-in = sesión iniciada

## Cuándo caduca el token de acceso.

expiry-expired = caducado
expiry-under-a-minute = caduca en menos de un minuto
expiry-minutes = { $minutes ->
    [one] caduca en { $minutes } minuto
   *[other] caduca en { $minutes } minutos
}
expiry-hours = { $hours ->
    [one] caduca en { $hours } hora
   *[other] caduca en { $hours } horas
}
summary-signed-in = sesión iniciada, { $expiry }
countdown = token { $expiry } · { $activity }
summary-expired = sesión iniciada, token caducado (se renovará en el próximo uso)

## La última renovación, o el inicio de sesión.

refreshed-just-now = renovado ahora mismo
refreshed-minutes = { $minutes ->
    [one] renovado hace { $minutes } minuto
   *[other] renovado hace { $minutes } minutos
}
refreshed-hours = { $hours ->
    [one] renovado hace { $hours } hora
   *[other] renovado hace { $hours } horas
}
signed-in-just-now = sesión iniciada ahora mismo
signed-in-minutes = { $minutes ->
    [one] sesión iniciada hace { $minutes } minuto
   *[other] sesión iniciada hace { $minutes } minutos
}
signed-in-hours = { $hours ->
    [one] sesión iniciada hace { $hours } hora
   *[other] sesión iniciada hace { $hours } horas
}

## Por qué una cuenta lo reintenta.

last-error = último error: { $error }
retry-under-a-minute = próximo intento en menos de un minuto
retry-minutes = { $minutes ->
    [one] próximo intento en { $minutes } minuto
   *[other] próximo intento en { $minutes } minutos
}
retry-hours = { $hours ->
    [one] próximo intento en { $hours } hora
   *[other] próximo intento en { $hours } horas
}

## La bandeja del sistema y la notificación.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } en { $server } debe volver a iniciar sesión
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } cuenta requiere iniciar sesión
   *[other] Cells Sync: { $count } cuentas requieren iniciar sesión
}
tray-reauthenticate = Volver a iniciar sesión ({ $user })
tray-add-account = Añadir cuenta…
tray-show-window = Mostrar ventana
tray-quit = Salir

## Las líneas de la línea de órdenes para personas (lo que leen los scripts nunca cambia).

cli-plain-http-warning = Aviso: { $server } usa http sin cifrar; los tokens cruzarán la red sin cifrar.
cli-open-address = Abra esta dirección en su navegador para iniciar sesión en { $server }:
cli-open-yourself = Aviso: { $reason }; abra usted mismo la dirección de arriba.
cli-paste-back = Si el navegador está en otra máquina: inicie sesión allí, pegue aquí la dirección en la que termina (dice que no puede conectarse) y pulse Intro. O redirija antes el puerto: ssh -L { $port }:localhost:{ $port } <esta máquina>
cli-waiting = Esperando al navegador en { $redirect } (tiempo límite { $timeout }; Ctrl-C cancela)…
cli-signed-in = Sesión iniciada como { $user } en { $server } (cuenta { $account })
cli-not-taken = No aceptada: { $reason }.
cli-no-accounts = No hay cuentas. Inicie sesión con: cells-auth login <servidor>
cli-account-on = { $user } en { $server }
cli-insecure = (inseguro: http sin cifrar)
cli-refreshed = { $user } en { $server } renovado: el token de acceso { $expiry }
cli-revoked = el servidor revocó su token de actualización
cli-no-revocation = el servidor no ofrece revocación
cli-nothing-to-revoke = no había ningún token de actualización que revocar
cli-revocation-failed = la revocación falló (ver arriba)
cli-revocation-warning = Aviso: no se pudo revocar el token de actualización en el servidor: { $reason }
cli-signed-out = Sesión de { $user } cerrada en { $server } (cuenta { $account }): secretos locales borrados; { $outcome }.

## La última página del navegador, tras iniciar sesión.

page-title = Inicio de sesión en Cells: { $title }
page-signed-in = Sesión iniciada
page-signed-in-detail = Sesión iniciada en { $server } como { $user }. Puede cerrar esta pestaña y volver a la aplicación.
page-sign-in-failed = No se pudo iniciar sesión
page-sign-in-failed-detail = { $error }. Vuelva a la aplicación para intentarlo de nuevo.
page-already-done = Ya está hecho
page-already-done-detail = Este inicio de sesión ya recibió su respuesta. Puede cerrar esta pestaña.
page-closed = Inicio de sesión cerrado
page-closed-detail = La aplicación ya no espera este inicio de sesión. Vuelva a empezarlo desde la aplicación.
page-back = Volver a la aplicación
page-back-detail = La respuesta llegó a la aplicación. Vuelva a ella para ver el resultado.
page-wrong-address = Dirección incorrecta
page-wrong-address-detail = Este servidor solo responde en localhost.
page-not-found = No encontrado
page-not-found-detail = Aquí no hay nada.
page-not-allowed = No permitido
page-not-allowed-detail = Aquí solo se sirve la redirección del inicio de sesión.
page-not-this-sign-in = No es este inicio de sesión

## La ventana. Los valores entre llaves los rellena la ventana.

window-title = Cells Sync: cuentas
window-accounts = Cuentas
window-empty-title = Todavía no hay ninguna cuenta.
window-empty-text = Escriba abajo la dirección de su servidor Cells. Su navegador abre su página de inicio de sesión; los tokens se guardan en el llavero de este ordenador.
window-add-heading = Añadir una cuenta
window-server-label = Dirección del servidor
window-server-placeholder = https://cells.example.com
window-sign-in = Iniciar sesión
window-server-give = Escriba la dirección de su servidor Cells, por ejemplo https://cells.example.com
window-server-signs-in = Inicia sesión en { $address }
window-server-insecure = { $address }: http sin cifrar, los tokens cruzan la red sin cifrar
window-pending-heading = Esperando a su navegador
window-pending-port = Iniciando sesión en { $server }. La respuesta vuelve a esta aplicación por el puerto { $port } (http://localhost:{ $port }).
window-pending-link = Iniciando sesión en { $server }. El navegador entregará la respuesta a esta aplicación mediante un enlace cellsauth://.
window-pending-url-label = Si no se abrió ningún navegador, abra usted mismo esta dirección:
window-copy = Copiar
window-copied = Copiado
window-paste-label = ¿Navegador en otra máquina o en un entorno aislado? Inicie sesión allí y pegue la dirección en la que terminó (dice que no puede conectarse):
window-paste-submit = Usar esta dirección
window-paste-taken = Recibido: terminando el inicio de sesión…
window-reopen = Abrir de nuevo el navegador
window-cancel = Cancelar
window-use-link = ¿Un cortafuegos bloquea el inicio de sesión? Use en su lugar un enlace cellsauth://
window-sign-in-cancelled = Inicio de sesión cancelado.
window-start-at-login = Iniciar al entrar en la sesión, solo en la bandeja
window-copy-diagnostics = Copiar el diagnóstico
window-open-log = Abrir la carpeta del registro
window-diagnostics-label = Diagnóstico (sin contraseñas ni tokens)
window-diagnostics-copied = Diagnóstico copiado: péguelo en su informe. No contiene contraseñas ni tokens.
window-diagnostics-shown = Diagnóstico mostrado abajo, seleccionado: cópielo (Ctrl+C) en su informe. No contiene contraseñas ni tokens.
window-certificate-heading = Compruebe el certificado de este servidor
window-certificate-subject = Sujeto
window-certificate-issuer = Emisor
window-certificate-valid = Válido
window-certificate-untrusted = { $server } presenta un certificado en el que este ordenador no confía ({ $reason }).
window-certificate-changed = { $server } presenta un certificado distinto del que se aprobó para él (SHA-256 { $pinned }). Así se ve una interceptación: apruebe el nuevo solo si el certificado del servidor se sustituyó a propósito.
window-certificate-hint = Apruébelo solo si su SHA-256 es el que indica el administrador de su servidor. Su navegador también le avisará de este certificado: acéptelo allí solo si muestra el mismo SHA-256.
window-trust-certificate = Confiar en este certificado
window-certificate-not-trusted = No se confió en el certificado; no se inició ningún inicio de sesión.
window-plain-http = http sin cifrar
window-reauthenticate = Volver a iniciar sesión
window-refresh-now = Renovar ahora
window-refreshed = Renovado.
window-sign-out = Cerrar sesión
window-keep-signed-in = Mantener la sesión
window-confirm-sign-out = ¿Cerrar la sesión de { $user } en { $server }?
window-account-action = { $action }: { $user } en { $server }
window-language = Idioma
window-language-system = Idioma del sistema

## Los mensajes de resultado de la aplicación.

app-signed-in = Sesión iniciada como { $user } en { $server }
app-signed-out-revoked = Sesión de { $user } cerrada; el servidor revocó su sesión.
app-signed-out = Sesión de { $user } cerrada.
app-signed-out-not-told = Sesión de { $user } cerrada en este ordenador, pero no se pudo avisar al servidor: { $reason }
app-browser-not-opened = no se pudo abrir el navegador ({ $reason })
app-unknown-language = { $tag } no es uno de los idiomas de Cells Sync

## Lo que falló: cada error, por su tipo, con sus valores. Un valor entre
## llaves que viene del sistema, de una biblioteca o del servidor se
## muestra tal cual.

# El llavero y el archivo de cuentas.
error-no-secret-service = no hay ningún Secret Service disponible para guardar los tokens ({ $reason }): inicie gnome-keyring u otro Secret Service (como KeePassXC) en su sesión y vuelva a intentarlo
error-keyring-locked = el llavero está bloqueado: desbloquéelo ({ $how }) y vuelva a intentarlo
keyring-unlock-linux = por ejemplo en Contraseñas y claves, o iniciando sesión en el escritorio
keyring-unlock-macos = en Acceso a Llaveros, o volviendo a iniciar sesión en su Mac
keyring-unlock-windows = vuelva a iniciar sesión en Windows con este usuario; el Administrador de credenciales solo está abierto en su propia sesión
error-secret-incomplete = el llavero solo contiene una parte del { $kind }: vuelva a iniciar sesión
error-keyring-timeout = el llavero no respondió en { $seconds } s; quizá espera una contraseña: desbloquéelo y vuelva a intentarlo
error-secret-too-long = el llavero se negó a guardar un { $kind } de { $bytes } bytes, más largo de lo que acepta
secret-refresh-token = token de renovación
secret-access-token = token de acceso
secret-id-token = token de identidad
secret-any = secreto
error-keyring = el llavero falló: { $reason }
error-no-config-dir = no se encuentra ninguna carpeta de configuración: indique una en { $variable }
error-io = no se puede { $action } { $path }: { $reason }
io-create = crear
io-write = escribir
io-sync = sincronizar
io-replace = reemplazar
io-open = abrir
io-lock = bloquear
io-read = leer
io-tell-who-owns = saber de quién es
io-read-access-list = leer la lista de acceso de
io-bind = escuchar en
io-remove = eliminar
error-unsafe-dir = la carpeta de configuración { $path } { $reason }: quien pueda cambiarla puede decidir adónde van los tokens; hágala solo suya ({ $fix }) y vuelva a intentarlo
private-dir-other-owner = pertenece a otro usuario ({ $owner })
private-dir-no-owner = no pertenece a nadie
private-dir-writable-by-others = otros usuarios pueden escribir en ella ({ $who })
private-dir-no-access-list = no tiene lista de acceso, así que cualquiera puede cambiarla
private-dir-unreadable-access-list = tiene una lista de acceso que no se puede leer
private-dir-fix-unix = chmod 700
private-dir-fix-windows = en sus Propiedades, Seguridad: solo su usuario, SYSTEM y los Administradores pueden cambiarla
error-lock-timeout = otro proceso de cells-auth tiene { $path } desde hace { $seconds } s (puede estar detenido o colgado): termínelo o vuelva a intentarlo
error-account-file-damaged = el archivo de cuentas { $path } está dañado ({ $reason }): muévalo a otro sitio y vuelva a iniciar sesión
error-unknown-account = ninguna cuenta coincide con «{ $selector }»: `cells-auth status` las muestra
error-missing-secret = falta el { $kind } de la cuenta { $account } en el llavero: vuelva a iniciar sesión
error-io-bare = no se puede { $action }: { $reason }
io-tell-user = saber la identidad de este usuario
io-make-pipe-permissions = preparar los permisos de la tubería

# El agente de tokens.
error-agent-running = ya hay un agente en marcha para este usuario (en { $endpoint }): úselo, o deténgalo primero
error-agent-unsafe-dir = la carpeta del agente { $path } no es solo de este usuario (debe tener modo 0700 y ser suya): elimínela y vuelva a empezar

# La red.
verbatim = { $text }
error-body-too-large = la respuesta supera los { $kib } KiB
error-tls-client = no se puede iniciar el cliente HTTPS ({ $reason }); compruebe que los certificados TLS del sistema (SSL_CERT_FILE, SSL_CERT_DIR) se pueden leer
error-proxy-address = { $variable } no es una dirección de proxy utilizable: indique una como http://proxy.example.com:3128 (o http://usuario:contraseña@proxy:3128), o quítela
transport-proxy-authentication = el proxy pide un nombre de usuario y una contraseña (HTTP 407): póngalos en la dirección del proxy, como HTTPS_PROXY=http://usuario:contraseña@proxy.example.com:3128
transport-timed-out = sin respuesta a tiempo (tiempo agotado)
transport-certificate-refused = el certificado del servidor se rechaza: { $reason }
transport-tls-handshake = falló la negociación TLS ({ $reason }); ¿sirve el servidor realmente https en este puerto, con un certificado en el que confía este equipo?
transport-refused = conexión rechazada
transport-reset = el servidor cortó la conexión
transport-no-such-host = no se puede resolver el nombre del host
transport-cannot-connect = no se puede conectar: { $reason }
json-problem = { $kind } en la línea { $line }, columna { $column }
json-read-error = error de lectura
json-not-json = no es JSON
json-wrong-field = falta un campo o tiene un tipo incorrecto
json-truncated = JSON truncado

# Los tokens.
error-token-transport = no se puede llegar al endpoint de tokens { $url }: { $reason }
error-token-refused = el servidor rechazó la solicitud de token: { $error }
error-token-refused-described = el servidor rechazó la solicitud de token: { $error } ({ $description })
error-token-status = el endpoint { $url } respondió HTTP { $status } sin un error OAuth
error-token-no-status = el endpoint { $url } respondió con un error sin un error OAuth
error-token-invalid = la respuesta del endpoint de tokens no es una respuesta de token válida: { $reason }
error-bad-endpoint = el { $what } del servidor «{ $url }» no es una URL válida
endpoint-token = endpoint de tokens
endpoint-redirect-uri = URI de redirección
endpoint-revocation = endpoint de revocación
endpoint-authorization = endpoint de autorización
endpoint-key-set = conjunto de claves (jwks_uri)
endpoint-logout = endpoint de cierre de sesión
endpoint-userinfo = endpoint userinfo
token-not-json = no es un documento JSON
token-not-bearer = token_type es «{ $type }», se esperaba Bearer
token-empty = el token de acceso está vacío
token-clock-out-of-range = el reloj local está fuera de rango
json-problem-at = { $problem } (en { $path })

# La dirección del servidor, y lo que sirve.
error-address-empty = la dirección del servidor está vacía: indique una como https://cells.example.com
error-address-white-space = la dirección del servidor «{ $input }» contiene espacios: indique una como https://cells.example.com
error-address-scheme = la dirección del servidor «{ $input }» usa «{ $scheme }»: solo se admite https:// (o http:// en una red de confianza)
error-address-invalid = «{ $input }» no es una dirección de servidor válida: indique una como https://cells.example.com
error-address-no-host = la dirección del servidor «{ $input }» no tiene nombre de host: indique una como https://cells.example.com
error-address-credentials = la dirección del servidor «{ $input }» no debe contener un nombre de usuario ni una contraseña
error-address-query = la dirección del servidor «{ $input }» no debe contener una consulta (?...) ni un fragmento (#...)
error-address-oidc-path = «{ $input }» es la dirección del servicio OpenID, no del servidor: use { $suggestion }
error-discovery-transport = no se puede llegar a { $url }: { $reason }
error-discovery-redirected = { $url } redirige a { $location }: inicie sesión con la dirección a la que redirige
error-discovery-redirected-elsewhere = { $url } redirige a otra dirección: inicie sesión con la dirección a la que redirige
error-discovery-not-found = no hay configuración OpenID en { $url } (HTTP 404): compruebe que es la dirección de un servidor Cells
error-discovery-status = { $url } respondió HTTP { $status } en lugar de la configuración OpenID: el servidor, o un proxy delante de él, está fallando
error-discovery-too-large = { $url } envió más de { $kib } KiB en lugar de una configuración OpenID: compruebe la dirección del servidor
error-discovery-html = { $url } devolvió una página HTML en lugar de la configuración OpenID: puede que responda un proxy delante de Cells; compruebe la dirección del servidor
error-discovery-invalid = { $url } no es una configuración OpenID válida: { $reason }
error-discovery-issuer = { $url } nombra al emisor { $found }, pero un servidor Cells en esta dirección es { $expected }: compruebe la dirección del servidor (o el ajuste de su URL externa)
error-endpoint-scheme = { $url } da como { $endpoint } { $found }, que no es una dirección http(s): no se abrirá ni enviará nada allí
error-endpoint-foreign = { $url } envía el { $endpoint } a { $found }, una dirección distinta de la del servidor: se rechaza (un endpoint en otro sitio es la forma de un ataque de confusión)
error-endpoint-insecure = { $url } envía el { $endpoint } a { $found }, que no es https aunque el servidor sí lo es: no se enviarán secretos por http
discovery-issuer-not-a-url = el emisor no es una URL
discovery-endpoint-not-a-url = el { $endpoint } «{ $found }» no es una URL
discovery-no-pkce = el servidor no admite PKCE con S256, que este cliente exige

# Los certificados.
error-fingerprint = «{ $input }» no es una huella SHA-256: indique los 64 dígitos hexadecimales que mostró el mensaje de error (los dos puntos son opcionales)
error-ca-file-unreadable = no se puede leer el archivo de la CA { $path }: { $reason }
error-ca-file-empty = el archivo de la CA { $path } no contiene ningún certificado PEM (-----BEGIN CERTIFICATE-----): indique el certificado de la CA privada
error-ca-file-bad-anchor = el certificado del archivo de la CA no puede servir de ancla de confianza: { $reason }
certificate-subject = sujeto:
certificate-issuer = emisor:
certificate-valid = válido:
certificate-validity = del { $from } al { $to }
error-certificate-untrusted =
    { $server } presenta un certificado en el que este equipo no confía ({ $reason }):
    { $certificate }
    Si es el certificado de su servidor (compare el SHA-256 con lo que ve su administrador), continúe con uno de estos comandos:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <el archivo PEM de la CA privada>
    Su navegador también avisará de este certificado: acéptelo allí solo si muestra el mismo SHA-256.
error-certificate-changed =
    { $server } presenta otro certificado que el aceptado para él, que era SHA-256 { $pinned }. Presenta:
    { $certificate }
    No se acepta en silencio: así se ve una interceptación. Si el certificado del servidor se reemplazó a propósito (pregunte a su administrador), confíe en el nuevo con:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = está autofirmado o firmado por una autoridad desconocida
certificate-expired = ha caducado
certificate-not-yet-valid = todavía no es válido
certificate-wrong-name = no está emitido para esta dirección
certificate-not-the-pinned-one = no es el certificado aceptado para este servidor
certificate-self-signed = está autofirmado
certificate-unverifiable = no se puede verificar: { $reason }

# El token de identidad.
error-id-token-malformed = el token de identidad no es un JWT firmado válido: { $reason }
error-id-token-algorithm = el token de identidad está firmado con «{ $algorithm }», que no se acepta (solo RS256 o ES256)
error-id-token-keys = no se pueden obtener las claves de firma del servidor desde { $url }: { $reason }
error-id-token-unknown-key = ninguna clave del conjunto de claves del servidor coincide con el token de identidad (id de clave { $kid })
error-id-token-signature = la firma del token de identidad no se verifica con las claves del servidor
error-id-token-issuer = el token de identidad lo emitió { $found }, no este servidor ({ $expected })
error-id-token-audience = el token de identidad es para { $found }, no para { $expected }
error-id-token-azp = el token de identidad se emitió para { $found }, no para { $expected } (azp)
error-id-token-expired = el token de identidad caducó el { $at }: compruebe el reloj de este equipo
error-id-token-future = el token de identidad dice haberse emitido el { $at }, en el futuro: compruebe el reloj de este equipo
error-id-token-nonce = el nonce del token de identidad no coincide con este inicio de sesión
error-id-token-no-nonce = el token de identidad no lleva nonce, y este inicio de sesión no usó PKCE
error-id-token-no-subject = el token de identidad no nombra a ningún sujeto
keys-status = HTTP { $status }
keys-not-a-key-set = no es un conjunto de claves JSON ({ $problem })
jwt-claims = claims: { $problem }
jwt-bad-header = la cabecera no es una cabecera JWS válida
jwt-exp-out-of-range = exp está fuera de rango
jwt-iat-out-of-range = iat está fuera de rango
jwt-not-three-parts = se esperaban tres partes separadas por puntos
jwt-header-not-base64url = la cabecera no está en base64url
jwt-no-alg = la cabecera no tiene alg

# El inicio de sesión.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = no hay ningún puerto libre para la redirección del inicio de sesión: los puertos { $first }-{ $last } están todos ocupados o prohibidos en 127.0.0.1 y [::1]; cierre los programas que los ocupan y vuelva a intentarlo
error-dev-port-taken = el puerto { $port } de la redirección de desarrollo está ocupado o prohibido en 127.0.0.1 o [::1]: libérelo, o inicie sesión sin --dev-redirect
error-loopback = no se puede escuchar en la interfaz local: { $reason }
error-sign-in-timeout = sin respuesta del navegador en { $wait }: vuelva a iniciar sesión (--timeout fija una espera más larga)
error-sign-in-cancelled = inicio de sesión cancelado
error-sign-in-denied = el inicio de sesión se canceló en el navegador ({ $error })
error-sign-in-denied-described = el inicio de sesión se canceló en el navegador ({ $error }: { $description })
error-sign-in-refused = el servidor rechazó el inicio de sesión ({ $error })
error-sign-in-refused-described = el servidor rechazó el inicio de sesión ({ $error }: { $description })
error-sign-in-wrong-issuer = la respuesta vino de { $found }, no de { $expected }: inicio de sesión interrumpido (defensa contra la confusión)
error-sign-in-unnamed-issuer = la respuesta vino de un emisor sin nombre, no de { $expected }: inicio de sesión interrumpido (defensa contra la confusión)
error-sign-in-tokens = no se pueden obtener los tokens: { $reason }
error-sign-in-rejected = inicio de sesión rechazado: { $reason }
error-sign-in-missing-token = el servidor no devolvió ningún { $kind }; compruebe que el cliente cells-sync tiene permitidos los ámbitos «openid» y «offline»
error-sign-in-aborted = el inicio de sesión se detuvo antes de que respondiera el navegador
error-answer-not-a-link = no es un enlace cellsauth://callback
error-answer-not-the-redirect = esa no es la dirección que espera este inicio de sesión: pegue la dirección completa en la que terminó el navegador, que empieza por { $expected }
error-answer-already = este inicio de sesión ya recibió su respuesta
error-answer-closed = el inicio de sesión ya no está esperando
error-answer-nothing-pending = ningún inicio de sesión espera un enlace cellsauth
stray-other-sign-in = esta respuesta es para otro inicio de sesión (el estado no coincide)
stray-no-state = esta respuesta no lleva estado
stray-no-code = esta respuesta no lleva ni código ni error
stray-repeated-parameter = un parámetro está repetido
stray-head-request = una solicitud HEAD no puede completar un inicio de sesión

# Mantener los tokens al día.
error-no-account = no hay ninguna cuenta { $id }
error-needs-sign-in = { $user } en { $server } debe volver a iniciar sesión ({ $reason })
error-retry-later = no se puede renovar el token de acceso de { $user } en { $server }: { $reason }; próximo intento el { $at }
error-retry-later-long = no se puede renovar el token de acceso de { $user } en { $server } (próximo intento el { $at }): { $reason }
refresh-issuer-changed = el servidor ahora nombra a su emisor { $found }, no { $expected }
refresh-account-file-changed = el archivo de cuentas ya no corresponde a esta cuenta (se cambió su servidor o su emisor); no se envió nada: vuelva a iniciar sesión
refresh-token-missing = falta el token de renovación en el llavero
refresh-refused = el servidor rechazó el token de renovación: { $reason }
refresh-rotated-not-stored = el llavero no aceptó el nuevo token de renovación en { $seconds } s ({ $reason }), y el anterior ya está gastado
refresh-rotated-kept = el nuevo token de renovación aún no se pudo guardar ({ $reason }); se conserva hasta que se pueda
refresh-other-user = el token de identidad renovado nombra a otro usuario ({ $user }) distinto del que inició sesión
refresh-id-token-refused = el token de identidad renovado no es aceptable: { $reason }
refresh-keyring-worker-failed = falló el proceso del llavero: { $reason }
refresh-last-attempt-failed = el último intento falló
transport-proxy-refused = el proxy se negó a conectar con el servidor (compruebe sus reglas, o NO_PROXY)
sign-out-account-file-changed = el archivo de cuentas ya no corresponde a esta cuenta; no se envió nada
error-no-accounts = no hay cuentas: inicie sesión primero con `cells-auth login <servidor>`
error-ambiguous-account = «{ $selector }» coincide con varias cuentas ({ $ids }): indique el id de la cuenta

## Fechas y horas, en la zona horaria de este equipo.
format-moment = { $day }/{ $month }/{ $year }, { $hour }:{ $minute }
format-day = { $day }/{ $month }/{ $year }

## Los errores propios de la línea de comandos y de la aplicación.
cli-cannot-start = no se puede iniciar: { $reason }
cli-log-filter = { $variable } no es un filtro válido ({ $reason }); el registro sigue desactivado
cli-rejected-unreadable = no se puede leer el token rechazado de la entrada estándar: { $reason }
cli-rejected-too-long = el token rechazado en la entrada estándar es más largo que cualquier token de acceso: indique solo el token
cli-rejected-missing = --rejected lee de la entrada estándar el token que el servidor rechazó, y no había ninguno: páselo por una tubería, como en  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = responde a las solicitudes de tokens en { $address } (Ctrl-C detiene)
cli-trust-on-plain-http = { $server } usa http sin cifrar, que no tiene certificado en el que confiar: use su dirección https://
cli-cannot-write-json = no se puede escribir el JSON: { $reason }
browser-not-started = no se pudo iniciar el navegador del sistema ({ $reason })
sign-in-no-browser = no hay navegador abierto para este inicio de sesión: abra la dirección usted mismo
app-cannot-write = no se puede escribir { $path }: { $reason }
app-cannot-remove = no se puede eliminar { $path }: { $reason }
app-no-program-path = no se puede saber dónde está este programa ({ $reason }), así que no puede iniciarse con la sesión
app-no-home = no hay carpeta personal: { $reason }
app-no-config-dir = no hay carpeta de configuración: { $reason }
app-cannot-change-registry = no se puede cambiar { $key }: { $reason }
app-no-log-folder = no hay carpeta de registro en este sistema ({ $reason })
app-log-not-opened = no se puede abrir el registro en { $path } ({ $reason })
app-log-filter = { $variable } no es un filtro válido ({ $reason })
app-log-folder-not-opened = no se puede abrir la carpeta del registro ({ $reason })
app-log-not-started = el registro no ha empezado
app-no-sign-in-waiting = ningún inicio de sesión está esperando

## La ayuda de la línea de comandos (`cells-auth --help`).
cli-usage-error = { $problem } (consulte cells-auth --help)
help-about = Iniciar sesión en servidores Pydio Cells y guardar sus tokens en el llavero del sistema
help-login = Iniciar sesión en un servidor Cells a través del navegador.
help-login-server = El servidor: https://cells.example.com, cells.example.com o http://host:puerto/sub/ruta.
help-login-dev-redirect = Recibir la respuesta en http://localhost:3000/servers/callback (registrada por Cells para desarrollo).
help-login-timeout = Cuánto esperar al navegador, en segundos.
help-login-no-browser = No abrir ningún navegador; solo mostrar la dirección que hay que abrir.
help-login-trust-certificate = Confiar exactamente en el certificado con esta huella SHA-256 para este servidor (uno autofirmado).
help-login-ca-file = Confiar en la CA privada de este archivo PEM para este servidor.
help-status = Listar las cuentas y el estado de sus tokens.
help-status-json = Mostrar JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Mostrar un token de acceso al que le quede al menos un minuto (un cuarto de su vida si eso es menos), renovándolo antes si hace falta.
help-token-more = Sigue siendo válido hasta que caduca o se reemplaza, lo que ocurra primero. Se reemplaza cuando solo le queda ese minuto, y Cells lo revoca entonces. A una solicitud rechazada con 401 se responde pidiendo de nuevo con --rejected.
help-token-account = El id de la cuenta, o su usuario o servidor cuando solo coincide una cuenta; puede omitirse cuando hay una sola cuenta.
help-token-rejected = Un servidor rechazó un token (401): leer ese token de la entrada estándar y mostrar uno más reciente. El token de renovación solo se gasta si el token rechazado sigue siendo el actual, pregunten cuantos pregunten.
help-token-json = Mostrar JSON: {"{"}"access_token","token_type","expires_at"{"}"}, para quien planifica su propio trabajo.
help-refresh = Renovar ahora los tokens de una cuenta.
help-refresh-account = El id de la cuenta, o su usuario o servidor cuando solo coincide una cuenta; puede omitirse cuando hay una sola cuenta.
help-logout = Cerrar sesión: revocar el token de renovación en el servidor, borrar los secretos locales y olvidar la cuenta.
help-logout-account = El id de la cuenta, o su usuario o servidor cuando solo coincide una cuenta.
help-agent = Mantener los tokens al día en memoria y responder a `cells-auth token` en el socket de este usuario, en primer plano.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    La ventana de Cells Sync: iniciar sesión en servidores Pydio Cells; la bandeja mantiene los tokens al día.

      --hidden        iniciar solo con la bandeja (como al iniciar sesión); la ventana se abre desde ella
      --dev-redirect  iniciar sesión a través de http://localhost:3000/servers/callback
      -V, --version   mostrar la versión
      -h, --help      mostrar esta ayuda

    La línea de comandos, para scripts: cells-auth --help
help-usage = Uso:
help-options = Opciones
help-arguments = Argumentos
help-commands = Comandos
help-help = Mostrar la ayuda
help-version = Mostrar la versión
help-help-command = Mostrar este mensaje o la ayuda de los subcomandos indicados
