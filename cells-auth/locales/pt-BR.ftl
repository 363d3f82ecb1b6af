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

## O que deu errado: cada erro, pelo seu tipo, com os seus valores. Um
## valor entre chaves que vem do sistema, de uma biblioteca ou do servidor
## é mostrado como veio.

# O chaveiro e o arquivo de contas.
error-no-secret-service = nenhum Secret Service está disponível para guardar os tokens ({ $reason }): inicie o gnome-keyring ou outro Secret Service (como o KeePassXC) na sua sessão e tente novamente
error-keyring-locked = o chaveiro está bloqueado: desbloqueie-o ({ $how }) e tente novamente
keyring-unlock-linux = por exemplo em Senhas e chaves, ou entrando na sessão do desktop
keyring-unlock-macos = no Acesso às Chaves, ou entrando novamente no seu Mac
keyring-unlock-windows = entre novamente no Windows com este usuário; o Gerenciador de Credenciais só fica aberto na sua própria sessão
error-secret-incomplete = o chaveiro guarda só uma parte do { $kind }: entre novamente
error-keyring-timeout = o chaveiro não respondeu em { $seconds } s; talvez esteja esperando uma senha: desbloqueie-o e tente novamente
error-secret-too-long = o chaveiro se recusou a guardar um { $kind } de { $bytes } bytes, mais longo do que aceita
secret-refresh-token = token de renovação
secret-access-token = token de acesso
secret-id-token = token de identidade
secret-any = segredo
error-keyring = o chaveiro falhou: { $reason }
error-no-config-dir = nenhuma pasta de configuração encontrada: indique uma em { $variable }
error-io = não é possível { $action } { $path }: { $reason }
io-create = criar
io-write = gravar
io-sync = sincronizar
io-replace = substituir
io-open = abrir
io-lock = bloquear
io-read = ler
io-tell-who-owns = saber a quem pertence
io-read-access-list = ler a lista de acesso de
io-bind = escutar em
io-remove = remover
error-unsafe-dir = a pasta de configuração { $path } { $reason }: quem pode alterá-la pode decidir para onde vão os tokens; deixe-a só sua ({ $fix }) e tente novamente
private-dir-other-owner = pertence a outro usuário ({ $owner })
private-dir-no-owner = não pertence a ninguém
private-dir-writable-by-others = pode ser alterada por outros usuários ({ $who })
private-dir-no-access-list = não tem lista de acesso, então qualquer um pode alterá-la
private-dir-unreadable-access-list = tem uma lista de acesso que não pode ser lida
private-dir-fix-unix = chmod 700
private-dir-fix-windows = nas Propriedades, Segurança: só o seu usuário, SYSTEM e os Administradores podem alterá-la
error-lock-timeout = outro processo cells-auth está com { $path } há { $seconds } s (pode estar parado ou travado): encerre-o ou tente novamente
error-account-file-damaged = o arquivo de contas { $path } está danificado ({ $reason }): mova-o para outro lugar e entre novamente
error-unknown-account = nenhuma conta corresponde a “{ $selector }”: `cells-auth status` lista as contas
error-missing-secret = o { $kind } da conta { $account } está faltando no chaveiro: entre novamente
error-io-bare = não é possível { $action }: { $reason }
io-tell-user = saber a identidade deste usuário
io-make-pipe-permissions = preparar as permissões do pipe

# O agente de tokens.
error-agent-running = já há um agente em execução para este usuário (em { $endpoint }): use-o ou pare-o primeiro
error-agent-unsafe-dir = a pasta do agente { $path } não é só deste usuário (precisa ter modo 0700 e ser sua): remova-a e comece de novo

# A rede.
verbatim = { $text }
error-body-too-large = a resposta passa de { $kib } KiB
error-tls-client = não é possível iniciar o cliente HTTPS ({ $reason }); verifique se os certificados TLS do sistema (SSL_CERT_FILE, SSL_CERT_DIR) podem ser lidos
error-proxy-address = { $variable } não é um endereço de proxy utilizável: informe um como http://proxy.example.com:3128 (ou http://usuario:senha@proxy:3128), ou remova-o
transport-proxy-authentication = o proxy pede um nome de usuário e uma senha (HTTP 407): coloque-os no endereço do proxy, como em HTTPS_PROXY=http://usuario:senha@proxy.example.com:3128
transport-timed-out = sem resposta a tempo (tempo esgotado)
transport-certificate-refused = o certificado do servidor foi recusado: { $reason }
transport-tls-handshake = a negociação TLS falhou ({ $reason }); o servidor serve mesmo https nesta porta, com um certificado em que este computador confia?
transport-refused = conexão recusada
transport-reset = conexão interrompida pelo servidor
transport-no-such-host = não é possível resolver o nome do host
transport-cannot-connect = não é possível conectar: { $reason }
json-problem = { $kind } na linha { $line }, coluna { $column }
json-read-error = erro de leitura
json-not-json = não é JSON
json-wrong-field = um campo está faltando ou tem o tipo errado
json-truncated = JSON truncado

# Os tokens.
error-token-transport = não é possível alcançar o endpoint de tokens { $url }: { $reason }
error-token-refused = o servidor recusou o pedido de token: { $error }
error-token-refused-described = o servidor recusou o pedido de token: { $error } ({ $description })
error-token-status = o endpoint { $url } respondeu HTTP { $status } sem um erro OAuth
error-token-no-status = o endpoint { $url } respondeu com um erro sem um erro OAuth
error-token-invalid = a resposta do endpoint de tokens não é uma resposta de token válida: { $reason }
error-bad-endpoint = o { $what } do servidor “{ $url }” não é uma URL válida
endpoint-token = endpoint de tokens
endpoint-redirect-uri = URI de redirecionamento
endpoint-revocation = endpoint de revogação
endpoint-authorization = endpoint de autorização
endpoint-key-set = conjunto de chaves (jwks_uri)
endpoint-logout = endpoint de saída
endpoint-userinfo = endpoint userinfo
token-not-json = não é um documento JSON
token-not-bearer = token_type é “{ $type }”, esperado Bearer
token-empty = o token de acesso está vazio
token-clock-out-of-range = o relógio local está fora do intervalo
json-problem-at = { $problem } (em { $path })

# O endereço do servidor, e o que ele serve.
error-address-empty = o endereço do servidor está vazio: informe um como https://cells.example.com
error-address-white-space = o endereço do servidor “{ $input }” contém espaços: informe um como https://cells.example.com
error-address-scheme = o endereço do servidor “{ $input }” usa “{ $scheme }”: só https:// (ou http:// em uma rede confiável) é suportado
error-address-invalid = “{ $input }” não é um endereço de servidor válido: informe um como https://cells.example.com
error-address-no-host = o endereço do servidor “{ $input }” não tem nome de host: informe um como https://cells.example.com
error-address-credentials = o endereço do servidor “{ $input }” não pode conter nome de usuário nem senha
error-address-query = o endereço do servidor “{ $input }” não pode conter consulta (?...) nem fragmento (#...)
error-address-oidc-path = “{ $input }” é o endereço do serviço OpenID, não do servidor: use { $suggestion }
error-discovery-transport = não é possível alcançar { $url }: { $reason }
error-discovery-redirected = { $url } redireciona para { $location }: entre com o endereço para o qual ele redireciona
error-discovery-redirected-elsewhere = { $url } redireciona para outro endereço: entre com o endereço para o qual ele redireciona
error-discovery-not-found = nenhuma configuração OpenID em { $url } (HTTP 404): verifique se este é o endereço de um servidor Cells
error-discovery-status = { $url } respondeu HTTP { $status } em vez da configuração OpenID: o servidor, ou um proxy na frente dele, está falhando
error-discovery-too-large = { $url } enviou mais de { $kib } KiB em vez de uma configuração OpenID: verifique o endereço do servidor
error-discovery-html = { $url } retornou uma página HTML em vez da configuração OpenID: talvez um proxy na frente do Cells esteja respondendo; verifique o endereço do servidor
error-discovery-invalid = { $url } não é uma configuração OpenID válida: { $reason }
error-discovery-issuer = { $url } indica o emissor { $found }, mas um servidor Cells neste endereço é { $expected }: verifique o endereço do servidor (ou a configuração da URL externa dele)
error-endpoint-scheme = { $url } dá como { $endpoint } { $found }, que não é um endereço http(s): nada será aberto nem enviado para lá
error-endpoint-foreign = { $url } manda o { $endpoint } para { $found }, um endereço diferente do servidor: recusado (um endpoint em outro lugar é a forma de um ataque de confusão)
error-endpoint-insecure = { $url } manda o { $endpoint } para { $found }, que não é https embora o servidor seja: nenhum segredo será enviado por http
discovery-issuer-not-a-url = o emissor não é uma URL
discovery-endpoint-not-a-url = o { $endpoint } “{ $found }” não é uma URL
discovery-no-pkce = o servidor não suporta PKCE com S256, exigido por este cliente

# Os certificados.
error-fingerprint = “{ $input }” não é uma impressão digital SHA-256: informe os 64 dígitos hexadecimais que a mensagem de erro mostrou (dois-pontos opcionais)
error-ca-file-unreadable = não é possível ler o arquivo da CA { $path }: { $reason }
error-ca-file-empty = o arquivo da CA { $path } não contém nenhum certificado PEM (-----BEGIN CERTIFICATE-----): informe o certificado da CA privada
error-ca-file-bad-anchor = o certificado do arquivo da CA não pode servir de âncora de confiança: { $reason }
certificate-subject = titular:
certificate-issuer = emissor:
certificate-valid = validade:
certificate-validity = de { $from } a { $to }
error-certificate-untrusted =
    { $server } apresenta um certificado em que este computador não confia ({ $reason }):
    { $certificate }
    Se este é o certificado do seu servidor (compare o SHA-256 com o que o administrador dele vê), continue com um destes comandos:
      cells-auth login { $server } --trust-certificate { $fingerprint }
      cells-auth login { $server } --ca-file <o arquivo PEM da CA privada>
    Seu navegador também vai alertar sobre este certificado: aceite-o lá só se ele mostrar o mesmo SHA-256.
error-certificate-changed =
    { $server } apresenta outro certificado que o aceito para ele, que era SHA-256 { $pinned }. Ele apresenta:
    { $certificate }
    Ele não é aceito em silêncio: é assim que uma interceptação se parece. Se o certificado do servidor foi substituído de propósito (pergunte ao administrador dele), confie no novo com:
      cells-auth login { $server } --trust-certificate { $fingerprint }
certificate-unknown-issuer = é autoassinado ou assinado por uma autoridade desconhecida
certificate-expired = expirou
certificate-not-yet-valid = ainda não é válido
certificate-wrong-name = não foi emitido para este endereço
certificate-not-the-pinned-one = não é o certificado aceito para este servidor
certificate-self-signed = é autoassinado
certificate-unverifiable = não pode ser verificado: { $reason }

# O token de identidade.
error-id-token-malformed = o token de identidade não é um JWT assinado válido: { $reason }
error-id-token-algorithm = o token de identidade está assinado com “{ $algorithm }”, que não é aceito (só RS256 ou ES256)
error-id-token-keys = não é possível obter as chaves de assinatura do servidor em { $url }: { $reason }
error-id-token-unknown-key = nenhuma chave do conjunto de chaves do servidor corresponde ao token de identidade (id da chave { $kid })
error-id-token-signature = a assinatura do token de identidade não se verifica com as chaves do servidor
error-id-token-issuer = o token de identidade foi emitido por { $found }, não por este servidor ({ $expected })
error-id-token-audience = o token de identidade é destinado a { $found }, não a { $expected }
error-id-token-azp = o token de identidade foi emitido para { $found }, não para { $expected } (azp)
error-id-token-expired = o token de identidade expirou em { $at }: verifique o relógio deste computador
error-id-token-future = o token de identidade diz ter sido emitido em { $at }, no futuro: verifique o relógio deste computador
error-id-token-nonce = o nonce do token de identidade não corresponde a este login
error-id-token-no-nonce = o token de identidade não traz nonce, e este login não usou PKCE
error-id-token-no-subject = o token de identidade não indica nenhum titular
keys-status = HTTP { $status }
keys-not-a-key-set = não é um conjunto de chaves JSON ({ $problem })
jwt-claims = claims: { $problem }
jwt-bad-header = o cabeçalho não é um cabeçalho JWS válido
jwt-exp-out-of-range = exp está fora do intervalo
jwt-iat-out-of-range = iat está fora do intervalo
jwt-not-three-parts = esperadas três partes separadas por pontos
jwt-header-not-base64url = o cabeçalho não está em base64url
jwt-no-alg = o cabeçalho não tem alg

# O login.
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h
error-ports-taken = nenhuma porta livre para o redirecionamento do login: as portas { $first }-{ $last } estão todas em uso ou proibidas em 127.0.0.1 e [::1]; feche os programas que as ocupam e tente novamente
error-dev-port-taken = a porta { $port } do redirecionamento de desenvolvimento está em uso ou proibida em 127.0.0.1 ou [::1]: libere-a, ou entre sem --dev-redirect
error-loopback = não é possível escutar na interface local: { $reason }
error-sign-in-timeout = nenhuma resposta do navegador em { $wait }: entre novamente (--timeout define uma espera mais longa)
error-sign-in-cancelled = login cancelado
error-sign-in-denied = o login foi cancelado no navegador ({ $error })
error-sign-in-denied-described = o login foi cancelado no navegador ({ $error }: { $description })
error-sign-in-refused = o servidor recusou o login ({ $error })
error-sign-in-refused-described = o servidor recusou o login ({ $error }: { $description })
error-sign-in-wrong-issuer = a resposta veio de { $found }, não de { $expected }: login interrompido (defesa contra confusão)
error-sign-in-unnamed-issuer = a resposta veio de um emissor sem nome, não de { $expected }: login interrompido (defesa contra confusão)
error-sign-in-tokens = não é possível obter os tokens: { $reason }
error-sign-in-rejected = login rejeitado: { $reason }
error-sign-in-missing-token = o servidor não retornou nenhum { $kind }; verifique se o cliente cells-sync tem permissão para os escopos “openid” e “offline”
error-sign-in-aborted = o login parou antes de o navegador responder
error-answer-not-a-link = não é um link cellsauth://callback
error-answer-not-the-redirect = esse não é o endereço que este login espera: cole o endereço inteiro em que o navegador parou, começando com { $expected }
error-answer-already = este login já recebeu a sua resposta
error-answer-closed = o login não está mais esperando
error-answer-nothing-pending = nenhum login espera um link cellsauth
stray-other-sign-in = esta resposta é de outro login (o estado não corresponde)
stray-no-state = esta resposta não traz estado
stray-no-code = esta resposta não traz nem código nem erro
stray-repeated-parameter = um parâmetro está repetido
stray-head-request = uma requisição HEAD não pode concluir um login

# Manter os tokens atualizados.
error-no-account = nenhuma conta { $id }
error-needs-sign-in = { $user } em { $server } precisa entrar novamente ({ $reason })
error-retry-later = não é possível renovar o token de acesso de { $user } em { $server }: { $reason }; próxima tentativa em { $at }
error-retry-later-long = não é possível renovar o token de acesso de { $user } em { $server } (próxima tentativa em { $at }): { $reason }
refresh-issuer-changed = o servidor agora indica o emissor { $found }, não { $expected }
refresh-account-file-changed = o arquivo de contas não corresponde mais a esta conta (o servidor ou o emissor dela foi alterado); nada foi enviado: entre novamente
refresh-token-missing = o token de renovação está faltando no chaveiro
refresh-refused = o servidor recusou o token de renovação: { $reason }
refresh-rotated-not-stored = o chaveiro não aceitou o novo token de renovação em { $seconds } s ({ $reason }), e o antigo já foi gasto
refresh-rotated-kept = o novo token de renovação ainda não pôde ser salvo ({ $reason }); ele é mantido até que possa
refresh-other-user = o token de identidade renovado indica outro usuário ({ $user }) que não o conectado
refresh-id-token-refused = o token de identidade renovado não é aceitável: { $reason }
refresh-keyring-worker-failed = o processo do chaveiro falhou: { $reason }
refresh-last-attempt-failed = a última tentativa falhou
transport-proxy-refused = o proxy se recusou a conectar ao servidor (verifique as regras dele, ou NO_PROXY)
sign-out-account-file-changed = o arquivo de contas não corresponde mais a esta conta; nada foi enviado
error-no-accounts = nenhuma conta: entre primeiro com `cells-auth login <servidor>`
error-ambiguous-account = “{ $selector }” corresponde a várias contas ({ $ids }): informe o id da conta

## Datas e horas, no fuso horário deste computador.
format-moment = { $day }/{ $month }/{ $year } às { $hour }:{ $minute }
format-day = { $day }/{ $month }/{ $year }

## Os erros próprios da linha de comando e do aplicativo.
cli-cannot-start = não é possível iniciar: { $reason }
cli-log-filter = { $variable } não é um filtro válido ({ $reason }); o registro continua desligado
cli-rejected-unreadable = não é possível ler o token recusado da entrada padrão: { $reason }
cli-rejected-too-long = o token recusado na entrada padrão é mais longo que qualquer token de acesso: informe só o token
cli-rejected-missing = --rejected lê da entrada padrão o token que o servidor recusou, e não havia nenhum: passe-o por um pipe, como em  printf '%s' "$TOKEN" | cells-auth token --rejected
cli-agent-answering = respondendo a pedidos de token em { $address } (Ctrl-C para)
cli-trust-on-plain-http = { $server } usa http sem criptografia, que não tem certificado em que confiar: use o endereço https:// dele
cli-cannot-write-json = não é possível escrever o JSON: { $reason }
browser-not-started = o navegador do sistema não pôde ser iniciado ({ $reason })
sign-in-no-browser = nenhum navegador está aberto para este login: abra o endereço você mesmo
app-cannot-write = não é possível gravar { $path }: { $reason }
app-cannot-remove = não é possível remover { $path }: { $reason }
app-no-program-path = não é possível saber onde este programa está ({ $reason }), então ele não pode iniciar com a sessão
app-no-home = nenhuma pasta pessoal: { $reason }
app-no-config-dir = nenhuma pasta de configuração: { $reason }
app-cannot-change-registry = não é possível alterar { $key }: { $reason }
app-no-log-folder = nenhuma pasta de registro neste sistema ({ $reason })
app-log-not-opened = não é possível abrir o registro em { $path } ({ $reason })
app-log-filter = { $variable } não é um filtro válido ({ $reason })
app-log-folder-not-opened = não é possível abrir a pasta do registro ({ $reason })
app-log-not-started = o registro não começou
app-no-sign-in-waiting = nenhum login está esperando

## A ajuda da linha de comando (`cells-auth --help`).
cli-usage-error = { $problem } (veja cells-auth --help)
help-about = Entrar em servidores Pydio Cells e guardar os tokens deles no chaveiro do sistema
help-login = Entrar em um servidor Cells pelo navegador.
help-login-server = O servidor: https://cells.example.com, cells.example.com ou http://host:porta/sub/caminho.
help-login-dev-redirect = Receber a resposta em http://localhost:3000/servers/callback (registrado pelo Cells para desenvolvimento).
help-login-timeout = Quanto tempo esperar pelo navegador, em segundos.
help-login-no-browser = Não abrir navegador; só mostrar o endereço a abrir.
help-login-trust-certificate = Confiar exatamente no certificado com esta impressão digital SHA-256 para este servidor (um autoassinado).
help-login-ca-file = Confiar na CA privada deste arquivo PEM para este servidor.
help-status = Listar as contas e o estado dos tokens delas.
help-status-json = Mostrar JSON: {"{"}"accounts":[{"{"}"id","server","issuer","user","email","state","access_token_expires_at"{"}"}]{"}"}.
help-token = Mostrar um token de acesso com pelo menos um minuto restante (um quarto da vida dele se isso for menos), renovando antes se preciso.
help-token-more = Ele continua válido até expirar ou ser substituído, o que vier primeiro. Ele é substituído quando só resta esse minuto, e o Cells então o revoga. Uma requisição recusada com 401 é respondida pedindo de novo com --rejected.
help-token-account = O id da conta, ou o login ou servidor dela quando só uma conta corresponde; pode ser omitido quando há uma só conta.
help-token-rejected = Um servidor recusou um token (401): ler esse token da entrada padrão e mostrar um mais novo. O token de renovação só é gasto se o token recusado ainda for o atual, não importa quantos perguntem.
help-token-json = Mostrar JSON: {"{"}"access_token","token_type","expires_at"{"}"}, para quem agenda o próprio trabalho.
help-refresh = Renovar agora os tokens de uma conta.
help-refresh-account = O id da conta, ou o login ou servidor dela quando só uma conta corresponde; pode ser omitido quando há uma só conta.
help-logout = Sair: revogar o token de renovação no servidor, apagar os segredos locais e esquecer a conta.
help-logout-account = O id da conta, ou o login ou servidor dela quando só uma conta corresponde.
help-agent = Manter os tokens atualizados na memória e responder a `cells-auth token` no socket deste usuário, em primeiro plano.
app-usage =
    Usage: cells-sync [--hidden] [--dev-redirect] [cellsauth://...]

    A janela do Cells Sync: entrar em servidores Pydio Cells; a bandeja mantém os tokens atualizados.

      --hidden        iniciar só com a bandeja (como ao iniciar a sessão); a janela abre a partir dela
      --dev-redirect  entrar por http://localhost:3000/servers/callback
      -V, --version   mostrar a versão
      -h, --help      mostrar esta ajuda

    A linha de comando, para scripts: cells-auth --help
help-usage = Uso:
help-options = Opções
help-arguments = Argumentos
help-commands = Comandos
help-help = Mostrar a ajuda
help-version = Mostrar a versão
help-help-command = Mostrar esta mensagem ou a ajuda dos subcomandos indicados
