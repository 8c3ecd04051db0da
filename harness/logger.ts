/**
 * The harness's own structured log (pino, JSON lines on stderr). Product-format lines never go
 * here: they go to the product's log file, in the product's format.
 */
import pino, { type Logger } from 'pino';

export function createLogger(level: string = process.env.FAULTGATE_LOG_LEVEL ?? 'warn'): Logger {
  return pino({ name: 'faultgate', level }, pino.destination({ fd: 2, sync: true }));
}
