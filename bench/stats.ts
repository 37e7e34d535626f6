/** Medians and spreads of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: number[], digits = 2): Spread {
  const f = 10 ** digits;
  const r = (x: number) => Math.round(x * f) / f;
  return { median: r(median(values)), min: r(Math.min(...values)), max: r(Math.max(...values)), runs: values.map(r) };
}
