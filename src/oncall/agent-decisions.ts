import type { CallbackNumber } from './callback-numbers.js';
import type { MissedCall } from './missed-callers.js';
import type { WaitingCaller } from './waiting-caller-schema.js';

// The sysadmin's side as plain values (src/ivr/render-agent-twiml.ts). None about a customer reaches
// a phone before the person on it is known to be a sysadmin.
export type AgentDecision =
  /** A page answered by a person (or so it seems): no customer details yet. */
  | { kind: 'agent_page_greeting'; sysadminId: string; caller: string }
  /** A call from a rota number: no word about anyone; callgate rings the registered phone back. */
  | { kind: 'agent_calling_you_back' }
  /** On the call callgate placed to a sysadmin's registered phone: their on-call PIN first. */
  | { kind: 'agent_ask_pin'; sysadminId: string; attempt: number; retry: boolean }
  | { kind: 'agent_pin_refused' }
  /** Too many wrong on-call PINs in the window: PIN entry is closed (an operator can set a new PIN). */
  | { kind: 'agent_pin_locked' }
  | { kind: 'agent_briefing'; sysadminId: string; about: string; briefing: Briefing; previous?: PreviousCaller }
  | { kind: 'agent_connect'; sysadminId: string; about: string; userName: string }
  | { kind: 'agent_nobody_waiting'; previous?: PreviousCaller }
  | { kind: 'agent_goodbye' }
  /** A sysadmin's step failed (Redis slow or down): said to them, not the customers' apology. */
  | { kind: 'agent_line_trouble' }
  /** The Dial after a bridge: the conversation is over. */
  | { kind: 'agent_call_over' }
  /** The <Queue> url: played to the caller just before the bridge. */
  | { kind: 'caller_connected' }
  /** The missed callers, to call one back; `heldBack`: later calls of accounts already listed (missed-menu.ts). */
  | { kind: 'agent_missed'; sysadminId: string; index: number; count: number; heldBack: number; missed: MissedSummary; play: boolean; notice?: 'no_answer' }
  | { kind: 'agent_call_back'; sysadminId: string; about: string; userName: string; number: string }
  /** The <Number url> of a callback: who calls and why; 1 to be put through (a voicemail box presses nothing). */
  | { kind: 'callback_whisper'; about: string }
  /** The customer pressed 1: put through (nothing more to say). */
  | { kind: 'callback_accepted' }
  /** Anything else, or nothing: the customer's leg is hung up, the sysadmin hears nobody answered. */
  | { kind: 'callback_declined' };

/** A missed caller as a sysadmin hears of them; `callBack`: the number read out, or why it is not dialled. */
export type MissedSummary = Pick<MissedCall, 'callSid' | 'accountName' | 'userName'> & {
  agoSeconds: number;
  recordingUrl: string | null;
  callBack: CallbackNumber;
};

/** Why the caller a sysadmin heard about is not the one offered now. */
export type PreviousCaller = 'taken' | 'left';

/** What a sysadmin hears about a waiting caller before taking the call. */
type BriefedFields = 'accountName' | 'userName' | 'isAdminContact' | 'adminContactName' | 'tier';
export type Briefing = Pick<WaitingCaller, BriefedFields> & { waitSeconds: number; othersWaiting: number };
