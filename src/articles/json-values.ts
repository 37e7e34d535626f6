/** A non-empty trimmed string, or undefined for anything else a JSON document may hold. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** An object, or an empty one: lets parsers walk untrusted JSON without type checks at each step. */
export function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
