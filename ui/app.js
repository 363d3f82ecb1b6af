// The accounts window. All state comes from the app as events; the only
// timer redraws the remaining lifetimes from the times already known.

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const $ = (id) => document.getElementById(id);
let accounts = [];
let pending = null;

// ---- accounts -------------------------------------------------------------

function describeState(item) {
  const a = item.account ?? item;
  if (item.state === 'needs_reauth') return { badge: 'needs_reauth', text: 'Needs sign-in', detail: a.needs_reauth ?? '' };
  if (item.refreshing) return { badge: 'refreshing', text: 'Refreshing', detail: '' };
  if (a.last_error) {
    return { badge: 'retrying', text: 'Retrying', detail: `${a.last_error}; next attempt ${relative(a.next_attempt_at)}` };
  }
  if (item.state === 'expired') return { badge: 'expired', text: 'Signed in', detail: 'token expired, refreshing on next use' };
  return { badge: 'signed_in', text: 'Signed in', detail: '' };
}

function remaining(iso) {
  const seconds = Math.max(0, Math.floor((Date.parse(iso) - Date.now()) / 1000));
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return `${m}:${s}`;
}

function relative(iso) {
  if (!iso) return '';
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return 'just now';
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

function renderAccounts() {
  const list = $('accounts');
  const template = $('account-template');
  const confirming = new Set([...list.querySelectorAll('.account')].filter((li) => !li.querySelector('.confirm').hidden).map((li) => li.dataset.id));
  list.replaceChildren();
  $('empty').hidden = accounts.length > 0;
  for (const item of accounts) {
    const node = template.content.firstElementChild.cloneNode(true);
    node.dataset.id = item.id;
    node.dataset.state = item.state;
    node.querySelector('.user').textContent = item.user;
    node.querySelector('.email').textContent = item.email ?? '';
    node.querySelector('.server-name').textContent = item.server_name;
    node.querySelector('.server-url').textContent = item.server_name === item.server ? '' : item.server;
    node.querySelector('.insecure').hidden = !item.insecure;
    const state = describeState(item);
    const badge = node.querySelector('.badge');
    badge.textContent = state.text;
    badge.className = `badge ${state.badge}`;
    node.querySelector('.detail').textContent = state.detail;
    for (const button of node.querySelectorAll('button')) {
      button.setAttribute('aria-label', `${button.textContent} ${item.user} on ${item.server_name}`);
    }
    node.querySelector('.confirm-text').textContent = `Sign out ${item.user} from ${item.server_name}?`;
    node.querySelector('.confirm').hidden = !confirming.has(item.id);
    node.querySelector('.actions').hidden = confirming.has(item.id);
    list.append(node);
  }
  tick();
}

// Redraws what changes with time only.
function tick() {
  for (const node of $('accounts').querySelectorAll('.account')) {
    const item = accounts.find((a) => a.id === node.dataset.id);
    if (!item) continue;
    const countdown = node.querySelector('.countdown');
    if (item.state === 'needs_reauth') {
      countdown.textContent = '';
    } else {
      const refreshed = item.last_refresh_at ? `refreshed ${relative(item.last_refresh_at)}` : `signed in ${relative(item.signed_in_at)}`;
      countdown.textContent = `token expires in ${remaining(item.access_token_expires_at)} · ${refreshed}`;
    }
  }
}

$('accounts').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const node = button.closest('.account');
  const id = node.dataset.id;
  const show = (confirming) => {
    node.querySelector('.confirm').hidden = !confirming;
    node.querySelector('.actions').hidden = confirming;
  };
  try {
    switch (button.dataset.action) {
      case 'reauth':
        setPending(await invoke('reauthenticate', { accountId: id }));
        break;
      case 'refresh':
        button.disabled = true;
        await invoke('refresh_account', { accountId: id });
        showOutcome('Refreshed.', true);
        break;
      case 'signout':
        show(true);
        node.querySelector('[data-action=confirm-signout]').focus();
        break;
      case 'keep':
        show(false);
        node.querySelector('[data-action=signout]').focus();
        break;
      case 'confirm-signout':
        showOutcome(await invoke('sign_out', { accountId: id }), true);
        break;
    }
  } catch (error) {
    showOutcome(String(error), false);
  } finally {
    button.disabled = false;
  }
});

// ---- adding an account ----------------------------------------------------

async function checkServer() {
  const input = $('server');
  const message = $('server-message');
  if (!input.value.trim()) {
    message.textContent = '';
    message.classList.remove('error');
    input.removeAttribute('aria-invalid');
    return null;
  }
  try {
    const normalised = await invoke('validate_server', { input: input.value });
    message.textContent = normalised.startsWith('http://')
      ? `${normalised}: plain http, the tokens cross the network unencrypted`
      : `Signs in to ${normalised}`;
    message.classList.remove('error');
    input.removeAttribute('aria-invalid');
    return normalised;
  } catch (error) {
    message.textContent = String(error);
    message.classList.add('error');
    input.setAttribute('aria-invalid', 'true');
    return null;
  }
}

$('server').addEventListener('input', checkServer);

async function signIn(customScheme) {
  const server = pending && customScheme ? pending.server : await checkServer();
  if (!server) {
    if (!$('server').value.trim()) {
      $('server-message').textContent = 'Give the address of your Cells server, like https://cells.example.com';
      $('server-message').classList.add('error');
    }
    $('server').focus();
    return;
  }
  $('sign-in').disabled = true;
  showOutcome('', true);
  try {
    setPending(await invoke('start_sign_in', { server, customScheme }));
  } catch (error) {
    showOutcome(String(error), false);
  } finally {
    $('sign-in').disabled = false;
  }
}

$('add-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(false);
});

// ---- the pending sign-in --------------------------------------------------

function setPending(view) {
  pending = view;
  $('pending').hidden = !view;
  if (!view) return;
  $('pending-detail').textContent = view.custom_scheme
    ? `Signing in to ${view.server}. The browser will hand the answer to this app through a cellsauth:// link.`
    : `Signing in to ${view.server}. The answer comes back to this app on port ${view.port} (http://localhost:${view.port}).`;
  $('pending-url').value = view.authorization_url;
  $('pending-browser-error').hidden = !view.browser_error;
  $('pending-browser-error').textContent = view.browser_error ?? '';
  $('use-link').hidden = view.custom_scheme;
}

$('copy-url').addEventListener('click', async () => {
  const field = $('pending-url');
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand('copy');
  }
  $('copy-url').textContent = 'Copied';
  setTimeout(() => { $('copy-url').textContent = 'Copy'; }, 1500);
});

$('reopen').addEventListener('click', () => invoke('open_browser_again').catch((e) => showOutcome(String(e), false)));
$('cancel').addEventListener('click', async () => {
  $('cancel').disabled = true;
  try {
    await invoke('cancel_sign_in');
  } finally {
    $('cancel').disabled = false;
  }
});
$('use-link').addEventListener('click', () => signIn(true));

function showOutcome(text, ok) {
  const outcome = $('outcome');
  outcome.hidden = !text;
  outcome.textContent = text;
  outcome.className = `outcome ${ok ? 'ok' : 'bad'}`;
}

// ---- start ----------------------------------------------------------------

async function start() {
  const info = await invoke('app_info');
  if (info.startup_error) {
    $('banner').hidden = false;
    $('banner').textContent = info.startup_error;
  }
  if (info.options.demo_server) {
    $('server').value = info.options.demo_server;
    checkServer();
  }
  if (info.options.demo_hint) {
    $('demo-hint').hidden = false;
    $('demo-hint').textContent = info.options.demo_hint;
  }
  setPending(info.pending);
  await listen('accounts-changed', (event) => {
    accounts = event.payload.map((item) => ({ ...item }));
    renderAccounts();
  });
  await listen('pending-changed', (event) => setPending(event.payload));
  await listen('sign-in-finished', (event) => {
    const outcome = event.payload;
    if (outcome.cancelled) showOutcome('Sign-in cancelled.', true);
    else showOutcome(outcome.message, outcome.ok);
    if (outcome.ok) {
      $('server').value = '';
      checkServer();
    }
  });
  await listen('add-account', () => $('server').focus());
  try {
    accounts = await invoke('list_accounts');
    renderAccounts();
  } catch (error) {
    $('banner').hidden = false;
    $('banner').textContent = String(error);
  }
  document.body.dataset.ready = 'true';
  setInterval(tick, 1000);
}

start();
