// A Cells-shaped OpenID provider for end-to-end tests and the demo.
//
// It is panva's certified `oidc-provider`, configured the way a Pydio Cells
// server answers: mounted under /oidc with Cells' route names, an issuer with
// a trailing slash, the public clients `cells-sync` (exact loopback redirect
// URIs) and `cells-mobile` (cellsauth://callback), Hydra's `offline` scope,
// opaque access tokens, rotating refresh tokens and consent accepted
// automatically. Test knobs live under /_test (see README.md beside this file).
//
// Usage: node server.mjs [--port N] [--host H] [--public-url URL] [--exit-with-stdin]
//
// --public-url is the address users reach it by through a reverse proxy
// (https://HOST:PORT/cells): the issuer becomes <URL>/oidc/, every page is
// served under its path, and the proxy's X-Forwarded-Proto is trusted.
// Prints `listening <port>` on stdout once it accepts connections.

import http from 'node:http';
import { parseArgs } from 'node:util';
import * as jose from 'jose';
import Provider from 'oidc-provider';

import { USERS, USERS_BY_SUB, escapeHtml, loginPage as loginForm, page } from './pages.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'public-url': { type: 'string' },
    // Tests: end when the parent's end of stdin closes, even if the parent was killed.
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});
if (args['exit-with-stdin']) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

const SCOPES = ['openid', 'email', 'profile', 'pydio', 'offline'];
const SYNC_PORTS = Array.from({ length: 31 }, (_, i) => 3636 + i);

// Knobs a test may change at run time through POST /_test/config.
const knobs = {
  accessTokenTtl: 600, // Cells: 10 minutes
  idTokenTtl: 3600, // Cells: 1 hour
  refreshTokenTtl: 60 * 24 * 3600, // Cells: 60 days
  rotateRefreshTokens: true,
  // Cells sends neither the RFC 9207 `iss` parameter nor announces it;
  // oidc-provider does both. Off strips them, as Cells answers.
  issParameter: false,
};
// Faults injected into the next token requests: [{ status, error, description }].
let tokenFaults = [];
// Claims overridden in the next ID token issued (re-signed), or a foreign key.
let idTokenTamper = null;
// While true, every request but the test API has its connection dropped, as
// when the server is unreachable; the provider keeps its state.
let outage = false;
// Endpoints that accept a request and never answer it: { token, revocation }.
let hangs = {};
// The next token request is answered as a broken proxy would: its body echoed in an error.
let echoNextTokenRequest = false;
const stats = { requests: 0, token: { authorization_code: 0, refresh_token: 0, other: 0, injected_fault: 0 }, token_errors: { authorization_code: 0, refresh_token: 0, other: 0 }, revocation: 0, userinfo: 0, code_verifiers: [] };

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'cells-test-1', alg: 'RS256', use: 'sig' };
const foreignKey = (await jose.generateKeyPair('RS256')).privateKey;

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), args.host, resolve));
const { port } = server.address();
const hostForUrl = args.host.includes(':') ? `[${args.host}]` : args.host;
const origin = `http://${hostForUrl}:${port}`;
// The address users type, and the path under which the proxy forwards it.
const publicUrl = (args['public-url'] || origin).replace(/\/+$/, '');
const basePath = new URL(publicUrl).pathname.replace(/\/+$/, '');
const issuer = `${publicUrl}/oidc/`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'cells-sync',
      // A web client so that redirect URIs are matched exactly, port included,
      // as Cells (Hydra) does; a native client would get RFC 8252's any-port rule.
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [
        ...SYNC_PORTS.map((p) => `http://localhost:${p}/servers/callback`),
        'http://localhost:3000/servers/callback',
      ],
      scope: SCOPES.join(' '),
    },
    {
      // oidc-agent, the yardstick of `cells-auth token` in make bench: it
      // authenticates as a confidential client (refresh-token.mjs).
      client_id: 'oidc-agent-bench',
      client_secret: 'bench-secret',
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://localhost:4242/servers/callback'],
      scope: [...SCOPES, 'offline_access'].join(' '),
    },
    {
      client_id: 'cells-mobile',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['cellsauth://callback'],
      scope: SCOPES.join(' '),
    },
  ],
  jwks: { keys: [signingJwk] },
  // offline_access: only oidc-agent's client may ask for it (make bench's yardstick).
  scopes: [...SCOPES, 'offline_access'],
  claims: {
    openid: ['sub', 'sid'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    pydio: ['authSource'],
  },
  // Cells puts the profile claims in the ID token itself.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
  },
  pkce: { required: () => true },
  routes: {
    authorization: '/oauth2/auth',
    token: '/oauth2/token',
    revocation: '/oauth2/revoke',
    end_session: '/oauth2/sessions/logout',
    jwks: '/.well-known/jwks.json',
    userinfo: '/userinfo',
  },
  cookies: { keys: ['cells-test-idp-cookie-key'] },
  interactions: { url: (_ctx, interaction) => `${basePath}/oidc/interaction/${interaction.uid}` },
  ttl: {
    AccessToken: () => knobs.accessTokenTtl,
    IdToken: () => knobs.idTokenTtl,
    RefreshToken: () => knobs.refreshTokenTtl,
    AuthorizationCode: 60,
    Grant: 365 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
  },
  rotateRefreshToken: () => knobs.rotateRefreshTokens,
  // Hydra issues refresh tokens for `offline`, not `offline_access`.
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline'),
  expiresWithSession: async (_ctx, code) => !code.scopes.has('offline'),
  // Cells accepts consent automatically: every sign-in gets a grant for all scopes.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const existing = grantId && (await ctx.oidc.provider.Grant.find(grantId));
    if (existing) return existing;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    // offline_access: oidc-agent asks for it (make bench's yardstick).
    grant.addOIDCScope([...SCOPES, 'offline_access'].join(' '));
    await grant.save();
    return grant;
  },
  findAccount: async (_ctx, sub) => {
    const user = USERS_BY_SUB.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ sub, name: user.login, email: user.email, email_verified: true, authSource: user.authSource }),
    };
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description || '')}</p>`);
  },
});
// Behind a reverse proxy, its X-Forwarded-Proto says the scheme users see.
provider.proxy = Boolean(args['public-url']);

// Test faults and tampering around the token endpoint, the way a broken or
// hostile server would answer.
provider.use(async (ctx, next) => {
  if (ctx.path === '/oauth2/token' && ctx.method === 'POST') {
    const fault = tokenFaults.shift();
    if (fault) {
      stats.token.injected_fault += 1;
      ctx.status = fault.status || 400;
      ctx.type = 'json';
      ctx.body = fault.error ? { error: fault.error, error_description: fault.description || 'injected by the test provider' } : 'injected failure';
      return;
    }
    await next();
    if (idTokenTamper && ctx.status === 200 && ctx.body?.id_token) {
      const tamper = idTokenTamper;
      idTokenTamper = null;
      ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token, tamper) };
    }
    return;
  }
  if (ctx.path === '/oauth2/revoke' && ctx.method === 'POST') stats.revocation += 1;
  if (ctx.path === '/userinfo') stats.userinfo += 1;
  await next();
  if (!knobs.issParameter) stripIssParameter(ctx);
});

function stripIssParameter(ctx) {
  if (ctx.path === '/.well-known/openid-configuration' && ctx.body) {
    ctx.body = { ...ctx.body, authorization_response_iss_parameter_supported: false };
  }
  const location = ctx.response.get('location');
  if (location && /^https?:\/\/localhost:\d+\/servers\/callback\?/.test(location)) {
    const url = new URL(location);
    url.searchParams.delete('iss');
    ctx.redirect(url.href);
  }
}

// oidc-provider parses the token request itself; count by grant type once it has.
for (const event of ['grant.success', 'grant.error']) {
  provider.on(event, (ctx) => {
    const type = ctx.oidc.params?.grant_type;
    const key = type === 'authorization_code' || type === 'refresh_token' ? type : 'other';
    stats.token[key] += 1;
    if (event === 'grant.error') stats.token_errors[key] += 1;
    // For leak checks: the verifiers the client proved PKCE with.
    if (ctx.oidc.params?.code_verifier) stats.code_verifiers.push(ctx.oidc.params.code_verifier);
  });
}

async function resign(idToken, tamper) {
  const payload = jose.decodeJwt(idToken);
  const claims = { ...payload, ...(tamper.claims || {}) };
  const key = tamper.foreignKey ? foreignKey : privateKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid, typ: 'JWT' }).sign(key);
}

const providerHandler = provider.callback();

server.on('request', (req, res) => {
  handle(req, res).catch((err) => {
    console.error('test idp error:', err);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain' });
    }
    res.end('internal error');
  });
});

async function handle(req, res) {
  stats.requests += 1;
  const url = new URL(req.url, origin);
  if (url.pathname.startsWith('/_test/')) return testApi(req, res, url);
  if (outage) return req.socket.destroy();
  // Behind a reverse proxy, everything but the test API is under the public path.
  if (basePath) {
    if (!url.pathname.startsWith(`${basePath}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(basePath.length);
    url.pathname = url.pathname.slice(basePath.length);
  }
  if (req.method === 'POST' && ((hangs.token && url.pathname === '/oidc/oauth2/token') || (hangs.revocation && url.pathname === '/oidc/oauth2/revoke'))) {
    return; // accepted, never answered: the client must give up on its own
  }
  if (echoNextTokenRequest && req.method === 'POST' && url.pathname === '/oidc/oauth2/token') {
    echoNextTokenRequest = false;
    const body = await readBody(req);
    return json(res, 400, { error: 'invalid_request', error_description: `proxy could not forward: ${body}\u001b[2J\r\nforged line` });
  }
  if (url.pathname.startsWith('/oidc/interaction/')) return interaction(req, res, url);
  if (url.pathname === '/a/frontend/bootconf') return json(res, 200, { customWording: { title: 'Cells Test Server' } });
  // A reverse proxy that answers every path with its own HTML page.
  if (url.pathname.startsWith('/behind-proxy/')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
  }
  if (url.pathname === '/oidc' || url.pathname.startsWith('/oidc/')) {
    // Mount the provider under /oidc the way express would; oidc-provider
    // reads its mount path (with the proxy's base path) from originalUrl.
    req.originalUrl = req.originalUrl || req.url;
    req.url = req.url.slice('/oidc'.length) || '/';
    return providerHandler(req, res);
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  const uid = details.uid;
  if (details.prompt.name === 'consent') {
    // oidc-provider asks native clients (cells-mobile) for consent every time;
    // Cells accepts it automatically.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    // offline_access: oidc-agent asks for it (make bench's yardstick).
    grant.addOIDCScope([...SCOPES, 'offline_access'].join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginPage(uid, details.params.client_id, ''));
  }
  if (req.method !== 'POST') {
    res.writeHead(405);
    return res.end();
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
  }
  const user = USERS.get(form.get('login') || '');
  if (!user || user.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(loginPage(uid, details.params.client_id, 'Wrong login or password.'));
  }
  return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}

async function testApi(req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /_test/health':
      return json(res, 200, { ok: true, issuer });
    case 'GET /_test/stats':
      return json(res, 200, stats);
    case 'POST /_test/config': {
      const body = JSON.parse((await readBody(req)) || '{}');
      for (const key of Object.keys(knobs)) if (key in body) knobs[key] = body[key];
      return json(res, 200, knobs);
    }
    case 'POST /_test/token-faults': {
      // Body: a list of faults answered, in order, to the next token requests.
      tokenFaults = JSON.parse((await readBody(req)) || '[]');
      return json(res, 200, { queued: tokenFaults.length });
    }
    case 'POST /_test/hang': {
      hangs = JSON.parse((await readBody(req)) || '{}');
      return json(res, 200, hangs);
    }
    case 'POST /_test/echo-next-token-request': {
      echoNextTokenRequest = true;
      return json(res, 200, { echo: true });
    }
    case 'POST /_test/outage': {
      outage = JSON.parse((await readBody(req)) || '{}').on === true;
      return json(res, 200, { outage });
    }
    case 'POST /_test/tamper-next-id-token': {
      idTokenTamper = JSON.parse((await readBody(req)) || '{}');
      return json(res, 200, { ok: true });
    }
    default:
      return json(res, 404, { error: `no test route ${route}` });
  }
}

function loginPage(uid, clientId, message) {
  return loginForm(`${basePath}/oidc/interaction/${uid}`, clientId, message);
}


function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}

console.log(`listening ${port}`);
