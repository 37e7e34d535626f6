/**
 * The subject line from the newsletter's pattern: `{title}` and `{date}` are replaced
 * (split/join rather than String.replace, so a `$&` in a title stays literal).
 */
export function formatSubject(pattern: string, values: { title: string; date: string }): string {
  return pattern.split('{title}').join(values.title).split('{date}').join(values.date);
}
