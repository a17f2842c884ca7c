import { createApi } from './api.js';
import { ApiError } from './api-errors.js';
import { byId } from './dom.js';
import { liveViewSchema } from '../live-view-schema.js';

// The operator's key lives in sessionStorage: gone when the tab closes, sent only as the bearer header.
const STORAGE_KEY = 'callgate.operatorKey';

export const storedKey = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const forgetKey = (): void => {
  sessionStorage.removeItem(STORAGE_KEY);
};

export function refusalOf(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Signing in failed. Please try again.';
  if (error.status === 401) return 'That key was not recognised. The console needs an operator key (one of OPS_API_KEYS).';
  if (error.status === 403) {
    return `callgate refused this key: ${error.message} The console needs an operator key (OPS_API_KEYS), used from a network in OPS_ALLOWED_CIDRS; a control panel key will not do.`;
  }
  return error.message;
}

/** Shows the sign-in form and resolves with the key once callgate accepts it. */
export function signIn(message?: string): Promise<string> {
  const form = byId('sign-in', HTMLFormElement);
  const input = byId('operator-key', HTMLInputElement);
  const error = byId('sign-in-error', HTMLParagraphElement);
  const button = byId('sign-in-submit', HTMLButtonElement);
  form.hidden = false;
  error.textContent = message ?? '';
  input.setAttribute('aria-invalid', message === undefined ? 'false' : 'true');
  input.focus();
  return new Promise((resolve) => {
    form.onsubmit = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key === '') {
        error.textContent = 'Enter an operator key.';
        return;
      }
      button.disabled = true;
      createApi(key)('GET', '/v1/ops/now', liveViewSchema)
        .then(() => {
          sessionStorage.setItem(STORAGE_KEY, key);
          input.value = '';
          error.textContent = '';
          form.hidden = true;
          form.onsubmit = null;
          resolve(key);
        })
        .catch((refused: unknown) => {
          // A refused key does not stay on the page.
          input.value = '';
          input.setAttribute('aria-invalid', 'true');
          error.textContent = refusalOf(refused);
          input.focus();
        })
        .finally(() => {
          button.disabled = false;
        });
    };
  });
}
