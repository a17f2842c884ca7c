import type { MissedCallView } from '../attention-schema.js';
import { authorisedFetch } from './api.js';
import { isRefusal, type ApiError } from './api-errors.js';
import { byId, el } from './dom.js';
import { durationOf, SAID, timeOf } from './format.js';

// Missed callers and their messages: a message is fetched through callgate with the operator's key
// and played from memory; its player stays across redraws, so the list can change while someone listens.

function callbackOf(call: MissedCallView): HTMLParagraphElement {
  const back = call.callback;
  if (back === null) return el('p', {}, el('span', { class: 'badge closed' }, 'Not called back yet'));
  const who = back.sysadminName ?? back.sysadminId;
  if (back.state === 'connected') return el('p', {}, el('span', { class: 'badge open' }, 'Called back'), ` by ${who}, ${timeOf(back.since)}`);
  const how = back.state === 'calling' ? 'is calling them back' : 'reached them and is being put through';
  return el('p', { class: 'paging' }, `Call-back under way: ${who} ${how} (since ${timeOf(back.since)})`);
}

export function createMissedView(key: string, onRefused: (error: ApiError) => void) {
  const players = new Map<string, HTMLAudioElement>();

  async function play(call: MissedCallView, audio: string, slot: HTMLElement, button: HTMLButtonElement): Promise<void> {
    const idle = button.textContent;
    button.disabled = true;
    button.textContent = 'Fetching the message…';
    try {
      const res = await authorisedFetch(key, audio, 'audio/*');
      const player = el('audio', { attrs: { controls: '', 'aria-label': `Message from ${call.userName}` } });
      player.src = URL.createObjectURL(await res.blob());
      players.set(call.callSid, player);
      slot.replaceChildren(player);
      await player.play().catch(() => undefined);
    } catch (error) {
      if (isRefusal(error)) onRefused(error);
      button.disabled = false;
      button.textContent = idle;
      slot.append(el('p', { class: 'error', attrs: { role: 'alert' } }, `The message could not be played: ${error instanceof Error ? error.message : 'unknown error'}`));
    }
  }

  function messageOf(call: MissedCallView): HTMLElement {
    const { voicemail } = call;
    const kept = players.get(call.callSid);
    if (voicemail === null) return el('div', { class: 'voicemail' }, el('p', {}, 'No message left.'));
    if (kept !== undefined) return el('div', { class: 'voicemail' }, kept);
    const slot = el('div', { class: 'voicemail' });
    const button = el('button', { attrs: { type: 'button', 'aria-label': `Play the message from ${call.userName} (${durationOf(voicemail.seconds)})` } }, `Play message (${durationOf(voicemail.seconds)})`);
    button.onclick = () => void play(call, voicemail.audio, slot, button);
    slot.append(button);
    return slot;
  }

  function card(call: MissedCallView): HTMLLIElement {
    return el(
      'li',
      { class: 'card', attrs: { 'data-missed': call.callSid } },
      el('p', { class: 'card-title' }, el('strong', {}, call.userName)),
      el('p', {}, call.accountName),
      el('p', {}, `Missed ${timeOf(call.at)} after ${durationOf(call.waitSeconds)}: ${SAID[call.reason]}`),
      messageOf(call),
      callbackOf(call),
    );
  }

  return {
    render(missed: { windowHours: number; calls: MissedCallView[] }): void {
      const shown = new Set(missed.calls.map((call) => call.callSid));
      for (const [callSid, player] of players) {
        if (shown.has(callSid)) continue;
        URL.revokeObjectURL(player.src);
        players.delete(callSid);
      }
      const waiting = missed.calls.filter((call) => call.callback?.state !== 'connected').length;
      byId('missed-summary', HTMLParagraphElement).textContent =
        missed.calls.length === 0
          ? `No missed callers in the last ${String(missed.windowHours)} h.`
          : `${String(missed.calls.length)} missed in the last ${String(missed.windowHours)} h; ${waiting === 0 ? 'all called back' : `${String(waiting)} not called back yet`}.`;
      byId('missed', HTMLUListElement).replaceChildren(...missed.calls.map(card));
    },
  };
}
