import { z } from 'zod';
import { oncallListSchema, oncallViewSchema, type OncallView, type Sysadmin } from '../../oncall/oncall-schema.js';
import type { Api } from './api.js';
import { ApiError, isRefusal, type ErrorDetail } from './api-errors.js';
import { byId, el } from './dom.js';

// The on-call rota. A change is checked with the API's own schema (its messages, word for word), then
// the whole list is sent with the ETag it was read at: another operator's change is never undone silently.
type RotaEntry = OncallView[number];
const FIELDS = ['id', 'name', 'phone'] as const;

/** The list with the entry at `from` moved to its neighbour's place `to` (the two swap). */
const moved = (list: RotaEntry[], from: number, to: number): RotaEntry[] =>
  list.map((entry, i) => (i === from ? list[to] : i === to ? list[from] : entry) ?? entry);

export function createRotaView(api: Api, onUnauthorised: (error: ApiError) => void) {
  let rota: RotaEntry[] = [];
  let readAt: string | undefined;
  let saving = false;
  const status = byId('rota-status', HTMLParagraphElement);
  const form = byId('rota-add', HTMLFormElement);
  const formError = byId('rota-add-error', HTMLParagraphElement);

  function showIssues(issues: ErrorDetail[], newIndex: number | undefined): void {
    for (const field of FIELDS) {
      const messages = issues.filter((i) => i.path[0] === String(newIndex) && i.path[1] === field).map((i) => i.message);
      byId(`rota-${field}-error`, HTMLParagraphElement).textContent = messages.join(' ');
      byId(`rota-${field}`, HTMLInputElement).setAttribute('aria-invalid', messages.length > 0 ? 'true' : 'false');
    }
    const rest = issues.filter((i) => newIndex === undefined || i.path[0] !== String(newIndex));
    const text = rest.map((i) => i.message).join(' ');
    if (newIndex === undefined) status.textContent = text;
    else formError.textContent = text;
  }

  function render(focus?: string): void {
    const items = rota.map((s, i) => {
      const button = (action: string, text: string, label: string, disabled: boolean) =>
        el('button', { attrs: { type: 'button', 'data-focus': `${s.id}:${action}`, 'aria-label': `${label} ${s.name}`, ...(disabled ? { disabled: '' } : {}) } }, text);
      const up = button('up', 'Move up', 'Move up', i === 0);
      const down = button('down', 'Move down', 'Move down', i === rota.length - 1);
      const remove = button('remove', 'Remove', 'Remove', false);
      up.onclick = () => void save(moved(rota, i, i - 1), `${s.name} moved up to number ${i}.`, undefined, `${s.id}:up`);
      down.onclick = () => void save(moved(rota, i, i + 1), `${s.name} moved down to number ${i + 2}.`, undefined, `${s.id}:down`);
      remove.onclick = () => {
        if (window.confirm(`Remove ${s.name} from the on-call rota?`)) void save(rota.filter((o) => o.id !== s.id), `${s.name} removed from the rota.`);
      };
      return el(
        'li',
        { attrs: { 'data-sysadmin': s.id } },
        el('span', { class: 'rota-name' }, s.name),
        el('span', { class: 'rota-detail' }, `${s.id} · ${s.phone} · ${s.hasPin ? 'on-call PIN set' : 'no on-call PIN'}`),
        el('span', { class: 'actions' }, up, down, remove),
      );
    });
    byId('rota', HTMLOListElement).replaceChildren(...(items.length > 0 ? items : [el('li', {}, 'Nobody is on call.')]));
    if (focus === undefined) return;
    // The same button, or (moved to an end, where it is disabled) another of the same sysadmin's.
    const [sysadminId = ''] = focus.split(':');
    const target =
      document.querySelector<HTMLButtonElement>(`#rota button[data-focus="${CSS.escape(focus)}"]:not([disabled])`) ??
      document.querySelector<HTMLButtonElement>(`#rota li[data-sysadmin="${CSS.escape(sysadminId)}"] button:not([disabled])`);
    (target ?? byId('rota-heading', HTMLHeadingElement)).focus();
  }

  async function load(focus?: string): Promise<void> {
    const read = await api('GET', '/v1/oncall', oncallViewSchema);
    rota = read.data;
    readAt = read.etag ?? undefined;
    render(focus);
  }

  /** Saves the whole list; `newIndex` is the row the add form fills, for its field messages. */
  async function save(next: Sysadmin[], done: string, newIndex?: number, focus?: string): Promise<boolean> {
    if (saving) return false;
    const body = next.map(({ id, name, phone }) => ({ id, name, phone }));
    const checked = oncallListSchema.safeParse(body);
    if (!checked.success) {
      showIssues(checked.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })), newIndex);
      return false;
    }
    saving = true;
    try {
      await api('PUT', '/v1/oncall', z.unknown(), body, readAt);
      showIssues([], newIndex);
      await load(focus);
      status.textContent = done;
      return true;
    } catch (error) {
      if (isRefusal(error)) onUnauthorised(error);
      else if (error instanceof ApiError && error.status === 412) {
        await load().catch(() => undefined);
        status.textContent = 'Another operator changed the rota just now. It is shown as it is now: make your change again.';
      }
      else if (error instanceof ApiError) {
        const details = error.details.map((d) => ({ ...d, path: d.path.slice(1) }));
        showIssues(details.length > 0 ? details : [{ path: [], message: error.message }], newIndex);
      }
      else status.textContent = 'The rota could not be saved.';
      return false;
    } finally {
      saving = false;
    }
  }

  form.onsubmit = (event) => {
    event.preventDefault();
    const value = (field: string) => byId(`rota-${field}`, HTMLInputElement).value;
    const added = { id: value('id'), name: value('name'), phone: value('phone') };
    formError.textContent = '';
    void save([...rota, added], `${added.name.trim()} added at the end of the rota.`, rota.length).then((ok) => {
      if (ok) form.reset();
    });
  };

  return {
    load,
    /** Reloads when the live view shows another rota than this panel (another operator changed it). */
    syncWith(ids: string[]): void {
      if (!saving && ids.join('\n') !== rota.map((s) => s.id).join('\n')) void load().catch(() => undefined);
    },
  };
}
