/**
 * Reproduction cost: the wall time of each documented scenario run on its own, as anyone would run
 * it (`node bin/faultgate.js run <name> --json`, process start included), beside the scenario's own
 * elapsedMs (first request to last answer), and the wall time of `npm test` as a whole.
 */
import { spawn } from 'node:child_process';
import { projectRoot } from './lib/children.ts';
import { progress, type BenchmarkResult, type Finding } from './lib/report.ts';

export interface ReproductionOptions {
  /** `npm test` takes the longest: leave it out while iterating on the benchmarks */
  npmTest: boolean;
}

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs a command to its end (SIGKILL after `timeoutMs`) and times it. */
function timed(command: string, args: string[], timeoutMs: number): Promise<Exited> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

interface ListedScenario {
  name: string;
  personality: string;
  role: string;
}

interface RunLine {
  scenario: string;
  ok: boolean;
  elapsedMs: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** What the whole suite may take on a two-core machine, so that a change is tried in well under a minute. */
const NPM_TEST_GOAL_MS = 45_000;
// Reporters may colour their summary whatever the environment says.
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

export async function runReproductionCost(options: ReproductionOptions): Promise<BenchmarkResult> {
  const findings: Finding[] = [];
  const rows: string[][] = [];
  const faultgate = ['bin/faultgate.js'];

  const listed = await timed(process.execPath, [...faultgate, 'list', '--json'], 30_000);
  let scenarios: ListedScenario[] = [];
  try {
    scenarios = JSON.parse(listed.stdout) as ListedScenario[];
  } catch {
    findings.push({ benchmark: 'reproduction cost', measure: 'faultgate list --json', goal: '—', measured: `unreadable (exit ${listed.code}): ${listed.stderr.trim().split('\n').at(-1) ?? ''}`, met: undefined });
  }

  const walls: { name: string; wallMs: number }[] = [];
  let met = 0;
  for (const scenario of scenarios) {
    progress(`reproduction cost: ${scenario.name}`);
    const run = await timed(process.execPath, [...faultgate, 'run', scenario.name, '--json'], 120_000);
    const lines = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as RunLine);
    const evidence = lines[0];
    walls.push({ name: scenario.name, wallMs: run.wallMs });
    if (evidence?.ok) met++;
    rows.push([scenario.name, scenario.personality, scenario.role, evidence ? seconds(evidence.elapsedMs) : '—', seconds(run.wallMs), evidence ? (evidence.ok ? 'yes' : 'NO') : `exit ${run.code}`]);
  }
  if (walls.length > 0) {
    const total = walls.reduce((sum, wall) => sum + wall.wallMs, 0);
    const longest = walls.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    rows.push(['all, one at a time', '', '', '', seconds(total), `${met}/${walls.length}`]);
    findings.push({
      benchmark: 'reproduction cost',
      measure: `${walls.length} scenarios, one process each`,
      goal: '—',
      measured: `${seconds(total)} in all; longest ${longest.name} ${seconds(longest.wallMs)}`,
      met: undefined,
      note: `${met}/${walls.length} as documented`,
    });
  }

  if (options.npmTest) {
    progress('reproduction cost: npm test');
    const test = await timed('npm', ['test', '--silent'], 600_000);
    const summary = /Tests\s+(.*)$/m.exec(stripAnsi(test.stdout))?.[1]?.trim() ?? `exit ${test.code}`;
    // A failure is named, not only counted: the suite's output is not kept.
    const failed = [...new Set(stripAnsi(test.stdout).split('\n').filter((line) => /^\s*FAIL\s/.test(line)).map((line) => line.replace(/^\s*FAIL\s+/, '').trim()))];
    for (const name of failed) progress(`reproduction cost: npm test: FAIL ${name}`);
    rows.push(['npm test', '', '', '', seconds(test.wallMs), summary]);
    findings.push({
      benchmark: 'reproduction cost',
      measure: 'npm test, whole suite',
      goal: `under ${NPM_TEST_GOAL_MS / 1000} s, all passed`,
      measured: seconds(test.wallMs),
      met: test.code === 0 && test.wallMs < NPM_TEST_GOAL_MS,
      note: summary,
    });
  }
  return {
    findings,
    details: {
      title: 'Reproduction cost: each scenario with its default test timings (node bin/faultgate.js run <name> --json)',
      head: ['scenario', 'personality', 'role', 'elapsedMs (scenario)', 'wall (process)', 'as documented'],
      rows,
    },
  };
}
