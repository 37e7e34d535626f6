/**
 * src/edition — which articles make the edition of a date: its window in the newsletter's
 * time zone, de-duplication against earlier editions, the lead, picks and sections; plus
 * edition ids and the pure progress maths of a send. No I/O here.
 */
export type { EditionContent, EditionSection, EditionWindow } from './types.js';
export { editionWindow, nextEditionDate, editionDateOf, inWindow, defaultEditionDate } from './window.js';
export { editionId, parseEditionId } from './edition-id.js';
export { selectEdition, type SelectEditionInput } from './select.js';
export { articleKeys, normaliseArticleUrl } from './article-key.js';
export { editionProgress, type EditionProgress, type EditionProgressInput } from './progress.js';
export { assertEditionDate, FIRST_EDITION_YEAR } from './calendar-date.js';
export { NO_CURATION, MAX_NOTE_CHARS, isNewArrival, orderArticles, type Curation } from './curation.js';
