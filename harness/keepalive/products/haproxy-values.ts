/**
 * What a haproxy.cfg says about keep-alive: the client side from the first frontend (or listen)
 * section's timeout http-keep-alive, else http-request, else client, each falling back to the
 * defaults section; the server side from http-reuse and pool-purge-delay; retries from retry-on.
 * HAProxy's bare numbers are milliseconds.
 */
import { at, duration } from './conf-text.ts';
import { defaultIn, fromFile, retryFrom } from './from-file.ts';
import { haproxy } from './haproxy.ts';
import type { HopValues } from './index.ts';
import { readLines, type Line } from './line-conf.ts';

const client = haproxy.client!(undefined);
const server = haproxy.server!(undefined);
const SECTIONS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'peers', 'userlist', 'program', 'http-errors', 'ring', 'mailers', 'cache']);

interface Section {
  kind: string;
  header: Line;
  lines: Line[];
}

function sections(lines: readonly Line[]): Section[] {
  const out: Section[] = [];
  for (const line of lines) {
    const word = line.words[0] ?? '';
    if (SECTIONS.has(word)) out.push({ kind: word, header: line, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const find = (section: Section | undefined, ...words: string[]) =>
  section?.lines.filter((line) => words.every((word, index) => line.words[index] === word)).at(-1);

export function readHaproxy(file: string, text: string): HopValues {
  const all = sections(readLines(text, file, () => undefined));
  const defaults = all.filter((section) => section.kind === 'defaults').at(-1);
  const front = all.find((section) => section.kind === 'frontend' || section.kind === 'listen');
  const back = all.find((section) => section.kind === 'backend' || section.kind === 'listen');
  const values: HopValues = { product: 'haproxy' };

  for (const timeout of ['http-keep-alive', 'http-request', 'client']) {
    const line = find(front, 'timeout', timeout) ?? find(defaults, 'timeout', timeout);
    if (!line) continue;
    values.keepAliveTimeoutMs = fromFile(duration(line.words[2], 'ms', line, `timeout ${timeout}`), at(line), line.words.join(' '), server.knob, file);
    break;
  }

  const reuse = find(back, 'http-reuse') ?? find(defaults, 'http-reuse');
  const purge = [...(back?.lines ?? []), ...(defaults?.lines ?? [])].find((line) => (line.words[0] === 'server' || line.words[0] === 'default-server') && line.words.includes('pool-purge-delay'));
  if (reuse?.words[1] === 'never') values.idleTimeoutMs = fromFile(0, at(reuse), 'http-reuse never: no server connection is reused', client.knob, file);
  else if (purge) {
    const value = purge.words[purge.words.indexOf('pool-purge-delay') + 1];
    values.idleTimeoutMs = fromFile(duration(value, 'ms', purge, 'pool-purge-delay'), at(purge), `pool-purge-delay ${value ?? ''}`, client.knob, file);
  } else if (back) values.idleTimeoutMs = defaultIn(client.idleMs, client.idleFrom, `the ${back.header.words.join(' ')} section at ${at(back.header)}`, client.knob, file);

  const retryOn = find(back, 'retry-on') ?? find(defaults, 'retry-on');
  if (retryOn) {
    const replays = retryOn.words.slice(1).some((word) => ['empty-response', 'all-retryable-errors', 'response-timeout'].includes(word));
    const policy = replays
      ? { get: true, post: true, why: `${retryOn.words.join(' ')}: HAProxy's layer-7 retries replay the buffered request, whatever its method (read in its manual; not probed: no HAProxy runs here)`, setting: 'retry-on' }
      : client.retries;
    values.retries = retryFrom(policy, at(retryOn));
  }
  return values;
}
