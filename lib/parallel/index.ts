export { streamAnalyzeInWorkers, type WorkersAnalyzeOptions, type WorkersAnalyzeResult } from './analyze-parallel.js';
export { isShardWorker, runShardWorker } from './shard-worker.js';
export { shardSettings, type ShardSelection, type ShardPassSettings } from './protocol.js';
export { exportInWorkers, type WorkersExportOptions, type WorkersExportResult } from './export-parallel.js';
export { notRereadable } from './shards.js';
