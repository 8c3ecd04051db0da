/**
 * Reads nginx.conf (and the files it includes) as nginx does: directives ending in `;`, blocks in
 * braces, `#` comments, quoted arguments. Each directive keeps its file and line.
 */
import { FaultgateError } from '../../errors.ts';
import { at, includedFiles, readIncluded, type Place } from './conf-text.ts';

export interface Directive extends Place {
  name: string;
  args: string[];
  block?: Directive[] | undefined;
}

interface Token extends Place {
  text: string;
  quoted: boolean;
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /#[^\n]*|"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([{};])|([^\s{};"'#][^\s{};]*)/g;
  const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)];
  const lineAt = (offset: number) => starts.filter((start) => start <= offset).length;
  for (const match of text.matchAll(pattern)) {
    const [whole, double, single, punct, word] = match;
    if (whole.startsWith('#')) continue;
    const quoted = double !== undefined || single !== undefined;
    tokens.push({ text: quoted ? (double ?? single ?? '') : (punct ?? word ?? ''), quoted, file, line: lineAt(match.index) });
  }
  return tokens;
}

/** Parses one file's text; `include` directives are replaced by the directives of the files they name. */
export function parseNginx(text: string, file: string, seen: Set<string> = new Set([file])): Directive[] {
  const tokens = tokenize(text, file);
  let index = 0;
  const parseBlock = (closing: boolean): Directive[] => {
    const out: Directive[] = [];
    let current: Token[] = [];
    while (index < tokens.length) {
      const token = tokens[index++] as Token;
      if (!token.quoted && token.text === ';') {
        const [head, ...args] = current;
        if (head) out.push(...expand({ name: head.text, args: args.map((arg) => arg.text), file: head.file, line: head.line }, seen));
        current = [];
      } else if (!token.quoted && token.text === '{') {
        const [head, ...args] = current;
        if (!head) throw new FaultgateError('E_CONFIG', `${at(token)}: "{" without a directive before it`);
        out.push({ name: head.text, args: args.map((arg) => arg.text), file: head.file, line: head.line, block: parseBlock(true) });
        current = [];
      } else if (!token.quoted && token.text === '}') {
        if (!closing) throw new FaultgateError('E_CONFIG', `${at(token)}: unexpected "}"`);
        return out;
      } else current.push(token);
    }
    if (closing || current.length) throw new FaultgateError('E_CONFIG', `${file}: unexpected end of file (a missing ";" or "}")`);
    return out;
  };
  return parseBlock(false);
}

function expand(directive: Directive, seen: Set<string>): Directive[] {
  if (directive.name !== 'include') return [directive];
  const pattern = directive.args[0];
  if (!pattern) throw new FaultgateError('E_CONFIG', `${at(directive)}: include: expected a file`);
  return includedFiles(pattern, directive).flatMap((file) => {
    if (seen.has(file)) throw new FaultgateError('E_CONFIG', `${at(directive)}: include ${pattern}: includes itself`);
    return parseNginx(readIncluded(file, directive), file, new Set([...seen, file]));
  });
}

/** Every directive named `name` directly inside `block`. */
export const all = (block: readonly Directive[] | undefined, name: string): Directive[] => (block ?? []).filter((each) => each.name === name);
export const first = (block: readonly Directive[] | undefined, name: string): Directive | undefined => all(block, name)[0];

/** Directives of a name anywhere below, depth first. */
export function deep(block: readonly Directive[] | undefined, name: string): Directive[] {
  return (block ?? []).flatMap((each) => [...(each.name === name ? [each] : []), ...deep(each.block, name)]);
}
