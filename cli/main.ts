#!/usr/bin/env node
/**
 * tcpreasm: offline TCP reassembly and forensics for pcap and pcapng captures. The executable: runs the command
 * line (cli/program.ts) and turns its result into the exit status.
 */
import { hideBin } from 'yargs/helpers';
import { main } from './program.js';

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tcpreasm: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
