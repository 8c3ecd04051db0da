/**
 * The package as a stranger gets it: packed by `npm pack`, installed into an empty project from the
 * tarball, and used there with no TypeScript loader: imported from plain Node ESM, required from
 * CommonJS, type-checked by `tsc --strict --module NodeNext`, and run as `npx faultgate`.
 *
 * Too slow for `npm test` (a build, an install), so .ci/run runs it as a step of its own:
 * `npm run test:package`. Prints one line per check and ends with "consumer: N passed, N failed";
 * exits 1 if any check failed. The projects in test/package/consumer/ are what the consumer writes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./consumer/', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything that configures faultgate behind the check's back, and no colours. */
function environment(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !key.startsWith('FAULTGATE_') && !key.startsWith('npm_') && !key.includes('.'));
  return { ...Object.fromEntries(kept), NO_COLOR: '1' };
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: environment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs and requires exit 0; the error carries the command's last words. */
async function succeed(command: string, args: readonly string[], cwd: string, timeoutMs?: number): Promise<string> {
  const ran = await run(command, args, cwd, timeoutMs);
  if (ran.code !== 0) {
    const said = `${ran.stderr}\n${ran.stdout}`.trim().split('\n').slice(-6).join(' | ').slice(0, 600);
    throw new Error(`${command} ${args.join(' ')} exited ${ran.code}: ${said}`);
  }
  return ran.stdout;
}

/** Whether a TCP connection to the port on loopback is accepted. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** The one JSON line a fixture or `faultgate run --json` prints. */
function jsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON line, got: ${stdout.trim().slice(0, 300)}`);
  }
}

/** The README's code block whose first line is `// <file>…`, as the file it names. */
function readmeExample(file: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = readme.split('```').find((part) => part.startsWith(`js\n// ${file}`));
  if (block === undefined) throw new Error(`README.md has no js block starting "// ${file}"`);
  return block.slice('js\n'.length);
}

const work = mkdtempSync(join(tmpdir(), 'faultgate-consumer-'));
const project = join(work, 'project');
let tarball = '';

interface RunResult {
  scenario: string;
  ok: boolean;
  problems: string[];
  response?: { status: number };
}

/** `faultgate run … --json` from the consumer project: the verdict first (it says why), then the exit code. */
async function judgeRun(args: readonly string[], name: string): Promise<void> {
  const ran = await run('npx', ['faultgate', 'run', ...args, '--json'], project);
  if (ran.stdout.trim() === '') throw new Error(`npx faultgate run ${args.join(' ')} exited ${ran.code} with no result: ${ran.stderr.trim().slice(0, 400)}`);
  const result = jsonLine<RunResult>(ran.stdout);
  check(result.scenario === name, `expected scenario ${name}, got ${result.scenario}`);
  check(result.ok, `${name}: not as the document says: ${result.problems.join('; ')}`);
  check(result.response?.status === 502, `${name}: expected a 502, got ${result.response?.status}`);
  check(ran.code === 0, `npx faultgate run ${args.join(' ')} exited ${ran.code}`);
}


const checks: [name: string, body: () => Promise<void>][] = [
  [
    'npm pack: dist/ with declarations and the command; no sources, tests, benchmarks or Dockerfile',
    async () => {
      // "prepare" builds dist/ first; its output comes before npm's JSON array.
      const stdout = await succeed('npm', ['pack', '--json', '--pack-destination', work], root, 300_000);
      const packed = (JSON.parse(stdout.slice(stdout.startsWith('[') ? 0 : stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[])[0];
      check(packed !== undefined, 'npm pack printed no package');
      tarball = join(work, packed?.filename ?? '');
      const paths = packed?.files.map((file) => file.path) ?? [];
      for (const needed of ['package.json', 'bin/faultgate.js', 'dist/harness/index.js', 'dist/harness/index.d.ts', 'dist/harness/reference/engine-child.cjs', 'dist/scenarios/tls-handshake-timeout.js']) {
        check(paths.includes(needed), `the tarball lacks ${needed}`);
      }
      const stray = paths.filter((path) => /^(test|bench|docs|harness|scenarios|faulty-backends)\//.test(path) || /^(Dockerfile|docker-compose\.yml|tsconfig.*\.json|vitest\.config\.ts)$/.test(path) || /(?<!\.d)\.[cm]?ts$/.test(path));
      check(stray.length === 0, `the tarball holds ${stray.slice(0, 5).join(', ')}`);
    },
  ],
  [
    'npm install of the tarball into an empty project',
    async () => {
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'faultgate-consumer', private: true }, null, 2)}\n`);
      for (const file of readdirSync(fixtures)) cpSync(join(fixtures, file), join(project, file));
      await succeed('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], project, 300_000);
    },
  ],
  [
    'plain Node ESM: import from "faultgate", a gateway in front of a faulty backend answers 502',
    async () => {
      const logs = join(work, 'logs');
      const result = jsonLine<{ status: number; body: string; lines: number }>(await succeed('node', ['esm.mjs', logs], project));
      check(result.status === 502 && result.body === '{"message":"socket hang up","code":"ECONNRESET"}', `got ${result.status} ${result.body}`);
      check(result.lines === 2, `expected the document's 2 log lines, got ${result.lines}`);
    },
  ],
  [
    'CommonJS: require("faultgate"), the same module instance as import()',
    async () => {
      const result = jsonLine<{ refused: string; scenarios: number; sameModule: boolean }>(await succeed('node', ['cjs.cjs'], project));
      check(result.refused !== '' && !result.refused.startsWith('not a FaultgateError'), `parseTarget: ${result.refused || 'accepted a bad target'}`);
      check(result.scenarios >= 8, `loadScenarios found ${result.scenarios} scenarios`);
      check(result.sameModule, 'require and import gave two copies of the module');
    },
  ],
  [
    'the README\'s "As a library" examples run as written, ESM and CommonJS',
    async () => {
      writeFileSync(join(project, 'my-test.mjs'), readmeExample('my-test.mjs'));
      writeFileSync(join(project, 'my-test.cjs'), readmeExample('my-test.cjs'));
      // The examples write their product logs where the README says; folders they made are removed.
      const logFolders = ['/tmp/mg', '/tmp/edge'].filter((folder) => !existsSync(folder));
      try {
        const esm = await succeed('node', ['my-test.mjs'], project);
        check(esm.includes('502 {"message":"socket hang up","code":"ECONNRESET"}'), `my-test.mjs printed: ${esm.slice(0, 300)}`);
        check(/^true 502 /m.test(esm), `my-test.mjs: the scenario did not come out as its document says: ${esm.slice(0, 300)}`);
        const cjs = await succeed('node', ['my-test.cjs'], project);
        check(/^504 \S+-1$/m.test(cjs), `my-test.cjs printed: ${cjs.slice(0, 300)}`);
      } finally {
        for (const folder of logFolders) rmSync(folder, { recursive: true, force: true });
      }
    },
  ],
  [
    'tsc --strict --module NodeNext type-checks an ESM and a CommonJS consumer',
    async () => {
      await succeed('node', [tsc, '--strict', '--module', 'NodeNext', '--noEmit', 'consumer.mts', 'consumer.cts'], project);
    },
  ],
  [
    'npx faultgate run tls-handshake-timeout --json',
    () => judgeRun(['tls-handshake-timeout'], 'tls-handshake-timeout'),
  ],
  [
    "npx faultgate run ./my-scenario.ts --json: the user's TypeScript scenario, importing faultgate",
    () => judgeRun(['./my-scenario.ts'], 'my-hang-up'),
  ],
  [
    'SIGTERM to npx faultgate backend healthy: the command exits with npx, nothing is left listening',
    async () => {
      const npx = spawn('npx', ['faultgate', 'backend', 'healthy', '--port', '0'], { cwd: project, env: environment(), stdio: ['ignore', 'pipe', 'inherit'] });
      // Every process of the chain (npm, its sh -c, the command) holds stdout: it closes when all have exited.
      const closed = once(npx.stdout, 'close');
      const [url = ''] = (await once(createInterface({ input: npx.stdout }), 'line')) as [string];
      const port = Number(new URL(url).port);
      check((await connects(port)) === true, `nothing listens on ${url}`);
      npx.kill('SIGTERM');
      const gone = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
      const stillListening = await connects(port);
      if (!gone || stillListening) {
        // Nothing may outlive the check: end the command, found by this project's own path.
        const left = spawnSync('pgrep', ['-f', join(project, 'node_modules')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
        for (const pid of left) process.kill(Number(pid), 'SIGKILL');
      }
      check(gone, 'the command still ran 10 s after npx was stopped');
      check(!stillListening, `port ${port} still listens after npx was stopped`);
    },
  ],
  [
    'npx faultgate without tsx installed: the command needs no TypeScript loader; --version',
    async () => {
      renameSync(join(project, 'node_modules', 'tsx'), join(work, 'tsx-aside'));
      await judgeRun(['target-premature-close'], 'target-premature-close');
      const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
      const said = (await succeed('npx', ['faultgate', '--version'], project)).trim();
      check(said === version, `npx faultgate --version printed "${said}", not ${version}`);
    },
  ],
];

let passed = 0;
let failed = 0;
let broken: string | undefined;
try {
  for (const [name, body] of checks) {
    const started = performance.now();
    try {
      if (broken !== undefined) throw new Error(`not run: ${broken}`);
      await body();
      passed += 1;
      console.log(`✓ ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed += 1;
      const message = error instanceof Error ? error.message : String(error);
      console.log(`✗ ${name}: ${message}`);
      // Later checks need the tarball and the installed project.
      if (tarball === '' || name.startsWith('npm install')) broken ??= 'the package was not packed and installed';
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`consumer: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
