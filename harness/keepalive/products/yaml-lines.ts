/** A YAML file's values with the line each came from. */
import YAML, { LineCounter } from 'yaml';

export interface YamlLines {
  /** the value at a path, or undefined */
  get(path: readonly (string | number)[]): unknown;
  /** `file:line` of the value at a path (the file alone when it is not there) */
  where(path: readonly (string | number)[]): string;
}

export function yamlLines(file: string, text: string): YamlLines {
  const counter = new LineCounter();
  const document = YAML.parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return {
    get: (path) => {
      const value: unknown = document.getIn(path);
      return YAML.isNode(value) ? value.toJSON() : value;
    },
    where: (path) => {
      const node: unknown = document.getIn(path, true);
      const offset = YAML.isNode(node) ? node.range?.[0] : undefined;
      return offset === undefined ? file : `${file}:${counter.linePos(offset).line}`;
    },
  };
}
