/**
 * Personality "microgateway": Edge Microgateway (microgateway-core). Its 502 body is the Node error
 * serialised as the engine serialises it (`{"message":"socket hang up","code":"ECONNRESET"}`),
 * its 504 is the engine's request_timeout answer, and its event-log lines are the engine's, field
 * for field: the `plugins-middleware` `targetRequest error` line (at [warn] in 3.1.6, the
 * document's release; at [error] from 3.2.3 on) and the `microgateway-core` line with the status.
 * Where the releases differ (that level, the client ip, uuid v1 or v4, the certificate in the
 * body) `version` picks one. The test suite compares all of it with the real engine
 * (test/differential); docs/differential.md lists what differs on purpose.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { v1 as uuidV1, v4 as uuidV4 } from 'uuid';
import { MAX_TIMER_MS } from '../config/fields.ts';
import { rejectsUnauthorized, type MicrogatewayLogLevel, type MicrogatewaySettings } from '../config/microgateway.ts';
import type { Failure } from './failures.ts';
import type { ClientRequestInfo, FailureOutcome, Personality, ProductExit, ResponseHeadChanges } from './personality.ts';

/** The fields of one event-log line, in the engine's order. */
export interface EventLogFields {
  time: string;
  level: string;
  host: string;
  pid: string;
  org: string;
  env: string;
  /** the request path without its leading slash */
  proxy: string;
  clientIp: string;
  clientId: string;
  correlationId: string;
  component: string;
  message: string;
  method: string;
  status: string;
  errorMessage: string;
  errorCode: string;
  durationMs: string;
}

export const eventLogFieldNames: readonly (keyof EventLogFields)[] = [
  'time', 'level', 'host', 'pid', 'org', 'env', 'proxy', 'clientIp', 'clientId', 'correlationId',
  'component', 'message', 'method', 'status', 'errorMessage', 'errorCode', 'durationMs',
];

export function eventLogLine(f: Omit<EventLogFields, 'time'>): string {
  return (
    `${new Date().toISOString()} [${f.level}][${f.host}][${f.pid}][${f.org}][${f.env}][${f.proxy}][${f.clientIp}]` +
    `[${f.clientId}][${f.correlationId}][${f.component}][${f.message}][${f.method}][${f.status}][${f.errorMessage}]` +
    `[${f.errorCode}][${f.durationMs}]`
  );
}

const LINE = /^(\S+) \[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]\[([^\]]*)\]$/;

/** Splits an event-log line into its named fields; undefined when it is not one. */
export function parseEventLogLine(line: string): EventLogFields | undefined {
  const match = LINE.exec(line.trimEnd());
  if (!match) return undefined;
  return Object.fromEntries(eventLogFieldNames.map((field, index) => [field, match[index + 1] ?? ''])) as unknown as EventLogFields;
}

const levelRank: Record<Exclude<MicrogatewayLogLevel, 'none'>, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/** The engine's filter: 'none' writes nothing; otherwise a line is written when its level is at or above the configured one. */
export function writesLevel(configured: MicrogatewayLogLevel, level: Exclude<MicrogatewayLogLevel, 'none'>): boolean {
  return configured !== 'none' && levelRank[level] <= levelRank[configured];
}

/**
 * The engine's serialisation: the error's own enumerable fields, with `message` made enumerable
 * first. An error that cannot be serialised (a circular certificate) gives its message, as 3.3.7
 * does; 3.1.6's process dies there instead, which a harness must not.
 */
export function serialiseError(error: Error, dropCertificate: boolean): string {
  Object.defineProperty(error, 'message', { enumerable: true });
  if (dropCertificate && 'cert' in error) delete (error as { cert?: unknown }).cert;
  try {
    return JSON.stringify(error);
  } catch {
    return error.message;
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|[01]?\d\d?)(\.(25[0-5]|2[0-4]\d|[01]?\d\d?)){3}$/;

/** The engine's client ip: IPv4 only, with the ::ffff: prefix removed; '' otherwise. */
export function clientIpOf(address: string): string {
  const ip = address.replace('::ffff:', '');
  return IPV4.test(ip) ? ip : '';
}

/** The engine prints `record.d || ''`: whole milliseconds, and an empty field when that is 0. */
export function durationField(elapsedMs: number): string {
  const ms = Math.floor(elapsedMs);
  return ms > 0 ? String(ms) : '';
}

export const GATEWAY_TIMEOUT_MESSAGE = 'Gateway timed out trying to reach target';

/**
 * The engine streams through its plugins, so the length may change: it drops Content-Length (the
 * client gets the body chunked), never copies Connection, and stamps x-response-time.
 */
const ENGINE_RESPONSE_HEAD: ResponseHeadChanges = {
  drop: new Set(['content-length', 'connection']),
  added: (elapsedMs) => ['x-response-time', String(Math.floor(elapsedMs))],
};

/** How microgateway-core dies when its pipe writes a target body to a response it has already ended. */
export const ENGINE_WRITE_AFTER_END: ProductExit = { code: 1, error: 'Error [ERR_STREAM_WRITE_AFTER_END]: write after end' };

export function createMicrogatewayPersonality(settings: MicrogatewaySettings, target: URL): Personality {
  const { edgemicro, version } = settings;
  const documentEra = version === '3.1.6';
  const uid = documentEra ? uuidV1() : uuidV4();
  const correlationId = documentEra ? uuidV1 : uuidV4;
  const targetHost = target.port ? `${target.hostname}:${target.port}` : target.hostname;
  const targetErrorLevel = documentEra ? 'warn' : 'error';
  const level = edgemicro.logging.level;
  const pid = String(process.pid);
  const requestTimeoutMs = edgemicro.request_timeout === undefined ? undefined : edgemicro.request_timeout * 1000;
  const keepAliveTimeout = edgemicro.keep_alive_timeout;
  const headersTimeout = edgemicro.headers_timeout ?? (keepAliveTimeout === undefined ? undefined : Math.min(keepAliveTimeout + 5000, MAX_TIMER_MS));

  return {
    name: 'microgateway',
    policy: {
      // The engine passes request_timeout to http.request, which bounds the connect as well.
      connectTimeoutMs: requestTimeoutMs,
      ioTimeoutMs: requestTimeoutMs,
      idleTimeoutMs: settings.target_idle_timeout || undefined,
      honourKeepAliveHint: settings.honour_keep_alive_hint,
      rejectUnauthorized: rejectsUnauthorized(settings, target.hostname),
      // The engine's limits are Node's socket timers, and so are the mimic's.
      quietLimits: 'socket-timer',
    },
    logFile: join(edgemicro.logging.dir, `edgemicro-${hostname()}-${uid}-1-api.log`),
    configuredPort: edgemicro.port,
    dropsHopByHopHeaders: false,
    server: {
      ...(keepAliveTimeout === undefined ? {} : { keepAliveTimeout }),
      ...(headersTimeout === undefined ? {} : { headersTimeout }),
    },
    describe: () =>
      `Edge Microgateway ${version}: keep_alive_timeout=${keepAliveTimeout ?? '(Node default 5000)'} ms to clients, ` +
      `request_timeout=${edgemicro.request_timeout ?? '(none)'} s, idle target connections kept ` +
      `${settings.target_idle_timeout ? `${settings.target_idle_timeout} ms` : 'until the target closes them'}` +
      `${settings.honour_keep_alive_hint ? ', Keep-Alive hint honoured' : ''}, logging.level=${level}`,
    begin: () => undefined,
    refusesResponse: () => undefined,
    responseHeadChanges: ENGINE_RESPONSE_HEAD,
    answer(failure: Failure, request: ClientRequestInfo): FailureOutcome {
      const common = {
        pid,
        org: settings.org,
        env: settings.env,
        proxy: request.url.replace('/', ''),
        clientIp: documentEra ? '' : clientIpOf(request.clientAddress),
        clientId: request.apiKey,
        correlationId: (request.memo.correlationId ??= correlationId()),
        method: request.method,
      };
      const line = (fields: Omit<EventLogFields, 'time' | 'level' | keyof typeof common>, wanted: Exclude<MicrogatewayLogLevel, 'none'>) =>
        writesLevel(level, wanted) ? [eventLogLine({ ...common, ...fields, level: wanted })] : [];
      const duration = durationField(failure.elapsedMs);

      if (failure.surfacedOn === 'response') {
        // The target's response stream failed once begun: the engine logs it and never ends the
        // client's response (3.3.7 also notes the abort); the client is left waiting.
        const status = String(failure.response?.status ?? '');
        const lines = [
          ...line({ host: targetHost, component: 'plugins-middleware', message: 'targetResponse error', status, errorMessage: failure.error.message, errorCode: failure.error.code ?? '', durationMs: duration }, 'error'),
          ...(documentEra ? [] : line({ host: targetHost, component: 'plugins-middleware', message: 'targetResponse aborted', status, errorMessage: '', errorCode: '', durationMs: duration }, 'warn')),
        ];
        return { client: 'hang', lines };
      }

      const timedOut = failure.limit !== undefined;
      const targetError = failure.error;
      const clientError: NodeJS.ErrnoException = timedOut ? new Error(GATEWAY_TIMEOUT_MESSAGE) : targetError;
      const status = timedOut ? 504 : 502;
      const lines = [
        ...line({ host: targetHost, component: 'plugins-middleware', message: 'targetRequest error', status: '', errorMessage: targetError.message, errorCode: targetError.code ?? '', durationMs: duration }, targetErrorLevel),
        ...line({ host: request.host, component: 'microgateway-core', message: '', status: String(status), errorMessage: clientError.message, errorCode: clientError.code ?? '', durationMs: '' }, 'error'),
      ];
      const answer = { status, headers: {}, body: serialiseError(clientError, !documentEra) };
      if (failure.response?.bodyPending) {
        // The parser failed on bytes that followed a response whose body had already arrived: the
        // engine answers 502 over the target's copied headers, then its pipe writes that body to
        // the ended response (write after end) and the process dies, before its logger has written
        // the line queued behind the one in flight.
        return { client: 'answer', answer, overTargetHeaders: true, lines: lines.slice(0, 1), productExit: ENGINE_WRITE_AFTER_END };
      }
      return { client: 'answer', answer, overTargetHeaders: true, lines };
    },
  };
}
