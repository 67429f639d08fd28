/**
 * What `--workers N` means to every command that has it (analyze, export): what it refuses, and the plain
 * settings and selection the worker threads are given (lib/parallel).
 */
import { notRereadable, shardSettings, type ShardPassSettings, type ShardSelection } from '../../lib/parallel/index.js';
import type { PassInput, PassOptions } from '../../lib/pipeline/index.js';
import { CLI_ENTRY } from '../entry.js';
import { UsageError, type CommonArgs } from './common.js';

/** Refuses what a run in workers cannot do, before anything is read: `--id`, and input each worker cannot read whole. */
export function checkWorkers(workers: number, args: CommonArgs, input?: PassInput): void {
  if (workers <= 1) return;
  if (args.id !== undefined && args.id.length > 0) throw new UsageError('--id cannot be used with --workers: a worker does not know the ids of the connections of the others');
  if (input === undefined) return;
  const unfit = notRereadable(typeof input === 'string' ? [input] : (input as string[]));
  if (unfit !== null) throw new UsageError(`--workers ${unfit}`);
}

/** The CLI's pass options for a run in workers: the plain settings, the selection as text for each to compile. */
export function workerOptions(
  o: PassOptions,
  args: CommonArgs,
  workers: number,
): ShardPassSettings & { workers: number; selection: ShardSelection; workerScript: URL } & Pick<PassOptions, 'onDiagnostic' | 'onSkipped' | 'onProgress' | 'signal' | 'drain'> {
  return {
    ...shardSettings(o),
    workers,
    selection: { hosts: args.host, ports: args.port, expression: args.filter },
    onDiagnostic: o.onDiagnostic,
    onSkipped: o.onSkipped,
    onProgress: o.onProgress,
    signal: o.signal,
    drain: o.drain,
    workerScript: CLI_ENTRY,
  };
}
