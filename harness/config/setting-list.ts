/**
 * Every setting a schema accepts, with its default, unit and one-line description, read from the
 * zod schema itself (its JSON Schema): the help that lists them cannot drift from what is checked.
 * Units come from the schema's metadata (fields.ts marks milliseconds and seconds) or, for backend
 * settings, from the name's suffix (idleTimeoutMs, hintSeconds, afterBodyBytes).
 */
import { z } from 'zod';

export interface SettingRow {
  name: string;
  /** the default as it would be typed, or undefined when the setting is absent by default */
  default: string | undefined;
  unit: string | undefined;
  /** integer, number, boolean, string, or the allowed values */
  type: string;
  description: string | undefined;
}

interface JsonNode {
  type?: string | string[];
  default?: unknown;
  description?: string;
  unit?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonNode[];
  properties?: Record<string, JsonNode>;
}

const unitBySuffix: [RegExp, string][] = [
  [/(Ms|\.millis)$/, 'ms'],
  [/Seconds$/, 's'],
  [/Bytes$/, 'bytes'],
];

function typeOf(node: JsonNode): string {
  if (node.enum) return node.enum.join('|');
  if (node.anyOf) return node.anyOf.map((each) => (each.const !== undefined ? String(each.const) : typeOf(each))).join('|');
  return Array.isArray(node.type) ? node.type.join('|') : (node.type ?? 'any');
}

function rowsOf(properties: Record<string, JsonNode>, prefix: string, out: SettingRow[]): void {
  for (const [key, node] of Object.entries(properties)) {
    const name = `${prefix}${key}`;
    if (node.properties) {
      rowsOf(node.properties, `${name}.`, out);
      continue;
    }
    const unit = node.unit ?? unitBySuffix.find(([pattern]) => pattern.test(name))?.[1];
    out.push({
      name,
      default: node.default === undefined ? undefined : typeof node.default === 'string' && !/[\x00-\x1f]/.test(node.default) ? node.default : JSON.stringify(node.default),
      unit,
      type: typeOf(node),
      description: node.description,
    });
  }
}

/** The leaf settings of an object schema, by their dotted names; only `names` when given. */
export function settingRows(schema: z.ZodType, names?: ReadonlySet<string>): SettingRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
  const rows: SettingRow[] = [];
  rowsOf(json.properties ?? {}, '', rows);
  return names ? rows.filter((row) => names.has(row.name)) : rows;
}

/** The rows as an aligned table: name, default with its unit, description. */
export function formatSettingRows(rows: readonly SettingRow[], indent = '  '): string[] {
  if (rows.length === 0) return [`${indent}(no settings)`];
  const value = (row: SettingRow) => {
    const shown = row.default === undefined ? '(none)' : row.default === '' ? '""' : row.default;
    return row.unit ? `${shown} ${row.unit}` : shown;
  };
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const valueWidth = Math.max(...rows.map((row) => value(row).length));
  return rows.map((row) => {
    const about = [row.description, /\|/.test(row.type) ? `one of ${row.type.replaceAll('|', ', ')}` : undefined].filter(Boolean).join('; ');
    return `${indent}${row.name.padEnd(nameWidth)}  ${value(row).padEnd(valueWidth)}  ${about}`.trimEnd();
  });
}
