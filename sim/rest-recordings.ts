import type { ServerResponse } from 'node:http';

/**
 * A Recording's media file (https://www.twilio.com/docs/voice/api/recording, "Fetch a Recording
 * media file"): the Recording URL with no extension, or .wav, answers a WAV file; the stand-in's
 * is a second of silence (8 kHz, 16-bit, mono, as Twilio records a call) whatever the SID, since
 * the simulator keeps no audio. Basic auth is checked before this, as for every resource.
 */
const RECORDING_MEDIA = /^\/2010-04-01\/Accounts\/AC[0-9a-fA-F]{32}\/Recordings\/RE[0-9a-fA-F]{32}(?:\.wav)?$/;
const SAMPLE_RATE = 8000;

function silentWav(seconds: number): Buffer {
  const data = SAMPLE_RATE * 2 * seconds;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(SAMPLE_RATE, 24);
  wav.writeUInt32LE(SAMPLE_RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  return wav;
}

const MEDIA = silentWav(1);

/** Answers a Recording media request; false when the request is something else. */
export function handleRecordingMedia(method: string, path: string, res: ServerResponse): boolean {
  if (method !== 'GET' || !RECORDING_MEDIA.test(path)) return false;
  res.writeHead(200, { 'Content-Type': 'audio/x-wav', 'Content-Length': String(MEDIA.length) }).end(MEDIA);
  return true;
}
