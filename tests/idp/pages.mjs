// What both test providers show a user: the users of the tests, and the
// login page (its fields are what the scripted browser and Chromium fill in).
// Used by the oidc-provider stand-in (server.mjs) and by Hydra's login app
// (tests/hydra/login.mjs).

// `name` in Cells' ID tokens is the login.
export const USERS = new Map([
  ['alice', { sub: 'u-alice-0001', password: 'alice-password', email: 'alice@example.com', authSource: 'pydio' }],
  ['bob', { sub: 'u-bob-0002', password: 'bob-password', email: 'bob@example.com', authSource: 'pydio' }],
]);
export const USERS_BY_SUB = new Map([...USERS].map(([login, user]) => [user.sub, { login, ...user }]));

export function loginPage(action, clientId, message) {
  return page(
    'Sign in to Cells',
    `<form method="post" action="${escapeHtml(action)}">
  <p>Application: <b>${escapeHtml(clientId)}</b></p>
  ${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}
  <label>Login <input name="login" autocomplete="username" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit" name="action" value="login">Sign in</button>
  <button type="submit" name="action" value="cancel">Cancel</button>
  <p class="hint">Demo users: alice / alice-password, bob / bob-password</p>
</form>`,
  );
}

export function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem}button{margin:.75rem .5rem 0 0;padding:.4rem 1rem}.error{color:#b00020}.hint{color:#666;font-size:.9em}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
