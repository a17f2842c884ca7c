import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { Bindings } from 'pino';
import type { Logger } from '../logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's logger: the app's, bound to the request id. */
    log: Logger;
    requestLog: RequestLog;
  }
}

/**
 * One request's logging: the X-Request-Id header, one line when the answer is sent, and a logger
 * bound to the request. Only the id, method, URL, address and status are logged: headers could
 * carry keys and the body a PIN. Most requests log nothing else, so the bound logger (a pino
 * child) is made only when code asks for it.
 */
export class RequestLog {
  /** What every line about this request carries: the request id, and a webhook's CallSid. */
  readonly bindings: Bindings;
  #logger: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    this.bindings = { reqId: id };
    res.setHeader('X-Request-Id', id);
    const started = Date.now();
    const { method, url } = req;
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!parent.isLevelEnabled(level)) return;
      parent[level](
        {
          ...this.bindings,
          req: { id, method, url, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - started,
        },
        'request completed',
      );
    });
  }

  /** Bound to `bindings` as they are at the first use: bind before logging. */
  get logger(): Logger {
    this.#logger ??= this.parent.child(this.bindings);
    return this.#logger;
  }
}

/** Request logging for the express app: `req.log` made on its first use. */
export function addRequestLogging(app: Express, log: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Express['request']): Logger {
      return this.requestLog.logger;
    },
  });
  app.use((req, res, next) => {
    req.requestLog = new RequestLog(log, req, res);
    next();
  });
}
