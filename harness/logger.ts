/**
 * The harness's own structured log (pino, JSON lines on stderr). Product-format lines never go
 * here: they go to the product's log file, in the product's format.
 */
import pino, { type Logger } from 'pino';
import { FaultgateError } from './errors.ts';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The level FAULTGATE_LOG_LEVEL names, or a one-line error naming the levels there are. */
export function logLevelOf(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.FAULTGATE_LOG_LEVEL ?? 'warn';
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new FaultgateError('E_CONFIG', `FAULTGATE_LOG_LEVEL "${level}": expected one of ${logLevels.join(', ')}`);
  }
  return level;
}

export function createLogger(level: string = logLevelOf()): Logger {
  return pino({ name: 'faultgate', level }, pino.destination({ fd: 2, sync: true }));
}
