// Absolute, so Twilio signs exactly these URLs: a query string cannot be forged without the auth token.
export function agentUrls(baseUrl: string) {
  const at = (path: string, query: Record<string, string>) => `${baseUrl}/twilio/${path}?${new URLSearchParams(query).toString()}`;
  return {
    /** The page call, answered. */
    page: (sysadminId: string, caller: string) => at('agent', { sysadmin: sysadminId, caller }),
    pageStatus: (sysadminId: string, caller: string) => at('agent-status', { sysadmin: sysadminId, caller }),
    onCallPin: (sysadminId: string, attempt: number) => at('agent-pin', { sysadmin: sysadminId, attempt: String(attempt) }),
    /** The call callgate places back to a sysadmin who phoned in, answered; and its status callback. */
    phoneIn: (sysadminId: string) => at('agent-phone-in', { sysadmin: sysadminId }),
    phoneInStatus: (sysadminId: string) => at('agent-phone-in-status', { sysadmin: sysadminId }),
    /** After the generic greeting: 1 to hear who is waiting. */
    hear: (sysadminId: string, caller: string) => at('agent-answer', { sysadmin: sysadminId, step: 'hear', about: caller }),
    /** After the briefing: 1 to take that caller. */
    take: (sysadminId: string, caller: string) => at('agent-answer', { sysadmin: sysadminId, step: 'take', about: caller }),
    dialed: (sysadminId: string, caller: string) => at('agent-dialed', { sysadmin: sysadminId, about: caller }),
    bridge: (sysadminId: string, caller: string) => at('bridge', { sysadmin: sysadminId, about: caller }),
    /** The missed callers, one at a time: 1 calls back, 2 next, 3 plays the message, 9 who is waiting. */
    missed: (sysadminId: string, index: number, caller: string) => at('agent-missed', { sysadmin: sysadminId, index: String(index), about: caller }),
    callbackWhisper: (caller: string) => at('callback-whisper', { about: caller }),
    callbackAnswer: (caller: string) => at('callback-answer', { about: caller }),
    callbackDialed: (sysadminId: string, caller: string) => at('callback-dialed', { sysadmin: sysadminId, about: caller }),
  };
}

export type AgentUrls = ReturnType<typeof agentUrls>;
