/**
 * Every subcommand, in the order --help lists them: its name, the line the top-level help shows for
 * it, and its module, loaded only when that command runs or its own help is asked for. A start
 * then reads only the modules its command needs: `backend` does not load the gateway, the runner or
 * the keep-alive probe (test/cli/lazy-commands.test.ts holds each term to its command's own).
 */
import type { Command } from 'commander';

export interface CommandModule {
  /** adds the command's arguments, options, help and action to it (its name and summary are set) */
  define(command: Command): void;
}

export interface CommandEntry {
  name: string;
  /** what the top-level help lists: the name, [options] and the arguments, as commander writes them */
  term: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'list', term: 'list [options]', summary: 'list the scenarios: name, title, document, cause, personality', load: () => import('./list.ts') },
  {
    name: 'run',
    term: 'run [options] <names...>',
    summary: 'run scenarios: reproduce each documented failure and its fix, and check them against the documents',
    load: () => import('./run.ts'),
  },
  {
    name: 'up',
    term: 'up [options]',
    summary: 'start every faulty backend behind a gateway of each personality, print what to curl, run until Ctrl-C',
    load: () => import('./up.ts'),
  },
  { name: 'gateway', term: 'gateway [options]', summary: 'run one gateway (edge or microgateway personality) in front of a target until Ctrl-C', load: () => import('./gateway.ts') },
  { name: 'backend', term: 'backend [options] <name>', summary: 'run one faulty backend until Ctrl-C', load: () => import('./backend.ts') },
  {
    name: 'keepalive',
    term: 'keepalive',
    summary: "check a chain of hops against the Microgateway document's keep-alive rule, and prove it with traffic",
    load: () => import('./keepalive.ts'),
  },
];
