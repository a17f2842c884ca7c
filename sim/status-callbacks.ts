import { FatalWebhookError } from './webhook-client.js';
import { inBackground, type SimContext } from './sim-context.js';
import type { CallbackPlan } from './sim-types.js';

/**
 * Status callbacks are webhooks like any other, but nothing waits for them:
 * Twilio sends them when the call has ended, and they can arrive after later
 * events or not at all. A plan (per call, or `statusCallbackDelaySeconds` for
 * all) makes one late or lost so a test can see what the service does then.
 * Failures are logged as errors, never thrown: the call is already over.
 */
export async function sendStatusCallback(
  ctx: SimContext,
  label: string,
  url: string,
  method: string,
  params: Record<string, string>,
  plan: CallbackPlan = {},
): Promise<void> {
  if (plan.drop === true) {
    ctx.print({ call: label, who: 'twilio', text: `(status callback ${params.RecordingStatus ?? params.CallStatus ?? ''} is lost)` });
    return;
  }
  const deliver = async () => {
    try {
      await ctx.webhooks.send(url, method, params, 'any-2xx');
    } catch (error) {
      if (!(error instanceof FatalWebhookError)) throw error;
      ctx.errors.push({ callSid: params.CallSid ?? '', url: error.url, code: error.code, message: error.message });
      ctx.print({ call: label, who: 'twilio', text: `(status callback failed: ${error.message})` });
    }
  };
  const delay = plan.delaySeconds ?? ctx.statusCallbackDelaySeconds;
  if (delay <= 0) {
    await deliver();
    return;
  }
  inBackground(ctx, ctx.clock.sleep(delay).then(deliver));
}

/** A request whose TwiML Twilio ignores (the call is over): only failures matter, and they are logged. */
export async function requestIgnoringAnswer(ctx: SimContext, callSid: string, url: string, method: string, params: Record<string, string>): Promise<void> {
  try {
    await ctx.webhooks.send(url, method, params, 'ok-only');
  } catch (error) {
    if (!(error instanceof FatalWebhookError)) throw error;
    ctx.errors.push({ callSid, url: error.url, code: error.code, message: error.message });
  }
}

/** A one-way notification (e.g. AsyncAmdStatusCallback): any 2xx will do, and failures are logged. */
export async function notify(ctx: SimContext, callSid: string, url: string, method: string, params: Record<string, string>): Promise<void> {
  try {
    await ctx.webhooks.send(url, method, params, 'any-2xx');
  } catch (error) {
    if (!(error instanceof FatalWebhookError)) throw error;
    ctx.errors.push({ callSid, url: error.url, code: error.code, message: error.message });
  }
}
