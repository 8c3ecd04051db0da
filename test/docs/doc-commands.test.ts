/**
 * Docs that cannot drift: every command the README and docs/*.md show is run, from the project's
 * root, as a user would paste it (`npx faultgate` is the command from the sources), and what it
 * prints is compared with what the page shows, its exit code with what the page says. What is not
 * run (Docker, real-time runs, sessions that last until Ctrl-C) is named with the reason in
 * command-rules.ts. `--help` is asked of the program in this process, which is the same program
 * and costs no start-up; everything else runs in a shell, two at a time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { cleanEnvironment, FAULTGATE } from '../helpers.ts';
import { commandRules, ruleFor } from './command-rules.ts';
import { commandsIn, difference, promisedExit, type DocCommand } from './doc-commands.ts';
import { commandPaths, examplesIn, helpOf, parseOnly, type Outcome } from './help-of.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The pages whose commands are run: the README and every page in docs/. */
const pages = ['README.md', ...readdirSync(new URL('../../docs/', import.meta.url)).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
/** Two at a time: the suite's other files share the machine's two cores. */
const CONCURRENCY = 2;
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * The system temp folder the commands see: a folder of the test's own, removed afterwards, since a
 * narrated run keeps its product log in a new folder there for the reader to open.
 */
const commandsTmp = mkdtempSync(join(tmpdir(), 'faultgate-docs-'));
afterAll(() => rmSync(commandsTmp, { recursive: true, force: true }));

/** Runs a command line in a shell, `npx faultgate` being the sources' command; stdout and stderr together. */
function inShell(command: string): Promise<Outcome> {
  const line = command.replaceAll('npx faultgate ', `"${process.execPath}" "${FAULTGATE}" `);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `(${line}) 2>&1`], { cwd: root, env: { ...cleanEnvironment(), TMPDIR: commandsTmp }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // A command that should have ended and did not: its whole process group goes.
    const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), COMMAND_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const helpArgs = (command: string): string[] | undefined => {
  const match = /^npx faultgate((?: [a-z-]+)*) --help$/.exec(command);
  return match ? [...(match[1] ?? '').trim().split(' ').filter(Boolean), '--help'] : undefined;
};

async function run(command: DocCommand): Promise<Outcome> {
  const rule = ruleFor(command.command);
  const line = rule?.rewrite ? rule.rewrite(command.command) : command.command;
  const args = helpArgs(line);
  if (args) return helpOf(args);
  const undo = await rule?.before?.();
  try {
    return await inShell(line);
  } finally {
    await undo?.();
  }
}

const commands = pages.flatMap((page) => commandsIn(readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8'), page));
const runnable = commands.filter((command) => !ruleFor(command.command)?.skip);
const outcomes = new Map<string, Promise<Outcome>>();

beforeAll(async () => {
  // Each distinct command once, a few at a time.
  const distinct = [...new Map(runnable.map((command) => [command.command, command])).values()];
  const queue = [...distinct];
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = run(next);
      outcomes.set(next.command, outcome);
      await outcome.catch(() => undefined);
    }
  });
  await Promise.all(workers);
}, 240_000);

describe('the commands the docs show', () => {
  it('each has a rule saying whether and how it runs', () => {
    expect(commands.filter((command) => !ruleFor(command.command)).map((command) => `${command.where}: ${command.command}`)).toEqual([]);
    expect(runnable.length).toBeGreaterThan(10);
  });

  it('a test a skip names as doing the work instead exists', () => {
    const named = commandRules.flatMap((rule) => rule.skip?.match(/test\/[\w/.-]+\.ts/g) ?? []);
    expect(named.filter((file) => !existsSync(new URL(`../../${file}`, import.meta.url)))).toEqual([]);
  });

  for (const command of runnable) {
    it(`${command.where}: ${command.command}`, async () => {
      const outcome = await outcomes.get(command.command);
      if (!outcome) throw new Error('not run');
      const ruled = ruleFor(command.command)?.exit;
      const exit = typeof ruled === 'function' ? ruled(outcome.output) : (ruled ?? promisedExit(command));
      expect(outcome.code, outcome.output).toBe(exit);
      const refresh = command.where.startsWith('docs/cli.md') ? '\n(docs/cli.md is written by the program: npm run docs:cli)' : '';
      if (command.expected) expect(difference(command.expected, outcome.output.split('\n')), `${outcome.output}${refresh}`).toBeUndefined();
    });
  }
});

describe('the tour', () => {
  // The README's `npx faultgate run all` is what `npm start` runs; its run above is read once more
  // here rather than started a second time.
  it('run all (npm start): narrates every scenario and its fix, and exits 0', async () => {
    const outcome = await outcomes.get('npx faultgate run all');
    if (!outcome) throw new Error('the README no longer shows `npx faultgate run all`');
    expect(outcome.code).toBe(0);
    for (const scenario of await loadScenarios()) expect(outcome.output).toContain(`━━ ${scenario.name}: ${scenario.title}`);
    expect(outcome.output).not.toContain('✘');
    expect(outcome.output).toContain('timeline');
    expect(outcome.output).toContain('the fix    npx faultgate run keepalive-timeout-aligned');
  });
});

describe("the examples in each command's --help", () => {
  it('parse as the program reads them, and the files they name exist', async () => {
    const problems: string[] = [];
    for (const path of await commandPaths()) {
      for (const example of examplesIn((await helpOf([...path, '--help'])).output)) {
        const args = example.split(' ');
        const refused = await parseOnly(args);
        if (refused) problems.push(`${example}: ${refused}`);
        const missing = args.filter((arg) => /^(examples|scenarios|docs)\//.test(arg) && !arg.includes('*') && !existsSync(new URL(`../../${arg}`, import.meta.url)));
        if (missing.length) problems.push(`${example}: no such file ${missing.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await parseOnly(['run', 'all', '--no-such-option'])).toMatch(/unknown option '--no-such-option'/);
  });
});

describe('the comparison', () => {
  const printed = ['answer    502 {"ok":false}', '    10.0 ms  client          sends GET /', '    12.5 ms  gateway         receives GET /', 'took 1008 ms at 127.0.0.1:40021', 'the end'];
  it('takes times, addresses and the order of one millisecond\'s timeline rows as they come', () => {
    expect(difference(['answer    502 {"ok":false}', '    1.2 ms  gateway         receives GET /', '  1.0 ms  client   sends GET /', 'took 55 ms at 10.0.0.1:8080', 'the end'], printed)).toBeUndefined();
  });
  it('finds a changed word, a missing line and a line more', () => {
    expect(difference(['answer    504 {"ok":false}'], printed)).toMatch(/expected "answer 504/);
    expect(difference(printed.slice(0, -1), printed)).toMatch(/printed more than the page shows, from "the end"/);
    expect(difference([...printed, 'after the end'], printed)).toMatch(/expected "after the end"/);
  });
  it('lets … stand for lines, or for the rest of a line', () => {
    expect(difference(['answer    502 …', '…', 'the end'], printed)).toBeUndefined();
    expect(difference(['answer    502 …', 'the end'], printed)).toBeDefined();
  });
});
