/**
 * src/articles: fetch newsroom feeds (RSS 2.0/1.0, Atom, JSON Feed, WordPress REST, local
 * files) and normalise them into Article records whose text is plain and whose URLs are
 * absolute http(s). Bad input fails as one FeedError line naming the feed.
 */
export type { Article, FeedType, FetchOptions, SourceResult } from './types.js';
export { loadArticles, shiftArticles, type ArticleSource, type LoadArticlesOptions } from './load-articles.js';
export { loadSource, wordPressPageUrl, WORDPRESS_MAX_PAGES, type SourceToLoad } from './load-source.js';
export { fetchSource, clearFetchCache, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type FetchedSource, type FetchSourceOptions } from './fetch-source.js';
export { parseFeed, type ParseFeedOptions } from './parse-feed.js';
export { detectFeedType, isWordPressPostsUrl } from './detect-type.js';
export { parseFeedDate } from './parse-date.js';
export { htmlToText, truncateText } from './html-text.js';
export { absoluteHttpUrl } from './normalise-feed.js';
