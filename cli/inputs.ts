/**
 * The positional arguments of a command: captures first (files, folders, `-`), then, as tcpdump takes it, an
 * optional filter expression in the words that follow. The first word is always a capture; every later word
 * that names an existing file or folder is one too, and the filter starts at the first word that does not.
 */
import { existsSync } from 'node:fs';

/** Captures and the filter words after them. */
export interface Positionals {
  captures: string[];
  /** The filter expression the remaining words make, or undefined when there were none. */
  filter: string | undefined;
}

export function splitPositionals(words: readonly string[]): Positionals {
  const captures: string[] = [];
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (i > 0 && w !== '-' && !existsSync(w)) break;
    captures.push(w);
  }
  const rest = words.slice(i);
  return { captures, filter: rest.length === 0 ? undefined : rest.join(' ') };
}

/** True when a word that started the filter looks like a capture file name rather than a filter word. */
export function looksLikePath(word: string): boolean {
  return word.includes('/') || /\.(pcap|pcapng|cap|gz|dmp|pcap\d+)$/i.test(word);
}

/** Both the trailing words and `--filter`: one expression meaning both. */
export function joinFilters(words: string | undefined, option: string | undefined): string | undefined {
  if (words === undefined) return option;
  if (option === undefined) return words;
  return `(${words}) and (${option})`;
}
