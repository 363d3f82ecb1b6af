// The floor of `cells-auth login` in make bench: the requests a sign-in
// needs, made by the smallest script that can: the OpenID configuration,
// the authorization page and login form (as the scripted browser does),
// the code exchange with PKCE, the key set. It stores nothing, verifies
// nothing and opens no listener.
//
//   node login-floor.mjs http://127.0.0.1:PORT

import crypto from 'node:crypto';

import { signInWithForm } from './form.mjs';

const server = process.argv.at(-1);
const random = () => crypto.randomBytes(32).toString('base64url');

async function json(response, what) {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status}`);
  return response.json();
}

const config = await json(await fetch(`${server}/oidc/.well-known/openid-configuration`), 'discovery');
const verifier = random();
const redirectUri = 'http://localhost:3636/servers/callback';
const authorization = new URL(config.authorization_endpoint);
authorization.search = new URLSearchParams({
  response_type: 'code',
  client_id: 'cells-sync',
  redirect_uri: redirectUri,
  scope: 'openid email profile pydio offline',
  state: random(),
  nonce: random(),
  code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
  code_challenge_method: 'S256',
}).toString();
const step = await signInWithForm(authorization.href);
const code = new URL(step.url).searchParams.get('code');
await json(
  await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'cells-sync', code_verifier: verifier }),
  }),
  'code exchange',
);
await json(await fetch(config.jwks_uri), 'key set');
