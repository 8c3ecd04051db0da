/**
 * standUp(): every faulty backend, with a gateway of each personality in front of each, all on
 * loopback, for a live demonstration: each row is a URL that a plain `curl` turns into the
 * failure. The keep-alive mismatch needs two requests a moment apart; its backend sits behind the
 * FIN-delay relay with a wide window, so a second curl a second or two later always meets the
 * held FIN.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureModel } from '../../faulty-backends/failure-model.ts';
import { backends, startBackend, type BackendName } from '../../faulty-backends/index.ts';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { ensureWritableFolder } from '../folders.ts';
import { INVOCATION } from '../invocation.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { personalities } from '../gateway/personalities.ts';
import { personalityNames, type PersonalityName } from '../gateway/personality.ts';
import { startFinDelayRelay, type FinDelayRelay } from '../relay/fin-delay-relay.ts';
import { resolveDurations, type Duration } from '../runner/duration.ts';
import { openWirePath } from '../wire/path.ts';

export interface StandUpOptions {
  /** the products' own timings (55 s handshake limit, 5 s idle close) instead of short ones */
  realTime?: boolean;
  /** listen on consecutive ports from this one (gateways first, in table order); default: ephemeral */
  basePort?: number;
  host?: string;
  /** where the product logs go, kept after close; default: a new folder under the system temp folder, removed on close */
  logDir?: string;
  /** every backend in a network namespace of its own, behind a veth pair (see harness/wire/) */
  wire?: boolean;
}

export interface StageRow {
  personality: PersonalityName;
  backend: BackendName;
  url: string;
  /** the backend itself (behind the relay, for the keep-alive race) */
  backendUrl: string;
  /** what a curl to it reproduces */
  reproduces: string;
  /** the command to type */
  curl: string;
  /** the product log, for the rows whose failure the product logs (absent: no line is ever written) */
  logFile?: string;
  /** a second row for the same backend: how it differs */
  variant?: string;
  /** wire mode: the capture a user would take of this row's target */
  capture?: string;
}

export interface Stage {
  rows: StageRow[];
  logDir: string;
  /** whether logDir is removed on close (a folder of its own) or kept (the user's --log-dir) */
  removesLogDir: boolean;
  close(): Promise<void>;
}

const timings = {
  handshakeLimitMs: { test: 1000, real: 55000 } as Duration,
  idleCloseMs: { test: 300, real: 5000 } as Duration,
  /** the relay's window: wide, so a human's second curl lands inside it */
  finHoldMs: { test: 10000, real: 10000 } as Duration,
  requestTimeoutS: { test: 1, real: 0 } as Duration,
};

/** The backends that go silent (the failure model's "silence" rows): answered only when a limit fires. */
const silentBackends: ReadonlySet<string> = new Set(failureModel.flatMap((row) => (row.fault === 'silence' && 'backend' in row.target ? [row.target.backend] : [])));
/** The backends whose answer is valid HTTP that only Edge's policy refuses: Microgateway passes it on and logs nothing. */
const policyRefusals: ReadonlySet<string> = new Set(failureModel.flatMap((row) => (row.policyRefusal && 'backend' in row.target ? [row.target.backend] : [])));

/**
 * Whether the product writes a log line for what the backend does: Edge's system.log line is the
 * handshake timeout's; Microgateway logs every failure it answers (and nothing for a 200, or for a
 * silent target when no request_timeout ever answers the request).
 */
function writesLog(personality: PersonalityName, backend: BackendName, t: { requestTimeoutS: number }): boolean {
  if (personality === 'edge') return backend === 'swallow-client-hello';
  if (backend === 'healthy' || policyRefusals.has(backend)) return false;
  return !silentBackends.has(backend) || t.requestTimeoutS > 0;
}

/** What each personality answers to what each backend does, for the table (the tests check it on the wire). */
function reproduces(personality: PersonalityName, backend: BackendName, t: { handshakeLimitMs: number; idleCloseMs: number; finHoldMs: number; requestTimeoutS: number }): string {
  const edge = personality === 'edge';
  switch (backend) {
    case 'swallow-client-hello':
      if (edge) return `502 Bad Gateway after io.timeout.millis (${t.handshakeLimitMs} ms): the TLS handshake timeout`;
      return t.requestTimeoutS > 0 ? `504 "Gateway timed out trying to reach target" (request_timeout ${t.requestTimeoutS} s)` : 'no answer: Microgateway has no request_timeout by default';
    case 'idle-closer':
      return (
        `${edge ? '502 Unexpected EOF at target' : '502 {"message":"socket hang up","code":"ECONNRESET"}'} on the second of two requests ${t.idleCloseMs} ms+ apart: the keep-alive mismatch, ` +
        `made certain: a relay holds the target's FIN ${t.finHoldMs / 1000} s in flight, so every request in those ${t.finHoldMs / 1000} s after an idle close meets a closed connection ` +
        '(the document calls the failure intermittent: see the natural race below)'
      );
    case 'fin-mid-request':
      return edge ? '502 Unexpected EOF at target: the target closes before answering' : '502 {"message":"socket hang up","code":"ECONNRESET"}: the target closes before answering';
    case 'reset-mid-request':
      return edge ? '502 Unexpected EOF at target: the target resets the connection' : '502 {"message":"read ECONNRESET",…}: the target resets the connection';
    case 'never-respond':
      return edge ? `504 Gateway Timeout after io.timeout.millis (${t.handshakeLimitMs} ms)` : t.requestTimeoutS > 0 ? `504 after request_timeout (${t.requestTimeoutS} s)` : 'no answer: no request_timeout';
    case 'not-http':
      return edge ? '502 Bad Gateway: the answer is not HTTP' : '502 {"message":"Parse Error: Expected HTTP/…"}: the answer is not HTTP';
    case 'no-content-with-body':
      return edge ? '502 "Received 204 Response with message body"' : '502 {"message":"Parse Error: Data after `Connection: close`",…}: Node reads the body as a second response';
    case 'closed-port':
      return edge ? '503 The Service is temporarily unavailable: connection refused' : '502 {"message":"connect ECONNREFUSED …"}: connection refused';
    case 'healthy':
      return '200: the control';
    default:
      return `${backends[backend].summary} (the README's table gives each personality's answer)`;
  }
}

export async function standUp(options: StandUpOptions = {}): Promise<Stage> {
  const realTime = options.realTime ?? false;
  const t = resolveDurations(timings, realTime) as { handshakeLimitMs: number; idleCloseMs: number; finHoldMs: number; requestTimeoutS: number };
  const host = options.host ?? '127.0.0.1';
  const ownLogDir = options.logDir === undefined ? mkdtempSync(join(tmpdir(), 'faultgate-up-')) : undefined;
  const logDir = options.logDir ?? (ownLogDir as string);
  const started: { close(): Promise<void> }[] = [];
  // A folder it made itself goes with it; one the user named stays.
  const closeAll = async () => {
    await Promise.allSettled(started.reverse().map((each) => each.close()));
    if (ownLogDir) rmSync(ownLogDir, { recursive: true, force: true });
  };
  let nextPort = options.basePort;
  const port = () => (nextPort === undefined ? 0 : nextPort++);
  try {
    const names = Object.keys(backends) as BackendName[];
    const targets = new Map<BackendName, { backend: RunningBackend; url: string }>();
    const wirePath = options.wire ? await openWirePath() : undefined;
    if (wirePath) started.push(wirePath);
    // Gateways take the first ports (the ones people type); backends listen on ephemeral ones.
    for (const name of names) {
      const settings = name === 'idle-closer' ? { idleTimeoutMs: t.idleCloseMs } : {};
      const backend = await startBackend(name, settings, wirePath ? await wirePath.listenOptions() : { host });
      started.push(backend);
      let url = backend.url;
      if (name === 'idle-closer') {
        const relay: FinDelayRelay = await startFinDelayRelay({ target: { host: wirePath?.targetAddress ?? host, port: backend.port }, holdFinMs: t.finHoldMs, forwardLateRequest: wirePath !== undefined }, { host });
        started.push(relay);
        url = relay.url;
      }
      targets.set(name, { backend, url });
    }
    const rows: StageRow[] = [];
    for (const name of names) {
      for (const personality of personalityNames) {
        const dir = join(logDir, `${personality}-${name}`);
        ensureWritableFolder(dir, '--log-dir');
        const definition = personalities[personality];
        const settings = definition.withLogDir(definition.timeoutSettings({ ioTimeoutMs: t.handshakeLimitMs, requestTimeoutS: t.requestTimeoutS }), dir);
        const gateway: Gateway = await createGateway({ personality, target: targets.get(name)?.url ?? '', settings, host, port: port() });
        started.push(gateway);
        const path = definition.demoPath;
        const curl = name === 'idle-closer' ? `curl -i ${gateway.url}${path}; sleep ${Math.max(1, Math.ceil((t.idleCloseMs + 500) / 1000))}; curl -i ${gateway.url}${path}` : `curl -i ${gateway.url}${path}`;
        const target = targets.get(name)?.backend;
        const capture = wirePath && target ? `tcpdump -i ${wirePath.names.gatewayLink} -w ${personality}-${name}.pcap 'host ${wirePath.targetAddress} and tcp port ${target.port}'` : undefined;
        rows.push({
          personality,
          backend: name,
          url: gateway.url,
          backendUrl: target?.url ?? '',
          reproduces: reproduces(personality, name, t),
          curl,
          ...(writesLog(personality, name, t) ? { logFile: gateway.logFile } : {}),
          ...(capture ? { capture } : {}),
        });
      }
    }
    rows.push(...(await naturalRace(t, host, port, logDir, started)));
    return { rows, logDir, removesLogDir: ownLogDir !== undefined, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The keep-alive mismatch as the document meets it: the same idle-closer with no relay, so its FIN
 * reaches the gateway at once and the pooled connection is dropped before the next curl. A 502
 * needs a request to cross the FIN in flight, microseconds on loopback: intermittent.
 */
async function naturalRace(t: { idleCloseMs: number }, host: string, port: () => number, logDir: string, started: { close(): Promise<void> }[]): Promise<StageRow[]> {
  const backend = await backends['idle-closer'].start({ idleTimeoutMs: t.idleCloseMs }, { host });
  started.push(backend);
  const rows: StageRow[] = [];
  for (const personality of personalityNames) {
    const dir = join(logDir, `${personality}-idle-closer-natural`);
    ensureWritableFolder(dir, '--log-dir');
    const limits = personality === 'edge' ? {} : { edgemicro: { logging: { level: 'warn' } } };
    const gateway: Gateway = await createGateway({ personality, target: backend.url, settings: personalities[personality].withLogDir(limits, dir), host, port: port() });
    started.push(gateway);
    const path = personalities[personality].demoPath;
    const gap = (t.idleCloseMs / 1000).toFixed(1);
    rows.push({
      personality,
      backend: 'idle-closer',
      variant: 'natural race',
      url: gateway.url,
      backendUrl: backend.url,
      reproduces:
        `the same mismatch with the target's FIN delivered at once: the gateway drops the closed connection, so requests after a gap get 200; ` +
        `a 502 needs a request to cross the FIN in flight (microseconds on loopback): intermittent, as the document says; \`${INVOCATION} run keepalive-timeout-mismatch --natural-race --repeat 40\` counts it`,
      curl: `for i in $(seq 20); do curl -s -o /dev/null -w '%{http_code} ' ${gateway.url}${path}; sleep ${gap}; done; echo`,
      ...(personality === 'microgateway' ? { logFile: gateway.logFile } : {}),
    });
  }
  return rows;
}
