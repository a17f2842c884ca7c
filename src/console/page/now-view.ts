import type { LiveView, SysadminView, WaitingCallerView } from '../live-view-schema.js';
import { byId, el } from './dom.js';
import { dayAndTimeOf, durationOf, SAID, timeOf, words } from './format.js';

/** The "Now" panel: the line, every caller waiting, every sysadmin. Redrawn on every update. */

function renderLine(line: LiveView['line']): void {
  const alarm = byId('alarm', HTMLParagraphElement);
  alarm.className = line.alarm ? 'alarm raised' : 'alarm';
  // Announced once when it goes up, not on every redraw.
  if (line.alarm !== (alarm.getAttribute('role') === 'alert')) alarm.setAttribute('role', line.alarm ? 'alert' : 'status');
  alarm.textContent = line.alarm
    ? `Line alarm: ${line.failuresPerMinute} failed PINs a minute (threshold ${line.alarmThreshold}). Every caller gets one PIN attempt until it subsides.`
    : `No line alarm (${line.failuresPerMinute} failed PINs this minute; the alarm is at ${line.alarmThreshold}).`;
  byId('plans', HTMLUListElement).replaceChildren(
    ...line.plans.map(({ plan, openNow, nextChange }) => {
      const state = openNow ? 'open' : 'closed';
      const next =
        nextChange === null
          ? (openNow ? 'around the clock' : 'no opening within a year')
          : `${openNow ? 'closes' : 'opens'} ${dayAndTimeOf(nextChange)}`;
      const badge = el('span', { class: `badge ${state}` }, state);
      return el('li', {}, el('strong', {}, words(plan)), ': ', badge, ` — ${next}`);
    }),
  );
}

function pagingOf(caller: WaitingCallerView, names: Map<string, string>): string {
  if (caller.reservedBy !== null) return `${names.get(caller.reservedBy) ?? caller.reservedBy} pressed 1 and is being connected`;
  const page = caller.paging;
  if (page === null) return 'Not paging anyone yet';
  const who = page.sysadminName ?? page.sysadminId;
  const since = page.since === null ? '' : ` since ${timeOf(page.since)}`;
  if (page.state === 'ringing') return `Pager ringing ${who}${since}`;
  if (page.state === 'answered') return `${who} answered${since} and is hearing who is waiting`;
  return `${who} did not take it; paging the next sysadmin`;
}

function callerCard(caller: WaitingCallerView, names: Map<string, string>): HTMLLIElement {
  return el(
    'li',
    { class: 'card', attrs: { 'data-call': caller.callSid } },
    el('p', { class: 'card-title' }, el('strong', {}, caller.userName), caller.isAdminContact ? el('span', { class: 'badge admin' }, 'admin contact') : null),
    el('p', {}, `${caller.accountName} · plan ${words(caller.plan)}`),
    el('p', {}, `Waiting ${durationOf(caller.waitSeconds)}, since ${timeOf(caller.waitingSince)}`),
    el('p', { class: 'paging' }, pagingOf(caller, names)),
  );
}

const raised = (text: string): HTMLParagraphElement =>
  el('p', { class: 'alarm raised', attrs: { role: 'alert' } }, text);

function sysadminCard(sysadmin: SysadminView): HTMLLIElement {
  const { id, state, withCaller, oncallPin: pin, lastHeard } = sysadmin;
  const account = withCaller?.accountName ?? withCaller?.accountId ?? null;
  const who = `${withCaller?.userName ?? 'a caller'}${account === null ? '' : ` (${account})`}`;
  const customer = withCaller === null ? '' : ` ${state === 'connected' ? 'with' : 'for'} ${who}`;
  const until = state === 'resting' && sysadmin.until !== null ? ` until ${timeOf(sysadmin.until)}` : '';
  const closed = pin?.locked === true ? ': PIN entry closed until an operator sets a new on-call PIN' : '';
  const quiet = 'a long conversation, or its end was never reported. Check the call in Twilio.';
  return el(
    'li',
    { class: 'card', attrs: { 'data-sysadmin': id } },
    el('p', { class: 'card-title' }, el('strong', {}, sysadmin.name ?? sysadmin.id), sysadmin.onRota ? null : el('span', { class: 'badge' }, 'not on the rota')),
    el('p', {}, el('span', { class: `badge state-${state}` }, SAID[state]), customer, until),
    pin?.alarm === true
      ? raised(`${pin.failures} wrong on-call PINs in ${pin.windowHours} h on calls to this phone${closed}.`)
      : null,
    lastHeard?.alarm === true ? raised(`No news from this call since ${timeOf(lastHeard.at)}: ${quiet}`) : null,
  );
}

/** The sysadmins who need an operator: locked out of their on-call PIN, or held busy by a call that went quiet. */
function renderSysadminAlarms(sysadmins: SysadminView[]): void {
  const items = sysadmins.flatMap(({ id, name, state, oncallPin: pin, lastHeard }) => {
    const item = (text: string) => el('li', { attrs: { 'data-sysadmin': id } }, el('strong', {}, name ?? id), text);
    const lockedOut = pin?.locked === true ? `${pin.failures} wrong in ${pin.windowHours} h` : null;
    return [
      lockedOut === null ? null : item(` is locked out of their on-call PIN (${lockedOut}): set a new one for them.`),
      lastHeard?.alarm === true
        ? item(` has been ${SAID[state].toLowerCase()} with no news since ${timeOf(lastHeard.at)}.`)
        : null,
    ].filter((found) => found !== null);
  });
  byId('sysadmin-alarms', HTMLUListElement).replaceChildren(...(items.length > 0 ? items : [el('li', {}, 'None.')]));
}

export function renderNow(view: LiveView): void {
  renderSysadminAlarms(view.sysadmins);
  renderLine(view.line);
  const names = new Map(view.sysadmins.map((s) => [s.id, s.name ?? s.id]));
  const { total, callers } = view.waiting;
  const shown = callers.length < total ? ` (the first ${callers.length} are shown)` : '';
  byId('waiting-summary', HTMLParagraphElement).textContent =
    total === 0 ? 'Nobody is waiting.' : `${total} ${total === 1 ? 'caller is' : 'callers are'} waiting${shown}.`;
  byId('waiting', HTMLUListElement).replaceChildren(...callers.map((caller) => callerCard(caller, names)));
  byId('sysadmins', HTMLUListElement).replaceChildren(
    ...(view.sysadmins.length === 0 ? [el('li', { class: 'card' }, 'Nobody is on the rota: callers cannot be put through.')] : view.sysadmins.map(sysadminCard)),
  );
}
