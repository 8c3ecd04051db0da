/**
 * The real engine as a scenario's gateway (`faultgate run … --gateway microgateway-core@3.1.6`):
 * the runner's GatewayStarter for each installed release, so a Microgateway scenario runs through
 * microgateway-core instead of the mimic and its expectations judge the engine's answer and log
 * lines the same way. The engine has no classifier, so it names no failure kind.
 *
 * The runner's gatewayStarters include these.
 */
import type { MicrogatewaySettingsInput } from '../config/microgateway.ts';
import { FaultgateError } from '../errors.ts';
import type { GatewayChoice, GatewayStarter } from '../runner/run-scenario.ts';
import { engineVersions, isEngineInstalled, startMicrogatewayCore, type EngineVersion } from './microgateway-core.ts';

/** How long the runner waits for the engine's lines: it writes the second one after answering. */
const LINES_DEADLINE_MS = 3000;

export function referenceStarter(version: EngineVersion): GatewayStarter {
  return async ({ personality, target, settings }) => {
    if (personality !== 'microgateway') {
      throw new FaultgateError('E_USAGE', `--gateway microgateway-core@${version} runs Microgateway scenarios; this one is for ${personality}, run it without --gateway`);
    }
    // Checked by the settings schema inside; the runner hands them over untyped.
    const engine = await startMicrogatewayCore({ version, target, settings: settings as MicrogatewaySettingsInput });
    return {
      url: engine.url,
      target: new URL(target).host,
      logFile: engine.logFile,
      description: `microgateway-core ${version}, the real engine (pid ${engine.pid}), with the scenario's edgemicro settings`,
      lines: (expected) => engine.readLines(expected, LINES_DEADLINE_MS),
      lastFailure: () => undefined,
      close: () => engine.close(),
    };
  };
}

/** A starter for each release that is installed (they are dev dependencies). */
export const referenceStarters: Partial<Record<Exclude<GatewayChoice, 'mimic'>, GatewayStarter>> = Object.fromEntries(
  engineVersions.filter(isEngineInstalled).map((version) => [`microgateway-core@${version}`, referenceStarter(version)]),
);
