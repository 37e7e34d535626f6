import { writeFileSync } from 'node:fs';

/** Stories for an RSS file, each dated at an instant (epoch ms). */
export interface TimedStory {
  id: string;
  title: string;
  at: number;
  tags?: string[];
}

/** Writes an RSS 2.0 feed of `stories` to `file` (tests whose schedule runs in real time). */
export function writeTimedFeed(file: string, stories: TimedStory[]): void {
  const items = stories
    .map(
      (s) => `    <item>
      <title>${s.title}</title>
      <link>https://news.example.org/${s.id}</link>
      <guid>${s.id}</guid>
      <pubDate>${new Date(s.at).toUTCString()}</pubDate>
${(s.tags ?? []).map((t) => `      <category>${t}</category>\n`).join('')}      <description>About ${s.title}.</description>
    </item>`,
    )
    .join('\n');
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Test Newsroom</title>
    <link>https://news.example.org/</link>
    <description>Timed fixture</description>
${items}
  </channel>
</rss>
`,
  );
}

/** A 6-field cron that fires once a day, at the UTC second of `at`. */
export function dailyAtSecond(at: number): string {
  const d = new Date(at);
  return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
}

/** The UTC date (YYYY-MM-DD) of an instant. */
export const utcDate = (at: number): string => new Date(at).toISOString().slice(0, 10);
