/**
 * faultgate run <name…|all>: runs scenarios and says whether each one came out as its document
 * says. Narrated for people by default; with --json, one JSON object per run on its own line.
 * Exit 0 when every run met its expectations, 1 when one did not, 2 for bad input.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { FaultgateError } from '../../errors.ts';
import { ensureWritableFolder } from '../../folders.ts';
import { mimicOnlySettings } from '../../reference/engine-config.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { gatewayNamed } from '../gateways.ts';
import { exits, teach } from '../help.ts';
import { abortOnStop } from '../stop.ts';
import { selectScenarios } from '../../runner/load-scenarios.ts';
import { liveNarration } from '../../runner/live-narration.ts';
import { startProgress, type LiveProgress } from '../../runner/progress.ts';
import { expectedDurationMs } from '../../runner/expected-duration.ts';
import type { GatewayStarter } from '../../runner/gateway-starter.ts';
import { runScenario, type Evidence, type RunOptions } from '../../runner/run-scenario.ts';
import type { Scenario } from '../../runner/scenario.ts';
import { routerUnavailable } from '../../relay/router.ts';
import { wireUnavailable } from '../../wire/tools.ts';

interface RunCommandOptions {
  json?: boolean;
  realTime?: boolean;
  gateway: string;
  naturalRace?: boolean;
  repeat: number;
  logDir?: string;
  wire?: boolean;
  pcap?: string;
}

function parseRepeat(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new FaultgateError('E_USAGE', `--repeat ${value}: expected a whole number from 1 to 1000`);
  return count;
}

/**
 * The real engine runs Microgateway scenarios that use only the engine's own settings. Asked for by
 * name, any other scenario is an error; picked by "all", it is left out with a note.
 */
function onGateway(scenarios: Scenario[], names: readonly string[], gateway: GatewayStarter): Scenario[] {
  if (gateway.mimic) return scenarios;
  const reason = (scenario: Scenario): string | undefined => {
    if (scenario.gateway.personality !== 'microgateway') return `it is an ${scenario.gateway.personality} scenario`;
    const settings = scenario.gateway.settings;
    const mimicOnly = mimicOnlySettings.filter((key) => settings[key] !== undefined);
    return mimicOnly.length ? `it sets ${mimicOnly.join(', ')}, which the engine has no setting for` : undefined;
  };
  return scenarios.filter((scenario) => {
    const why = reason(scenario);
    if (!why) return true;
    if (names.includes(scenario.name)) throw new FaultgateError('E_USAGE', `--gateway ${gateway.name} cannot run ${scenario.name}: ${why}`);
    process.stderr.write(`faultgate: ${scenario.name} left out: ${why}\n`);
    return false;
  });
}

/**
 * A scenario with Edge's Router needs a real nginx. Without one here, such a scenario asked for by
 * name is an error that says what to install; picked by "all", it is left out with that note.
 */
function withRouterHere(scenarios: Scenario[], names: readonly string[]): Scenario[] {
  const missing = scenarios.some((scenario) => scenario.router) ? routerUnavailable() : undefined;
  if (!missing) return scenarios;
  return scenarios.filter((scenario) => {
    if (!scenario.router) return true;
    if (names.includes(scenario.name)) throw new FaultgateError('E_CONFIG', `${scenario.name}: ${missing}`);
    process.stderr.write(`faultgate: ${scenario.name} left out: ${missing}\n`);
    return false;
  });
}

/**
 * Where the product logs go: the user's folder; else, for a narrated single run, a folder that is
 * kept so the file the narration names can be read; else a temporary folder removed after the run.
 */
function logDirFor(scenario: Scenario, options: RunCommandOptions): { logDir?: string } {
  if (options.logDir) return { logDir: options.logDir };
  if (!options.json && options.repeat === 1) return { logDir: mkdtempSync(join(tmpdir(), `faultgate-${scenario.name}-`)) };
  return {};
}

/**
 * A narrated single run tells its story as it happens: header, then each timeline line, then the
 * outcome. Lines go above the progress bar when there is one.
 */
function narrationFor(scenario: Scenario, options: RunCommandOptions, progress: LiveProgress | undefined): Pick<RunOptions, 'onReady' | 'onTrace'> & { finish?: (evidence: Evidence) => void } {
  if (options.json || options.repeat > 1) return progress ? { onTrace: progress.onTrace } : {};
  const live = liveNarration(scenario, (text) => (progress ? progress.writeAbove(text) : process.stdout.write(text)));
  return {
    onReady: live.onReady,
    onTrace: (event) => {
      progress?.onTrace(event);
      live.onTrace(event);
    },
    finish: live.finish,
  };
}

/** Runs each scenario `repeat` times; the repeats of one scenario run side by side. */
async function runAll(scenarios: readonly Scenario[], options: RunCommandOptions, gateway: GatewayStarter, signal: AbortSignal, report: (scenario: Scenario, evidence: Evidence) => void) {
  for (const scenario of scenarios) {
    signal.throwIfAborted();
    // A bar only where a room would otherwise stare at nothing: a terminal, and a wait of seconds.
    const expected = expectedDurationMs(scenario, options.realTime ?? false);
    const progress: LiveProgress | undefined =
      !options.json && process.stderr.isTTY && expected >= 2000 ? startProgress(scenario.name, expected) : undefined;
    const { finish, ...narration } = narrationFor(scenario, options, progress);
    const runs = Array.from({ length: options.repeat }, () => {
      const logDir = logDirFor(scenario, options);
      return runScenario(scenario, {
        gateway,
        signal,
        ...narration,
        ...(options.realTime ? { realTime: true } : {}),
        ...(options.naturalRace ? { naturalRace: true } : {}),
        ...logDir,
        ...(options.wire ? { wire: true } : {}),
        ...(options.pcap ? { pcap: resolve(options.pcap) } : {}),
      }).then(
        (evidence) => {
          report(scenario, evidence);
          finish?.(evidence);
          return evidence;
        },
        (error: unknown) => {
          // A narrated run keeps its folder for the file it names; one that never got there, none.
          if (logDir.logDir !== undefined && logDir.logDir !== options.logDir) rmSync(logDir.logDir, { recursive: true, force: true });
          throw error;
        },
      );
    });
    const results = await Promise.all(runs).finally(() => progress?.stop());
    if (options.repeat > 1 && !options.json) {
      const statuses = new Map<string, number>();
      for (const evidence of results) {
        const key = String(evidence.response?.status ?? evidence.error?.code ?? '?');
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      const met = results.filter((evidence) => evidence.ok).length;
      const spread = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
      process.stdout.write(`${met === results.length ? pc.green('✔') : pc.red('✘')} ${scenario.name}: ${met}/${results.length} as the document says (${spread})\n`);
    }
  }
}

export function define(command: Command): void {
  teach(command, {
    examples: [
      ['run tls-handshake-timeout', 'one scenario, narrated'],
      ['run all', 'every scenario (what npm start does)'],
      ['run keepalive-timeout-mismatch --json', 'one JSON object per run, on its own line'],
      ['run tls-handshake-timeout --real-time', "the products' own timings: the 502 after 55 s, narrated as it happens"],
      ['run keepalive-timeout-mismatch --repeat 40', '40 runs side by side, the outcomes counted'],
      ['run examples/scenarios/target-closes-early.yaml', 'a scenario file of your own (TypeScript, YAML or JSON)'],
    ],
    exits: [exits.ok('every run came out as its document says'), exits.failed('one did not (the narration or the JSON says why)'), exits.usage, exits.interrupted, exits.terminated, exits.outputClosed],
  });
  command
    .argument('<names...>', 'scenario names (see faultgate list), "all", or paths of scenario files')
    .option('--json', 'one JSON object per run, on its own line')
    .option('--real-time', "the products' own defaults (55 s handshake limit, 5 s idle close) instead of the short test timings")
    .option('--gateway <which>', 'mimic (the harness gateway), or microgateway-core[@3.1.6|@3.3.7] (the real engine, Microgateway scenarios)', 'mimic')
    .option('--natural-race', 'no FIN hold: the keep-alive race at its natural odds (use with --repeat)')
    .option('--repeat <n>', 'run each scenario n times, side by side, and count the outcomes', parseRepeat, 1)
    .option('--log-dir <dir>', 'where the product logs go (default: a new folder under the system temp folder)')
    .option('--wire', "the target in a network namespace of its own, behind a veth pair, its packets captured and decoded (root; iproute2, nftables, tcpdump, tshark)")
    .option('--pcap <file>', 'with --wire: write the capture here (default: beside the product log of a narrated run)')
    .action(async (names: string[], options: RunCommandOptions) => {
      const gateway = gatewayNamed(options.gateway);
      if (options.pcap && !options.wire) throw new FaultgateError('E_USAGE', '--pcap needs --wire: only a wire run is captured');
      if (options.wire) {
        const missing = wireUnavailable();
        if (missing) throw new FaultgateError('E_PRIVILEGE', missing);
      }
      const scenarios = withRouterHere(onGateway(await selectScenarios(names), names, gateway), names);
      if (options.pcap && (scenarios.length > 1 || options.repeat > 1)) {
        throw new FaultgateError('E_USAGE', `--pcap ${options.pcap}: one file holds one run; name one scenario and leave out --repeat (or leave out --pcap)`);
      }
      if (options.pcap) ensureWritableFolder(dirname(resolve(options.pcap)), '--pcap', 'choose a file in a folder you can write');
      // Ctrl-C, SIGTERM (docker stop, a CI timeout, kill), SIGHUP, the parent gone or the output's
      // reader gone: every run closes what it started and removes its temporary folders.
      const stop = abortOnStop();
      // Every run side by side listens for the interrupt.
      setMaxListeners(Math.max(10, options.repeat * 4), stop.signal);
      let failed = 0;
      try {
        await runAll(scenarios, options, gateway, stop.signal, (scenario, evidence) => {
          if (!evidence.ok) failed++;
          if (options.json) process.stdout.write(`${JSON.stringify(evidence)}\n`);
        });
      } catch (error) {
        if (stop.signal.aborted) {
          stop.conclude();
          return;
        }
        throw error;
      } finally {
        stop.dispose();
      }
      process.exitCode = failed === 0 ? EXIT_OK : EXIT_FAILED;
    });
}
