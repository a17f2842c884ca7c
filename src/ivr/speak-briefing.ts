import type { Briefing } from '../oncall/agent-decisions.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PromptCatalogue } from './prompt-catalogue.js';
import { tierLabel } from './speak-hours.js';

/**
 * What a sysadmin hears about a waiting caller, before pressing 1. Whether the caller is the admin
 * contact is said first, from the directory's role alone: a customer-typed name such as "Ada, the
 * admin contact" comes after the line's own word and is heard as a name.
 */
export function speakBriefing(briefing: Briefing, catalogue: PromptCatalogue, policy: Policy): string {
  const contact = briefing.isAdminContact
    ? catalogue.phrase('contactIsAdmin')
    : briefing.adminContactName === null
      ? catalogue.phrase('contactNoAdmin')
      : catalogue.phrase('contactNotAdmin', { admin: briefing.adminContactName });
  const others =
    briefing.othersWaiting === 0
      ? catalogue.phrase('othersNone')
      : briefing.othersWaiting === 1
        ? catalogue.phrase('othersOne')
        : catalogue.phrase('othersMany', { count: briefing.othersWaiting });
  return catalogue.prompt('agentCaller', {
    account: briefing.accountName,
    caller: briefing.userName,
    contact,
    plan: tierLabel(briefing.tier, policy.tiers[briefing.tier]),
    wait: speakDuration(briefing.waitSeconds, catalogue),
    others,
  });
}

/** "less than a minute", "one minute", "12 minutes". */
export function speakDuration(seconds: number, catalogue: PromptCatalogue): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return catalogue.phrase('waitUnderMinute');
  return minutes === 1 ? catalogue.phrase('waitOneMinute') : catalogue.phrase('waitMinutes', { minutes });
}
