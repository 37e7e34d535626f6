import { spawnSync } from 'node:child_process';

/** One rule SpamAssassin matched, with its points. */
export interface SpamRule {
  points: number;
  name: string;
  description: string;
}

export interface SpamReport {
  score: number;
  rules: SpamRule[];
}

/** Where Debian's `spamassassin` is, or undefined when it is not installed. */
export function spamassassinPath(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v spamassassin'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/**
 * Runs `spamassassin -L -t` (local tests only: no DNS or network rules, so the result is
 * the same offline) on one raw message and reads its report: the score and each rule.
 */
export function spamassassin(raw: string | Buffer): SpamReport {
  const r = spawnSync('spamassassin', ['-L', '-t'], { input: raw, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`spamassassin: ${r.error.message} (Debian: apt-get install spamassassin)`);
  const out = r.stdout;
  const head = /Content analysis details:\s+\(([-\d.]+) points/.exec(out);
  if (!head) throw new Error(`spamassassin gave no report (exit ${r.status}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const table = out.slice(out.indexOf('---- ----'));
  const rules: SpamRule[] = [];
  let last: SpamRule | undefined;
  for (const line of table.split('\n').slice(1)) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s+(\S+)\s+(.*)$/.exec(line);
    if (m) {
      last = { points: Number(m[1]), name: m[2]!, description: m[3]!.trim() };
      rules.push(last);
    } else if (last && /^\s{20,}\S/.test(line)) {
      last.description += ' ' + line.trim();
    } else if (!line.trim()) {
      break;
    }
  }
  return { score: Number(head[1]), rules };
}
