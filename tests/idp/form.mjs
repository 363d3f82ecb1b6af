// What a user does in a browser at the test provider: follow the redirects
// to its login form with a cookie jar, fill it in, and follow on until the
// redirect to the app. Shared by the scripted browser and the sign-in floor
// of make bench.

const cookies = new Map();

function remember(response, url) {
  for (const line of response.headers.getSetCookie?.() ?? []) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(`${new URL(url).host} ${pair.slice(0, at).trim()}`, pair.slice(at + 1).trim());
  }
}

function cookieHeader(url) {
  const host = new URL(url).host;
  return [...cookies]
    .filter(([key]) => key.startsWith(`${host} `))
    .map(([key, value]) => `${key.slice(host.length + 1)}=${value}`)
    .join('; ');
}

async function request(url, init = {}) {
  const response = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers || {}), cookie: cookieHeader(url) },
  });
  remember(response, url);
  return response;
}

function isCallback(url) {
  const parsed = new URL(url);
  if (parsed.protocol === 'cellsauth:') return true;
  return parsed.protocol === 'http:' && parsed.hostname === 'localhost' && parsed.pathname === '/servers/callback';
}

// Follows redirects until the login page, or until the redirect to the app.
async function follow(url, init) {
  let current = url;
  let response = await request(current, init);
  for (let hops = 0; hops < 20; hops += 1) {
    const location = response.headers.get('location');
    if (!location || response.status < 300 || response.status >= 400) return { url: current, response };
    current = new URL(location, current).href;
    if (isCallback(current)) return { url: current, callback: true };
    response = await request(current);
  }
  throw new Error('too many redirects');
}

// From the authorization URL to the redirect to the app: `{ url, callback: true }`.
export async function signInWithForm(startUrl, { login = 'alice', password, action = 'login' } = {}) {
  let step = await follow(startUrl);
  if (step.callback) return step;
  const page = await step.response.text();
  const formAction = page.match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!formAction) throw new Error(`no login form at ${step.url} (HTTP ${step.response.status}): ${page.slice(0, 200)}`);
  const form = new URLSearchParams({ login, password: password || `${login}-password`, action });
  step = await follow(new URL(formAction, step.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  if (!step.callback) {
    throw new Error(`the provider did not redirect to the app (HTTP ${step.response.status} at ${step.url}): ${(await step.response.text()).slice(0, 300)}`);
  }
  return step;
}
