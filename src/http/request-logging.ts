import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Bindings } from 'pino';
import type { Logger } from '../logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MADE = Symbol('request logger');

declare module 'node:http' {
  interface IncomingMessage {
    id: string;
    /** The request's logger: the app's, bound to `logBindings`; made when first used. */
    log: Logger;
    /** What every line about this request carries (the request id; a webhook's CallSid). */
    logBindings: Bindings;
    [MADE]?: Logger;
  }
}

/**
 * One log line per request (when its level is enabled), the X-Request-Id header, and `req.log`.
 * Only the id, method, URL, address and status are logged: headers could carry keys and the
 * body a PIN. Most requests log nothing but that line, so `req.log` (a pino child, whose
 * bindings are serialised through the redaction) is made only when code asks for it, and the
 * request line is written on the app's logger with the bindings beside it.
 */
export function addRequestLogging(app: Express, log: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Express['request']): Logger {
      this[MADE] ??= log.child(this.logBindings);
      return this[MADE];
    },
    set(this: Express['request'], logger: Logger) {
      this[MADE] = logger;
    },
  });

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    req.logBindings = { reqId: id };
    const started = Date.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!log.isLevelEnabled(level)) return;
      log[level](
        {
          ...req.logBindings,
          req: { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - started,
        },
        'request completed',
      );
    });
    next();
  });
}
