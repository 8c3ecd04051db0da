/**
 * What an Apache httpd.conf (and its Include/IncludeOptional files) says about keep-alive: the
 * client side from KeepAliveTimeout (sent as Keep-Alive: timeout=N), the backend side from the
 * ProxyPass (or BalancerMember) worker parameters ttl= and disablereuse=.
 */
import { at, duration } from './conf-text.ts';
import { apache } from './apache.ts';
import { defaultIn, fromFile, retryFrom } from './from-file.ts';
import type { HopValues } from './index.ts';
import { readLines } from './line-conf.ts';

const client = apache.client!(undefined);
const server = apache.server!(undefined);

export function readApache(file: string, text: string): HopValues {
  const lines = readLines(text, file, (words) => {
    const name = words[0]?.toLowerCase();
    return (name === 'include' || name === 'includeoptional') && words[1] ? { pattern: words[1], optional: name === 'includeoptional' } : undefined;
  });
  const named = (name: string) => lines.filter((line) => line.words[0]?.toLowerCase() === name.toLowerCase());
  const values: HopValues = { product: 'apache' };

  const kat = named('KeepAliveTimeout').at(-1);
  if (kat) {
    const text = kat.words.slice(1).join('');
    const ms = duration(/ms$/.test(text) ? text : text.replace(/s$/, ''), 's', kat, 'KeepAliveTimeout');
    values.keepAliveTimeoutMs = fromFile(ms, at(kat), `KeepAliveTimeout ${kat.words.slice(1).join(' ')}`, server.knob, file);
    values.hintSeconds = fromFile(Math.floor(ms / 1000), at(kat), 'sent as Keep-Alive: timeout=N', server.knob, file);
  }

  const worker = [...named('ProxyPass'), ...named('ProxyPassMatch'), ...named('BalancerMember')].find((line) => /^https?:/.test(line.words[2] ?? line.words[1] ?? ''));
  if (worker) {
    const parameters = new Map(worker.words.slice(2).flatMap((word) => (word.includes('=') ? [word.split('=', 2) as [string, string]] : [])).map(([key, value]) => [key.toLowerCase(), value]));
    const ttl = parameters.get('ttl');
    const workerText = worker.words.slice(0, 3).join(' ');
    if (parameters.get('disablereuse')?.toLowerCase() === 'on') values.idleTimeoutMs = fromFile(0, at(worker), 'disablereuse=On: a new backend connection for every request', client.knob, file);
    else if (ttl !== undefined) values.idleTimeoutMs = fromFile(duration(ttl, 's', worker, 'ttl') , at(worker), `ttl=${ttl} on ${workerText}`, client.knob, file);
    else values.idleTimeoutMs = defaultIn(client.idleMs, client.idleFrom, `the ${workerText} line at ${at(worker)}`, client.knob, file);
    const notPooled = lines.find((line) => line.words.some((word) => word.toLowerCase() === 'proxy-initial-not-pooled'));
    if (notPooled) values.retries = retryFrom({ ...client.retries, why: 'proxy-initial-not-pooled: a client connection\'s first request never takes a pooled backend connection' }, at(notPooled));
  }
  return values;
}
