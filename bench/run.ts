/**
 * npm run bench: runs each benchmark, prints its figures as it finishes, then one table of every
 * goal beside what was measured, met or not. Speed is reported as ratios against a baseline
 * measured in the same run; the other figures are counts, memory, offsets from a configured limit,
 * and the wall times of the reproductions as anyone would see them.
 *
 *   npm run bench                          everything (about 7 minutes on 2 cores)
 *   npm run bench -- throughput hung       some benchmarks only
 *   npm run bench -- --no-npm-test         reproduction cost without the test suite
 *   npm run bench -- hung --hung-rate 300  hung requests opened at another rate (default 300/s)
 *   npm run bench -- --json out.json       also write the findings as JSON
 *   npm run bench -- scenarios --record    scenario rate, written to bench/recorded.json as the figure to hold
 *   npm run bench -- fuzz                  the fuzzer for 120 s (--fuzz-seconds, --fuzz-seed); not in the default run
 *   npm run bench -- soak                  every personality × backend at high concurrency, 3 rounds; not in the default run
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { defaultHungOptions, runHungConnections } from './hung-connections.ts';
import { cleanUpOnInterrupt } from './lib/cleanup.ts';
import { findingsTable, formatTable, progress, type BenchmarkResult, type Finding } from './lib/report.ts';
import { runFuzz } from './fuzz.ts';
import { runReproductionCost } from './reproduction-cost.ts';
import { runScenarioRate } from './scenario-rate.ts';
import { runSoak } from './soak.ts';
import { runThroughput } from './throughput.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-npm-test': { type: 'boolean', default: false },
    json: { type: 'string' },
    'hung-rate': { type: 'string' },
    record: { type: 'boolean', default: false },
    'fuzz-seconds': { type: 'string' },
    'fuzz-seed': { type: 'string' },
  },
});
const hungRate = values['hung-rate'] === undefined ? defaultHungOptions.ratePerSec : Number(values['hung-rate']);
if (!(hungRate > 0)) {
  process.stderr.write(`--hung-rate: expected requests per second, got ${values['hung-rate']}\n`);
  process.exit(2);
}
cleanUpOnInterrupt();

const benchmarks: Record<string, () => Promise<BenchmarkResult>> = {
  throughput: () => runThroughput(),
  hung: () => runHungConnections({ ...defaultHungOptions, ratePerSec: hungRate }),
  scenarios: () => runScenarioRate({ record: values.record }),
  reproduction: () => runReproductionCost({ npmTest: !values['no-npm-test'] }),
  soak: () => runSoak(),
  fuzz: () => runFuzz({ seconds: Number(values['fuzz-seconds'] ?? 120), ...(values['fuzz-seed'] ? { seed: Number(values['fuzz-seed']) } : {}) }),
};
/** Run only when named: long, and about reliability rather than speed. */
const onlyWhenNamed = new Set(['fuzz', 'soak']);
const TOTAL_GOAL_MS = 5 * 60_000;

const unknown = positionals.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}
const selected = positionals.length > 0 ? positionals : Object.keys(benchmarks).filter((name) => !onlyWhenNamed.has(name));

const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`;
process.stdout.write(`${pc.bold('faultgate benchmarks')}: ${machine}\n\n`);

const started = performance.now();
const findings: Finding[] = [];
for (const name of selected) {
  progress(`${name}: starting`);
  try {
    const result = await benchmarks[name]!();
    findings.push(...result.findings);
    if (result.details) process.stdout.write(`${pc.bold(result.details.title)}\n${formatTable(result.details.head, result.details.rows)}\n\n`);
  } catch (error) {
    // One benchmark that cannot run must not hide the others' figures.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    findings.push({ benchmark: name, measure: 'ran to the end', goal: 'yes', measured: message, met: false });
  }
}
const totalMs = performance.now() - started;
if (positionals.length === 0) {
  findings.push({
    benchmark: 'bench',
    measure: 'npm run bench, wall time',
    goal: '< 5 min',
    measured: `${(totalMs / 1000).toFixed(0)} s`,
    met: totalMs < TOTAL_GOAL_MS,
    ...(values['no-npm-test'] ? { note: 'without npm test' } : {}),
  });
}

process.stdout.write(`${pc.bold('Goals')}\n${findingsTable(findings)}\n`);
const unmet = findings.filter((finding) => finding.met === false).length;
process.stdout.write(`\n${unmet === 0 ? pc.green('every goal met') : pc.red(`${unmet} goal(s) not met`)}; ${(totalMs / 1000).toFixed(0)} s\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, totalMs, findings }, null, 2)}\n`);
