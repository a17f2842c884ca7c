import { CALL_OUTCOMES } from '../../audit/call-history.js';
import type { RecentCalls } from '../live-view-schema.js';
import { el, svg } from './dom.js';
import { durationOf, hourOf, words } from './format.js';

// Drawn by hand: a day of stacked bars and six wait bars need no chart library. Colours come from
// console.css classes (the CSP forbids inline style); each chart has a text summary for screen readers.
const WIDTH = 480;
const HEIGHT = 180;
const PAD = { left: 28, right: 6, top: 8, bottom: 22 };

/** A round number at or above `max` for the top of the scale. */
const scaleTop = (max: number): number => (max <= 5 ? 5 : Math.ceil(max / 5) * 5);

export function hoursChart(perHour: RecentCalls['perHour']): SVGElement {
  const totals = perHour.map((h) => Object.values(h.counts).reduce((a, b) => a + b, 0));
  const top = scaleTop(Math.max(0, ...totals));
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = (WIDTH - PAD.left - PAD.right) / perHour.length;
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const bars = perHour.flatMap((hour, i) => {
    let stacked = 0;
    const x = PAD.left + i * slot + 1;
    const pieces = CALL_OUTCOMES.flatMap((outcome) => {
      const count = hour.counts[outcome] ?? 0;
      if (count === 0) return [];
      const rect = svg('rect', { x, y: y(stacked + count), width: Math.max(1, slot - 2), height: (count / top) * plotH, class: `outcome-${outcome}` });
      stacked += count;
      return [rect];
    });
    const label = i % 4 === 0 ? [svg('text', { x: x + slot / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis' }, hourOf(hour.hourStart))] : [];
    return [...pieces, ...label];
  });
  const total = totals.reduce((a, b) => a + b, 0);
  const byOutcome = CALL_OUTCOMES.map((o) => [o, perHour.reduce((n, h) => n + (h.counts[o] ?? 0), 0)] as const).filter(([, n]) => n > 0);
  const summary = `${total} calls in the last 24 hours${byOutcome.length > 0 ? `: ${byOutcome.map(([o, n]) => `${n} ${words(o)}`).join(', ')}` : ''}.`;
  return svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary, class: 'chart-svg' },
    svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0), class: 'axis-line' }),
    svg('text', { x: PAD.left - 4, y: y(top) + 4, 'text-anchor': 'end', class: 'axis' }, String(top)),
    svg('text', { x: PAD.left - 4, y: y(0), 'text-anchor': 'end', class: 'axis' }, '0'),
    ...bars,
  );
}

export function hoursLegend(): HTMLLIElement[] {
  return CALL_OUTCOMES.map((outcome) => el('li', {}, el('span', { class: `swatch outcome-${outcome}`, attrs: { 'aria-hidden': 'true' } }), words(outcome)));
}

export function waitsChart(waits: RecentCalls['waits']): SVGElement {
  const top = scaleTop(Math.max(0, ...waits.map((w) => w.count)));
  const labelW = 120;
  const rowH = (HEIGHT - PAD.top) / waits.length;
  const barSpace = WIDTH - labelW - 40;
  const bars = waits.map(({ upToSeconds: upTo, count }, i) => ({
    count,
    label: upTo === null ? `over ${durationOf(waits[i - 1]?.upToSeconds ?? 0)}` : `up to ${durationOf(upTo)}`,
  }));
  const rows = bars.flatMap((w, i) => {
    const yMid = PAD.top + i * rowH + rowH / 2;
    return [
      svg('text', { x: labelW - 6, y: yMid + 4, 'text-anchor': 'end', class: 'axis' }, w.label),
      svg('rect', { x: labelW, y: yMid - rowH * 0.35, width: Math.max(w.count > 0 ? 2 : 0, (w.count / top) * barSpace), height: rowH * 0.7, class: 'wait-bar' }),
      svg('text', { x: labelW + (w.count / top) * barSpace + 6, y: yMid + 4, class: 'axis' }, String(w.count)),
    ];
  });
  const summary = `Waits over the last day: ${bars.map(({ count, label }) => `${count} ${label}`).join(', ')}.`;
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary, class: 'chart-svg' }, ...rows);
}
