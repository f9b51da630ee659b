// The Latchkey demo page. Loaded as a module from this origin (the page's CSP allows no inline script).
import { createClient } from '/latchkey.js';

const $ = (id) => document.getElementById(id);
const client = createClient({ onSessionEnd: ({ reason, code }) => showSignedOut(endMessage(reason, code), 'error') });
let refreshes = 0;

client.addEventListener('refresh', () => {
  refreshes += 1;
  $('refresh-count').textContent = String(refreshes);
  tick();
  // A tab that was logged out adopts a login made in another tab.
  if (document.body.dataset.state === 'signed-out') {
    showSignedIn();
  }
});
client.addEventListener('login', () => showSignedIn());

function say(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.dataset.kind = kind;
}

function endMessage(reason, code) {
  switch (reason) {
    case 'logout': return 'You are logged out.';
    case 'logout-all': return 'You are logged out on every device.';
    case 'logout-elsewhere': return 'You logged out in another tab.';
    case 'refresh-failed': return `Your session has ended (${code || 'refresh failed'}). Please log in again.`;
    default: return `Your session has ended (${code || 'unauthorized'}). Please log in again.`;
  }
}

function describe(error) {
  if (error && error.fields) {
    return Object.entries(error.fields).map(([field, why]) => `${field}: ${why}`).join('; ');
  }
  return (error && error.message) || 'Something went wrong.';
}

function showSignedOut(message, kind) {
  document.body.dataset.state = 'signed-out';
  $('signed-in').hidden = true;
  $('sessions-section').hidden = true;
  $('reset').hidden = true;
  $('signed-out').hidden = false;
  $('sessions').tBodies[0].replaceChildren();
  if (message) {
    say(message, kind);
  }
}

async function showSignedIn() {
  document.body.dataset.state = 'signed-in';
  $('signed-out').hidden = true;
  $('reset').hidden = true;
  $('signed-in').hidden = false;
  $('sessions-section').hidden = false;
  $('password').value = '';
  tick();
  await Promise.all([loadProfile(), loadSessions()]);
}

async function failure(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON */ }
  const error = new Error(body.error || `HTTP ${response.status}`);
  error.code = body.code;
  error.status = response.status;
  error.fields = body.fields;
  return error;
}

async function call(path, init) {
  const response = await client.fetch(path, init);
  if (!response.ok) {
    throw await failure(response);
  }
  return response.status === 204 ? null : response.json();
}

// For the routes that need no access token: the mailed links' verification and reset.
async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store',
  });
  if (!response.ok) {
    throw await failure(response);
  }
}

async function loadProfile() {
  try {
    const me = await call('/api/me');
    $('profile-email').textContent = me.email;
    $('profile-verified').textContent = me.emailVerified ? 'yes' : 'no';
    $('profile-role').textContent = me.role;
    $('profile-id').firstElementChild.textContent = me.id;
    say(`Profile loaded at ${new Date().toLocaleTimeString()}.`, 'ok');
  } catch (error) {
    if (client.isAuthenticated()) {
      say(`Could not load the profile: ${describe(error)}`, 'error');
    }
  }
}

function when(iso) {
  return new Date(iso).toLocaleString();
}

function device(userAgent) {
  if (!userAgent) {
    return 'Unknown device';
  }
  const browser = /(Edg|Firefox|Chrome|Chromium|Safari)\/[\d.]+/.exec(userAgent);
  const system = /\(([^;)]+)/.exec(userAgent);
  return [browser && browser[0].replace('/', ' '), system && system[1]].filter(Boolean).join(' on ') || userAgent;
}

async function loadSessions() {
  let sessions;
  try {
    sessions = await call('/auth/sessions');
  } catch (error) {
    if (client.isAuthenticated()) {
      say(`Could not load the sessions: ${describe(error)}`, 'error');
    }
    return;
  }
  const rows = sessions.map((session) => {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.id;
    const cells = [device(session.userAgent), session.ip || '–', when(session.createdAt), when(session.lastUsedAt)];
    cells.forEach((text, i) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (i === 0) {
        cell.className = 'device';
        cell.title = session.userAgent || '';
        if (session.current) {
          const badge = document.createElement('span');
          badge.className = 'badge';
          badge.textContent = 'this browser';
          cell.append(badge);
        }
      }
      row.append(cell);
    });
    const action = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'danger revoke';
    button.textContent = 'Revoke';
    button.setAttribute('aria-label', `Revoke the session started ${when(session.createdAt)}${session.current ? ' (this browser)' : ''}`);
    button.addEventListener('click', () => revoke(session));
    action.append(button);
    row.append(action);
    return row;
  });
  $('sessions').tBodies[0].replaceChildren(...rows);
}

async function revoke(session) {
  try {
    await call(`/auth/sessions/${encodeURIComponent(session.id)}`, { method: 'DELETE' });
    say(session.current ? 'This session was revoked.' : 'The session was revoked.', 'ok');
  } catch (error) {
    say(`Could not revoke the session: ${describe(error)}`, 'error');
  }
  // For the current session, this call answers 401 TOKEN_REVOKED and the client ends the session.
  await loadSessions();
}

function tick() {
  const expiresAt = client.accessTokenExpiresAt;
  const countdown = $('countdown');
  if (expiresAt === null) {
    countdown.textContent = '–';
    return;
  }
  // Rounded up: "expired" only once the whole lifetime has passed. The client counts from when
  // the answer arrived, which is after the token was issued, so by then the server agrees.
  const seconds = Math.ceil((expiresAt - Date.now()) / 1000);
  if (seconds > 0) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    countdown.textContent = `expires in ${m > 0 ? `${m} min ` : ''}${s} s`;
  } else {
    countdown.textContent = 'expired; the next call refreshes it';
  }
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const submitter = event.submitter || $('login');
  const email = $('email').value.trim();
  const password = $('password').value;
  busy(submitter, async () => {
    try {
      if (submitter.value === 'register') {
        await client.register(email, password);
        say('Your account was created and you are logged in.', 'ok');
      } else {
        await client.login(email, password);
        say('You are logged in.', 'ok');
      }
    } catch (error) {
      say(describe(error), 'error');
    }
  });
});

$('reload').addEventListener('click', (event) => busy(event.currentTarget, async () => {
  await loadProfile();
  await loadSessions();
}));

$('refresh').addEventListener('click', (event) => busy(event.currentTarget, async () => {
  try {
    await client.refresh();
    tick();
    say('The access token was refreshed.', 'ok');
  } catch (error) {
    if (client.isAuthenticated()) {
      say(`Could not refresh: ${describe(error)}`, 'error');
    }
  }
}));

$('logout').addEventListener('click', (event) => busy(event.currentTarget, async () => {
  try {
    await client.logout();
  } catch (error) {
    say(`The server did not confirm the logout: ${describe(error)}`, 'error');
  }
}));

$('logout-all').addEventListener('click', (event) => busy(event.currentTarget, async () => {
  try {
    await client.logoutAll();
  } catch (error) {
    say(`The server did not confirm the logout: ${describe(error)}`, 'error');
  }
}));

// The link of a mail (`/?verify=TOKEN` or `/?reset=TOKEN`), taken out of the address bar at once:
// the token is single-use, so a reload, the history or a shared screen must not offer it again.
function takeMailedLink() {
  const query = new URLSearchParams(location.search);
  const link = ['verify', 'reset'].map((kind) => ({ kind, token: query.get(kind) })).find((l) => l.token);
  if (location.search) {
    history.replaceState(null, '', location.pathname + location.hash);
  }
  return link || null;
}

const LINK_SPENT = 'invalid, already used or expired';

async function verifyEmail(token) {
  try {
    await post('/auth/verify-email', { token });
    return ['Your email address is verified.', 'ok'];
  } catch (error) {
    return error.code === 'EMAIL_TOKEN_INVALID'
      ? [`This verification link is ${LINK_SPENT}.`, 'error']
      : [`Could not verify the email address: ${describe(error)}`, 'error'];
  }
}

function showReset(token) {
  document.body.dataset.state = 'reset';
  $('signed-out').hidden = true;
  $('signed-in').hidden = true;
  $('sessions-section').hidden = true;
  $('reset').hidden = false;
  $('reset-form').dataset.token = token;
  say('Choose a new password for your account.');
  $('new-password').focus();
}

$('reset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy($('reset-submit'), async () => {
    try {
      await post('/auth/password-reset/confirm', { token: form.dataset.token, newPassword: $('new-password').value });
      $('new-password').value = '';
      showSignedOut('Your password was changed and every device was logged out. Log in with the new password.', 'ok');
    } catch (error) {
      if (error.code === 'EMAIL_TOKEN_INVALID') {
        $('new-password').value = '';
        showSignedOut(`This password-reset link is ${LINK_SPENT}: ask for a new one.`, 'error');
      } else {
        say(describe(error), 'error'); // e.g. a password too short: the form stays for another try
      }
    }
  });
});

$('reset-cancel').addEventListener('click', () => {
  $('new-password').value = '';
  showSignedOut();
  say('');
  client.refresh().then(() => showSignedIn(), () => {});
});

setInterval(tick, 1000);

async function start() {
  const link = takeMailedLink();
  if (link && link.kind === 'reset') {
    showReset(link.token);
    return;
  }
  const verified = link ? await verifyEmail(link.token) : null;
  // A reload loses the in-memory access token; the refresh cookie, if any, brings the session back.
  await client.refresh().then(() => showSignedIn(), () => showSignedOut());
  if (verified) {
    say(...verified);
  }
}

start();
