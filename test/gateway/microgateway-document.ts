/**
 * The Microgateway document's two event-log lines, quoted from "Common diagnosis steps" (each
 * joined back onto one line), and the check that a written line is the document's line, field for
 * field, with only the fields that differ by nature (time, host, pid, correlation id, duration)
 * compared by shape or against what the test knows they must be.
 */
import { expect } from 'vitest';
import { parseEventLogLine, type EventLogFields } from '../../harness/gateway/microgateway.ts';

export const DOCUMENT_ERROR_LINE =
  '2021-06-23T03:52:24.110Z [error][0:8000][3][myorg][test][emg_badtarget/flakey/hangup][][][6b089a00-d3d6-11eb-95aa-911f1ee6c684][microgateway-core][][GET][502][socket hang up][ECONNRESET][]';

export const DOCUMENT_WARN_LINE =
  '2021-06-23T03:52:24.109Z [warn][X.X.X.X:8080][3][myorg][test][emg_badtarget/flakey/hangup][][][6b089a00-d3d6-11eb-95aa-911f1ee6c684][plugins-middleware][targetRequest error][GET][][socket hang up][ECONNRESET][395]';

/** The document's request path; the lines print it without its leading slash. */
export const DOCUMENT_PATH = '/emg_badtarget/flakey/hangup';

/** The client-facing host of the document's microgateway-core line, sent as the Host header. */
export const DOCUMENT_HOST = '0:8000';

/** The document's 502 body. */
export const SOCKET_HANG_UP = '{"message":"socket hang up","code":"ECONNRESET"}';

export function documentFields(line: string): EventLogFields {
  const fields = parseEventLogLine(line);
  if (!fields) throw new Error(`not an event-log line: ${line}`);
  return fields;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID_V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface ExpectedLines {
  /** host:port of the target, the warn line's second field */
  targetHost: string;
  /** the Host header the client sent, the microgateway-core line's second field (default: the document's) */
  clientHost?: string;
  method?: string;
  status?: string;
  /** the error the target request raised (warn line) and the one answered (error line) */
  targetError?: { message: string; code: string };
  clientError?: { message: string; code: string };
  /** '3.1.6' (the document's release) or '3.3.7' */
  version?: '3.1.6' | '3.3.7';
  /** the targetRequest error line's duration must lie in this window (ms) */
  durationMs?: [number, number];
  /** the lines must have been written between these two moments (Date.now()) */
  writtenBetween: [number, number];
  /** the gateway's process id; by default this process */
  pid?: number;
}

/**
 * Checks the lines of one failed request against the document: the targetRequest error line then
 * the microgateway-core line, every field in its place.
 */
export function expectDocumentLines(lines: readonly string[], expected: ExpectedLines): void {
  const version = expected.version ?? '3.1.6';
  const warn = documentFields(DOCUMENT_WARN_LINE);
  const error = documentFields(DOCUMENT_ERROR_LINE);
  const targetError = expected.targetError ?? { message: warn.errorMessage, code: warn.errorCode };
  const clientError = expected.clientError ?? targetError;
  expect(lines).toHaveLength(2);
  const [first, second] = lines.map((line) => parseEventLogLine(line));
  expect(first, lines[0]).toBeDefined();
  expect(second, lines[1]).toBeDefined();
  if (!first || !second) return;

  for (const fields of [first, second]) {
    expect(fields.time).toMatch(ISO_TIME);
    const written = Date.parse(fields.time);
    expect(written).toBeGreaterThanOrEqual(expected.writtenBetween[0]);
    expect(written).toBeLessThanOrEqual(expected.writtenBetween[1]);
    // The document's [3] is a cluster worker's id; a single process prints its pid.
    expect(fields.pid).toBe(String(expected.pid ?? process.pid));
    expect(fields.correlationId).toMatch(version === '3.1.6' ? UUID_V1 : UUID_V4);
  }
  expect(second.correlationId).toBe(first.correlationId);

  const clientIp = version === '3.1.6' ? '' : '127.0.0.1';
  expect(first).toEqual({
    ...warn,
    time: first.time,
    level: version === '3.1.6' ? 'warn' : 'error',
    host: expected.targetHost,
    pid: first.pid,
    clientIp,
    correlationId: first.correlationId,
    method: expected.method ?? warn.method,
    errorMessage: targetError.message,
    errorCode: targetError.code,
    durationMs: first.durationMs,
  });
  // The engine prints the duration in whole ms, and nothing when it is 0.
  expect(first.durationMs).toMatch(/^(\d+)?$/);
  if (expected.durationMs) {
    const ms = Number(first.durationMs);
    expect(ms).toBeGreaterThanOrEqual(expected.durationMs[0]);
    expect(ms).toBeLessThanOrEqual(expected.durationMs[1]);
  }
  expect(second).toEqual({
    ...error,
    host: expected.clientHost ?? error.host,
    time: second.time,
    pid: second.pid,
    clientIp,
    correlationId: first.correlationId,
    method: expected.method ?? error.method,
    status: expected.status ?? error.status,
    errorMessage: clientError.message,
    errorCode: clientError.code,
  });
}
