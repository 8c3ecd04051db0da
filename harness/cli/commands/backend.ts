/**
 * faultgate backend <name>: one faulty backend on its own, for pointing one's own gateway at it.
 * Prints its URL as the first line of stdout and runs until SIGINT or SIGTERM. Settings come from
 * the environment under their own names, then from --set.
 */
import type { Command } from 'commander';
import { backendNamed, backends } from '../../../faulty-backends/index.ts';
import type { ListenOptions } from '../../../faulty-backends/backend.ts';
import { applyAssignments } from '../../config/set-values.ts';
import { announceExposure, checkSettingNames, collect, hostOption, parsePort, portOption, settingsFromEnvironment } from '../options.ts';
import { exits, teach } from '../help.ts';
import { formatSettingRows, settingRows } from '../../config/setting-list.ts';
import { untilSignal } from '../until-signal.ts';

export interface BackendCommandOptions {
  port?: number;
  host?: string;
  set: string[];
  check?: boolean;
}

export { backendNamed };

/** The backend, its checked settings and where it would listen, without starting it. */
export function resolveBackendOptions(name: string, options: BackendCommandOptions, env: NodeJS.ProcessEnv = process.env) {
  const definition = backendNamed(name);
  checkSettingNames(options.set, definition.settingNames, `backend ${name}`);
  // Backend settings are flat names without dots.
  const input = applyAssignments(settingsFromEnvironment({}, definition.settingNames, definition.settingNames, env), options.set, definition.settingNames);
  const settings: unknown = definition.parseSettings(input);
  const port = portOption(options.port, env);
  const listen: ListenOptions = { host: hostOption(options.host, env), ...(port === undefined ? {} : { port }) };
  return { definition, settings, listen };
}

/** Each backend's settings, as `backend --help` lists them. */
export function backendSettingSections(): { title: string; lines: string[] }[] {
  return [
    {
      title: 'Backends and their settings (default and unit; --set key=value or an environment variable of the same name)',
      lines: Object.values(backends).flatMap((backend) => [`  ${backend.name}: ${backend.summary}`, ...formatSettingRows(settingRows(backend.settings, backend.settingNames), '      ')]),
    },
  ];
}

export function define(command: Command): void {
  teach(command, {
    examples: [
      ['backend fin-mid-request --port 9000', 'reads each request head, then FIN without a response'],
      ['backend idle-closer --set idleTimeoutMs=5000 --set advertiseKeepAliveHint=true', 'closes idle keep-alive connections after 5 s'],
      ['backend healthy --set tls=true --check', 'the resolved settings as JSON; nothing started'],
    ],
    exits: [exits.ok('stopped by Ctrl-C, SIGTERM or SIGHUP, or by the process that started it exiting: everything closed (with --check: the settings are valid)'), exits.usage],
    sections: backendSettingSections,
  });
  command
    .argument('<name>', `one of: ${Object.keys(backends).join(', ')}`)
    .option('--port <n>', 'port to listen on; default any free one (env FAULTGATE_PORT)', (value: string) => parsePort(value))
    .option('--host <address>', 'address to listen on (env FAULTGATE_HOST; default 127.0.0.1)')
    .option('--set <key=value>', 'a setting of the backend, e.g. idleTimeoutMs=5000 (repeatable; also read from the environment)', collect, [])
    .option('--check', 'validate the options and print the resolved settings as JSON; start nothing')
    .action(async (name: string, options: BackendCommandOptions) => {
      const { definition, settings, listen } = resolveBackendOptions(name, options);
      if (options.check) {
        process.stdout.write(`${JSON.stringify({ backend: definition.name, settings, listen })}\n`);
        return;
      }
      const backend = await definition.start(settings, listen);
      const stopped = untilSignal(() => backend.close());
      process.stdout.write(`${backend.url}\n${backend.name}: ${backend.explanation}\n`);
      announceExposure(listen.host ?? '127.0.0.1', `backend ${backend.name}`);
      await stopped;
    });
}
