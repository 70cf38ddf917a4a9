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

Message Batches (a separate section below): every /v1/messages/batches...
path that the script does not name itself is served by a small batch
store, configured by the script key "batches" (an object, all optional):
    {"batches": {
        "polls": 1,            GETs of a new batch answering in_progress
                               before it is ended (0: the first GET ends it)
        "cancel_polls": 1,     GETs answering canceling after a cancel
        "outcomes": {"r1-k0-c0": "errored", "r2-k0-c0": "expired",
                     "r3-k0-c0": {"type": "errored", "error_type":
                     "overloaded_error", "message": "..."}},
                               by custom_id; default succeeded. A canceled
                               batch turns succeeded ones into canceled.
        "seed": 1,             results are shuffled with this seed
        "extra_lines": [{...}],  raw result objects appended to the results
                               (an unknown or duplicate custom_id)
        "results_chunk": 4096, results are written in chunks of this size
        "max_requests": 100000,  (env PWB_TEST_BATCH_MAX_REQUESTS too)
        "existing": 0,         ended batches present before any create
                               (msgbatch_old_NNN), for list paging
        "get_faults": [529],   statuses answered by the first status GETs
        "usage": {"input_tokens": 10, "output_tokens": 5},
        "answer_size": 6000,   a succeeded answer's text cut or padded
                               (with "." ) to this many characters (make
                               bench: large results from small requests)
        "sizes": false}}       true: each MessageBatch also carries
                               "_create_bytes", the size of its create body
                               (not an API field; make bench reports it)
Create validates as the API does (400 invalid_request_error: requests a
non-empty list of at most max_requests; custom_id 1-64 of [A-Za-z0-9_-]
and unique; params an object with model, max_tokens and messages) and
answers a MessageBatch msgbatch_... in_progress. A succeeded result is a
Message whose text is "batch: " + the last user turn's text. Results are
JSON Lines (application/x-jsonl, chunked); before the end, 404. List pages
newest first (limit 1-1000, default 20; after_id, before_id; has_more,
first_id, last_id).

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
        self.counted = True
        try:
            state.log({"t": time.monotonic(), "method": self.command, "path": path,
                       "query": query,
                       "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": text, "json": parsed, "inflight": inflight})
            self.answer(state, path, query, raw, text, parsed)
        finally:
            self.uncount()

    def uncount(self):
        """The request stops counting as in flight: called just before its
        last bytes go out, so a client that starts its next request as soon
        as an answer ends is never counted twice."""
        if getattr(self, "counted", False):
            self.counted = False
            with self.server.state.lock:
                self.server.state.active -= 1

    def answer(self, state, path, query, raw, text, parsed):
        auth = self.headers.get("authorization", "")
        if not self.headers.get("x-api-key") and not auth.startswith("Bearer "):
            return self.send_simple(401, "application/json", error_body(
                "authentication_error", "x-api-key header is required"))
        if path.startswith("/v1/messages/batches") and path not in state.routes:
            return batch_handle(self, state, path, query, parsed, len(raw))
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
        self.uncount()
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
                    if sent + len(piece) >= len(body) and drop is None:
                        self.uncount()
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


# ---- Message Batches ---------------------------------------------------
# A small in-memory batch store (see "Message Batches" at the top). Kept
# apart from the rest: batch_handle is the one entry point.

import random
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

BATCH_CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BATCH_MAX_BYTES = 256 * 1000 * 1000


def batch_time(seconds):
    """RFC 3339 time, seconds after a fixed origin (ordering is stable)."""
    t = datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def batch_last_user_text(params):
    for m in reversed(params.get("messages") or []):
        if not isinstance(m, dict) or m.get("role") != "user":
            continue
        c = m.get("content")
        if isinstance(c, str):
            return c
        if isinstance(c, list):
            return "".join(b.get("text", "") for b in c
                           if isinstance(b, dict) and b.get("type") == "text")
    return ""


class BatchStore:
    def __init__(self, config):
        self.lock = threading.Lock()
        self.config = config
        self.batches = {}
        self.order = []  # ids, oldest first
        self.seq = 0
        self.faults_used = 0
        for i in range(int(config.get("existing", 0))):
            self.add({"id": "msgbatch_old_%03d" % i, "requests": [], "state": "ended",
                      "polls_left": 0, "canceled": False})

    def add(self, b):
        self.seq += 1
        b["created"] = batch_time(self.seq * 60)
        b["created_s"] = self.seq * 60
        self.batches[b["id"]] = b
        self.order.append(b["id"])

    def outcome(self, b, cid):
        o = self.config.get("outcomes", {}).get(cid, "succeeded")
        kind = o.get("type", "errored") if isinstance(o, dict) else o
        if b["canceled"] and kind == "succeeded":
            kind = "canceled"
        return kind, (o if isinstance(o, dict) else {})

    def counts(self, b):
        c = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if b["state"] != "ended":
            c["processing"] = len(b["requests"])
            return c
        for cid, _ in b["requests"]:
            c[self.outcome(b, cid)[0]] += 1
        return c

    def view(self, b, host):
        ended = b["state"] == "ended"
        extra = {"_create_bytes": b.get("body_bytes", 0)} if self.config.get("sizes") else {}
        return dict(extra, **{
            "id": b["id"], "type": "message_batch", "processing_status": b["state"],
            "request_counts": self.counts(b),
            "created_at": b["created"],
            "expires_at": batch_time(b["created_s"] + 86400),
            "ended_at": batch_time(b["created_s"] + 30) if ended else None,
            "cancel_initiated_at": batch_time(b["created_s"] + 10) if b["canceled"] else None,
            "archived_at": None,
            "results_url": ("http://%s/v1/messages/batches/%s/results" % (host, b["id"])
                            if ended else None),
        })

    def result_line(self, b, cid, params):
        kind, o = self.outcome(b, cid)
        if kind == "succeeded":
            usage = dict(self.config.get("usage", {"input_tokens": 10, "output_tokens": 5}))
            text = "batch: " + batch_last_user_text(params)
            size = self.config.get("answer_size")
            if size is not None:
                text = text[:int(size)].ljust(int(size), ".")
            msg = {"id": "msg_batch_%s_%s" % (b["id"][-4:], cid), "type": "message",
                   "role": "assistant", "model": params.get("model"),
                   "content": [{"type": "text", "text": text}],
                   "stop_reason": "end_turn", "stop_sequence": None,
                   "usage": dict(usage, service_tier="batch")}
            result = {"type": "succeeded", "message": msg}
        elif kind == "errored":
            result = {"type": "errored", "error": {"type": "error", "error": {
                "type": o.get("error_type", "invalid_request_error"),
                "message": o.get("message", "scripted error for %s" % cid)},
                "request_id": None}}
        else:
            result = {"type": kind}
        return {"custom_id": cid, "result": result}


def batch_store(state):
    """The store of the current script; a new script starts a new store."""
    with state.lock:
        routes = state.routes
        store = getattr(state, "batch_store", None)
        if store is None or store[0] is not routes:
            config = (routes.get("batches") or [{}])[0]
            store = (routes, BatchStore(config if isinstance(config, dict) else {}))
            state.batch_store = store
        return store[1]


def batch_validate(body, max_requests):
    """None when body is a valid create body, else the error message."""
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        return "requests: Field required (a list)"
    reqs = body["requests"]
    if not reqs:
        return "requests: List should have at least 1 item"
    if len(reqs) > max_requests:
        return "requests: List should have at most %d items, not %d" % (max_requests, len(reqs))
    extra = set(body) - {"requests"}
    if extra:
        return "%s: Extra inputs are not permitted" % sorted(extra)[0]
    seen = set()
    for i, r in enumerate(reqs):
        if not isinstance(r, dict):
            return "requests.%d: Input should be an object" % i
        cid = r.get("custom_id")
        if not isinstance(cid, str) or not BATCH_CUSTOM_ID.match(cid):
            return "requests.%d.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'" % i
        if cid in seen:
            return "requests.%d.custom_id: duplicate custom_id '%s'" % (i, cid)
        seen.add(cid)
        p = r.get("params")
        if not isinstance(p, dict):
            return "requests.%d.params: Input should be an object" % i
        if not isinstance(p.get("model"), str):
            return "requests.%d.params.model: Field required" % i
        if not isinstance(p.get("max_tokens"), int) or isinstance(p.get("max_tokens"), bool):
            return "requests.%d.params.max_tokens: Field required" % i
        if not isinstance(p.get("messages"), list):
            return "requests.%d.params.messages: Field required" % i
    return None


def batch_send_json(handler, status, obj):
    handler.send_simple(status, "application/json", json.dumps(obj).encode())


def batch_error(handler, status, etype, message):
    handler.send_simple(status, "application/json", error_body(etype, message))


def batch_handle(handler, state, path, query, parsed, body_len):
    store = batch_store(state)
    cfg = store.config
    host = handler.headers.get("host", "127.0.0.1")
    method = handler.command
    parts = path.rstrip("/").split("/")[4:]  # after /v1/messages/batches
    if not parts:
        if method == "POST":
            return batch_create(handler, store, parsed, body_len, host)
        if method == "GET":
            return batch_list(handler, store, query, host)
        return batch_error(handler, 405, "invalid_request_error", "method not allowed")
    with store.lock:
        b = store.batches.get(parts[0])
    if b is None:
        return batch_error(handler, 404, "not_found_error", "no batch %s" % parts[0])
    if len(parts) == 1 and method == "GET":
        with store.lock:
            faults = cfg.get("get_faults", [])
            if store.faults_used < len(faults):
                status = int(faults[store.faults_used])
                store.faults_used += 1
                return batch_error(handler, status, "overloaded_error" if status == 529
                                   else "api_error", "scripted fault %d" % status)
            if b["state"] != "ended":
                if b["polls_left"] > 0:
                    b["polls_left"] -= 1
                else:
                    b["state"] = "ended"
            view = store.view(b, host)
        return batch_send_json(handler, 200, view)
    if len(parts) == 2 and parts[1] == "cancel" and method == "POST":
        with store.lock:
            if b["state"] == "in_progress":
                b["state"] = "canceling"
                b["canceled"] = True
                b["polls_left"] = int(cfg.get("cancel_polls", 1))
            view = store.view(b, host)
        return batch_send_json(handler, 200, view)
    if len(parts) == 2 and parts[1] == "results" and method == "GET":
        return batch_results(handler, store, b)
    return batch_error(handler, 404, "not_found_error", "Not found: %s" % path)


def batch_create(handler, store, parsed, body_len, host):
    cfg = store.config
    if body_len > BATCH_MAX_BYTES:
        return batch_error(handler, 413, "request_too_large", "the batch is over 256 MB")
    max_req = int(cfg.get("max_requests", os.environ.get("PWB_TEST_BATCH_MAX_REQUESTS", 100000)))
    why = batch_validate(parsed, max_req)
    if why:
        return batch_error(handler, 400, "invalid_request_error", why)
    with store.lock:
        bid = "msgbatch_test%04d" % (store.seq + 1)
        b = {"id": bid, "requests": [(r["custom_id"], r["params"]) for r in parsed["requests"]],
             "state": "in_progress", "polls_left": int(cfg.get("polls", 1)), "canceled": False,
             "body_bytes": body_len}
        store.add(b)
        view = store.view(b, host)
    return batch_send_json(handler, 200, view)


def batch_list(handler, store, query, host):
    q = parse_qs(query)
    try:
        limit = int(q.get("limit", ["20"])[0])
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return batch_error(handler, 400, "invalid_request_error",
                           "limit: Input should be between 1 and 1000")
    with store.lock:
        ids = list(reversed(store.order))  # newest first
        after, before = q.get("after_id", [None])[0], q.get("before_id", [None])[0]
        if after is not None:
            if after not in ids:
                return batch_error(handler, 400, "invalid_request_error", "unknown after_id")
            ids = ids[ids.index(after) + 1:]
        elif before is not None:
            if before not in ids:
                return batch_error(handler, 400, "invalid_request_error", "unknown before_id")
            ids = ids[:ids.index(before)][-limit:]
        page = ids[:limit]
        data = [store.view(store.batches[i], host) for i in page]
    batch_send_json(handler, 200, {"data": data, "has_more": len(ids) > len(page),
                                   "first_id": page[0] if page else None,
                                   "last_id": page[-1] if page else None})


def batch_results(handler, store, b):
    cfg = store.config
    with store.lock:
        if b["state"] != "ended":
            return batch_error(handler, 404, "not_found_error",
                               "batch %s has not ended: no results yet" % b["id"])
        lines = [store.result_line(b, cid, p) for cid, p in b["requests"]]
    random.Random(cfg.get("seed", 1)).shuffle(lines)
    lines.extend(cfg.get("extra_lines", []))
    body = "".join(json.dumps(x) + "\n" for x in lines).encode()
    chunk = int(cfg.get("results_chunk", 4096)) or 4096
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("request-id", "req_test_%d" % handler.server.state.n)
    handler.send_header("content-type", "application/x-jsonl")
    handler.send_header("transfer-encoding", "chunked")
    handler.send_header("connection", "close")
    handler.end_headers()
    try:
        for i in range(0, len(body), chunk):
            piece = body[i:i + chunk]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
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
