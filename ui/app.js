// The accounts window. It only draws: every state and text comes from the
// app as events, computed by cells-auth; the page runs no timer of its own.

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const $ = (id) => document.getElementById(id);
// A command's error: {code, message}, with certificate when one was refused.
const messageOf = (error) => (typeof error === 'string' ? error : error?.message ?? String(error));
let accounts = [];
let pending = null;
// The window's own texts in the app's language, from cells-auth's catalog
// (app_info); `{name}` in one is filled in here.
let texts = {};
const t = (id, values = {}) => (texts[id] ?? id).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));

function applyTexts(language) {
  document.documentElement.lang = language;
  document.title = t('window-title');
  for (const root of [document, $('account-template').content]) {
    for (const element of root.querySelectorAll('[data-text]')) element.textContent = t(element.dataset.text);
    for (const element of root.querySelectorAll('[data-placeholder]')) element.placeholder = t(element.dataset.placeholder);
  }
}

// ---- accounts -------------------------------------------------------------

// Every text comes from the app (cells-auth's account view, redrawn by the
// app when a text changes). Rows are updated in place, keyed by account id,
// so that focus and an open confirmation survive every update.
function renderAccounts() {
  const list = $('accounts');
  const template = $('account-template');
  const rows = new Map([...list.querySelectorAll('.account')].map((li) => [li.dataset.id, li]));
  $('empty').hidden = accounts.length > 0;
  let previous = null;
  for (const item of accounts) {
    let node = rows.get(item.id);
    rows.delete(item.id);
    if (!node) {
      node = template.content.firstElementChild.cloneNode(true);
      node.dataset.id = item.id;
    }
    // Only moved when out of place: moving a node loses its focus.
    const expected = previous ? previous.nextElementSibling : list.firstElementChild;
    if (expected !== node) list.insertBefore(node, expected);
    drawAccount(node, item);
    previous = node;
  }
  for (const stale of rows.values()) stale.remove();
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function drawAccount(node, item) {
  node.dataset.state = item.state;
  node.dataset.status = item.status;
  setText(node.querySelector('.user'), item.user);
  setText(node.querySelector('.email'), item.email ?? '');
  setText(node.querySelector('.server-name'), item.server_name);
  setText(node.querySelector('.server-url'), item.server_name === item.server ? '' : item.server);
  node.querySelector('.insecure').hidden = !item.insecure;
  const certificate = node.querySelector('.certificate');
  certificate.hidden = !item.certificate;
  setText(certificate, item.certificate ?? '');
  const badge = node.querySelector('.badge');
  setText(badge, item.badge);
  badge.className = `badge ${item.status}`;
  setText(node.querySelector('.detail'), item.detail);
  setText(node.querySelector('.countdown'), item.countdown);
  for (const button of node.querySelectorAll('button')) {
    const label = t('window-account-action', { action: button.textContent, user: item.user, server: item.server_name });
    if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
  }
  setText(node.querySelector('.confirm-text'), t('window-confirm-sign-out', { user: item.user, server: item.server_name }));
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
        try {
          setPending(await invoke('reauthenticate', { accountId: id }));
        } catch (error) {
          if (!error?.certificate) throw error;
          askToTrust(error.certificate, false);
        }
        break;
      case 'refresh':
        // Busy, not disabled: a disabled button would drop the keyboard focus.
        if (button.getAttribute('aria-busy') === 'true') return;
        button.setAttribute('aria-busy', 'true');
        await invoke('refresh_account', { accountId: id });
        showOutcome(t('window-refreshed'), true);
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
    showOutcome(messageOf(error), false);
  } finally {
    button.removeAttribute('aria-busy');
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
    const server = await invoke('validate_server', { input: input.value });
    message.textContent = t(server.insecure ? 'window-server-insecure' : 'window-server-signs-in', server);
    message.classList.remove('error');
    input.removeAttribute('aria-invalid');
    return server.address;
  } catch (error) {
    message.textContent = messageOf(error);
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
      $('server-message').textContent = t('window-server-give');
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
    if (error?.certificate) askToTrust(error.certificate, customScheme);
    else showOutcome(messageOf(error), false);
  } finally {
    $('sign-in').disabled = false;
  }
}

$('add-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(false);
});

// ---- a certificate this computer does not trust -----------------------------

// The core refused the server's certificate and says what it is; the user
// may pin exactly that one, and the sign-in starts again with it.
let certificateAsked = null;

function askToTrust(problem, customScheme) {
  certificateAsked = { problem, customScheme };
  const cert = problem.certificate;
  $('certificate-problem').textContent =
    t(problem.kind === 'changed' ? 'window-certificate-changed' : 'window-certificate-untrusted', problem);
  $('certificate-sha256').textContent = cert.sha256;
  $('certificate-subject').textContent = cert.subject;
  $('certificate-issuer').textContent = cert.issuer;
  $('certificate-validity').textContent = cert.validity;
  $('certificate-dialog').showModal();
  $('distrust-certificate').focus();
}

$('trust-certificate').addEventListener('click', async () => {
  const asked = certificateAsked;
  certificateAsked = null;
  invoke('dismiss_outcome');
  $('certificate-dialog').close();
  if (!asked) return;
  try {
    setPending(await invoke('start_sign_in', {
      server: asked.problem.server,
      customScheme: asked.customScheme,
      trustCertificate: asked.problem.certificate.sha256,
    }));
  } catch (error) {
    showOutcome(messageOf(error), false);
  }
});
$('distrust-certificate').addEventListener('click', () => {
  certificateAsked = null;
  invoke('dismiss_outcome');
  $('certificate-dialog').close();
  showOutcome(t('window-certificate-not-trusted'), false);
});

// ---- the pending sign-in --------------------------------------------------

function setPending(view) {
  const another = view && view.id !== pending?.id;
  pending = view;
  $('pending').hidden = !view;
  if (!view) return;
  $('pending-detail').textContent = t(view.custom_scheme ? 'window-pending-link' : 'window-pending-port', view);
  $('pending-url').value = view.authorization_url;
  $('pending-browser-error').hidden = !view.browser_error;
  $('pending-browser-error').textContent = view.browser_error ?? '';
  $('use-link').hidden = view.custom_scheme;
  $('paste-form').hidden = view.custom_scheme;
  if (another) {
    $('paste-address').value = '';
    $('paste-message').textContent = '';
    $('paste-message').classList.remove('error');
  }
}

$('copy-url').addEventListener('click', async () => {
  const field = $('pending-url');
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand('copy');
  }
  $('copy-url').textContent = t('window-copied');
  setTimeout(() => { $('copy-url').textContent = t('window-copy'); }, 1500);
});

$('paste-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const message = $('paste-message');
  try {
    await invoke('paste_answer', { address: $('paste-address').value });
    message.textContent = t('window-paste-taken');
    message.classList.remove('error');
  } catch (error) {
    message.textContent = messageOf(error);
    message.classList.add('error');
  }
});

// ---- when something goes wrong -------------------------------------------

$('copy-diagnostics').addEventListener('click', async () => {
  const field = $('diagnostics');
  try {
    field.value = await invoke('diagnostics');
  } catch (error) {
    showOutcome(messageOf(error), false);
    return;
  }
  field.hidden = false;
  document.querySelector('label[for=diagnostics]').hidden = false;
  field.focus();
  field.select();
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch {
    copied = document.execCommand('copy');
  }
  showOutcome(t(copied ? 'window-diagnostics-copied' : 'window-diagnostics-shown'), true);
});

$('start-at-login').addEventListener('change', async (event) => {
  const wanted = event.target.checked;
  try {
    event.target.checked = await invoke('set_start_at_login', { on: wanted });
  } catch (error) {
    event.target.checked = !wanted;
    showOutcome(messageOf(error), false);
  }
});

// The languages, each named in itself (and marked so for a screen reader);
// the first follows the system.
function fillLanguages(info) {
  const select = $('language');
  select.replaceChildren();
  select.add(new Option(t('window-language-system'), ''));
  for (const { tag, name } of info.languages) {
    const option = new Option(name, tag);
    option.lang = tag;
    select.add(option);
  }
  select.value = info.language_choice ?? '';
}

// The whole window speaks the new language at once; the app redraws the
// accounts and the tray in it. The rows are drawn again here too: the app's
// redraw may arrive before these texts do.
function speak(info) {
  texts = info.texts;
  applyTexts(info.language);
  fillLanguages(info);
  renderAccounts();
  setPending(pending);
  checkServer();
}

$('language').addEventListener('change', async (event) => {
  try {
    speak(await invoke('set_language', { language: event.target.value || null }));
  } catch (error) {
    showOutcome(messageOf(error), false);
  }
});

$('open-log').addEventListener('click', () => invoke('open_log_folder').catch((e) => showOutcome(messageOf(e), false)));

$('reopen').addEventListener('click', () => invoke('open_browser_again').catch((e) => showOutcome(messageOf(e), false)));
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

// How a sign-in ended: from the event, or from the app when the window was
// made after it. The same outcome is shown once.
let finishedShown = null;

function showFinished(outcome) {
  const key = JSON.stringify(outcome);
  if (key === finishedShown) return;
  finishedShown = key;
  if (outcome.certificate) return askToTrust(outcome.certificate, outcome.custom_scheme);
  if (outcome.cancelled) showOutcome(t('window-sign-in-cancelled'), true);
  else showOutcome(outcome.message, outcome.ok);
  if (outcome.ok) {
    $('server').value = '';
    checkServer();
  }
}

// ---- start ----------------------------------------------------------------

async function start() {
  // Listening first: no change between the first read and now is lost.
  await listen('accounts-changed', (event) => {
    // Timed with the User Timing API, so that make bench can read how long
    // a change takes to draw; only the last one is kept.
    const started = performance.now();
    accounts = event.payload;
    renderAccounts();
    // The layout the next paint needs, done now so that it is counted.
    void $('accounts').offsetHeight;
    performance.clearMeasures('accounts-rendered');
    performance.measure('accounts-rendered', { start: started });
  });
  await listen('pending-changed', (event) => setPending(event.payload));
  await listen('sign-in-finished', (event) => showFinished(event.payload));
  await listen('add-account', () => $('server').focus());
  const info = await invoke('app_info');
  texts = info.texts;
  applyTexts(info.language);
  fillLanguages(info);
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
  // A window made after these happened (it is dropped while hidden).
  if (info.outcome) showFinished(info.outcome);
  if (info.add_account) $('server').focus();
  $('start-at-login').checked = await invoke('start_at_login');
  try {
    accounts = await invoke('list_accounts');
    renderAccounts();
  } catch (error) {
    $('banner').hidden = false;
    $('banner').textContent = messageOf(error);
  }
  document.body.dataset.ready = 'true';
}

start();
