import { BriefError } from '../errors.js';

/**
 * A list id goes inside a hash tag (`{list:ID}`): a "}" in it would move the list's keys
 * to different Cluster slots and break the atomic scripts, so ids are kept to a safe set.
 */
const LIST_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertListId(list: string): void {
  if (typeof list !== 'string' || !LIST_ID.test(list)) {
    throw new BriefError('EINPUT', `list ${JSON.stringify(list)} may hold only letters, digits, ".", "_" and "-" (at most 64)`);
  }
}
