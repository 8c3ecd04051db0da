/**
 * What an Edge Microgateway org-env-config.yaml says: edgemicro.keep_alive_timeout for the client
 * side. The harness's own target_idle_timeout and honour_keep_alive_hint are read too, as values
 * for this check, but a fix never names them: microgateway-core has no such settings.
 */
import { parseMicrogatewaySettings } from '../../config/microgateway.ts';
import { defaultIn, fromFile } from './from-file.ts';
import type { HopValues } from './index.ts';
import { microgateway, microgatewayKeepAlive } from './microgateway.ts';
import { yamlLines } from './yaml-lines.ts';

const server = microgateway.server!(undefined);

export function readMicrogateway(file: string, text: string, data: Record<string, unknown>): HopValues {
  const settings = parseMicrogatewaySettings(data, file);
  const yaml = yamlLines(file, text);
  const kat = settings.edgemicro.keep_alive_timeout;
  const values: HopValues = {
    product: 'microgateway',
    keepAliveTimeoutMs:
      kat !== undefined
        ? fromFile(kat, yaml.where(['edgemicro', 'keep_alive_timeout']), 'edgemicro.keep_alive_timeout', microgatewayKeepAlive, file)
        : defaultIn(server.keepAliveMs, server.keepAliveFrom, `the edgemicro: section of ${file}`, microgatewayKeepAlive, file),
  };
  if (settings.target_idle_timeout !== undefined) {
    values.idleTimeoutMs = fromFile(settings.target_idle_timeout, yaml.where(['target_idle_timeout']), "target_idle_timeout (the harness's gateway only; microgateway-core has no such setting)", undefined, file);
  }
  if ('honour_keep_alive_hint' in data) {
    values.honoursHint = fromFile(settings.honour_keep_alive_hint, yaml.where(['honour_keep_alive_hint']), "honour_keep_alive_hint (the harness's gateway only)", undefined, file);
  }
  return values;
}
