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
window-certificate-validity = del { $from } al { $to }
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
