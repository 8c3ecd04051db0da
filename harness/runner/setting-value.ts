/** A setting's value by its flat name (Edge) or its path (edgemicro YAML). */
export function settingValue(settings: unknown, name: string): number | undefined {
  const record = settings as Record<string, unknown>;
  if (typeof record[name] === 'number') return record[name];
  const value = name.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), settings);
  return typeof value === 'number' ? value : undefined;
}
