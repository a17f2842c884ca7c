// How long one Redis command may take before the request gives up on it: two of them still
// fit in the SPEC's 2 s answer time when Redis hangs.
export const COMMAND_TIMEOUT_MS = 800;

// Leaves room for the reply to travel back before the client's own timeout fires.
const REPLY_MARGIN_MS = 250;

/**
 * ARGV[1] of a state-changing script (lua/includes/deadline-guard.lua), by real time, not the domain
 * clock; `notAfter` tightens it to a webhook's own budget. Redis' clock decides, so `checkClockSkew` warns.
 */
export function scriptDeadline(notAfter = Number.POSITIVE_INFINITY): number {
  return Math.min(Date.now() + COMMAND_TIMEOUT_MS - REPLY_MARGIN_MS, notAfter);
}

export const isLate = (reply: unknown): boolean => Array.isArray(reply) && reply[0] === 'late';
