#!/usr/bin/env python3
"""HTTP/1.x traffic with known bodies, for samples/http-loss.pcap (run by http-capture.sh in namespaces).

usage: httpgen.py server ADDR PORT
       httpgen.py client ADDR PORT TRUTH_JSONL

Every body is derived from its URI, so what a reassembler should extract is known without it:
  /len/N/S      N random bytes (seed S), Content-Length
  /chunked/N/S  the same bytes, chunked (chunks of up to 1000 bytes) with a trailer
  /gzip/N/S     gzip of them (mtime 0), Content-Encoding: gzip, Content-Length
  /close/N/S    the same bytes, no length: delimited by the close
  /cached       304 Not Modified, no body
  POST /echo    a body of its own; the response body is the hex sha256 of it
The client writes one truth row per request: connection's client port, exchange index, method, uri, status,
response body length and sha256 as framed (de-chunked, not decoded), and the decoded sha256.
"""
import gzip, hashlib, http.client, http.server, json, os, random, socket, sys


def payload(n, seed):
    return random.Random(int(seed)).randbytes(int(n))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def respond(self, head_only):
        parts = self.path.strip('/').split('/')
        kind = parts[0]
        if kind == 'cached':
            self.send_response(304)
            self.send_header('ETag', '"x"')
            self.end_headers()
            return
        body = payload(parts[1], parts[2])
        if kind == 'gzip':
            body = gzip.compress(body, mtime=0)
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        if kind == 'gzip':
            self.send_header('Content-Encoding', 'gzip')
        if kind == 'chunked':
            self.send_header('Transfer-Encoding', 'chunked')
            self.send_header('Trailer', 'X-Sum')
            self.end_headers()
            if head_only:
                return
            for i in range(0, len(body), 1000):
                c = body[i:i + 1000]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(c), c))
            self.wfile.write(b'0\r\nX-Sum: ' + hashlib.sha256(body).hexdigest().encode() + b'\r\n\r\n')
            return
        if kind == 'close':
            self.close_connection = True
            self.send_header('Connection', 'close')
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            return
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def do_GET(self):
        self.respond(False)

    def do_HEAD(self):
        self.respond(True)

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        got = self.rfile.read(n)
        out = hashlib.sha256(got).hexdigest().encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def expected(method, uri, request_body=b''):
    """(status, framed body, decoded body) the server sends for a request."""
    parts = uri.strip('/').split('/')
    if method == 'POST':
        b = hashlib.sha256(request_body).hexdigest().encode()
        return 200, b, b
    if parts[0] == 'cached':
        return 304, b'', b''
    raw = payload(parts[1], parts[2])
    framed = gzip.compress(raw, mtime=0) if parts[0] == 'gzip' else raw
    if method == 'HEAD':
        return 200, b'', b''
    return 200, framed, raw


def client(addr, port, truth):
    rows = []
    rng = random.Random(7)

    def row(cport, i, method, uri, status, body, decoded):
        rows.append({'cport': cport, 'exchange': i, 'method': method, 'uri': uri, 'status': status,
                     'body_len': len(body), 'body_sha256': hashlib.sha256(body).hexdigest(),
                     'decoded_sha256': hashlib.sha256(decoded).hexdigest()})

    # Keep-alive connections, each a sequence of requests (http.client checks the framing as it reads).
    plans = [
        [('GET', '/len/20000/1'), ('GET', '/chunked/15000/2'), ('HEAD', '/len/5000/3'), ('GET', '/cached'), ('GET', '/gzip/30000/4')],
        [('POST', '/echo'), ('GET', '/len/60000/5'), ('GET', '/chunked/40000/6')],
        [('GET', '/gzip/8000/7'), ('GET', '/len/0/8'), ('GET', '/close/25000/9')],
    ]
    # HTTPGEN_REPEAT (default 2): how many times the plans run; the bench's HTTP workload runs them more.
    for plan in plans * int(os.environ.get('HTTPGEN_REPEAT', '2')):
        c = http.client.HTTPConnection(addr, port, timeout=30)
        c.connect()
        cport = c.sock.getsockname()[1]
        for i, (method, uri) in enumerate(plan):
            body = rng.randbytes(3000) if method == 'POST' else None
            c.request(method, uri, body=body, headers={'Host': 'tcpreasm.test'})
            r = c.getresponse()
            got = r.read()
            status, framed, decoded = expected(method, uri, body or b'')
            assert r.status == status and got == framed, (uri, r.status, len(got))
            row(cport, i, method, uri, r.status, got, decoded)
        c.close()
    # Pipelined: three requests in one write, the responses read after.
    uris = ['/len/3000/10', '/chunked/4000/11', '/len/2000/12']
    s = socket.create_connection((addr, port))
    cport = s.getsockname()[1]
    reqs = ''.join(f'GET {u} HTTP/1.1\r\nHost: tcpreasm.test\r\n' + ('Connection: close\r\n' if i == 2 else '') + '\r\n' for i, u in enumerate(uris))
    s.sendall(reqs.encode())
    while s.recv(65536):
        pass
    s.close()
    for i, u in enumerate(uris):
        status, framed, decoded = expected('GET', u)
        row(cport, i, 'GET', u, status, framed, decoded)
    with open(truth, 'w') as f:
        for r in rows:
            f.write(json.dumps(r) + '\n')


if __name__ == '__main__':
    if sys.argv[1] == 'server':
        http.server.ThreadingHTTPServer((sys.argv[2], int(sys.argv[3])), Handler).serve_forever()
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
