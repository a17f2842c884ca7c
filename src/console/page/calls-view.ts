import type { LineCall, RecentCalls } from '../live-view-schema.js';
import { hoursChart, hoursLegend, waitsChart } from './charts.js';
import { byId, el } from './dom.js';
import { dayAndTimeOf, durationOf, words } from './format.js';

function row(call: LineCall): HTMLTableRowElement {
  const cell = (text: string) => el('td', {}, text);
  return el(
    'tr',
    {},
    cell(dayAndTimeOf(call.startedAt)),
    // Names from the directory; an id only for someone no longer in it.
    cell(call.accountName ?? call.accountId ?? '—'),
    cell(call.userName ?? call.userId ?? '—'),
    el('td', {}, el('span', { class: `badge outcome-${call.outcome}-text` }, words(call.outcome))),
    cell(call.reason === null ? '' : words(call.reason)),
    cell(call.waitSeconds === null ? '' : durationOf(call.waitSeconds)),
    cell(call.sysadminId === null ? '' : (call.sysadminName ?? call.sysadminId)),
  );
}

export function renderCalls(recent: RecentCalls): void {
  byId('hours-chart', HTMLDivElement).replaceChildren(hoursChart(recent.perHour));
  const legend = byId('hours-legend', HTMLUListElement);
  if (legend.childElementCount === 0) legend.replaceChildren(...hoursLegend());
  byId('waits-chart', HTMLDivElement).replaceChildren(waitsChart(recent.waits));
  const rows = recent.calls.map(row);
  byId('calls', HTMLTableSectionElement).replaceChildren(
    ...(rows.length > 0 ? rows : [el('tr', {}, el('td', { attrs: { colspan: '7' } }, 'No calls in the last day.'))]),
  );
}
