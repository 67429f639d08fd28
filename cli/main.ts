#!/usr/bin/env node
/**
 * tcpreasm: offline TCP reassembly and forensics for pcap and pcapng captures. The executable: runs the command
 * line (cli/program.ts) and turns its result into the exit status.
 */
import { hideBin } from 'yargs/helpers';
import { ExitCode } from './exit-codes.js';
import { processOutput } from './commands/common.js';
import { main } from './program.js';
import { isShardWorker, runShardWorker } from '../lib/parallel/index.js';

/** Resolves once stdout has taken everything written, or its reader has gone away (the write fails: EPIPE). */
function stdoutSettled(): Promise<void> {
  return new Promise((resolve) => {
    if (processOutput.closed?.() === true || process.stdout.destroyed) return resolve();
    process.stdout.write('', () => resolve());
  });
}

// A worker thread of `--workers` runs the same entry (cli/entry.ts): it runs its shard, not the command line.
if (isShardWorker()) void runShardWorker();
else main(hideBin(process.argv)).then(
  async (code) => {
    // A report written in one go (a table) meets a closed pipe only after the command returned.
    await stdoutSettled();
    process.exitCode = processOutput.closed?.() === true && code === ExitCode.OK ? ExitCode.PIPE_CLOSED : code;
  },
  (err: unknown) => {
    process.stderr.write(`tcpreasm: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
