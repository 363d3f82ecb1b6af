# Os textos do cells-auth e do Cells Sync, em português do Brasil.

## O estado de uma conta.

badge-needs-sign-in = Login necessário
badge-refreshing = Renovando
badge-retrying = Tentando novamente
badge-signed-in = Conectado
state-needs-sign-in = login necessário
state-refreshing = renovando
state-retrying = tentando novamente
state-signed-in = conectado

## Quando o token de acesso expira.

expiry-expired = expirado
expiry-under-a-minute = expira em menos de um minuto
expiry-minutes = { $minutes ->
    [one] expira em { $minutes } minuto
   *[other] expira em { $minutes } minutos
}
expiry-hours = { $hours ->
    [one] expira em { $hours } hora
   *[other] expira em { $hours } horas
}
summary-signed-in = conectado, { $expiry }
countdown = token { $expiry } · { $activity }
summary-expired = conectado, token expirado (será renovado no próximo uso)

## A última renovação, ou o login.

refreshed-just-now = renovado agora mesmo
refreshed-minutes = { $minutes ->
    [one] renovado há { $minutes } minuto
   *[other] renovado há { $minutes } minutos
}
refreshed-hours = { $hours ->
    [one] renovado há { $hours } hora
   *[other] renovado há { $hours } horas
}
signed-in-just-now = conectado agora mesmo
signed-in-minutes = { $minutes ->
    [one] conectado há { $minutes } minuto
   *[other] conectado há { $minutes } minutos
}
signed-in-hours = { $hours ->
    [one] conectado há { $hours } hora
   *[other] conectado há { $hours } horas
}

## Por que uma conta tenta novamente.

last-error = último erro: { $error }
retry-under-a-minute = nova tentativa em menos de um minuto
retry-minutes = { $minutes ->
    [one] nova tentativa em { $minutes } minuto
   *[other] nova tentativa em { $minutes } minutos
}
retry-hours = { $hours ->
    [one] nova tentativa em { $hours } hora
   *[other] nova tentativa em { $hours } horas
}

## A bandeja do sistema e a notificação.

tray-line = { $user } @ { $server }: { $state }
notice-needs-sign-in = { $user } em { $server } precisa entrar novamente
tray-tooltip = Cells Sync
tray-attention = { $count ->
    [one] Cells Sync: { $count } conta precisa entrar novamente
   *[other] Cells Sync: { $count } contas precisam entrar novamente
}
tray-reauthenticate = Entrar novamente ({ $user })
tray-add-account = Adicionar conta…
tray-show-window = Mostrar janela
tray-quit = Sair

## As linhas da linha de comando para pessoas (o que os scripts leem nunca muda).

cli-plain-http-warning = Aviso: { $server } usa http sem criptografia; os tokens atravessarão a rede sem criptografia.
cli-open-address = Abra este endereço no navegador para entrar em { $server }:
cli-open-yourself = Aviso: { $reason }; abra você mesmo o endereço acima.
cli-paste-back = Se o navegador estiver em outra máquina: entre por lá, depois cole aqui o endereço em que ele parar (ele diz que não consegue se conectar) e pressione Enter. Ou encaminhe a porta antes: ssh -L { $port }:localhost:{ $port } <esta máquina>
cli-waiting = Aguardando o navegador em { $redirect } (tempo limite { $timeout }; Ctrl-C cancela)…
cli-signed-in = Conectado como { $user } em { $server } (conta { $account })
cli-not-taken = Não aceito: { $reason }.
cli-no-accounts = Nenhuma conta. Entre com: cells-auth login <servidor>
cli-account-on = { $user } em { $server }
cli-insecure = (inseguro: http sem criptografia)
cli-refreshed = { $user } em { $server } renovado: o token de acesso { $expiry }
cli-revoked = o servidor revogou seu token de atualização
cli-no-revocation = o servidor não oferece revogação
cli-nothing-to-revoke = não havia token de atualização para revogar
cli-revocation-failed = a revogação falhou (veja acima)
cli-revocation-warning = Aviso: não foi possível revogar o token de atualização no servidor: { $reason }
cli-signed-out = { $user } desconectado de { $server } (conta { $account }): segredos locais apagados; { $outcome }.

## A última página do navegador, depois do login.

page-title = Login no Cells: { $title }
page-signed-in = Conectado
page-signed-in-detail = Conectado a { $server } como { $user }. Você pode fechar esta aba e voltar ao aplicativo.
page-sign-in-failed = Falha no login
page-sign-in-failed-detail = { $error }. Volte ao aplicativo para tentar de novo.
page-already-done = Já concluído
page-already-done-detail = Este login já foi respondido. Você pode fechar esta aba.
page-closed = Login encerrado
page-closed-detail = O aplicativo não está mais aguardando este login. Comece de novo pelo aplicativo.
page-back = Volte ao aplicativo
page-back-detail = A resposta chegou ao aplicativo. Volte a ele para ver o resultado.
page-wrong-address = Endereço errado
page-wrong-address-detail = Este servidor só responde em localhost.
page-not-found = Não encontrado
page-not-found-detail = Nada aqui.
page-not-allowed = Não permitido
page-not-allowed-detail = Aqui só é servido o redirecionamento do login.
page-not-this-sign-in = Não é este login

## A janela. Os valores entre chaves são preenchidos pela janela.

window-title = Cells Sync: contas
window-accounts = Contas
window-empty-title = Nenhuma conta ainda.
window-empty-text = Informe abaixo o endereço do seu servidor Cells. Seu navegador abre a página de login; os tokens ficam guardados no chaveiro deste computador.
window-add-heading = Adicionar uma conta
window-server-label = Endereço do servidor
window-server-placeholder = https://cells.example.com
window-sign-in = Entrar
window-server-give = Informe o endereço do seu servidor Cells, por exemplo https://cells.example.com
window-server-signs-in = Entra em { $address }
window-server-insecure = { $address }: http sem criptografia, os tokens atravessam a rede sem criptografia
window-pending-heading = Aguardando o seu navegador
window-pending-port = Entrando em { $server }. A resposta volta a este aplicativo pela porta { $port } (http://localhost:{ $port }).
window-pending-link = Entrando em { $server }. O navegador entregará a resposta a este aplicativo por um link cellsauth://.
window-pending-url-label = Se nenhum navegador abriu, abra você mesmo este endereço:
window-copy = Copiar
window-copied = Copiado
window-paste-label = Navegador em outra máquina ou em uma sandbox? Entre por lá e cole o endereço em que ele parou (ele diz que não consegue se conectar):
window-paste-submit = Usar este endereço
window-paste-taken = Recebido: concluindo o login…
window-reopen = Abrir o navegador de novo
window-cancel = Cancelar
window-use-link = Login bloqueado por um firewall? Use um link cellsauth:// em vez disso
window-sign-in-cancelled = Login cancelado.
window-start-at-login = Iniciar com a sessão, só na bandeja do sistema
window-copy-diagnostics = Copiar o diagnóstico
window-open-log = Abrir a pasta do registro
window-diagnostics-label = Diagnóstico (sem senha nem token)
window-diagnostics-copied = Diagnóstico copiado: cole-o no seu relato. Ele não contém senha nem token.
window-diagnostics-shown = Diagnóstico mostrado abaixo, selecionado: copie-o (Ctrl+C) para o seu relato. Ele não contém senha nem token.
window-certificate-heading = Verifique o certificado deste servidor
window-certificate-subject = Titular
window-certificate-issuer = Emissor
window-certificate-valid = Válido
window-certificate-validity = de { $from } a { $to }
window-certificate-untrusted = { $server } apresenta um certificado em que este computador não confia ({ $reason }).
window-certificate-changed = { $server } apresenta um certificado diferente do aprovado para ele (SHA-256 { $pinned }). É assim que uma interceptação aparece: aprove o novo só se o certificado do servidor foi trocado de propósito.
window-certificate-hint = Aprove-o só se o SHA-256 dele for o informado pelo administrador do seu servidor. Seu navegador também avisará sobre este certificado: aceite-o lá só se mostrar o mesmo SHA-256.
window-trust-certificate = Confiar neste certificado
window-certificate-not-trusted = O certificado não foi aprovado; nenhum login foi iniciado.
window-plain-http = http sem criptografia
window-reauthenticate = Entrar novamente
window-refresh-now = Renovar agora
window-refreshed = Renovado.
window-sign-out = Sair
window-keep-signed-in = Continuar conectado
window-confirm-sign-out = Desconectar { $user } de { $server }?
window-account-action = { $action }: { $user } em { $server }
window-language = Idioma
window-language-system = Idioma do sistema

## As mensagens de resultado do aplicativo.

app-signed-in = Conectado como { $user } em { $server }
app-signed-out-revoked = { $user } desconectado; o servidor revogou a sessão.
app-signed-out = { $user } desconectado.
app-signed-out-not-told = { $user } desconectado neste computador, mas não foi possível avisar o servidor: { $reason }
app-browser-not-opened = não foi possível abrir o navegador ({ $reason })
app-unknown-language = { $tag } não é um dos idiomas do Cells Sync
