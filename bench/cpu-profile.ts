/** Summarises a V8 .cpuprofile: where the busy (non-idle) time went, by package and by function. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** ms the process was sampled busy (everything but "(idle)"). */
  busyMs: number;
  /** Share of busy time per package: nodemailer, ioredis, bullmq, daily-brief, node, gc… */
  byPackage: Array<{ name: string; percent: number }>;
  /** Functions with the most self time. */
  topFunctions: Array<{ name: string; where: string; percent: number }>;
}

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (/\/dist\/(src|jobs)\//.test(url)) return 'daily-brief';
  return url;
}

export function summariseProfile(file: string, top = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  let busy = 0;
  const packages = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const short = url.replace(/^.*\/(node_modules|dist)\//, '').replace(/^file:\/\//, '');
    const key = `${functionName}@${url}:${lineNumber}`;
    const f = functions.get(key) ?? { name: functionName || '(anonymous)', where: url ? `${short}:${lineNumber + 1}` : '', us: 0 };
    f.us += us;
    functions.set(key, f);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, busy)) / 10;
  return {
    busyMs: Math.round(busy / 1000),
    byPackage: [...packages].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name, us]) => ({ name, percent: pct(us) })),
    topFunctions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, percent: pct(f.us) })),
  };
}
