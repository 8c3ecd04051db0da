/**
 * faultgate gateway: one gateway of the chosen personality in front of any target, for pointing the
 * harness at one's own systems. Prints its URL as the first line of stdout and runs until SIGINT
 * or SIGTERM. Settings: defaults < --config file < environment < --set.
 */
import type { Command } from 'commander';
import { readTargetEndpoint } from '../../config/edge.ts';
import { loadConfigFile } from '../../config/load-file.ts';
import { applyAssignments, type ConfigObject } from '../../config/set-values.ts';
import { FaultgateError } from '../../errors.ts';
import { createGateway, parseTarget, redactedTarget, type GatewayOptions } from '../../gateway/gateway.ts';
import { personalities, personalityNamed } from '../../gateway/personalities.ts';
import { personalityNames, type PersonalityName } from '../../gateway/personality.ts';
import { createLogger, logLevelOf } from '../../logger.ts';
import { announceExposure, checkSettingNames, collect, hostOption, parsePort, portOption, settingsFromEnvironment } from '../options.ts';
import { exits, teach } from '../help.ts';
import { formatSettingRows, settingRows } from '../../config/setting-list.ts';
import { MAX_TIMER_MS } from '../../config/fields.ts';
import { ROUTER_READ_TIMEOUT_MS, startRouter } from '../../relay/router.ts';
import { untilSignal } from '../until-signal.ts';

export interface GatewayCommandOptions {
  personality?: string;
  target?: string;
  port?: number;
  host?: string;
  config?: string;
  set: string[];
  check?: boolean;
  /** Edge's Router in front, with this read timeout (ms) */
  router?: number;
}

/** The gateway's options and, when asked for, the Router in front of it. */
export type ResolvedGateway = GatewayOptions & { router?: { readTimeoutMs: number } };

/** --router <ms>: a read timeout a timer can hold. */
export function parseRouterTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMER_MS) throw new FaultgateError('E_USAGE', `--router ${value}: expected the Router's read timeout in whole milliseconds (Edge's default: ${ROUTER_READ_TIMEOUT_MS})`);
  return ms;
}

/** Everything the command would start, resolved and validated, without starting anything. */
export function resolveGatewayOptions(options: GatewayCommandOptions, env: NodeJS.ProcessEnv = process.env): ResolvedGateway {
  // An option given on the command line wins over its FAULTGATE_* variable.
  const personality = options.personality ?? env.FAULTGATE_PERSONALITY;
  const config = options.config ?? env.FAULTGATE_CONFIG;
  logLevelOf(env);
  if (!personality) throw new FaultgateError('E_USAGE', `--personality is required: one of ${personalityNames.join(', ')}`);
  const definition = personalityNamed(personality);
  let settings: ConfigObject = {};
  let target = options.target ?? env.FAULTGATE_TARGET;
  if (config) {
    const loaded = loadConfigFile(config);
    if (loaded.format === 'xml') {
      if (definition.name !== 'edge') throw new FaultgateError('E_CONFIG', `${config}: an XML TargetEndpoint configures the edge personality, not ${definition.name}`);
      const endpoint = readTargetEndpoint(loaded);
      settings = endpoint.settings;
      target ??= endpoint.url;
    } else if (loaded.data && typeof loaded.data === 'object' && !Array.isArray(loaded.data)) {
      settings = loaded.data as ConfigObject;
    } else {
      throw new FaultgateError('E_CONFIG', `${config}: expected a mapping of settings`);
    }
  }
  settings = settingsFromEnvironment(settings, definition.settingNames, definition.flatSettingNames, env);
  checkSettingNames(options.set, definition.settingNames, `personality ${definition.name}`);
  settings = applyAssignments(settings, options.set, definition.flatSettingNames);
  if (!target) throw new FaultgateError('E_USAGE', '--target is required: the URL of the backend to front, e.g. --target http://127.0.0.1:8080');
  parseTarget(target);
  // Parsing here reports a bad value before anything listens.
  definition.parseSettings(settings, config ?? `${definition.name} settings`);
  const port = portOption(options.port, env);
  if (options.router !== undefined && definition.name !== 'edge') throw new FaultgateError('E_USAGE', `--router: Edge's Router fronts the edge personality, not ${definition.name}`);
  return {
    ...(options.router === undefined ? {} : { router: { readTimeoutMs: options.router } }),
    personality: definition.name as PersonalityName,
    target,
    settings,
    host: hostOption(options.host, env),
    ...(port === undefined ? {} : { port }),
  };
}

/** Each personality's settings, as `gateway --help` lists them. */
export function personalitySettingSections(): { title: string; lines: string[] }[] {
  return personalityNames.map((name) => {
    const personality = personalities[name];
    return {
      title: `Settings of --personality ${name} (default and unit; --set key=value, an environment variable of the same name, or --config)`,
      lines: formatSettingRows(settingRows(personality.settingsSchema, personality.settingNames)),
    };
  });
}

export function define(command: Command): void {
  teach(command, {
    examples: [
      ['gateway --personality microgateway --target http://127.0.0.1:9000 --port 8000', 'Microgateway in front of a backend on 9000'],
      ['gateway --personality edge --target http://127.0.0.1:9000 --set io.timeout.millis=1000', 'Edge with a 1 s I/O limit'],
      ['gateway --personality edge --target http://127.0.0.1:9000 --set io.timeout.millis=60000 --router 57000', "Edge's Router in front, timing out before the Message Processor"],
      ['gateway --personality edge --config examples/configs/target-endpoint.xml --check', "a TargetEndpoint's properties and URL, resolved; nothing started"],
      ['gateway --personality microgateway --target http://127.0.0.1:9000 --config examples/configs/org-env-config.yaml --check', 'an edgemicro org-env-config.yaml, resolved; nothing started'],
    ],
    exits: [exits.ok('stopped by Ctrl-C, SIGTERM or SIGHUP, or by the process that started it exiting: everything closed (with --check: the settings are valid)'), exits.usage],
    sections: personalitySettingSections,
  });
  command
    .option('--personality <name>', `edge or microgateway (env FAULTGATE_PERSONALITY)`)
    .option('--target <url>', 'the backend to front: http://host:port or https://host:port (env FAULTGATE_TARGET)')
    .option('--port <n>', 'port to listen on; 0 for any free one (env FAULTGATE_PORT; default: edgemicro.port, else any)', (value: string) => parsePort(value))
    .option('--host <address>', 'address to listen on (env FAULTGATE_HOST; default 127.0.0.1)')
    .option('--config <file>', 'edge: a TargetEndpoint XML or a YAML of properties; microgateway: an org-env-config.yaml (env FAULTGATE_CONFIG)')
    .option('--set <key=value>', 'any setting by its config name, e.g. io.timeout.millis=1000 (repeatable; also read from the environment)', collect, [])
    .option('--check', 'validate the options and print the resolved settings as JSON; start nothing')
    .option('--router <ms>', "edge: Edge's Router in front, a real nginx that gives up on the gateway after <ms> (Edge's: 57000) with its own 502/504 page; the first line is then its URL", parseRouterTimeout)
    .action(async (options: GatewayCommandOptions) => {
      const { router: routerOptions, ...resolved } = resolveGatewayOptions(options);
      if (options.check) {
        const settings = personalityNamed(resolved.personality).parseSettings(resolved.settings);
        const router = routerOptions ? { router: routerOptions } : {};
        process.stdout.write(`${JSON.stringify({ personality: resolved.personality, target: redactedTarget(resolved.target), port: resolved.port ?? null, host: resolved.host, settings, ...router })}\n`);
        return;
      }
      const gateway = await createGateway({ ...resolved, logger: createLogger() });
      const router = routerOptions && (await startRouter({ upstreamUrl: gateway.url, ...routerOptions }).catch(async (error: unknown) => {
        await gateway.close();
        throw error;
      }));
      const stopped = untilSignal(async () => {
        await router?.close();
        await gateway.close();
      });
      // The first line is where clients go: the Router, when there is one.
      process.stdout.write(`${router?.url ?? gateway.url}\n`);
      announceExposure(resolved.host ?? '127.0.0.1', 'the gateway');
      if (router) process.stdout.write(`${router.describe()}; the gateway behind it: ${gateway.url}\n`);
      process.stdout.write(`${gateway.personality.describe()}\nproduct log: ${gateway.logFile}\n`);
      await stopped;
    });
}
