/**
 * The config microgateway-core is started with, built from the Microgateway personality's
 * settings: the same edgemicro YAML shape the mimic reads, minus the keys that are the harness's
 * own, plus the one proxy (base path '/') that sends everything to the target.
 *
 * What the core needs to start without the Edge cloud: `edgemicro.logging` (its logger asserts
 * it), `proxies` (its router), and nothing else. No plugins are added, so no key, secret, product
 * list or analytics endpoint is ever asked for; `edge_config` and the like are carried along and
 * ignored by the core, as in a real file.
 */
import { FaultgateError } from '../errors.ts';
import type { MicrogatewaySettings } from '../config/microgateway.ts';

/** What the child process is given: the engine's config and the process environment it reads. */
export interface EngineLaunch {
  version: string;
  /** the engine reads org and env from process.env.CurrentOrgName / CurrentEnvironmentName */
  org: string;
  env: string;
  config: EngineConfig;
  /** the log folder the launcher made for this engine: the child removes it if it outlives the launcher */
  temporaryLogDir?: string;
}

/** The environment variable that carries the EngineLaunch, as JSON, to the child. */
export const LAUNCH_VARIABLE = 'FAULTGATE_ENGINE_LAUNCH';

/** The child's one answer on the IPC channel. */
export type ChildMessage =
  | { type: 'listening'; port: number; pid: number; logFile: string }
  | { type: 'failed'; code: string; message: string };

export interface EngineConfig {
  edgemicro: Record<string, unknown> & { port: number; address: string; logging: Record<string, unknown> & { dir: string } };
  proxies: { base_path: string; url: string; name: string }[];
  targets?: unknown[];
  [key: string]: unknown;
}

/** The proxy's name: the core keys its tracer on it and prints it nowhere else. */
export const PROXY_NAME = 'faultgate';

/**
 * Settings only the mimic has. `version` is chosen by the launcher's own option; the other two
 * stand for what the document calls the operating system's keep-alive, which the engine cannot be
 * told, so asking for them is an error rather than a silent difference.
 */
/** The microgateway personality's settings that stand for what the engine cannot be told. */
export const mimicOnlySettings = ['target_idle_timeout', 'honour_keep_alive_hint'] as const;

export function checkEngineSettings(settings: MicrogatewaySettings, version: string): void {
  if (settings.target_idle_timeout) {
    throw new FaultgateError(
      'E_CONFIG',
      `target_idle_timeout=${settings.target_idle_timeout}: microgateway-core ${version} has no idle limit for target connections; ` +
        'leave the setting out, or run on the microgateway personality (the mimic)',
    );
  }
  if (settings.honour_keep_alive_hint) {
    throw new FaultgateError(
      'E_CONFIG',
      `honour_keep_alive_hint=true: microgateway-core ${version} uses a plain keep-alive agent that ignores the hint; ` +
        'leave the setting out, or run on the microgateway personality (the mimic)',
    );
  }
}

/** A further proxy: requests whose path starts with `base_path` go to `url` (the rest of the path appended). */
export interface EngineRoute {
  base_path: string;
  url: string;
}

export function engineConfig(settings: MicrogatewaySettings, target: URL, logDir: string, port: number, routes: readonly EngineRoute[] = []): EngineConfig {
  // Harness-only keys stay behind; every other top-level key (headers, edge_config, …) goes as given.
  const { org: _org, env: _env, version: _version, target_idle_timeout: _idle, honour_keep_alive_hint: _hint, edgemicro, targets, ...rest } = settings;
  return {
    ...rest,
    edgemicro: {
      ...edgemicro,
      port,
      // The core listens on every interface unless given an address; loopback keeps tests private.
      address: '127.0.0.1',
      logging: { ...edgemicro.logging, dir: logDir },
    },
    // The longest matching base path wins, so '/' takes whatever no route claims.
    proxies: [{ base_path: '/', url: target.href, name: PROXY_NAME }, ...routes.map((route, index) => ({ ...route, name: `${PROXY_NAME}-${index + 1}` }))],
    ...(targets ? { targets } : {}),
  };
}
