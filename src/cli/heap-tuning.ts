import v8 from 'node:v8';
import { BriefError, quote } from '../errors.js';

/** The heap growing percent long-running commands use unless told otherwise. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/**
 * A worker allocates tens of KB per message all day while keeping only ~25 MB live. V8's
 * default lets the old generation grow to several times what is live between full
 * collections, so a long send sat at 200+ MB resident. A fixed growing factor of 1.5 keeps
 * it near 130 MB for the same throughput (`npm run bench`). It is a ceiling on growth
 * between collections, not a heap limit: a process that needs more memory still gets it.
 *
 * BRIEF_HEAP_GROWING_PERCENT sets it (1-300; 0 keeps V8's own heuristics); a
 * `--heap-growing-percent` given to node wins.
 */
export function tuneHeapForLongRun(env: NodeJS.ProcessEnv = process.env, execArgv: string[] = process.execArgv): number | undefined {
  const raw = env.BRIEF_HEAP_GROWING_PERCENT?.trim() || String(DEFAULT_HEAP_GROWING_PERCENT);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 300) {
    throw new BriefError('ECONFIG', `BRIEF_HEAP_GROWING_PERCENT: ${quote(raw)} must be an integer from 0 to 300`);
  }
  // Given to node itself (its arguments or NODE_OPTIONS, either spelling): that one wins.
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((f) => /^--heap[-_]growing[-_]percent\b/.test(f));
  if (n === 0 || given) return undefined;
  v8.setFlagsFromString(`--heap-growing-percent=${n}`);
  return n;
}
