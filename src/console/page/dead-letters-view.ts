import { z } from 'zod';
import type { Attention, DeadLetterView } from '../attention-schema.js';
import type { Api } from './api.js';
import { isRefusal, type ApiError } from './api-errors.js';
import { byId, el } from './dom.js';
import { timeOf, words } from './format.js';

// Events the control panel never got: a letter redelivered from this page leaves the list at once.
const redelivered = z.object({ id: z.uuid(), redelivered: z.literal(true) });

function whoOf(about: DeadLetterView['about']): string {
  const parts = [
    about.userName ?? about.userId,
    about.accountName ?? about.accountId,
    about.sysadminName === null && about.sysadminId === null ? null : `sysadmin ${about.sysadminName ?? about.sysadminId ?? ''}`,
    about.callerNumber,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? '—' : parts.join(' · ');
}

export function createDeadLettersView(api: Api, onRefused: (error: ApiError) => void) {
  const status = byId('dead-letters-status', HTMLParagraphElement);
  // Put back by this page: hidden until a snapshot no longer lists them.
  const sent = new Set<string>();
  let latest: Attention['deadLetters'] = { total: 0, letters: [] };

  async function redeliver(letter: DeadLetterView, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api('POST', `/v1/ops/events/dead-letters/${encodeURIComponent(letter.id)}/redeliver`, redelivered);
      sent.add(letter.id);
      status.textContent = `The ${words(letter.type)} event about ${whoOf(letter.about)} is back in the outbox.`;
      render(latest);
    } catch (error) {
      if (isRefusal(error)) onRefused(error);
      else status.textContent = `It could not be put back: ${error instanceof Error ? error.message : 'unknown error'}`;
      button.disabled = false;
    }
  }

  function row(letter: DeadLetterView): HTMLTableRowElement {
    const who = whoOf(letter.about);
    const button = el('button', { attrs: { type: 'button', 'aria-label': `Redeliver the ${words(letter.type)} event about ${who}` } }, 'Redeliver');
    button.onclick = () => void redeliver(letter, button);
    const cell = (text: string) => el('td', {}, text);
    return el(
      'tr',
      { attrs: { 'data-event': letter.id } },
      cell(words(letter.type)),
      cell(who),
      cell(timeOf(letter.occurredAt)),
      el('td', { class: 'error-text' }, `${letter.lastResult} after ${String(letter.attempts)} attempts`),
      cell(timeOf(letter.deadAt)),
      el('td', {}, button),
    );
  }

  function render(deadLetters: Attention['deadLetters']): void {
    latest = deadLetters;
    const listed = new Set(deadLetters.letters.map((letter) => letter.id));
    for (const id of sent) if (!listed.has(id)) sent.delete(id);
    const shown = deadLetters.letters.filter((letter) => !sent.has(letter.id));
    const total = deadLetters.total - (deadLetters.letters.length - shown.length);
    byId('dead-letters-summary', HTMLParagraphElement).textContent =
      total === 0 ? 'Every event reached the control panel.' : `${String(total)} ${total === 1 ? 'event' : 'events'} could not be delivered to the control panel.`;
    byId('dead-letters', HTMLTableSectionElement).replaceChildren(
      ...(shown.length > 0 ? shown.map(row) : [el('tr', {}, el('td', { attrs: { colspan: '6' } }, 'No dead letters.'))]),
    );
  }

  return { render };
}
