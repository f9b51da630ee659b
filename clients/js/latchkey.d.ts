// Types for latchkey.js, the Latchkey browser client.

/** A user as Latchkey answers it. */
export interface LatchkeyUser {
  id: string;
  email: string;
  role: string;
}

export interface LatchkeyClientOptions {
  /** Latchkey's base URL, e.g. `https://auth.example.com`; '' (the default) for the page's own origin. */
  baseUrl?: string;
  /**
   * Whether the auth requests carry cookies: 'same-origin' (the default), or 'include' when
   * Latchkey is on another origin (it must then allow the page's origin).
   */
  credentials?: RequestCredentials;
  /** Called when the session ends: the same as listening to 'sessionend'. */
  onSessionEnd?: (detail: SessionEndDetail) => void;
}

export type SessionEndReason =
  | 'logout'
  | 'logout-all'
  | 'logout-elsewhere'
  | 'refresh-failed'
  | 'unauthorized';

export interface SessionEndDetail {
  reason: SessionEndReason;
  /** Latchkey's error code when a response ended the session (e.g. 'TOKEN_REVOKED', 'REFRESH_TOKEN_REUSED'). */
  code: string | null;
}

export interface LoginDetail {
  user: LatchkeyUser;
  via: 'login' | 'register';
}

export interface RefreshDetail {
  /** When the new access token expires, in milliseconds since the epoch. */
  expiresAt: number;
}

export interface LatchkeyEventMap {
  sessionend: CustomEvent<SessionEndDetail>;
  login: CustomEvent<LoginDetail>;
  refresh: CustomEvent<RefreshDetail>;
}

/** An error answered by Latchkey. */
export class LatchkeyError extends Error {
  constructor(status: number, code?: string | null, message?: string, fields?: Record<string, string> | null);
  readonly name: 'LatchkeyError';
  /** The HTTP status. */
  readonly status: number;
  /** The stable machine code, e.g. 'INVALID_CREDENTIALS', 'VALIDATION_FAILED', 'EMAIL_TAKEN'. */
  readonly code: string | null;
  /** For VALIDATION_FAILED: what is wrong with each field. */
  readonly fields: Record<string, string> | null;
}

export class LatchkeyClient extends EventTarget {
  constructor(options?: LatchkeyClientOptions);

  /** When the access token in memory expires (ms since the epoch, this browser's clock), or null. */
  readonly accessTokenExpiresAt: number | null;
  /** The user from the last login or register in this tab, or null (a refresh alone does not return it). */
  readonly user: LatchkeyUser | null;

  /** True while this tab holds an access token (possibly expired: the next call refreshes it). */
  isAuthenticated(): boolean;
  /** Rejects with a LatchkeyError: 401 INVALID_CREDENTIALS, 429 RATE_LIMITED, ... */
  login(email: string, password: string): Promise<LatchkeyUser>;
  /** Rejects with a LatchkeyError: 400 VALIDATION_FAILED, 409 EMAIL_TAKEN, ... */
  register(email: string, password: string): Promise<LatchkeyUser>;
  /** Rotates the refresh cookie for a new access token; a 401 ends the session. One at a time, across tabs. */
  refresh(): Promise<{ expiresAt: number }>;
  /** Ends this session, here and in the other tabs. */
  logout(): Promise<void>;
  /** Ends every session of the user. */
  logoutAll(): Promise<void>;
  /**
   * fetch() with the bearer token; a path starting with '/' is resolved against baseUrl.
   * Refreshes and retries once on 401 TOKEN_EXPIRED; any other 401 ends the session.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Stops listening to the other tabs. */
  close(): void;

  addEventListener<K extends keyof LatchkeyEventMap>(
    type: K,
    listener: (this: LatchkeyClient, event: LatchkeyEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof LatchkeyEventMap>(
    type: K,
    listener: (this: LatchkeyClient, event: LatchkeyEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** Creates a client for the Latchkey at baseUrl ('' for the page's own origin). */
export function createClient(options?: LatchkeyClientOptions): LatchkeyClient;
