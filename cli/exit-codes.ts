/** Process exit codes of the tcpreasm command. Scripts rely on them: keep them stable. */
export const ExitCode = {
  /** Everything read and reported. */
  OK: 0,
  /** Bad arguments or options. */
  USAGE: 1,
  /** The input could not be opened or is not a capture. */
  BAD_INPUT: 2,
  /** `--strict` and the capture had damage or the run had warnings (the report was still produced). */
  WARNINGS: 3,
  /** Writing output failed (disk full, unwritable folder) or the run was interrupted. */
  OUTPUT_FAILED: 4,
  /** The reader of stdout went away (`| head`): 128 + SIGPIPE, what a Unix tool killed by the signal gives. */
  PIPE_CLOSED: 141,
  /** Interrupted by SIGINT (128 + 2, the shell convention); SIGTERM gives 143 and SIGHUP 129 the same way. */
  INTERRUPTED: 130,
} as const;
