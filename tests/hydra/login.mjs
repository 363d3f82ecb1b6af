// Cells' login page, for Ory Hydra in the tests: it answers Hydra's login
// and consent challenges through Hydra's admin API. The user signs in on a
// form (the same fields as the oidc-provider stand-in's, so that the scripted
// browser and Chromium fill it alike); consent is skipped, as Cells skips it
// for its own clients. It also answers nginx's `auth_request` for the WebDAV
// test server: a bearer token is let through only if Hydra's introspection
// says it is active.
//
//   node login.mjs --admin http://127.0.0.1:ADMIN --exit-with-stdin
// prints `listening PORT` once it listens on 127.0.0.1.

import http from 'node:http';

import { USERS, USERS_BY_SUB, loginPage, page } from '../idp/pages.mjs';

const args = process.argv.slice(2);
const option = (name) => args[args.indexOf(name) + 1];
const admin = option('--admin');
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

async function callAdmin(method, path, body) {
  const response = await fetch(`${admin}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Hydra ${method} ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
  });
}

function show(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

function loginForm(res, challenge, clientId, message) {
  show(res, 200, loginPage(`login?login_challenge=${encodeURIComponent(challenge)}`, clientId, message));
}

function redirect(res, to) {
  res.writeHead(302, { location: to });
  res.end();
}

async function login(req, res, url) {
  const challenge = url.searchParams.get('login_challenge') || '';
  const request = await callAdmin('GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`);
  const path = `/admin/oauth2/auth/requests/login`;
  const query = `login_challenge=${encodeURIComponent(challenge)}`;
  if (req.method === 'GET') {
    // A session Hydra remembers: signed in already.
    if (request.skip) {
      const accepted = await callAdmin('PUT', `${path}/accept?${query}`, { subject: request.subject });
      return redirect(res, accepted.redirect_to);
    }
    return loginForm(res, challenge, request.client?.client_id, '');
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    const rejected = await callAdmin('PUT', `${path}/reject?${query}`, {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in',
    });
    return redirect(res, rejected.redirect_to);
  }
  const user = USERS.get(form.get('login') || '');
  if (!user || user.password !== form.get('password')) {
    return loginForm(res, challenge, request.client?.client_id, 'Wrong login or password.');
  }
  const accepted = await callAdmin('PUT', `${path}/accept?${query}`, { subject: user.sub, remember: true, remember_for: 3600 });
  return redirect(res, accepted.redirect_to);
}

async function consent(res, url) {
  const challenge = url.searchParams.get('consent_challenge') || '';
  const query = `consent_challenge=${encodeURIComponent(challenge)}`;
  const request = await callAdmin('GET', `/admin/oauth2/auth/requests/consent?${query}`);
  const user = USERS_BY_SUB.get(request.subject) || { login: request.subject };
  // First-party clients: consent is given without asking, as Cells does.
  const accepted = await callAdmin('PUT', `/admin/oauth2/auth/requests/consent/accept?${query}`, {
    grant_scope: request.requested_scope,
    grant_access_token_audience: request.requested_access_token_audience,
    remember: false,
    session: { id_token: { name: user.login, email: user.email, authSource: user.authSource } },
  });
  return redirect(res, accepted.redirect_to);
}

async function logout(res, url) {
  const challenge = url.searchParams.get('logout_challenge') || '';
  const accepted = await callAdmin('PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${encodeURIComponent(challenge)}`);
  return redirect(res, accepted.redirect_to);
}

// nginx's auth_request: 204 for an active access token, 401 otherwise.
async function introspect(req, res) {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization || '')?.[1];
  if (!token) {
    res.writeHead(401);
    return res.end();
  }
  const response = await fetch(`${admin}/admin/oauth2/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const answer = response.ok ? await response.json() : {};
  res.writeHead(answer.active === true && answer.token_use === 'access_token' ? 204 : 401);
  return res.end();
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  // Behind nginx under /login, /consent... or /cells/login...: the last part names the page.
  const route = url.pathname.split('/').filter(Boolean).at(-1);
  try {
    if (route === 'login') return await login(req, res, url);
    if (route === 'consent') return await consent(res, url);
    if (route === 'logout') return await logout(res, url);
    if (route === '_introspect') return await introspect(req, res);
    return show(res, 404, page('Not found', ''));
  } catch (err) {
    console.error(`login app: ${err.message}`);
    return show(res, 502, page('Sign-in failed', '<p>Hydra did not answer as expected; see the test log.</p>'));
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
