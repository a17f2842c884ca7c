import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventsReceiverFinding, fallbackFinding, twimlProblem } from '../../src/cli/probe-findings.js';

const FALLBACK_XML = readFileSync(new URL('../../twiml/fallback.xml', import.meta.url), 'utf8');
const BIN = { url: 'https://handler.twilio.com/twiml/EH0123', method: 'POST', own: false };
const xml = (body: string, contentType = 'text/xml; charset=utf-8') => ({ status: 200, contentType, body });

describe('the voice fallback finding', () => {
  it('when the document is twiml/fallback.xml or an empty <Response/>, then it is TwiML; an HTML page or broken XML is not', () => {
    expect(twimlProblem(FALLBACK_XML)).toBeUndefined();
    expect(twimlProblem('<Response/>')).toBeUndefined();
    expect(twimlProblem('<html><body>Not found</body></html>')).toBe('its root element is <html>, not <Response>');
    expect(twimlProblem('<Response><Say>Sorry</Response>')).toMatch(/^not well-formed XML \(.*'Say'/);
  });

  it('when the fallback answers TwiML as text/xml, application/xml or text/html (all read as TwiML by Twilio), then it is ok', () => {
    for (const type of ['text/xml', 'application/xml', 'text/html; charset=UTF-8']) {
      expect(fallbackFinding(BIN, xml(FALLBACK_XML, type)).status, type).toBe('ok');
    }
  });

  it('when the fallback answers an error status, no TwiML or nothing at all, then it fails naming what it got', () => {
    expect(fallbackFinding(BIN, { status: 404, contentType: 'text/html', body: '' })).toEqual({
      check: 'voice fallback',
      status: 'fail',
      detail: `${BIN.url} answers HTTP 404 to POST: when callgate fails, callers would hear Twilio's application error, not the apology`,
    });
    expect(fallbackFinding(BIN, { status: 405, contentType: '', body: '' }).detail).toContain('refuses POST (HTTP 405)');
    expect(fallbackFinding(BIN, xml('{"ok":true}', 'application/json')).detail).toContain('answers Content-Type application/json, which Twilio does not read as TwiML');
    expect(fallbackFinding(BIN, { unreachable: 'getaddrinfo ENOTFOUND handler.twilio.com' }).detail).toContain('is not reachable (getaddrinfo ENOTFOUND handler.twilio.com)');
  });

  it('when the fallback is an audio file or plain text, then it only WARNs: Twilio plays or reads it, then hangs up', () => {
    expect(fallbackFinding(BIN, xml('…', 'audio/mpeg')).status).toBe('warn');
    expect(fallbackFinding(BIN, xml('Sorry, call later.', 'text/plain')).status).toBe('warn');
  });

  it("when the fallback is callgate's own, then it WARNs whatever it answers: it is down exactly when it is needed", () => {
    const own = { url: 'https://callgate.example.com/twilio/fallback', method: 'POST', own: true };
    expect(fallbackFinding(own, xml(FALLBACK_XML)).status).toBe('warn');
    expect(fallbackFinding(own, { unreachable: 'connect ECONNREFUSED' })).toMatchObject({ status: 'warn', detail: expect.stringContaining('is not reachable') as unknown });
  });

  it('when no fallback is set, then it is skipped: the number webhooks row says so', () => {
    expect(fallbackFinding({ url: '', method: 'POST', own: false }, undefined).status).toBe('skip');
  });
});

describe('the events receiver finding', () => {
  it('when the signed test event gets a 2xx and the wrongly signed one a 401 or 403, then it is ok', () => {
    expect(eventsReceiverFinding(204, 401)).toEqual({ check: 'events receiver', status: 'ok', detail: 'accepted a signed test event (HTTP 204); refused a wrongly signed one (HTTP 401)' });
    expect(eventsReceiverFinding(200, 403).status).toBe('ok');
  });

  it('when the signed test event gets a 401 or 403, then it WARNs that EVENTS_SECRET is wrong', () => {
    for (const status of [401, 403]) expect(eventsReceiverFinding(status, status).detail).toContain(`refused the signature (HTTP ${String(status)}): EVENTS_SECRET is not the receiver's`);
  });

  it('when the receiver refuses the unknown test type only after the signature, then the signature counts as accepted', () => {
    expect(eventsReceiverFinding(422, 401).status).toBe('ok');
    expect(eventsReceiverFinding(404, 404)).toMatchObject({ status: 'warn', detail: expect.stringContaining('whether the signature is accepted cannot be told') as unknown });
  });

  it('when a wrongly signed event is accepted too, then it WARNs that the receiver does not check the signature', () => {
    expect(eventsReceiverFinding(200, 200).detail).toContain('it does not check Callgate-Signature');
  });

  it('when the receiver redirects, fails or does not answer, then it WARNs (events wait in the outbox; calls go on)', () => {
    expect(eventsReceiverFinding(302, 302).detail).toContain('a redirect (HTTP 302), which delivery does not follow');
    expect(eventsReceiverFinding(503, 503).status).toBe('warn');
    expect(eventsReceiverFinding({ unreachable: 'connect ECONNREFUSED 127.0.0.1:9' }, { unreachable: '' }).detail).toBe('not reachable: connect ECONNREFUSED 127.0.0.1:9; events wait in the outbox');
  });
});
