/**
 * The gateways `faultgate run --gateway` offers: the mimic and each release of the real engine.
 * Assembled here, where scenarios are run from, so the runner knows only the starter interface.
 */
import { FaultgateError } from '../errors.ts';
import { referenceStarters } from '../reference/scenario-gateway.ts';
import type { GatewayStarter } from '../runner/gateway-starter.ts';
import { mimicStarter } from '../runner/mimic-starter.ts';

/** "microgateway-core" alone means the document's release. */
const ALIASES: Readonly<Record<string, string>> = { 'microgateway-core': 'microgateway-core@3.1.6' };

export function gatewayNamed(value: string): GatewayStarter {
  const engines = referenceStarters();
  const name = ALIASES[value] ?? value;
  if (name === mimicStarter.name) return mimicStarter;
  const engine = engines.find(({ starter }) => starter.name === name);
  if (!engine) {
    throw new FaultgateError('E_USAGE', `--gateway ${value}: expected one of mimic, ${Object.keys(ALIASES).join(', ')}, ${engines.map(({ starter }) => starter.name).join(', ')}`);
  }
  if (!engine.installed) {
    throw new FaultgateError('E_USAGE', `--gateway ${name}: the real engine is not installed (npm ci installs it as a dev dependency)`);
  }
  return engine.starter;
}
