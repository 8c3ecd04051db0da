/**
 * What an nginx.conf says about keep-alive: the client side from keepalive_timeout (its second
 * parameter is the Keep-Alive header nginx sends), the upstream side from the upstream block that
 * proxy_pass names — reused only with `keepalive N`, proxy_http_version 1.1 and an empty
 * Connection header, idle for its keepalive_timeout — and the retries from proxy_next_upstream.
 */
import { FaultgateError } from '../../errors.ts';
import { at, duration } from './conf-text.ts';
import { defaultIn, fromFile, retryFrom } from './from-file.ts';
import type { HopValues } from './index.ts';
import { all, deep, first, parseNginx, type Directive } from './nginx-conf.ts';
import { nginx, nginxRetries } from './nginx.ts';

const client = nginx.client!(undefined);
const server = nginx.server!(undefined);

/** The innermost directive of a name on the way from http down to the location holding proxy_pass. */
function nearest(path: readonly Directive[], name: string): Directive | undefined {
  for (let index = path.length - 1; index >= 0; index--) {
    const found = first(path[index]?.block, name);
    if (found) return found;
  }
  return undefined;
}

function pathTo(block: readonly Directive[], target: Directive, trail: Directive[] = []): Directive[] | undefined {
  for (const each of block) {
    if (each === target) return trail;
    const found = each.block && pathTo(each.block, target, [...trail, each]);
    if (found) return found;
  }
  return undefined;
}

export function readNginx(file: string, text: string): HopValues {
  const root = parseNginx(text, file);
  const http = first(root, 'http');
  if (!http) throw new FaultgateError('E_CONFIG', `${file}: no http block: is this nginx.conf?`);
  const values: HopValues = { product: 'nginx' };

  const serverBlock = first(http.block, 'server');
  const kat = first(serverBlock?.block, 'keepalive_timeout') ?? first(http.block, 'keepalive_timeout');
  if (kat) {
    const ms = duration(kat.args[0], 's', kat, 'keepalive_timeout');
    values.keepAliveTimeoutMs = fromFile(ms, at(kat), `keepalive_timeout ${kat.args.join(' ')}`, server.knob, file);
    const header = kat.args[1];
    values.advertisesHint = fromFile(header !== undefined, at(kat), header ? `sends Keep-Alive: timeout=${header}` : 'no second parameter: no Keep-Alive header', server.knob, file);
    if (header) values.hintSeconds = fromFile(Math.floor(duration(header, 's', kat, 'keepalive_timeout') / 1000), at(kat), `keepalive_timeout's header timeout ${header}`, server.knob, file);
  } else if (serverBlock) {
    values.keepAliveTimeoutMs = defaultIn(server.keepAliveMs, server.keepAliveFrom, `the server block at ${at(serverBlock)}`, server.knob, file);
  }

  const proxyPass = deep(http.block, 'proxy_pass')[0];
  if (!proxyPass) return values;
  const path = [http, ...(pathTo(http.block ?? [], proxyPass) ?? [])];
  const name = /^https?:\/\/([^/:]+)/.exec(proxyPass.args[0] ?? '')?.[1];
  const upstream = all(http.block, 'upstream').find((each) => each.args[0] === name);
  const noReuse = (where: Directive, why: string) => fromFile(0, at(where), `${why}: nginx opens a new connection for every request`, client.knob, file);
  const keepalive = first(upstream?.block, 'keepalive');
  const version = nearest(path, 'proxy_http_version');
  const connection = path.flatMap((each) => all(each.block, 'proxy_set_header')).find((each) => each.args[0]?.toLowerCase() === 'connection');
  if (!upstream || !keepalive) values.idleTimeoutMs = noReuse(upstream ?? proxyPass, upstream ? `upstream ${name} has no keepalive directive` : `proxy_pass ${proxyPass.args[0]} names no upstream block`);
  else if (version?.args[0] !== '1.1') values.idleTimeoutMs = noReuse(version ?? proxyPass, 'proxy_http_version is 1.0 (the default); upstream keep-alive needs 1.1');
  else if (connection?.args[1] !== '') values.idleTimeoutMs = noReuse(connection ?? proxyPass, 'nginx sends Connection: close upstream unless proxy_set_header Connection ""');
  else {
    const timeout = first(upstream.block, 'keepalive_timeout');
    values.idleTimeoutMs = timeout
      ? fromFile(duration(timeout.args[0], 's', timeout, 'keepalive_timeout'), at(timeout), `keepalive_timeout ${timeout.args[0]} in upstream ${name}`, client.knob, file)
      : defaultIn(client.idleMs, client.idleFrom, `the upstream ${name} block at ${at(upstream)}`, client.knob, file);
  }
  const next = nearest(path, 'proxy_next_upstream');
  if (next) values.retries = retryFrom(nginxRetries(next.args.includes('non_idempotent'), next.args.includes('off')), at(next));
  return values;
}
