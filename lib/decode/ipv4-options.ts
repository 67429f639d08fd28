/**
 * IPv4 options as a receiving Linux stack checks them (ip_options_compile): -1 when it would drop the packet
 * (an option past the header, a length below 2, a record-route or timestamp pointer below its minimum); the
 * option type when an option's length breaks its RFC but Linux and BSD take the packet anyway (the security
 * option's 11 bytes, RFC 791); 0 otherwise. Nothing after an end-of-list option counts.
 */
export function ipv4Options(buf: Buffer, p: number, end: number): number {
  let odd = 0;
  while (p < end) {
    const type = buf[p]!;
    if (type === 0) return odd;
    if (type === 1) {
      p++;
      continue;
    }
    if (end - p < 2) return -1;
    const len = buf[p + 1]!;
    if (len < 2 || len > end - p) return -1;
    switch (type) {
      case 7: // record route
      case 131: // loose source route
      case 137: // strict source route
        if (len < 3 || buf[p + 2]! < 4) return -1;
        break;
      case 68: // timestamp
        if (len < 4 || buf[p + 2]! < 5) return -1;
        break;
      case 148: // router alert
        if (len !== 4) return -1;
        break;
      case 130: // security: 11 bytes (RFC 791), at least 3 (RFC 1108)
        if (len < 3 && odd === 0) odd = type;
        break;
      case 136: // stream id
        if (len !== 4 && odd === 0) odd = type;
        break;
    }
    p += len;
  }
  return odd;
}
