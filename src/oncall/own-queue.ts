/**
 * Each verified caller waits in a Twilio queue of their own. Twilio's `<Dial><Queue>`
 * connects "the first enqueued call in the specified queue"
 * (https://www.twilio.com/docs/voice/twiml/queue): with one member per queue, that is exactly
 * the caller the sysadmin was told about, whatever order Twilio keeps. A CallSid is 34
 * characters, so the name stays within Twilio's 64.
 */
export const OWN_QUEUE_PREFIX = 'cg-';
export const ownQueueName = (callSid: string): string => `${OWN_QUEUE_PREFIX}${callSid}`;
