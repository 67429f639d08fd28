/**
 * The CLI's executable, as a URL: the script a `--workers` thread runs (cli/main.ts starts the shard there).
 * Resolved from this module's place, which is dist/cli/ both unbundled and in the bundle (tcpreasm.cjs).
 */
export const CLI_ENTRY = new URL('./main.js', import.meta.url);
