/**
 * What the docs test does with each command a page shows: the first rule whose pattern matches
 * decides. A command no rule matches fails the test, naming it, so a page that gains a new kind of
 * command gains a rule here too. To add one: a pattern, and either why it is not run (`skip`) or how
 * it is run (`rewrite`, `exit`, `before`). A test file a skip names as doing the work instead must exist.
 */
import net from 'node:net';

export interface CommandRule {
  /** matched against the command as written (without its comment) */
  match: RegExp;
  /** not run, and why */
  skip?: string;
  /** run this instead, e.g. a long-lived command with --check: its options are checked, nothing starts */
  rewrite?: (command: string) => string;
  /** the exit code, when the page's comment does not say it (default 0), or how to read it from what was printed */
  exit?: number | ((output: string) => number);
  /** prepares what the page says the command meets; resolves to an undo */
  before?: () => Promise<() => Promise<void>>;
}

/** Holds a port so that a command asking for it finds it in use (it may already be in use: the same). */
function holdPort(port: number): () => Promise<() => Promise<void>> {
  return () =>
    new Promise((resolve) => {
      const server = net.createServer();
      const release = () => new Promise<void>((done) => (server.listening ? server.close(() => done()) : done()));
      server.once('error', () => resolve(release));
      server.listen(port, '127.0.0.1', () => resolve(release));
    });
}

export const commandRules: CommandRule[] = [
  { match: /^npx faultgate( [a-z-]+)* --help$/ },
  { match: /^docker\b/, skip: 'needs Docker (test/compose/ checks the compose file and runs its services locally)' },
  { match: /^(curl|tail|for|cat)\b/, skip: 'talks to a running `up` or compose session' },
  { match: /^npm ci\b/, skip: 'a fresh install and the whole suite: what CI (.ci/run) does' },
  { match: /--real-time/, skip: "the products' own timings: a minute per scenario" },
  { match: /--wire\b/, skip: 'network namespaces need root (the wire tests run them)' },
  { match: /^npx faultgate up\b/, skip: 'runs until Ctrl-C (test/stage/up.test.ts starts and stops it)' },
  {
    match: /^npx faultgate keepalive probe\b/,
    skip: 'test/keepalive/probe.test.ts probes every example chain, this one among them',
  },
  {
    match: /^npx faultgate run all --gateway microgateway-core@3\.3\.7/,
    skip: "an engine process per scenario: test/differential/scenario-gateway.test.ts judges 3.3.7's lines against the document's and shows they differ",
  },
  {
    match: /^npx faultgate backend healthy --port 8000$/,
    before: holdPort(8000),
    exit: 2,
  },
  { match: /^npx faultgate (gateway|backend)\b.*--set io\.timeout\.millis=-4/, exit: 2 },
  {
    // The natural race's count is the machine's (0/N when the event loop runs free, N/N when it is
    // held up across the timers), so the page promises no count: exit 0 exactly when all N were 502.
    match: /^npx faultgate run \S+ --repeat \d+ --natural-race$/,
    exit: (output) => {
      const count = /: (\d+)\/(\d+) as the document says \(/.exec(output);
      return count ? Number(count[1] !== count[2]) : -1;
    },
  },
  {
    match: /^npx faultgate (gateway|backend)\b(?!.*--check)/,
    rewrite: (command) => `${command} --check`,
  },
  { match: /^npx faultgate\b/ },
];

export function ruleFor(command: string): CommandRule | undefined {
  return commandRules.find((rule) => rule.match.test(command));
}
