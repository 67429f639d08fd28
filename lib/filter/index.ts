/** Selection by a pcap-filter expression: parsing (with the column of an error) and matching connections. */
export { FilterSyntaxError, parseFilter, type FilterDir, type FilterNode, type Prefix } from './parse.js';
export { matchesConnection, type FilterTarget } from './match.js';
import { parseFilter } from './parse.js';
import { matchesConnection, type FilterTarget } from './match.js';

/** The predicate of a filter expression (see {@link matchesConnection}); throws FilterSyntaxError. */
export function compileFilter(text: string): (c: FilterTarget) => boolean {
  const tree = parseFilter(text);
  return (c) => matchesConnection(tree, c);
}
