import { z } from 'zod';

// Why a verified caller was missed, and how far a call-back got. Only zod here: the console's page bundles this file.
// line_error: Twilio's queue failed them (an error in the wait document, the queue full).
export const missedReasonSchema = z.enum(['timed_out', 'hung_up', 'no_one_on_call', 'plan_closed', 'line_error']);
// `answered` once a person (not a voicemail box) pressed 1.
export const callbackStateSchema = z.enum(['calling', 'answered', 'connected']);
