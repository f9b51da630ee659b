// Latchkey browser client: an ES module with no dependencies.
//
// The access token lives only in this module's memory (a private field), never in
// localStorage, sessionStorage or a cookie. The refresh token is an HttpOnly cookie the page
// cannot read; the client only asks the server to rotate it. One refresh runs at a time per tab
// (concurrent callers share one promise) and, through the Web Locks API, one at a time across
// the tabs of the origin; a BroadcastChannel tells the other tabs about logins, logouts and
// refresh outcomes.

const LOCK_NAME = 'latchkey-refresh';
const CHANNEL_NAME = 'latchkey';
const CSRF_COOKIE = 'csrf_token';

/** An error answered by Latchkey: the HTTP status, the stable `code`, and `fields` for validation failures. */
export class LatchkeyError extends Error {
  constructor(status, code, message, fields) {
    super(message || `Latchkey answered ${status}`);
    this.name = 'LatchkeyError';
    this.status = status;
    this.code = code || null;
    this.fields = fields || null;
  }
}

export class LatchkeyClient extends EventTarget {
  #baseUrl;
  #credentials;
  #accessToken = null;
  #expiresAt = null;
  #csrfToken = null;
  #user = null;
  #refreshing = null;
  #channel = null;
  #peerOutcome = null;

  constructor({ baseUrl = '', credentials = 'same-origin', onSessionEnd } = {}) {
    super();
    this.#baseUrl = String(baseUrl).replace(/\/+$/, '');
    this.#credentials = credentials;
    if (typeof onSessionEnd === 'function') {
      this.addEventListener('sessionend', (event) => onSessionEnd(event.detail));
    }
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(CHANNEL_NAME);
      this.#channel.addEventListener('message', (event) => this.#onPeerMessage(event.data));
    }
  }

  /** When the access token in memory expires (milliseconds since the epoch, this browser's clock), or null. */
  get accessTokenExpiresAt() {
    return this.#expiresAt;
  }

  /** The user from the last login or register in this tab ({id, email, role}), or null. */
  get user() {
    return this.#user;
  }

  /** True while this tab holds an access token (it may have expired: the next call refreshes it). */
  isAuthenticated() {
    return this.#accessToken !== null;
  }

  /** Logs in; resolves with the user, rejects with a LatchkeyError (e.g. code INVALID_CREDENTIALS). */
  login(email, password) {
    return this.#open('/auth/login', email, password, 'login');
  }

  /** Creates an account and logs in; rejects with a LatchkeyError (VALIDATION_FAILED, EMAIL_TAKEN, ...). */
  register(email, password) {
    return this.#open('/auth/register', email, password, 'register');
  }

  /**
   * Gets a fresh access token by rotating the refresh cookie. Concurrent callers share one
   * request; across tabs, one refresh runs at a time. Resolves with {expiresAt}; rejects with a
   * LatchkeyError, and a 401 ends the session.
   */
  refresh() {
    if (this.#refreshing === null) {
      this.#refreshing = this.#refreshAcrossTabs().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  /** Ends this session on the server and in every tab of this browser. */
  async logout() {
    const headers = { 'X-CSRF-Token': this.#csrf() };
    if (this.#accessToken !== null) {
      headers.Authorization = `Bearer ${this.#accessToken}`;
    }
    try {
      const response = await globalThis.fetch(this.#url('/auth/logout'), {
        method: 'POST', credentials: this.#credentials, headers, cache: 'no-store',
      });
      if (!response.ok) {
        throw await errorOf(response);
      }
    } finally {
      this.#post({ type: 'logout' });
      this.#end('logout', null);
    }
  }

  /** Ends every session of the user, on every device. */
  async logoutAll() {
    try {
      const response = await this.fetch('/auth/logout-all', { method: 'POST', credentials: this.#credentials });
      if (!response.ok) {
        throw await errorOf(response);
      }
    } finally {
      this.#post({ type: 'logout' });
      this.#end('logout-all', null);
    }
  }

  /**
   * fetch() with `Authorization: Bearer <access token>`. A path starting with `/` is resolved
   * against baseUrl. On `401 TOKEN_EXPIRED` it refreshes once and retries once; any other 401
   * ends the session (and the 401 response is returned). A request body must be re-sendable
   * (a string, FormData, Blob, URLSearchParams...), since the request may be sent twice.
   */
  async fetch(input, init = undefined) {
    const template = new Request(this.#resolve(input), init);
    const send = () => {
      const token = this.#accessToken;
      const request = template.clone();
      const headers = new Headers(request.headers);
      if (token !== null) {
        headers.set('Authorization', `Bearer ${token}`);
      }
      return globalThis.fetch(new Request(request, { headers })).then((response) => ({ response, token }));
    };
    const first = await send();
    if (first.response.status !== 401 || first.token === null) {
      return first.response;
    }
    const code = await codeOf(first.response);
    if (code !== 'TOKEN_EXPIRED') {
      this.#endIfCurrent(first.token, 'unauthorized', code);
      return first.response;
    }
    if (this.#accessToken === first.token) {
      try {
        await this.refresh();
      } catch {
        return first.response;
      }
    }
    const second = await send();
    if (second.response.status === 401 && second.token !== null) {
      const again = await codeOf(second.response);
      if (again !== 'TOKEN_EXPIRED') {
        this.#endIfCurrent(second.token, 'unauthorized', again);
      }
    }
    return second.response;
  }

  /** Stops listening to the other tabs. */
  close() {
    if (this.#channel !== null) {
      this.#channel.close();
      this.#channel = null;
    }
  }

  async #open(path, email, password, via) {
    const response = await globalThis.fetch(this.#url(path), {
      method: 'POST',
      credentials: this.#credentials,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
      cache: 'no-store',
    });
    if (!response.ok) {
      throw await errorOf(response);
    }
    const body = await response.json();
    this.#accept(body);
    this.#post({ type: 'login' });
    this.dispatchEvent(new CustomEvent('login', { detail: { user: this.#user, via } }));
    return this.#user;
  }

  async #refreshAcrossTabs() {
    const requestedAt = Date.now();
    const locks = globalThis.navigator && globalThis.navigator.locks;
    if (locks && typeof locks.request === 'function') {
      return locks.request(LOCK_NAME, () => this.#refreshNow(requestedAt));
    }
    return this.#refreshNow(requestedAt);
  }

  async #refreshNow(requestedAt) {
    // Holding the lock. If another tab's refresh failed for good while this one waited, the
    // session is over: no need to ask. If it succeeded, the shared cookie jar already holds the
    // rotated refresh token, and this tab still needs an access token of its own: refresh.
    const peer = this.#peerOutcome;
    if (peer !== null && peer.at >= requestedAt && !peer.ok) {
      this.#end('refresh-failed', peer.code);
      throw new LatchkeyError(401, peer.code, 'The session ended in another tab.');
    }
    const response = await globalThis.fetch(this.#url('/auth/refresh'), {
      method: 'POST',
      credentials: this.#credentials,
      headers: { 'X-CSRF-Token': this.#csrf() },
      cache: 'no-store',
    });
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) {
        if (error.code === 'REFRESH_TOKEN_REUSED' || error.code === 'SESSION_EXPIRED') {
          this.#post({ type: 'refresh', ok: false, code: error.code });
        }
        this.#end('refresh-failed', error.code);
      }
      throw error;
    }
    this.#accept(await response.json());
    this.#post({ type: 'refresh', ok: true });
    this.dispatchEvent(new CustomEvent('refresh', { detail: { expiresAt: this.#expiresAt } }));
    return { expiresAt: this.#expiresAt };
  }

  #accept(body) {
    this.#accessToken = body.accessToken;
    this.#expiresAt = Date.now() + Number(body.expiresIn) * 1000;
    if (body.csrfToken) {
      this.#csrfToken = body.csrfToken;
    }
    if (body.user) {
      this.#user = body.user;
    }
  }

  #endIfCurrent(token, reason, code) {
    if (this.#accessToken === token) {
      this.#end(reason, code);
    }
  }

  #end(reason, code) {
    const was = this.#accessToken !== null;
    this.#accessToken = null;
    this.#expiresAt = null;
    this.#csrfToken = null;
    this.#user = null;
    if (was) {
      this.dispatchEvent(new CustomEvent('sessionend', { detail: { reason, code: code || null } }));
    }
  }

  #onPeerMessage(message) {
    if (!message || message.base !== this.#baseUrl) {
      return;
    }
    if (message.type === 'logout') {
      this.#end('logout-elsewhere', null);
    } else if (message.type === 'refresh') {
      this.#peerOutcome = { ok: Boolean(message.ok), code: message.code || null, at: Date.now() };
    } else if (message.type === 'login' && this.#accessToken === null) {
      // Another tab logged in: adopt the session its cookie now carries.
      this.refresh().catch(() => {});
    }
  }

  #post(message) {
    if (this.#channel !== null) {
      this.#channel.postMessage({ ...message, base: this.#baseUrl });
    }
  }

  #csrf() {
    // Same-origin deployments read the cookie, which every tab shares; cross-origin ones cannot,
    // and use the value from the last token body.
    if (this.#sameOrigin() && typeof document !== 'undefined') {
      for (const part of document.cookie.split(';')) {
        const [name, ...rest] = part.trim().split('=');
        if (name === CSRF_COOKIE && rest.length > 0) {
          return decodeURIComponent(rest.join('='));
        }
      }
    }
    return this.#csrfToken || '';
  }

  #sameOrigin() {
    if (this.#baseUrl === '' || typeof location === 'undefined') {
      return true;
    }
    try {
      return new URL(this.#baseUrl, location.href).origin === location.origin;
    } catch {
      return false;
    }
  }

  #url(path) {
    return this.#baseUrl + path;
  }

  #resolve(input) {
    if (typeof input === 'string' && input.startsWith('/') && !input.startsWith('//')) {
      return this.#url(input);
    }
    return input;
  }
}

/** Creates a client for the Latchkey at baseUrl ('' for the page's own origin). */
export function createClient(options = {}) {
  return new LatchkeyClient(options);
}

async function bodyOf(response) {
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('json')) {
    return null;
  }
  try {
    return await response.clone().json();
  } catch {
    return null;
  }
}

async function codeOf(response) {
  const body = await bodyOf(response);
  return body && typeof body.code === 'string' ? body.code : null;
}

async function errorOf(response) {
  const body = (await bodyOf(response)) || {};
  return new LatchkeyError(response.status, body.code, body.error, body.fields);
}
