import type { LiveView, SysadminView, WaitingCallerView } from '../live-view-schema.js';
import { byId, el } from './dom.js';
import { dayAndTimeOf, durationOf, timeOf, words } from './format.js';

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
    ...line.plans.map((plan) =>
      el(
        'li',
        {},
        el('strong', {}, words(plan.plan)),
        ': ',
        el('span', { class: plan.openNow ? 'badge open' : 'badge closed' }, plan.openNow ? 'open' : 'closed'),
        plan.nextChange === null
          ? ` — ${plan.openNow ? 'around the clock' : 'no opening within a year'}`
          : ` — ${plan.openNow ? 'closes' : 'opens'} ${dayAndTimeOf(plan.nextChange)}`,
      ),
    ),
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

const STATE_TEXT: Record<SysadminView['state'], string> = {
  free: 'Free',
  ringing: 'Pager ringing',
  briefing: 'Hearing who is waiting',
  connected: 'On a call',
  on_line: 'Phoned in',
  resting: 'Resting',
};

function sysadminCard(sysadmin: SysadminView): HTMLLIElement {
  const withCaller = sysadmin.withCaller;
  const customer =
    withCaller === null
      ? null
      : `${sysadmin.state === 'connected' ? 'with' : 'for'} ${withCaller.userName ?? 'a caller'}${withCaller.accountName === null ? (withCaller.accountId === null ? '' : ` (${withCaller.accountId})`) : ` (${withCaller.accountName})`}`;
  const until = sysadmin.state === 'resting' && sysadmin.until !== null ? ` until ${timeOf(sysadmin.until)}` : '';
  const pin = sysadmin.oncallPin;
  // An alarm, announced: someone holding this sysadmin's phone is guessing their on-call PIN.
  const pinAlarm =
    pin?.alarm === true
      ? el(
          'p',
          { class: 'alarm raised', attrs: { role: 'alert' } },
          `${String(pin.failures)} wrong on-call PINs in ${String(pin.windowHours)} h on calls to this phone${pin.locked ? ': PIN entry closed until an operator sets a new on-call PIN' : ''}.`,
        )
      : null;
  // An alarm, announced: the call keeping this sysadmin busy has sent nothing for too long.
  const quietAlarm =
    sysadmin.lastHeard?.alarm === true
      ? el(
          'p',
          { class: 'alarm raised', attrs: { role: 'alert' } },
          `No news from this call since ${timeOf(sysadmin.lastHeard.at)}: a long conversation, or its end was never reported. Check the call in Twilio.`,
        )
      : null;
  return el(
    'li',
    { class: `card sysadmin ${sysadmin.state}`, attrs: { 'data-sysadmin': sysadmin.id } },
    el('p', { class: 'card-title' }, el('strong', {}, sysadmin.name ?? sysadmin.id), sysadmin.onRota ? null : el('span', { class: 'badge' }, 'not on the rota')),
    el('p', {}, el('span', { class: `badge state-${sysadmin.state}` }, STATE_TEXT[sysadmin.state]), customer === null ? '' : ` ${customer}`, until),
    pinAlarm,
    quietAlarm,
  );
}

/** The sysadmins who need an operator: locked out of their on-call PIN, or held busy by a call that went quiet. */
function renderSysadminAlarms(sysadmins: SysadminView[]): void {
  const items = sysadmins.flatMap((sysadmin) => {
    const name = sysadmin.name ?? sysadmin.id;
    const found: HTMLLIElement[] = [];
    if (sysadmin.oncallPin?.locked === true) {
      found.push(el('li', { attrs: { 'data-sysadmin': sysadmin.id } }, el('strong', {}, name), ` is locked out of their on-call PIN (${String(sysadmin.oncallPin.failures)} wrong in ${String(sysadmin.oncallPin.windowHours)} h): set a new one for them.`));
    }
    if (sysadmin.lastHeard?.alarm === true) {
      found.push(el('li', { attrs: { 'data-sysadmin': sysadmin.id } }, el('strong', {}, name), ` has been ${STATE_TEXT[sysadmin.state].toLowerCase()} with no news since ${timeOf(sysadmin.lastHeard.at)}.`));
    }
    return found;
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
