/**
 * The failures the differential suite drives through the mimic and the real engine alike: one
 * faulty backend each, the Microgateway settings in force, and the request that meets the fault.
 * Expectations are only the ones both sides must meet (status, line count, timing window); the
 * payload and every log field are judged by comparing the two sides with each other.
 */
import type { BackendName } from '../../faulty-backends/index.ts';
import type { MicrogatewaySettingsInput } from '../../harness/config/microgateway.ts';
import type { EventLogFields } from '../../harness/gateway/microgateway.ts';
import type { EngineVersion } from '../../harness/reference/microgateway-core.ts';

export interface DifferentialCase {
  name: string;
  backend: BackendName;
  backendSettings?: Record<string, unknown>;
  /** the personality's settings, without `version` and `edgemicro.logging.dir` (the suite sets those) */
  settings?: MicrogatewaySettingsInput;
  method?: string;
  /** a request body of this many bytes */
  bodyBytes?: number;
  /**
   * The idle-close race: a FIN-delay relay between gateway and backend, a first request that must
   * succeed, then the failing one sent once the relay holds the backend's idle-close FIN.
   */
  idleRace?: boolean;
  status: number;
  /** event-log lines the failing request writes */
  lines: (version: EngineVersion) => number;
  /** the failing request's duration at the client, both ends, ms */
  elapsedMs?: readonly [number, number];
  /** the fields of the document's own lines, which the release of the document must write */
  documentLines?: { version: EngineVersion; lines: Partial<EventLogFields>[] };
}

/** The Microgateway document's two lines ("502 Bad Gateway - Socket hang up", common diagnosis steps 2 and 3), org and env as there. */
const socketHangUpLines: Partial<EventLogFields>[] = [
  {
    level: 'warn', org: 'myorg', env: 'test', proxy: 'emg_badtarget/flakey/hangup', clientIp: '', clientId: '',
    component: 'plugins-middleware', message: 'targetRequest error', method: 'GET', status: '', errorMessage: 'socket hang up', errorCode: 'ECONNRESET',
  },
  {
    level: 'error', org: 'myorg', env: 'test', proxy: 'emg_badtarget/flakey/hangup', clientIp: '', clientId: '',
    component: 'microgateway-core', message: '', method: 'GET', status: '502', errorMessage: 'socket hang up', errorCode: 'ECONNRESET', durationMs: '',
  },
];

const two = () => 2;

export const differentialCases: readonly DifferentialCase[] = [
  // The two that wait on a timer first, so that the quick cases run while they wait.
  {
    // Node's inactivity timer is refreshed once while the request waits in the TLS socket's write
    // queue, so a 1 s request_timeout gives up after 2 s: in the engine as in the mimic.
    name: 'TLS target swallows the Client Hello, request_timeout 1 s',
    backend: 'swallow-client-hello',
    settings: { edgemicro: { request_timeout: 1 } },
    status: 504,
    lines: two,
    elapsedMs: [1990, 4500],
  },
  {
    name: 'silent target, request_timeout 1 s',
    backend: 'never-respond',
    settings: { edgemicro: { request_timeout: 1 } },
    status: 504,
    lines: two,
    elapsedMs: [990, 2500],
  },
  {
    name: 'FIN after the request headers',
    backend: 'fin-mid-request',
    status: 502,
    lines: two,
    documentLines: { version: '3.1.6', lines: socketHangUpLines },
  },
  {
    name: 'FIN part-way through a large POST body',
    backend: 'fin-mid-request',
    backendSettings: { afterBodyBytes: 64 * 1024 },
    method: 'POST',
    bodyBytes: 1024 * 1024,
    status: 502,
    lines: two,
  },
  { name: 'RST instead of FIN', backend: 'reset-mid-request', status: 502, lines: two },
  { name: 'connection refused', backend: 'closed-port', status: 502, lines: two },
  {
    // Half a second idle: long enough that the first response is not raced on a loaded machine.
    name: 'idle-close race on a reused keep-alive connection',
    backend: 'idle-closer',
    backendSettings: { idleTimeoutMs: 500 },
    idleRace: true,
    status: 502,
    lines: two,
  },
  { name: 'a response that is not HTTP', backend: 'not-http', status: 502, lines: two },
  { name: 'self-signed TLS target, rejectUnauthorized by default', backend: 'healthy', backendSettings: { tls: true }, status: 502, lines: two },
  {
    // 3.1.6 writes `targetRequest error` at warn, which logging.level=error filters out; the
    // client-facing keep_alive_timeout shows in the Keep-Alive header of the answer.
    name: 'org, env, keep_alive_timeout and logging.level error from the settings',
    backend: 'fin-mid-request',
    settings: { org: 'acme', env: 'prod', edgemicro: { keep_alive_timeout: 1500, logging: { level: 'error' } } },
    status: 502,
    lines: (version) => (version === '3.1.6' ? 1 : 2),
  },
];
