import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Bindings, Level, LogFn } from 'pino';
import type { Logger } from '../logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

declare module 'node:http' {
  interface IncomingMessage {
    id: string;
    log: Logger;
  }
}

/**
 * A request's child logger, made only when something is logged through it. Most requests log
 * nothing below the configured level, and building pino children (twice per webhook: the
 * request id, then the CallSid) was a visible share of a webhook's CPU.
 */
class DeferredLogger {
  #made: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly chain: Bindings[],
  ) {}

  #logger(): Logger {
    this.#made ??= this.chain.reduce<Logger>((logger, bindings) => logger.child(bindings), this.parent);
    return this.#made;
  }

  get level(): string {
    return this.parent.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }

  child(bindings: Bindings): Logger {
    return deferred(this.parent, [...this.chain, bindings]);
  }

  bindings(): Bindings {
    return this.#logger().bindings();
  }

  #write(level: Level, args: Parameters<LogFn>): void {
    if (!this.parent.isLevelEnabled(level)) return;
    this.#logger()[level](...args);
  }

  fatal(...args: Parameters<LogFn>): void {
    this.#write('fatal', args);
  }
  error(...args: Parameters<LogFn>): void {
    this.#write('error', args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.#write('warn', args);
  }
  info(...args: Parameters<LogFn>): void {
    this.#write('info', args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.#write('debug', args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.#write('trace', args);
  }
}

const deferred = (parent: Logger, chain: Bindings[]): Logger => new DeferredLogger(parent, chain) as unknown as Logger;

/**
 * One log line per request (when its level is enabled), the X-Request-Id header, and `req.log`,
 * a child logger carrying the request id. Only the id, method, URL, address and status are
 * logged: headers could carry keys and the body a PIN.
 */
export function requestLogging(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    req.log = deferred(log, [{ reqId: id }]);
    const started = Date.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!log.isLevelEnabled(level)) return;
      req.log[level](
        {
          req: { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - started,
        },
        'request completed',
      );
    });
    next();
  };
}
