// JSON API client. The admin token (when the collector requires one) lives in sessionStorage only.

const TOKEN_KEY = 'kong-api-shield.admin-token';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let promptForToken = async () => null;
let pendingPrompt = null;

/** `prompt` resolves with a token typed by the operator (or null). */
export function onTokenNeeded(prompt) {
  promptForToken = prompt;
}

/** Parallel requests that all got 401 share one prompt. */
function askForToken() {
  if (!pendingPrompt) pendingPrompt = promptForToken().finally(() => (pendingPrompt = null));
  return pendingPrompt;
}

export async function api(path, { method = 'GET', body, params } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      // Another request may already have stored a fresh token while this one was in flight.
      if (sessionStorage.getItem(TOKEN_KEY) !== token) continue;
      const typed = await askForToken();
      if (!typed) throw new ApiError(401, { message: 'admin token required' });
      sessionStorage.setItem(TOKEN_KEY, typed);
      continue;
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }
  throw new ApiError(401, { message: 'admin token rejected' });
}
