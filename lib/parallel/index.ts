export { streamAnalyzeInWorkers, type WorkersAnalyzeOptions, type WorkersAnalyzeResult } from './analyze-parallel.js';
export { isShardWorker, runShardWorker } from './shard-worker.js';
export type { ShardSelection } from './protocol.js';
