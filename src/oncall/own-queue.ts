// A queue per caller: <Dial><Queue> takes the first in the queue, so exactly the caller the sysadmin
// was told about. A CallSid is 34 characters, within Twilio's 64.
export const OWN_QUEUE_PREFIX = 'cg-';
export const ownQueueName = (callSid: string): string => `${OWN_QUEUE_PREFIX}${callSid}`;
