import { DateTime, Info } from 'luxon';
import { WEEKDAYS, type OpeningSpan, type Policy, type Tier } from '../policy/policy-schema.js';
import type { PromptCatalogue } from './prompt-catalogue.js';

/** Support hours and opening times as sentences for the IVR, in the catalogue's language. */

const clockTime = (minutes: number): string =>
  `${String(Math.floor(minutes / 60) % 24)}:${String(minutes % 60).padStart(2, '0')}`;

const sameSpans = (a: OpeningSpan[], b: OpeningSpan[]): boolean =>
  a.length === b.length && a.every((span, i) => span.open === b[i]?.open && span.close === b[i].close);

export const tierLabel = (name: string, tier: Tier | undefined): string =>
  tier?.label ?? name.charAt(0).toUpperCase() + name.slice(1).replaceAll('_', ' ');

/** "Monday to Friday, from 9:00 to 17:30" — consecutive days with the same hours spoken together. */
function speakDays(tier: Tier, catalogue: PromptCatalogue): string {
  const groups: { first: number; last: number; spans: OpeningSpan[] }[] = [];
  WEEKDAYS.forEach((day, index) => {
    const spans = tier.hours[day] ?? [];
    const previous = groups.at(-1);
    if (spans.length === 0) return;
    if (previous !== undefined && previous.last === index - 1 && sameSpans(previous.spans, spans)) previous.last = index;
    else groups.push({ first: index, last: index, spans });
  });
  const name = (index: number) => Info.weekdays('long', { locale: catalogue.language })[index] ?? '';
  const parts = groups.map((group) => {
    const days =
      group.first === group.last
        ? name(group.first)
        : catalogue.phrase('dayRange', { first: name(group.first), last: name(group.last) });
    const spans = group.spans
      .map((span) => catalogue.phrase('span', { open: clockTime(span.open), close: clockTime(span.close) }))
      .reduce((first, second) => catalogue.phrase('and', { first, second }));
    return catalogue.phrase('daySpans', { days, spans });
  });
  return parts.length === 0 ? '' : parts.reduce((first, second) => catalogue.phrase('and', { first, second }));
}

export function createHoursSpeech(policy: Policy, catalogue: PromptCatalogue) {
  const city = policy.timezone.split('/').at(-1)?.replaceAll('_', ' ') ?? policy.timezone;
  const timezone = catalogue.phrase('timezone', { city });

  function tierSchedule(tierName: string): string {
    const tier = policy.tiers[tierName];
    if (tier?.phoneSupport !== true) return '';
    return catalogue.prompt('tierSchedule', { tier: tierLabel(tierName, tier), days: speakDays(tier, catalogue), timezone });
  }

  return {
    tierSchedule,
    /** The hours of every tier with phone support, highest priority first. */
    lineSchedule: (): string =>
      Object.entries(policy.tiers)
        .filter(([, tier]) => tier.phoneSupport)
        .sort(([, a], [, b]) => b.priority - a.priority)
        .map(([name]) => tierSchedule(name))
        .join(' '),
    /** "today at 9:00", "tomorrow at 8:00", "on Tuesday 30 March at 9:00". */
    opensAt(at: number, now: number): string {
      const when = DateTime.fromMillis(at, { zone: policy.timezone }).setLocale(catalogue.language);
      const today = DateTime.fromMillis(now, { zone: policy.timezone }).startOf('day');
      const time = clockTime(when.hour * 60 + when.minute);
      const days = Math.round(when.startOf('day').diff(today, 'days').days);
      if (days === 0) return catalogue.phrase('opensToday', { time });
      if (days === 1) return catalogue.phrase('opensTomorrow', { time });
      return catalogue.phrase('opensOn', { date: when.toFormat('cccc d LLLL'), time });
    },
  };
}
