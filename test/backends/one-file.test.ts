/**
 * One fault, one file: a throwaway backend added the way the README's "Adding a failure mode"
 * says (its file, and its name in the typed registry) is found everywhere a backend appears,
 * with no other edit. It is added to a copy of the tree in a folder of its own (links to the
 * checkout's files, but for the registry and its readers), never to the checkout, so test files
 * that read faulty-backends/ at the same time never see it; the copy is removed however the test
 * ends.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsWithoutService, loadCompose, serviceToAdd } from '../compose/compose-file.ts';
import { missingPaths, readmeLayout, unlistedFiles } from '../layout.ts';
import { listeningBackends, registryProblems, silentBackends } from './registry.ts';

const root = resolve(import.meta.dirname, '..', '..');
const NAME = 'throwaway-fin-at-once';

/** The whole new backend: a file like any other, with a demo that names the failure it makes. */
const backendFile = `/**
 * ${NAME} — closes each connection (FIN) as soon as the whole request head has arrived.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

export const throwawayFinAtOnce = defineBackend({
  name: '${NAME}',
  summary: 'closes (FIN) once the request head has arrived',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: () => 'reads the request head, then closes (FIN) without a response',
  demo: { failure: 'awaiting-response × fin' },
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      const conn = backend.track(socket);
      whenRequestRead(socket, backend, conn, 0, () => socket.end());
    });
    return backend.serve(server, listenOptions);
  },
});
`;

/** The registry's one line for it, and its import: what the README says to add. */
function register(index: string): string {
  const importLine = `import { throwawayFinAtOnce } from './${NAME}.ts';\n`;
  const withImport = index.replace(/^(import [^\n]*\n)(?!import )/m, `$1${importLine}`);
  return withImport.replace('export const backends = {\n', `export const backends = {\n  '${NAME}': throwawayFinAtOnce,\n`);
}

/**
 * The registry and its readers that the test asks, copied so that the readers import the copy's
 * registry; every other file of faulty-backends/ and harness/ is a link to the checkout's, which
 * the test process has loaded already, so only these are compiled again.
 */
const copied = new Set(['faulty-backends/index.ts', 'harness/stage/plan.ts', 'harness/cli/help.ts']);

/** A folder of the checkout as links to its files, but for the copied ones. */
function mirror(relative: string, target: string): void {
  mkdirSync(join(target, relative), { recursive: true });
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory()) mirror(path, target);
    else if (copied.has(path)) copyFileSync(join(root, path), join(target, path));
    else symlinkSync(join(root, path), join(target, path));
  }
}

let copy = '';
const fromCopy = <T>(path: string): Promise<T> => import(pathToFileURL(join(copy, path)).href) as Promise<T>;
const registryOfCopy = () => fromCopy<typeof import('../../faulty-backends/index.ts')>('faulty-backends/index.ts');

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'faultgate-one-file-'));
  copyFileSync(join(root, 'README.md'), join(copy, 'README.md'));
  mirror('faulty-backends', copy);
  mirror('harness', copy);
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  writeFileSync(join(copy, 'faulty-backends', `${NAME}.ts`), backendFile);
  const indexPath = join(copy, 'faulty-backends', 'index.ts');
  writeFileSync(indexPath, register(readFileSync(indexPath, 'utf8')));
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('a backend added as one file', () => {
  it('and its name in the registry: nothing else is edited; without the name, the registry check names the file', async () => {
    const before = readFileSync(join(root, 'faulty-backends', 'index.ts'), 'utf8').split('\n');
    const added = readFileSync(join(copy, 'faulty-backends', 'index.ts'), 'utf8').split('\n').filter((line) => !before.includes(line));
    expect(added).toEqual([`import { throwawayFinAtOnce } from './${NAME}.ts';`, `  '${NAME}': throwawayFinAtOnce,`]);
    const { backends } = await import('../../faulty-backends/index.ts');
    expect(await registryProblems(join(copy, 'faulty-backends'), Object.keys(backends))).toEqual([`${NAME}.ts: "${NAME}" is not in the backends of faulty-backends/index.ts`]);
  });

  it('is in the registry, starts and stops, and `backend --help` lists it', async () => {
    const registry = await registryOfCopy();
    expect(Object.keys(registry.backends)).toContain(NAME);
    expect(await registryProblems(join(copy, 'faulty-backends'), Object.keys(registry.backends))).toEqual([]);
    const running = await registry.backendNamed(NAME).start();
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await running.close();
    const help = await fromCopy<typeof import('../../harness/cli/commands/backend.ts')>('harness/cli/commands/backend.ts');
    expect(help.backendSettingSections().flatMap((section) => section.lines)).toContain(`  ${NAME}: closes (FIN) once the request head has arrived`);
  });

  it("has a row per personality in `up`, with each personality's answer to the failure it declares; the lifecycle test starts it, the fuzzer sends to it", async () => {
    const { failureOf, planStage, stageBackends } = await fromCopy<typeof import('../../harness/stage/plan.ts')>('harness/stage/plan.ts');
    expect(listeningBackends(stageBackends(), failureOf).map(String)).toContain(NAME);
    expect(silentBackends(stageBackends(), failureOf).map(String)).not.toContain(NAME);
    const rows = planStage({ handshakeLimitMs: 1000, idleCloseMs: 300, finHoldMs: 10000, requestTimeoutS: 1 }).filter((row) => String(row.backend) === NAME);
    expect(rows.map(({ personality, variant, reproduces, requests, logs }) => ({ personality, variant, reproduces, requests, logs }))).toEqual([
      { personality: 'edge', variant: undefined, reproduces: '502 Unexpected EOF at target: the target closes before answering', requests: { kind: 'one' }, logs: false },
      {
        personality: 'microgateway',
        variant: undefined,
        reproduces: '502 {"message":"socket hang up","code":"ECONNRESET"}: the target closes before answering',
        requests: { kind: 'one' },
        logs: true,
      },
    ]);
  });

  it('is the one service the compose test finds missing, and the service it prints is all it takes; the layout picture covers its file', async () => {
    const registry = Object.keys((await registryOfCopy()).backends);
    expect(backendsWithoutService(loadCompose(), registry)).toEqual([NAME]);
    const composePath = join(copy, 'docker-compose.yml');
    writeFileSync(composePath, readFileSync(join(root, 'docker-compose.yml'), 'utf8').replace(/^services:\n/m, `services:\n${serviceToAdd(NAME, 'http')}\n\n`));
    expect(backendsWithoutService(loadCompose(composePath), registry)).toEqual([]);
    // The picture's lines for the folder the copy holds whole.
    const paths = readmeLayout(copy).filter((path) => path.startsWith('faulty-backends/'));
    expect(missingPaths(copy, paths)).toEqual([]);
    expect(unlistedFiles(copy, paths)).toEqual([]);
  });
});
