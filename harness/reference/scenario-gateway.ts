/**
 * The real engine as a scenario's gateway (`faultgate run … --gateway microgateway-core@3.1.6`):
 * a GatewayStarter for each installed release, so a Microgateway scenario runs through
 * microgateway-core instead of the mimic and its expectations judge the engine's answer and log
 * lines the same way. The engine has no classifier, so it names no failure kind.
 *
 * The CLI (harness/cli/gateways.ts) offers these beside the mimic; the runner never imports them.
 */
import type { MicrogatewaySettingsInput } from '../config/microgateway.ts';
import { FaultgateError } from '../errors.ts';
import type { GatewayStarter } from '../runner/gateway-starter.ts';
import { engineVersions, isEngineInstalled, startMicrogatewayCore, type EngineVersion } from './microgateway-core.ts';

/** How long the runner waits for the engine's lines: it writes the second one after answering. */
const LINES_DEADLINE_MS = 3000;

export const engineGatewayName = (version: EngineVersion): string => `microgateway-core@${version}`;

export function referenceStarter(version: EngineVersion): GatewayStarter {
  const name = engineGatewayName(version);
  return {
    name,
    mimic: false,
    async start({ personality, target, settings }) {
      if (personality !== 'microgateway') {
        throw new FaultgateError('E_USAGE', `--gateway ${name} runs Microgateway scenarios; this one is for ${personality}, run it without --gateway`);
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
    },
  };
}

/** Every release the harness knows, and whether it is installed (they are dev dependencies). */
export const referenceStarters = (): { starter: GatewayStarter; installed: boolean }[] =>
  engineVersions.map((version) => ({ starter: referenceStarter(version), installed: isEngineInstalled(version) }));
