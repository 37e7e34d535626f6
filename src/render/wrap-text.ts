import stringWidth from 'string-width';

/** RFC 5322's recommended line length for text a person reads. */
export const TEXT_WIDTH = 78;

/**
 * How wide a string is on a terminal or in a fixed-width mail client: a combining mark
 * adds nothing, a CJK character or an emoji counts two. Georgian, Armenian and Cyrillic
 * letters count one each, whatever their UTF-8 length.
 */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

/** A section title's underline: as wide as the title, at least one character. */
export function underline(title: string, char: string): string {
  return char.repeat(Math.max(1, displayWidth(title)));
}

/** Words that must stay whole on a line of their own: links, and placeholders that become links. */
const UNBREAKABLE = /^(https?:\/\/\S+|%%BRIEF_[A-Z_]+%%\S*)$/;

function wrapLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const lead = /^\s*(- )?/.exec(line)?.[0] ?? '';
  // A list item's continuation lines hang under its text, not under the dash.
  const indent = ' '.repeat(lead.length);
  const words = line.slice(lead.length).split(/ +/).filter(Boolean);
  const out: string[] = [];
  let current = '';
  const prefix = () => (out.length ? indent : lead);
  const flush = () => {
    if (current) out.push(prefix() + current);
    current = '';
  };
  for (const word of words) {
    if (UNBREAKABLE.test(word)) {
      flush();
      out.push(prefix() + word);
    } else if (current && displayWidth(`${prefix()}${current} ${word}`) > width) {
      flush();
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  flush();
  return out;
}

/**
 * The text part wrapped for reading: every line at most `width` wide, broken at spaces;
 * a URL that does not fit gets a line of its own and may be longer (breaking it would break
 * the link). Short lines, blank lines and the signature separator `-- ` are left as they are.
 */
export function wrapText(text: string, width = TEXT_WIDTH): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}
