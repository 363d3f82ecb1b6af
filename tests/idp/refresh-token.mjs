// A refresh token of the confidential client `oidc-agent-bench`, printed
// on stdout: make bench hands it to oidc-gen, so that oidc-agent holds an
// account on the same provider as ours.
//
//   node refresh-token.mjs http://127.0.0.1:PORT

import crypto from 'node:crypto';

import { signInWithForm } from './form.mjs';

const server = process.argv.at(-1);
const client = { id: 'oidc-agent-bench', secret: 'bench-secret' };
const redirectUri = 'http://localhost:4242/servers/callback';

const config = await (await fetch(`${server}/oidc/.well-known/openid-configuration`)).json();
const verifier = crypto.randomBytes(32).toString('base64url');
const authorization = new URL(config.authorization_endpoint);
authorization.search = new URLSearchParams({
  response_type: 'code',
  client_id: client.id,
  redirect_uri: redirectUri,
  // oidc-agent asks for offline_access too, which oidc-provider grants only with consent.
  scope: 'openid offline offline_access',
  prompt: 'consent',
  state: crypto.randomBytes(16).toString('base64url'),
  code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
  code_challenge_method: 'S256',
}).toString();
const step = await signInWithForm(authorization.href);
const code = new URL(step.url).searchParams.get('code');
const response = await fetch(config.token_endpoint, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
  },
  body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
});
const tokens = await response.json();
if (!response.ok || !tokens.refresh_token) {
  console.error(`refresh-token.mjs: no refresh token (HTTP ${response.status}: ${tokens.error ?? ''})`);
  process.exit(1);
}
console.log(tokens.refresh_token);
