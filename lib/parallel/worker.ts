/** The script of a shard worker (lib/parallel/shard-worker.ts) for library use; the CLI's own entry runs it too. */
import { isShardWorker, runShardWorker } from './shard-worker.js';

if (isShardWorker()) void runShardWorker();
