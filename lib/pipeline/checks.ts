import type { TcpPacket } from '../decode/index.js';
import { TcpFsmStats, TcpOptionCheck, TcpOptionCheckStats, TcpSimpleFsm } from '../reassembly/tcpcheck.js';

/** Totals of the optional segment checks over a whole pass (null when the check was off). */
export interface CheckTotals {
  state: TcpFsmStats | null;
  options: TcpOptionCheckStats | null;
}

/**
 * The optional checks of one connection (gopacket's tcpcheck.go): a simple state machine and the MSS / window
 * check. Counters are shared by all connections, so the totals cost nothing per packet.
 */
export class ConnectionChecks {
  private readonly fsm: TcpSimpleFsm | null;
  private readonly opt: TcpOptionCheck | null;

  constructor(totals: CheckTotals, allowMissingInit: boolean) {
    // closeOnRst false: the engine decides which RSTs end the connection (its rstPolicy); once one does, the
    // connection is closed and nothing more reaches this machine. An RST the engine ignores must not close it
    // either, or the data after a blind RST would be rejected here although the engine delivers it.
    this.fsm =
      totals.state === null
        ? null
        : new TcpSimpleFsm({ supportMissingEstablishment: allowMissingInit, closeOnRst: false, stats: totals.state });
    this.opt = totals.options === null ? null : new TcpOptionCheck({ stats: totals.options });
  }

  /** True when the segment passes every enabled check (the state machine moves on only for accepted ones). */
  accept(pkt: TcpPacket, dir: 0 | 1, nextSeq: number): boolean {
    if (this.opt !== null && !this.opt.accept(pkt, dir, nextSeq)) return false;
    if (this.fsm !== null && !this.fsm.checkState(pkt, dir)) return false;
    return true;
  }
}

/** Shared counters for the checks a pass enables. */
export function checkTotals(state: boolean, options: boolean): CheckTotals {
  return { state: state ? new TcpFsmStats() : null, options: options ? new TcpOptionCheckStats() : null };
}
