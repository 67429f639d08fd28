import type { AssemblerContext, ScatterGather, SgInfo } from '../reassembly/index.js';

/** First sequence number of the hole before a delivery: [seq - skip, seq); the first byte seen when skip is -1. */
export function holeStart(info: SgInfo): number {
  return info.skip > 0 ? (info.seq - info.skip) >>> 0 : info.seq;
}

/**
 * Where the time of a hole is read: the packet that brought the first byte after it (a flush's own time is
 * only a threshold); a hole at the very end of a direction has no such byte and takes the time it was passed.
 * Returns a reused object (the delivery's capture info or the context), valid during the call.
 */
export function holeTime(sg: ScatterGather, ctx: AssemblerContext): { readonly tsSec: number; readonly tsNsec: number } {
  const l = sg.lengths();
  return l.available > l.saved ? sg.captureInfo(l.saved) : ctx;
}
