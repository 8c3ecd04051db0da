/**
 * The child process that runs one real microgateway-core engine. One engine per process because
 * the core keeps module-level singletons (one server, one config, one logger) and reads the org
 * and env it prints from process.env.
 *
 * CommonJS, like the engine, and loaded under tsx's in-thread require hook, which the bootstrap
 * (see microgateway-core.ts) removes again before main() runs: the engine's own hundred-odd
 * modules then load at plain Node speed. tsx's ESM loader would cost every start a loader thread.
 *
 * Protocol with the parent (microgateway-core.ts): the launch (EngineLaunch) is JSON in the
 * environment variable FAULTGATE_ENGINE_LAUNCH; the child answers on the IPC channel with one
 * ChildMessage, `listening` or `failed`. SIGTERM closes the server and exits; losing the IPC
 * channel (the parent died) exits too, so no engine outlives its harness.
 */
import fs = require('node:fs');
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildMessage, EngineConfig, EngineLaunch } from './engine-config.ts';

/** engine-config.ts's LAUNCH_VARIABLE (a value import would load that ES module here). */
const LAUNCH_VARIABLE = 'FAULTGATE_ENGINE_LAUNCH';

/** The slice of the engine's CommonJS API this file uses. */
interface EngineInstance {
  start(callback: (error: NodeJS.ErrnoException | null, server: http.Server) => void): void;
  stop(callback: () => void): void;
}
type EngineFactory = (config: EngineConfig) => EngineInstance;
interface EngineLogging {
  _calculateLogFilePath(dir: string, uid: string, rotation: number): string;
}

const send = (message: ChildMessage) => process.send?.(message);

function main(): void {
  const launch = JSON.parse(process.env[LAUNCH_VARIABLE] ?? '{}') as EngineLaunch;
  delete process.env[LAUNCH_VARIABLE];

  // The parent went away: nothing will ever close this engine, nor read its temporary log, but us.
  process.on('disconnect', () => {
    if (launch.temporaryLogDir) fs.rmSync(launch.temporaryLogDir, { recursive: true, force: true });
    process.exit(0);
  });
  process.env.CurrentOrgName = launch.org;
  process.env.CurrentEnvironmentName = launch.env;

  const createEngine = require(`microgateway-core-${launch.version}`) as EngineFactory;
  const logging = require(`microgateway-core-${launch.version}/lib/logging.js`) as EngineLogging;

  const config = launch.config;
  // The constructor stamps config.uid and opens the logger.
  const engine = createEngine(config);
  let server: http.Server | undefined;

  engine.start((error, started) => {
    if (error) {
      send({ type: 'failed', code: error.code ?? 'ERROR', message: error.message });
      process.exitCode = 1;
      process.disconnect?.();
      return;
    }
    server = started;
    // The engine opens rotation 1 of its log when it writes its first line.
    const logFile = logging._calculateLogFilePath(config.edgemicro.logging.dir, String(config.uid), 1);
    send({ type: 'listening', port: (started.address() as AddressInfo).port, pid: process.pid, logFile });
  });

  process.once('SIGTERM', () => {
    engine.stop(() => process.exit(0));
    // Keep-alive clients and requests still waiting on a silent target would hold close() open.
    server?.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  });
}

export = main;
