// A scripted browser for tests: handed to cells-auth through BROWSER, it is
// run with the authorization URL as its last argument. It follows redirects
// with a cookie jar, fills in the test provider's login form, and delivers the
// redirect to the loopback listener, as a user's browser would.
//
// Environment:
//   CELLS_TEST_LOGIN / CELLS_TEST_PASSWORD  the user (default alice)
//   CELLS_TEST_ACTION      login (default) or cancel (presses Cancel)
//   CELLS_TEST_STRAYS=1    first sends stray, forged and garbage requests to the listener
//   CELLS_TEST_CALLBACK_HOST  host to deliver the callback to: localhost (default), 127.0.0.1 or [::1]
//   CELLS_TEST_REPORT      file to write a JSON report to
//   CELLS_TEST_OPENED      file holding our pid, created as soon as the browser starts
//   CELLS_TEST_LOOPBACK_BLOCKED=1  ignores sign-ins with a loopback redirect, as a firewall would
//   CELLS_TEST_DELIVER=none   does not deliver the callback, as a browser on another machine cannot;
//                             the address it ended on is reported as `finalAddress`
// A redirect to cellsauth://callback is not followed but reported as `deepLink`.

import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

import { signInWithForm } from './form.mjs';

const startUrl = process.argv.at(-1);
const env = process.env;
const report = { started: new Date().toISOString(), url: startUrl, strays: [], callback: null, error: null };

// Our pid, so that a test can wait for this browser to finish.
if (env.CELLS_TEST_OPENED) fs.writeFileSync(env.CELLS_TEST_OPENED, String(process.pid));
// Never outlive a test.
setTimeout(() => finish('the scripted browser gave up after 60 s'), 60_000).unref();

// A raw HTTP/1.1 exchange, so that any Host header or method can be sent.
function rawRequest(port, { method = 'GET', path = '/', host = `localhost:${port}`, headers = {}, address = '127.0.0.1' }) {
  return new Promise((resolve) => {
    const req = http.request({ host: address, port, method, path, headers: { host, ...headers }, setHost: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', (err) => resolve(`error: ${err.code || err.message}`));
    req.end();
  });
}

function garbage(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('\x16\x03\x01\x02\x00 this is not HTTP\r\n\r\n'));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => resolve(Number(data.match(/^HTTP\/1\.[01] (\d{3})/)?.[1]) || `closed: ${JSON.stringify(data.slice(0, 40))}`));
    socket.on('error', () => {});
    socket.setTimeout(5000, () => socket.destroy());
  });
}

async function sendStrays(callbackUrl) {
  const { port } = new URL(callbackUrl);
  const realState = new URL(callbackUrl).searchParams.get('state');
  // An idle pre-connection, as Chrome opens speculatively; held through the real callback.
  const idle = net.connect(Number(port), '127.0.0.1');
  idle.on('error', () => {});
  const strays = [
    ['favicon', { path: '/favicon.ico' }],
    ['other path', { path: '/servers/other' }],
    ['forged state', { path: '/servers/callback?code=forged-code&state=forged-state' }],
    ['no state', { path: '/servers/callback?code=forged-code' }],
    ['no parameters', { path: '/servers/callback' }],
    ['error without state', { path: '/servers/callback?error=access_denied' }],
    ['error with forged state', { path: '/servers/callback?error=access_denied&state=forged-state' }],
    ['foreign host', { path: `/servers/callback?code=x&state=${realState}`, host: `evil.example:${port}` }],
    ['post', { method: 'POST', path: '/servers/callback' }],
    ['preflight', {
      method: 'OPTIONS',
      path: '/servers/callback',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
    }],
    ['ipv6 favicon', { path: '/favicon.ico', address: '::1', host: `[::1]:${port}` }],
  ];
  for (const [name, spec] of strays) {
    report.strays.push({ name, status: await rawRequest(Number(port), spec) });
  }
  report.strays.push({ name: 'garbage', status: await garbage(Number(port)) });
  return idle;
}

async function deliver(callbackUrl) {
  const target = new URL(callbackUrl);
  const host = env.CELLS_TEST_CALLBACK_HOST || 'localhost';
  target.hostname = host;
  const response = await fetch(target.href, { redirect: 'manual' });
  const body = await response.text();
  report.callback = { host, status: response.status, body };
}

async function main() {
  // A machine whose firewall blocks loopback: a loopback sign-in never comes back.
  if (env.CELLS_TEST_LOOPBACK_BLOCKED === '1' && new URL(startUrl).searchParams.get('redirect_uri')?.startsWith('http://localhost')) {
    report.blocked = true;
    return;
  }
  const step = await signInWithForm(startUrl, {
    login: env.CELLS_TEST_LOGIN,
    password: env.CELLS_TEST_PASSWORD,
    action: env.CELLS_TEST_ACTION,
  });
  report.callbackQuery = [...new URL(step.url).searchParams.keys()];
  // For leak checks: the code must never show up in what cells-auth prints.
  report.code = new URL(step.url).searchParams.get('code');
  if (step.url.startsWith('cellsauth:')) {
    // The system would start the app with this link; the test does it.
    report.deepLink = step.url;
    return;
  }
  if (env.CELLS_TEST_DELIVER === 'none') {
    // Another machine's browser: it shows "cannot connect" on this address.
    report.finalAddress = step.url;
    return;
  }
  let idle = null;
  if (env.CELLS_TEST_STRAYS === '1') idle = await sendStrays(step.url);
  await deliver(step.url);
  idle?.destroy();
}

function finish(error) {
  if (error) report.error = String(error);
  if (env.CELLS_TEST_REPORT) fs.writeFileSync(env.CELLS_TEST_REPORT, JSON.stringify(report, null, 2));
  if (error) console.error(`scripted browser: ${error}`);
  process.exit(error ? 1 : 0);
}

main().then(() => finish(null), (err) => finish(err?.stack || err));
