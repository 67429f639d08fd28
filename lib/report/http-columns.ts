/** The http command's rows: one an exchange, and their columns for the table, CSV and sorting. */
import { num, timeKey, type Column } from './columns.js';
import { formatCaptureTime } from './time.js';

/** One HTTP exchange as the report prints it. */
export interface HttpRow {
  connectionId: number;
  /** 0-based, in request order within the connection. */
  exchange: number;
  client: string;
  server: string;
  /** Capture time of the request's and the response's first line (null when that message was not seen). */
  requestTsSec: number | null;
  requestTsNsec: number;
  responseTsSec: number | null;
  responseTsNsec: number;
  method: string | null;
  host: string | null;
  uri: string | null;
  status: number | null;
  contentType: string | null;
  requestBodyBytes: number | null;
  responseBodyBytes: number | null;
  requestSha256: string | null;
  responseSha256: string | null;
  /** Holes inside the response body (bytes), 0 when whole. */
  responseMissingBytes: number;
  /** Both messages seen, each whole: framing intact and no hole in a body. */
  complete: boolean;
}

const time = (sec: number | null, nsec: number): string | null => (sec === null ? null : formatCaptureTime(sec, nsec));
const text = (key: keyof HttpRow & string, header: string): Column<HttpRow> => ({ key, header, numeric: false, value: (r) => (r[key] as string | null) ?? null, text: (r) => (r[key] as string | null) ?? '-' });
const count = (key: keyof HttpRow & string, header: string): Column<HttpRow> => ({ ...num<HttpRow>(key, header, (r) => (r[key] as number | null) ?? -1), value: (r) => (r[key] as number | null) ?? null, text: (r) => (r[key] === null ? '-' : String(r[key])) });

/** Every column of the http report (the CSV header, JSON keys, --sort names). */
export const HTTP_COLUMNS: ReadonlyArray<Column<HttpRow>> = [
  num('connectionId', 'conn', (r) => r.connectionId),
  num('exchange', '#', (r) => r.exchange),
  { key: 'requestTime', header: 'request time', numeric: false, value: (r) => time(r.requestTsSec, r.requestTsNsec), sortKey: (r) => timeKey(r.requestTsSec ?? 0, r.requestTsNsec) },
  { key: 'responseTime', header: 'response time', numeric: false, value: (r) => time(r.responseTsSec, r.responseTsNsec), sortKey: (r) => timeKey(r.responseTsSec ?? 0, r.responseTsNsec) },
  text('client', 'client'),
  text('server', 'server'),
  text('method', 'method'),
  text('host', 'host'),
  text('uri', 'uri'),
  count('status', 'status'),
  text('contentType', 'type'),
  count('requestBodyBytes', 'req bytes'),
  count('responseBodyBytes', 'resp bytes'),
  text('requestSha256', 'request sha256'),
  text('responseSha256', 'response sha256'),
  count('responseMissingBytes', 'missing'),
  { key: 'complete', header: 'complete', numeric: false, value: (r) => (r.complete ? 'true' : 'false'), text: (r) => (r.complete ? 'yes' : 'NO') },
];

/** The table's columns, in the order they give way when the terminal is narrow (the first four stay). */
export const HTTP_TABLE_COLUMNS = ['connectionId', 'exchange', 'method', 'uri', 'status', 'responseBodyBytes', 'complete', 'host', 'contentType', 'responseMissingBytes', 'requestTime', 'server'];
