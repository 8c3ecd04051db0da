/**
 * Reads the commands out of Markdown and compares what they print with what the page shows.
 *
 * Two kinds of block hold commands. A ```sh block: each line is a command (a trailing `\` joins the
 * next line; `# …` is a comment, and a comment saying "exits N" is the exit code the command must
 * end with). A plain ``` block with `$ ` lines is a transcript: each `$ command` is followed by what
 * it prints (stdout and stderr together), compared line by line once the parts that change from run
 * to run are put in a normal form (times, ports, ids, temporary folders); a line `…` stands for any
 * number of lines, and timeline rows are compared as a set (two sockets' events in the same
 * millisecond may come in either order).
 */

export interface DocCommand {
  /** where it is written, e.g. README.md:50 */
  where: string;
  /** the command as written, without its comment */
  command: string;
  comment: string | undefined;
  /** for a transcript: the lines the page shows it printing */
  expected?: string[];
}

/** Splits `command   # comment` at the first # that starts a word outside quotes. */
export function splitComment(line: string): { command: string; comment: string | undefined } {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(line[index - 1] ?? ''))) {
      return { command: line.slice(0, index).trim(), comment: line.slice(index + 1).trim() };
    }
  }
  return { command: line.trim(), comment: undefined };
}

interface Block {
  info: string;
  firstLine: number;
  lines: string[];
}

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  markdown.split('\n').forEach((line, index) => {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence && !open) open = { info: fence[1] ?? '', firstLine: index + 2, lines: [] };
    else if (fence && open) {
      blocks.push(open);
      open = undefined;
    } else open?.lines.push(line);
  });
  return blocks;
}

function shellCommands(block: Block, file: string): DocCommand[] {
  const commands: DocCommand[] = [];
  let pending = '';
  let start = 0;
  block.lines.forEach((line, index) => {
    if (!pending) start = index;
    const { command, comment } = splitComment(line);
    if (command.endsWith('\\')) {
      pending += `${command.slice(0, -1).trim()} `;
      return;
    }
    const whole = (pending + command).trim();
    pending = '';
    if (whole) commands.push({ where: `${file}:${block.firstLine + start}`, command: whole, comment });
  });
  return commands;
}

function transcriptCommands(block: Block, file: string): DocCommand[] {
  const commands: DocCommand[] = [];
  block.lines.forEach((line, index) => {
    if (line.startsWith('$ ')) {
      const { command, comment } = splitComment(line.slice(2));
      commands.push({ where: `${file}:${block.firstLine + index}`, command, comment, expected: [] });
    } else {
      commands.at(-1)?.expected?.push(line);
    }
  });
  return commands;
}

/** Every command of a page's sh blocks and transcripts, in page order. */
export function commandsIn(markdown: string, file: string): DocCommand[] {
  return blocksOf(markdown).flatMap((block) => {
    if (block.info === 'sh' || block.info === 'bash') return shellCommands(block, file);
    if (block.info === '' && block.lines.some((line) => line.startsWith('$ '))) return transcriptCommands(block, file);
    return [];
  });
}

/** The exit code a command's comment promises ("exits 1: …"), else 0. */
export function promisedExit(command: DocCommand): number {
  const said = /\bexits (\d+)\b/.exec(command.comment ?? '');
  return said ? Number(said[1]) : 0;
}

const volatile: [RegExp, string][] = [
  [/\x1b\[[0-9;]*m/g, ''],
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>'],
  [/\b[0-9a-f]{8}-\d+\b/g, '<message-id>'],
  // A run's own folder under the system temp folder, which the docs test makes a folder of its own.
  [/\/tmp\/(?:faultgate-docs-\w+\/)?faultgate-[\w.-]+/g, '<temp-folder>'],
  [/edgemicro-[^\s/]+-api\.log/g, '<edgemicro-log>'],
  [/\b\d{1,3}(\.\d{1,3}){3}:\d+\b/g, '<address>'],
  [/\b\d+(\.\d+)? ?ms\b/g, '<ms>'],
  [/@\d+\b/g, '@<n>'],
  [/\[\d+\]/g, '[<n>]'],
  [/\s+/g, ' '],
];

export function normalise(line: string): string {
  return volatile.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line).trim();
}

const silence = /^… <ms> with nothing on the wire …$/;
const timelineRow = /^<ms> (client|gateway|gateway→target|target|network) /;

/** Normal form: volatile parts replaced, silences dropped, each run of timeline rows sorted. */
export function normalForm(lines: readonly string[]): string[] {
  const out: string[] = [];
  let rows: string[] = [];
  const flush = () => {
    out.push(...rows.sort());
    rows = [];
  };
  for (const line of lines.map(normalise)) {
    if (silence.test(line)) continue;
    if (timelineRow.test(line)) rows.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  while (out.at(-1) === '') out.pop();
  return out;
}

/** A page line matches a printed one when equal, or where its `…` stands for any text. */
function lineMatches(want: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  if (want === got) return true;
  if (!want.includes('…')) return false;
  const pattern = want.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(got);
}

/**
 * Whether the printed lines are the page's: equal in normal form, where a page line `…` matches any
 * number of printed lines and a `…` inside a line any text. Returns the first difference, or undefined.
 */
export function difference(expected: readonly string[], printed: readonly string[]): string | undefined {
  const want = normalForm(expected);
  const got = normalForm(printed);
  const segments: string[][] = [[]];
  for (const line of want) {
    if (line === '…') segments.push([]);
    else segments.at(-1)?.push(line);
  }
  let at = 0;
  for (const [index, segment] of segments.entries()) {
    const anchored = index === 0;
    let found = -1;
    for (let from = at; from <= got.length - segment.length; from++) {
      if (segment.every((line, offset) => lineMatches(line, got[from + offset]))) {
        found = from;
        break;
      }
      if (anchored) break;
    }
    if (found === -1) {
      const first = segment.findIndex((line, offset) => !lineMatches(line, got[at + offset]));
      return `expected ${JSON.stringify(segment[Math.max(first, 0)])} (line ${at + Math.max(first, 0) + 1} of the printed output), printed ${JSON.stringify(got[at + Math.max(first, 0)])}`;
    }
    at = found + segment.length;
  }
  if (want.at(-1) !== '…' && at !== got.length) return `printed more than the page shows, from ${JSON.stringify(got[at])}`;
  return undefined;
}
