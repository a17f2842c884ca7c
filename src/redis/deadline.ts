/**
 * How long one Redis command may take before the request gives up on it. Two of
 * them still fit in the SPEC's 2 s answer time when Redis hangs.
 */
export const COMMAND_TIMEOUT_MS = 800;

/*
 * Every script that changes state starts with the deadline guard (lua/includes/deadline-guard.lua),
 * ARGV[1] being `scriptDeadline()`. A request gives up on a command after COMMAND_TIMEOUT_MS; if
 * Redis was hung and only gets round to the script later, the script must do nothing — the caller
 * has already been told the line is down. Redis' own clock decides, so the hosts' clocks must
 * agree to well within the margin (NTP does); `checkClockSkew` warns otherwise.
 */

// Leaves room for the reply to travel back before the client's own timeout fires.
const REPLY_MARGIN_MS = 250;

/**
 * The deadline argument (ARGV[1]) for a state-changing script sent now. Real
 * time, not the domain clock. `notAfter` tightens it to a request's own budget
 * (a webhook that must have answered by then).
 */
export function scriptDeadline(notAfter = Number.POSITIVE_INFINITY): number {
  return Math.min(Date.now() + COMMAND_TIMEOUT_MS - REPLY_MARGIN_MS, notAfter);
}

export const isLate = (reply: unknown): boolean => Array.isArray(reply) && reply[0] === 'late';
