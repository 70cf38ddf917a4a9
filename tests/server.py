#!/usr/bin/env python3
"""Local Messages API test server for pwb's tests (Python standard library only).

Usage:
    python3 tests/server.py --script SCRIPT.json --port-file PORTFILE --log LOG.jsonl

Listens on 127.0.0.1, port chosen by the OS (or --port N); once listening it
writes the port number to PORTFILE (and prints "port N" on stdout). Every
request is appended to LOG as one JSON line, flushed BEFORE the answer is
sent:
    {"n": 1, "t": 12.345, "method": "POST", "path": "/v1/messages",
     "query": "beta=true", "headers": {"x-api-key": "...", ...}  (names lowercased),
     "body": "<raw body text>", "json": <body parsed, or null>}
("t" is time.monotonic() seconds; "n" counts from 1.)

SCRIPT is a JSON file:
    {"messages":     [RESP, RESP, ...],   POST /v1/messages
     "count_tokens": [RESP, ...],         POST /v1/messages/count_tokens
     "models":       [RESP, ...],         GET /v1/models
     "/any/path":    [RESP, ...]}         any other path (query string ignored)
A bare list [RESP, ...] means {"messages": [...]}. Each list is consumed in
order, one RESP per request on that path; the last one repeats forever.
Defaults: count_tokens answers tests/fixtures/count_tokens.json, models a
small list of three models; other unknown paths 404 not_found_error.
A request with neither x-api-key nor "Authorization: Bearer ..." gets 401
authentication_error (both are accepted).

RESP (every field optional; the body comes from the first of fixture, body,
json, generate):
    "fixture": "stream_text_basic.sse"  file in tests/fixtures (or a path);
               without extension, .sse then .json is tried. NAME.headers
               beside it, when present, gives the status line and headers.
               .sse is served as text/event-stream; charset=utf-8,
               .json/.jsonl as application/json.
    "status": 200                       HTTP status (overrides .headers)
    "headers": {"retry-after": "1"}     extra/overriding headers
    "content_type": "text/html"         overrides the content type
    "body": "raw text"                  literal body
    "json": {...}                       body serialised as JSON
    "generate": {"deltas": N, "size": K}  an SSE stream (message_start,
               content_block_start, N text_delta events, content_block_stop,
               message_delta with output_tokens N, message_stop). Delta i
               (0-based) is chr(ord('a') + i % 26) * K. Built when the script
               is loaded, before any timing. Add "stop": false to leave out
               message_stop.
    "framing": "chunked" | "length" | "close"   how the body is delimited;
               default chunked for SSE, length otherwise.
    "chunk": 16        write the body in pieces of this many bytes
    "delay_ms": 10     sleep between pieces
    "drip_ms": 200     slow drip: 1 byte per drip_ms (same as chunk 1 + delay)
    "headers_delay_ms": 500   sleep after reading the request, before the status line
    "drop_after": 100  close the connection after this many body bytes
    "reset": true      close the connection without sending a byte
                       (a connection error before any response byte)
    "hang": true       accept, read the request and never answer (until the
                       client goes away or the server stops)
    "echo": "PREFIX"   a Message whose one text block is PREFIX followed by
               the text of the request's last user turn (a string, or its
               text blocks joined); SSE when the request asks to stream.
               "usage" in the RESP overrides {"input_tokens": 10,
               "output_tokens": 5}.
    "route": [{"match": "TEXT", ...RESP}, ..., {...RESP}]   the first entry
               whose "match" occurs in the raw request body answers (an
               entry without "match" always matches); for tests whose
               answer depends on the request (evaluation rows).

Every logged request also has "inflight": the number of requests the server
was handling when it arrived, this one included (concurrency tests).

Control (for tests that keep one server across cases):
    POST /_control/script  body = a new SCRIPT; resets the per-path counters.
    GET  /_control/health  200 "ok" (not logged).
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

ALIASES = {
    "messages": "/v1/messages",
    "count_tokens": "/v1/messages/count_tokens",
    "models": "/v1/models",
}

DEFAULT_MODELS = {
    "data": [
        {"type": "model", "id": "claude-test-opus-9", "display_name": "Test Opus 9",
         "created_at": "2026-10-01T00:00:00Z"},
        {"type": "model", "id": "claude-test-sonnet-9", "display_name": "Test Sonnet 9",
         "created_at": "2026-09-01T00:00:00Z"},
        {"type": "model", "id": "claude-test-haiku-9", "display_name": "Test Haiku 9",
         "created_at": "2026-08-01T00:00:00Z"},
    ],
    "first_id": "claude-test-opus-9",
    "last_id": "claude-test-haiku-9",
    "has_more": False,
}

_gen_cache = {}


def generate_stream(deltas, size, stop=True):
    key = (deltas, size, stop)
    if key in _gen_cache:
        return _gen_cache[key]
    parts = []
    start = {"type": "message_start", "message": {
        "id": "msg_generated", "type": "message", "role": "assistant", "content": [],
        "model": "claude-test-opus-9", "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1}}}
    parts.append("event: message_start\ndata: %s\n\n" % json.dumps(start))
    parts.append('event: content_block_start\ndata: {"type":"content_block_start",'
                 '"index":0,"content_block":{"type":"text","text":""}}\n\n')
    pre = ('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
           '"delta":{"type":"text_delta","text":"')
    post = '"}}\n\n'
    letters = [pre + chr(ord("a") + i) * size + post for i in range(26)]
    parts.extend(letters[i % 26] for i in range(deltas))
    parts.append('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n')
    parts.append('event: message_delta\ndata: {"type":"message_delta","delta":'
                 '{"stop_reason":"end_turn","stop_sequence":null},'
                 '"usage":{"output_tokens":%d}}\n\n' % deltas)
    if stop:
        parts.append('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    body = "".join(parts).encode()
    _gen_cache[key] = body
    return body


def parse_headers_file(path):
    status, headers = 200, []
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("HTTP/"):
        status = int(lines[0].split()[1])
        lines = lines[1:]
    for line in lines:
        if not line:
            break
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return status, headers


def resolve_fixture(name):
    path = name if os.path.isabs(name) else os.path.join(FIXTURES, name)
    if not os.path.splitext(path)[1]:
        for ext in (".sse", ".json"):
            if os.path.exists(path + ext):
                path += ext
                break
    return path


def last_user_text(req):
    msgs = (req or {}).get("messages") or []
    for m in reversed(msgs):
        if m.get("role") != "user":
            continue
        c = m.get("content")
        if isinstance(c, str):
            return c
        return "\n\n".join(b.get("text", "") for b in c or [] if b.get("type") == "text")
    return ""


def echo_body(spec, req):
    text = spec["echo"] + last_user_text(req)
    usage = spec.get("usage", {"input_tokens": 10, "output_tokens": 5})
    model = (req or {}).get("model", "claude-test-opus-9")
    if not (req or {}).get("stream"):
        return json.dumps({"id": "msg_echo", "type": "message", "role": "assistant",
                           "model": model, "content": [{"type": "text", "text": text}],
                           "stop_reason": "end_turn", "stop_sequence": None,
                           "usage": usage}).encode(), "application/json"
    start = {"type": "message_start", "message": {
        "id": "msg_echo", "type": "message", "role": "assistant", "content": [],
        "model": model, "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": usage.get("input_tokens", 10), "output_tokens": 1}}}
    ev = [("message_start", start),
          ("content_block_start", {"type": "content_block_start", "index": 0,
                                   "content_block": {"type": "text", "text": ""}}),
          ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                   "delta": {"type": "text_delta", "text": text}}),
          ("content_block_stop", {"type": "content_block_stop", "index": 0}),
          ("message_delta", {"type": "message_delta",
                             "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                             "usage": {"output_tokens": usage.get("output_tokens", 5)}}),
          ("message_stop", {"type": "message_stop"})]
    body = "".join("event: %s\ndata: %s\n\n" % (n, json.dumps(d)) for n, d in ev)
    return body.encode(), "text/event-stream; charset=utf-8"


def route_spec(spec, raw):
    """Pick the entry of a "route" list that matches the raw request body."""
    while "route" in spec:
        chosen = None
        for entry in spec["route"]:
            if "match" not in entry or entry["match"] in raw:
                chosen = entry
                break
        if chosen is None:
            return {"status": 500, "json": {"type": "error", "error": {
                "type": "api_error", "message": "test server: no route matched"}}}
        spec = chosen
    return spec


def build_response(spec, req=None):
    """A RESP object -> (status, [(name, value)], body bytes, is_sse)."""
    status, headers, body, ctype = 200, [], b"", "application/json"
    if "echo" in spec:
        body, ctype = echo_body(spec, req)
    elif "fixture" in spec:
        path = resolve_fixture(spec["fixture"])
        with open(path, "rb") as f:
            body = f.read()
        base, ext = os.path.splitext(path)
        if ext == ".sse":
            ctype = "text/event-stream; charset=utf-8"
        if os.path.exists(base + ".headers"):
            status, headers = parse_headers_file(base + ".headers")
            for n, v in headers:
                if n.lower() == "content-type":
                    ctype = v
            headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
    elif "body" in spec:
        body = spec["body"].encode("utf-8")
        ctype = "text/plain"
    elif "json" in spec:
        body = json.dumps(spec["json"]).encode("utf-8")
    elif "generate" in spec:
        g = spec["generate"]
        body = generate_stream(int(g.get("deltas", 10)), int(g.get("size", 4)),
                               bool(g.get("stop", True)))
        ctype = "text/event-stream; charset=utf-8"
    status = int(spec.get("status", status))
    if "content_type" in spec:
        ctype = spec["content_type"]
    extra = spec.get("headers", {})
    lower = {k.lower() for k in extra}
    headers = [(n, v) for n, v in headers if n.lower() not in lower]
    headers.extend((k, str(v)) for k, v in extra.items())
    return status, headers, ctype, body


class State:
    def __init__(self, script, log_path):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.n = 0
        self.active = 0
        self.set_script(script)

    def set_script(self, script):
        if isinstance(script, list):
            script = {"messages": script}
        routes = {}
        for key, value in script.items():
            path = ALIASES.get(key, key)
            routes[path] = value if isinstance(value, list) else [value]
        for spec_list in routes.values():  # build generated bodies now, before timing
            for spec in spec_list:
                if "generate" in spec:
                    build_response(spec)
        with self.lock:
            self.routes = routes
            self.counters = {}

    def next_spec(self, path):
        with self.lock:
            specs = self.routes.get(path)
            if not specs:
                return None
            i = self.counters.get(path, 0)
            self.counters[path] = i + 1
            return specs[min(i, len(specs) - 1)]

    def log(self, entry):
        with self.lock:
            self.n += 1
            entry["n"] = self.n
            if self.log_path:
                with open(self.log_path, "a") as f:
                    f.write(json.dumps(entry) + "\n")
                    f.flush()


def error_body(etype, message):
    return json.dumps({"type": "error", "error": {"type": etype, "message": message},
                       "request_id": None}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pwb-test-server"

    def log_message(self, fmt, *args):  # quiet
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def handle_any(self):
        state = self.server.state
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path == "/_control/health":
            return self.send_simple(200, "text/plain", b"ok")
        if path == "/_control/script":
            state.set_script(json.loads(raw.decode("utf-8")))
            return self.send_simple(200, "text/plain", b"ok")
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        with state.lock:
            state.active += 1
            inflight = state.active
        try:
            state.log({"t": time.monotonic(), "method": self.command, "path": path,
                       "query": query,
                       "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": text, "json": parsed, "inflight": inflight})
            self.answer(state, path, text, parsed)
        finally:
            with state.lock:
                state.active -= 1

    def answer(self, state, path, text, parsed):
        auth = self.headers.get("authorization", "")
        if not self.headers.get("x-api-key") and not auth.startswith("Bearer "):
            return self.send_simple(401, "application/json", error_body(
                "authentication_error", "x-api-key header is required"))
        spec = state.next_spec(path)
        if spec is None:
            if path == "/v1/messages/count_tokens":
                spec = {"fixture": "count_tokens.json"}
            elif path == "/v1/models":
                spec = {"json": DEFAULT_MODELS}
            else:
                return self.send_simple(404, "application/json", error_body(
                    "not_found_error", "Not found: %s" % path))
        self.serve_spec(route_spec(spec, text), parsed)

    def send_simple(self, status, ctype, body):
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.send_header("request-id", "req_test_%d" % self.server.state.n)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def wait_client_gone(self, limit=120.0):
        end = time.monotonic() + limit
        sock = self.connection
        while time.monotonic() < end and not self.server.stopping:
            r, _, _ = select.select([sock], [], [], 0.2)
            if r:
                try:
                    if not sock.recv(4096):
                        return
                except OSError:
                    return

    def serve_spec(self, spec, req=None):
        self.close_connection = True
        if spec.get("headers_delay_ms"):
            time.sleep(spec["headers_delay_ms"] / 1000.0)
        if spec.get("reset"):
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            except OSError:
                pass
            return
        if spec.get("hang"):
            self.wait_client_gone()
            return
        status, headers, ctype, body = build_response(spec, req)
        is_sse = ctype.startswith("text/event-stream")
        framing = spec.get("framing", "chunked" if is_sse else "length")
        self.send_response(status)
        names = {n.lower() for n, _ in headers}
        if "request-id" not in names:
            self.send_header("request-id", "req_test_%d" % self.server.state.n)
        for n, v in headers:
            self.send_header(n, v)
        self.send_header("content-type", ctype)
        if framing == "chunked":
            self.send_header("transfer-encoding", "chunked")
        elif framing == "length":
            self.send_header("content-length", str(len(body)))
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.flush()
        chunk = int(spec.get("chunk", 0)) or len(body) or 1
        delay = spec.get("delay_ms", 0) / 1000.0
        if spec.get("drip_ms"):
            chunk, delay = 1, spec["drip_ms"] / 1000.0
        drop = spec.get("drop_after")
        sent = 0
        try:
            while sent < len(body):
                piece = body[sent:sent + chunk]
                if drop is not None and sent + len(piece) > drop:
                    piece = piece[:max(0, drop - sent)]
                if piece:
                    if framing == "chunked":
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    else:
                        self.wfile.write(piece)
                    self.wfile.flush()
                sent += len(piece)
                if drop is not None and sent >= drop:
                    return  # connection closed with the body unfinished
                if delay and sent < len(body):
                    if self.server.stopping:
                        return
                    time.sleep(delay)
            if framing == "chunked":
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog of 5 overflows when 16 clients
    # connect at once, and a dropped handshake costs the client a 1 s
    # retransmission: concurrency tests would measure the backlog.
    request_queue_size = 128
    stopping = False


def main():
    ap = argparse.ArgumentParser(description="pwb's local Messages API test server")
    ap.add_argument("--script", help="JSON script (see the top of this file)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    script = {}
    if args.script:
        with open(args.script) as f:
            script = json.load(f)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(script, args.log)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print("port %d" % port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True
        srv.server_close()


if __name__ == "__main__":
    sys.exit(main())
