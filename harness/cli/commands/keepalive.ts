/**
 * faultgate keepalive check|probe <chain.yaml...>: applies the Microgateway document's rule (every
 * downstream hop retires idle connections before the hop upstream of it) to a chain of hops read
 * from real configuration files, then proves the verdict with traffic. Exit 0 when every connection
 * is safe, 1 when one is not (or the probe could not tell), 2 for bad input.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import pc from 'picocolors';
import { z } from 'zod';
import { MAX_TIMER_MS, MAX_TIMER_SECONDS, tcpPort } from '../../config/fields.ts';
import { FaultgateError } from '../../errors.ts';
import { parseTarget } from '../../gateway/gateway.ts';
import { engineVersions, isEngineVersion } from '../../reference/microgateway-core.ts';
import { loadChain, type Chain } from '../../keepalive/chain.ts';
import { defaultProbeSettings, planProbe, runProbes, type ExternalGateway, type ProbePlan, type ProbeResult, type ProbeSettings } from '../../keepalive/probe.ts';
import { checkJson, checkText } from '../../keepalive/check-report.ts';
import { markdownTable, probeJson, probeText } from '../../keepalive/probe-report.ts';
import { connectionsOf, isSafe } from '../../keepalive/rule.ts';
import { exits, teach } from '../help.ts';
import { abortOnStop } from '../stop.ts';

const number = (flag: string, what: string) =>
  z.coerce.number({ error: `${flag}: expected ${what}` }).refine(Number.isFinite, { error: `${flag}: expected ${what}` });
/** A flag in milliseconds (or seconds) that ends up in a timer: bounded by the longest one Node holds. */
const timer = (flag: string, unit: 'milliseconds' | 'seconds') => {
  const max = unit === 'seconds' ? MAX_TIMER_SECONDS : MAX_TIMER_MS;
  return number(flag, unit).max(max, { error: `${flag}: at most ${max} ${unit} (the longest timer Node can hold)` });
};

/** The probe's options as commander hands them over (strings), checked in one place. */
const probeOptionsSchema = z
  .object({
    timeScale: number('--time-scale', 'a factor such as 0.02').positive({ error: '--time-scale: must be more than 0' }).optional(),
    scaleTo: timer('--scale-to', 'milliseconds').int({ error: '--scale-to: expected whole milliseconds' }).min(10, { error: '--scale-to: at least 10 ms' }).optional(),
    holdFinMs: timer('--hold-fin-ms', 'milliseconds').int({ error: '--hold-fin-ms: expected whole milliseconds' }).nonnegative({ error: '--hold-fin-ms: must not be negative' }),
    latencyMs: timer('--latency-ms', 'milliseconds').int({ error: '--latency-ms: expected whole milliseconds' }).min(3, { error: '--latency-ms: at least 3 ms' }),
    repeat: number('--repeat', 'a count').int({ error: '--repeat: expected a whole number' }).min(1, { error: '--repeat: at least 1' }).max(50, { error: '--repeat: at most 50' }),
    maxSeconds: timer('--max-seconds', 'seconds').positive({ error: '--max-seconds: must be more than 0' }),
    gatewayUrl: z.string().optional(),
    engine: z
      .string()
      .transform((value) => value.replace(/^microgateway-core@/, ''))
      .refine(isEngineVersion, { error: `--engine: expected one of ${engineVersions.join(', ')}` })
      .optional(),
    backendPort: z.coerce.number().pipe(tcpPort()).optional(),
    backendHost: z.string().min(1, { error: '--backend-host: expected an address' }),
    json: z.boolean().optional(),
    markdown: z.boolean().optional(),
  })
  .superRefine((options, context) => {
    if (options.timeScale !== undefined && options.scaleTo !== undefined) {
      context.addIssue({ code: 'custom', message: '--time-scale and --scale-to: give one or the other' });
    }
    if (options.gatewayUrl !== undefined && options.backendPort === undefined) {
      context.addIssue({ code: 'custom', message: '--gateway-url needs --backend-port: the port your gateway\'s target points at, where the probe\'s backend will listen' });
    }
  });

type ProbeOptions = z.output<typeof probeOptionsSchema>;

export function parseProbeOptions(raw: Record<string, unknown>): { settings: ProbeSettings; external: ExternalGateway | undefined; options: ProbeOptions } {
  const result = probeOptionsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const message = issue?.message ?? 'invalid options';
    throw new FaultgateError('E_USAGE', issue?.path[0] === 'backendPort' ? `--backend-port: ${message}` : message);
  }
  const options = result.data;
  let external: ExternalGateway | undefined;
  if (options.gatewayUrl !== undefined) {
    parseTarget(options.gatewayUrl);
    external = { url: options.gatewayUrl, backendPort: options.backendPort ?? 0, backendHost: options.backendHost };
  }
  const settings: ProbeSettings = {
    ...defaultProbeSettings,
    timeScale: options.timeScale ?? 1,
    scaleToMs: options.scaleTo,
    holdFinMs: options.holdFinMs,
    latencyMs: options.latencyMs,
    repeat: options.repeat,
    engine: options.engine,
  };
  return { settings, external, options };
}

/** How long the probe should take (ms), or a one-line refusal when that is more than the user allows. */
export function refuseLongProbe(plans: readonly ProbePlan[], settings: ProbeSettings, maxSeconds: number): number {
  const trials = plans.reduce((sum, plan) => sum + plan.trials, 0);
  const external = plans.some((plan) => plan.external);
  // Side by side, the chains share one stagger: each plan's own estimate counts only its trials.
  const estimatedMs = external
    ? plans.reduce((sum, plan) => sum + plan.estimatedMs, 0)
    : Math.max(...plans.map((plan) => plan.estimatedMs - plan.trials * settings.staggerMs)) + trials * settings.staggerMs;
  if (estimatedMs > maxSeconds * 1000) {
    const longest = Math.max(...plans.flatMap((plan) => plan.connections.map((c) => c.connection.upstreamKeepAliveMs)));
    const seconds = Math.ceil(estimatedMs / 1000);
    throw new FaultgateError(
      'E_USAGE',
      `the probe would take about ${seconds} s (the longest upstream keep-alive is ${longest} ms); add --scale-to 1000, or allow it with --max-seconds ${seconds + 10}`,
    );
  }
  return estimatedMs;
}

function loadChains(files: readonly string[]): Chain[] {
  // Every file is read before anything is printed or started: bad input stops everything.
  return files.map((file) => loadChain(file));
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function define(keepalive: Command): void {
  const checkExits = [exits.ok('every connection is safe'), exits.failed('one is not (the fix is printed beside it)'), exits.usage];
  teach(keepalive, {
    examples: [
      ['keepalive check examples/chains/three-hops-fault-second.yaml', 'the rule, per connection'],
      ['keepalive probe examples/chains/three-hops-fault-second.yaml --scale-to 1000', 'the same, proved with traffic'],
    ],
    exits: checkExits,
  });

  const check = keepalive.command('check');
  teach(check, {
    examples: [
      ['keepalive check examples/chains/mismatched.yaml', 'both timeouts, the verdict, the margin and the fix'],
      ['keepalive check examples/chains/*.yaml --json', 'every chain, as JSON'],
    ],
    exits: checkExits,
  });
  check
    .argument('<chain...>', 'chain file(s): the hops from the client side to the origin (YAML)')
    .description('for each connection: both timeouts, the verdict, the margin and the fix')
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .action((files: string[], options: { json?: boolean }) => {
      const reports = loadChains(files).map((chain) => ({ chain, connections: connectionsOf(chain) }));
      if (options.json) {
        const json = reports.map(({ chain, connections }) => checkJson(chain, connections));
        print(json.length === 1 ? json[0] : json);
      } else {
        process.stdout.write(reports.map(({ chain, connections }) => checkText(chain, connections, pc)).join('\n'));
      }
      if (reports.some(({ connections }) => connections.some((connection) => !isSafe(connection.verdict)))) process.exitCode = 1;
    });

  const probe = keepalive.command('probe');
  teach(probe, {
    examples: [
      ['keepalive probe examples/chains/three-hops-fault-second.yaml --scale-to 1000', 'each connection scaled to a 1 s upstream keep-alive, probed'],
      ['keepalive probe examples/chains/mismatched.yaml --scale-to 1000 --json', 'the counts as JSON'],
      ['keepalive probe examples/chains/mismatched.yaml --gateway-url http://127.0.0.1:8000 --backend-port 9000', "your gateway on 8000 instead of the chain's last connection, its target pointed at 9000"],
    ],
    exits: [exits.ok('every connection is safe'), exits.failed('one is not, or the probe could not tell'), exits.usage, exits.interrupted, exits.terminated, exits.outputClosed],
  });
  probe
    .argument('<chain...>', 'chain file(s): the hops from the client side to the origin (YAML)')
    .description('prove the verdict with traffic: requests on warmed pooled connections after idle gaps around each boundary')
    .option('--time-scale <factor>', 'multiply every duration of the chain by this (default 1: real time)')
    .option('--scale-to <ms>', "instead: scale each connection so its upstream keeps an idle connection this many real ms")
    .option('--hold-fin-ms <ms>', "how long the upstream's FIN is held in flight (real ms; 0: the natural race)", String(defaultProbeSettings.holdFinMs))
    .option('--latency-ms <ms>', 'one-way latency of the return trip (real ms): gives equal timeouts their race', String(defaultProbeSettings.latencyMs))
    .option('--repeat <n>', 'requests per gap', String(defaultProbeSettings.repeat))
    .option('--engine <version>', `Microgateway hops on the real microgateway-core (${engineVersions.join(' or ')}) instead of the harness's model`)
    .option('--gateway-url <url>', "probe your own gateway instead (only the chain's last connection): its URL")
    .option('--backend-port <port>', "with --gateway-url: the port your gateway's target points at")
    .option('--backend-host <address>', 'with --gateway-url: the address the backend listens on', '127.0.0.1')
    .option('--max-seconds <s>', 'refuse to start a probe expected to take longer', '300')
    .option('--json', 'print JSON instead of tables')
    .option('--markdown', 'print the Markdown table the docs use')
    .exitOverride()
    .action(async (files: string[], raw: Record<string, unknown>) => {
      const { settings, external, options } = parseProbeOptions(raw);
      const chains = loadChains(files);
      if (external && chains.length > 1) throw new FaultgateError('E_USAGE', '--gateway-url: probe one chain at a time against your gateway');
      const plans: ProbePlan[] = chains.map((chain) => planProbe(chain, settings, external));
      const estimatedMs = refuseLongProbe(plans, settings, options.maxSeconds);

      const quiet = options.json || options.markdown || !process.stderr.isTTY;
      const bar = quiet
        ? undefined
        : new cliProgress.SingleBar(
            { stream: process.stderr, format: 'probe [{bar}] {value}/{total} trials | {duration}s of about {estimate}s', hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          );
      // Ctrl-C, SIGTERM, SIGHUP, the parent or the output's reader gone: the probe closes every
      // server and nginx it started and removes its folders before the command exits.
      const stop = abortOnStop();
      let results: ProbeResult[];
      try {
        results = await runProbes(
          plans,
          (done, total) => {
            if (!bar) return;
            if (done === 0) bar.start(total, 0, { estimate: Math.ceil(estimatedMs / 1000) });
            else bar.update(done);
          },
          stop.signal,
        );
      } catch (error) {
        if (!stop.signal.aborted) throw error;
        stop.conclude();
        return;
      } finally {
        bar?.stop();
        stop.dispose();
      }

      if (options.markdown) process.stdout.write(`${markdownTable(results)}\n`);
      else if (options.json) print(results.length === 1 ? probeJson(results[0] as ProbeResult) : results.map(probeJson));
      else {
        process.stdout.write(results.map((result) => probeText(result, pc)).join('\n'));
      }
      if (results.some((result) => result.verdict !== 'safe')) process.exitCode = 1;
    });
}
