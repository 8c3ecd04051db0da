/**
 * The comparison: what the mimic answered and logged against what the real engine answered and
 * logged for the same fault. Stable fields must be equal; volatile ones (time, process id,
 * correlation id, duration, host:port) are compared by shape and by what they must point at: the
 * writing process, the gateway the client addressed, the target it was given. The result is a list of differences, one sentence each, empty when the two agree.
 */
import { isDeepStrictEqual } from 'node:util';
import { eventLogFieldNames, parseEventLogLine, type EventLogFields } from '../../harness/gateway/microgateway.ts';
import type { EngineVersion } from '../../harness/reference/microgateway-core.ts';
import type { Evidence } from './sides.ts';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** uuid v1 (3.1.6's uuid.v1()) and v4 (3.3.7's uuid.v4()) */
const CORRELATION_ID: Record<EngineVersion, RegExp> = {
  '3.1.6': /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  '3.3.7': /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
};
/** `record.d || ''`: whole milliseconds, empty when 0 */
const TARGET_DURATION = /^([1-9]\d*)?$/;

type Field = keyof EventLogFields;
const VOLATILE: ReadonlySet<Field> = new Set(['time', 'pid', 'correlationId', 'durationMs', 'host']);

/** Checks one side's volatile fields against what they must be; returns what is wrong. */
function shapeProblems(evidence: Evidence, version: EngineVersion, line: EventLogFields, index: number): string[] {
  const where = `${evidence.side} line ${index + 1}`;
  const problems: string[] = [];
  if (!ISO_TIME.test(line.time)) problems.push(`${where}: time "${line.time}" is not an ISO timestamp`);
  if (line.pid !== String(evidence.pid)) problems.push(`${where}: pid "${line.pid}" is not the writing process (${evidence.pid})`);
  if (!CORRELATION_ID[version].test(line.correlationId)) problems.push(`${where}: correlation id "${line.correlationId}" is not ${version}'s uuid`);
  const clientFacing = line.component === 'microgateway-core';
  const host = clientFacing ? evidence.authority : evidence.targetAuthority;
  if (line.host !== host) problems.push(`${where}: host "${line.host}" is not ${clientFacing ? "the gateway's" : "the target's"} ${host}`);
  const duration = clientFacing ? /^$/ : TARGET_DURATION;
  if (!duration.test(line.durationMs)) problems.push(`${where}: duration "${line.durationMs}" does not match ${String(duration)}`);
  return problems;
}

export function differences(version: EngineVersion, mimic: Evidence, engine: Evidence): string[] {
  const found: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) found.push(`${what}: mimic ${JSON.stringify(a)}, engine ${JSON.stringify(b)}`);
  };
  same('first status', mimic.first?.status, engine.first?.status);
  same('first body', mimic.first?.body, engine.first?.body);
  same('status', mimic.status, engine.status);
  same('body', mimic.body, engine.body);
  same('headers', mimic.headers, engine.headers);
  same('line count', mimic.lines.length, engine.lines.length);

  const parse = (evidence: Evidence) =>
    evidence.lines.map((line, index) => {
      const fields = parseEventLogLine(line);
      if (!fields) found.push(`${evidence.side} line ${index + 1} is not an event-log line: ${line}`);
      return fields;
    });
  const mimicLines = parse(mimic);
  const engineLines = parse(engine);
  for (const [evidence, lines] of [[mimic, mimicLines], [engine, engineLines]] as const) {
    lines.forEach((line, index) => line && found.push(...shapeProblems(evidence, version, line, index)));
    const ids = new Set(lines.map((line) => line?.correlationId));
    if (ids.size > 1) found.push(`${evidence.side}: the lines of one request carry different correlation ids`);
  }
  mimicLines.forEach((m, index) => {
    const e = engineLines[index];
    if (!m || !e) return;
    for (const field of eventLogFieldNames) {
      if (!VOLATILE.has(field)) same(`line ${index + 1} ${field}`, m[field], e[field]);
    }
  });
  return found;
}
