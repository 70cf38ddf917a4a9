#!/usr/bin/python3
"""pwb benchmarks (make bench): the release ./pwb against its anchors, curl
and the official TypeScript SDK, on the same local test server in the same
run. Figures only: nothing here passes or fails on a time.

Each case builds its response bodies before timing starts (the server
generates them when its script is set), runs every tool WARMUP times
untimed, then RUNS times measured: wall time (from spawn to exit, or to the
first output byte for time to first byte), CPU time (user + system of the
child, from wait4), peak RSS (ru_maxrss of the child), and the server's own
CPU during the run (from /proc/PID/stat). Outputs are checked after each run
so a fast wrong answer cannot pass as a fast answer.

    tests/bench/bench.py --pwb ./pwb [--runs 7] [--warmup 2] [--json OUT]
                         [--markdown OUT.md] [--only CASE,...]
"""
import argparse
import csv
import fcntl
import importlib.util
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import termios
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TICK = os.sysconf("SC_CLK_TCK")
FAKE_KEY = "sk-ant-api03-FAKEbenchKEY0123456789abcdefghijklmnopqrstuvwxyz-BNCH"
MODEL = "claude-sonnet-4-6"


# --- processes -------------------------------------------------------------

def proc_cpu_s(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


MEASURE = None  # tests/bench/measure.c, built by make bench
PROMPTFOO_DIR = os.path.join(HERE, "promptfoo")  # pinned by its package-lock.json
EVAL_CASE = "evaluation: pwb eval vs promptfoo"
EVAL_ROWS = 1000
EVAL_CONCURRENCY = (4, 16)
BATCH_CASE = "evaluation through the Message Batches API (pwb eval --batch)"
BATCH_ROWS = 10000
BATCH_VALUE_BYTES = 5500   # a row's ticket: about 57 MB of create body for 10,000
BATCH_ANSWER_BYTES = 5700  # an answer's text: about 60 MB of results for 10,000
TUI_ROWS, TUI_COLS = 40, 120


def measure(argv, env, server_pid, stdout_path=None, first_byte=False, cancel=None):
    """One measured run through the measure wrapper. Returns a dict of wall_ms,
    cpu_ms, rss_kb, status, srv_cpu_ms, and first_ms (first_byte) or
    cancel_ms (cancel = (marker, delay_ms): SIGINT once marker was printed)."""
    cmd = [MEASURE, "-o", stdout_path or "/dev/null"]
    if first_byte:
        cmd.append("-f")
    if cancel:
        cmd += ["-i", cancel[0], "-d", str(cancel[1])]
    cmd += ["--"] + argv
    s0 = proc_cpu_s(server_pid)
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       stderr=open(env["BENCH_STDERR"], "a"))
    s1 = proc_cpu_s(server_pid)
    if r.returncode != 0:
        raise SystemExit("bench: measure failed on %s" % argv)
    d = json.loads(r.stdout)
    d["srv_cpu_ms"] = (s1 - s0) * 1e3
    return d


class Server:
    def __init__(self, tmp, log=None):
        """A test server; with log, one JSON line per request goes there."""
        self.tmp = tmp
        port_file = os.path.join(tmp, "server.port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "server.py"),
             "--port-file", port_file] + (["--log", log] if log else []),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "server.err"), "w"))
        for _ in range(400):
            if os.path.exists(port_file):
                break
            time.sleep(0.025)
        else:
            raise SystemExit("bench: the test server did not start")
        self.port = int(open(port_file).read())
        self.url = "http://127.0.0.1:%d" % self.port
        self.pid = self.proc.pid

    def script(self, script):
        req = urllib.request.Request(self.url + "/_control/script",
                                     data=json.dumps(script).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


# --- statistics and tables -------------------------------------------------

def stats(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def summarize(runs, keys=("wall_ms", "cpu_ms", "rss_kb", "srv_cpu_ms", "first_ms")):
    s = {}
    for k in keys:
        vals = [r[k] for r in runs if k in r]
        if vals:
            s[k] = stats(vals)
    return s


def fmt_ms(v):
    return "%.1f" % v if v < 100 else "%.0f" % v


def fmt_mb(kb):
    return "%.1f" % (kb / 1024.0)


def triple(st, key, fmt):
    if key not in st:
        return "-"
    x = st[key]
    return "%s / %s / %s" % (fmt(x["min"]), fmt(x["median"]), fmt(x["max"]))


def ratio(a, b, key):
    if key not in a or key not in b or b[key]["median"] == 0:
        return "-"
    return "%.2fx" % (a[key]["median"] / b[key]["median"])


# --- the cases -------------------------------------------------------------

class Bench:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.pwb = os.path.abspath(args.pwb)
        self.results = {}
        self.notes = []
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ANTHROPIC_", "ASAN_", "UBSAN_"))}
        self.env["ANTHROPIC_API_KEY"] = FAKE_KEY
        self.env["BENCH_STDERR"] = os.path.join(tmp, "stderr.log")
        self.env["NO_COLOR"] = "1"
        self.server = Server(tmp)
        self.env["ANTHROPIC_BASE_URL"] = self.server.url
        self.node = shutil.which("node")
        self.sdk_script = os.path.join(HERE, "sdk_stream.mjs")
        self.sdk_ok = self.node and os.path.isdir(
            os.path.join(ROOT, "tests", "node_modules", "@anthropic-ai", "sdk"))
        only = [c for c in args.only.split(",") if c]
        sdk_cases = ("throughput-100k", "throughput-10k", "ttfb", "cancel")
        if not self.sdk_ok and (not only or any(o in c for o in only for c in sdk_cases)):
            self.notes.append("SDK anchor missing: run (cd tests && npm ci)")
        self.preset = os.path.join(tmp, "chat.yaml")
        with open(self.preset, "w") as f:
            f.write("pwb: 1\nname: bench\nmodel: %s\nmax_tokens: 64000\n"
                    "messages:\n  - role: user\n    content: Count for me.\n" % MODEL)
        self.body = os.path.join(tmp, "body.json")
        r = subprocess.run([self.pwb, "request", self.preset], env=self.env,
                           capture_output=True)
        if r.returncode == 0 and r.stdout.strip().startswith(b"{"):
            with open(self.body, "wb") as f:
                f.write(r.stdout)
        else:
            self.notes.append("pwb request failed (%d); anchors got a hand-built body"
                              % r.returncode)
            with open(self.body, "w") as f:
                json.dump({"model": MODEL, "max_tokens": 64000, "stream": True,
                           "messages": [{"role": "user", "content": "Count for me."}]}, f)

    def close(self):
        self.server.stop()

    def repeat(self, name, argv, check=None, first_byte=False, stdout_file=True):
        out = os.path.join(self.tmp, "out.txt") if stdout_file or first_byte else None
        runs = []
        for i in range(self.args.warmup + self.args.runs):
            r = measure(argv, self.env, self.server.pid, stdout_path=out,
                        first_byte=first_byte)
            if first_byte:
                with open(out, "rb") as f:
                    r["out"] = f.read()
            if check:
                why = check(r, out)
                if why:
                    raise SystemExit("bench: %s gave a wrong result: %s" % (name, why))
            r.pop("out", None)
            if i >= self.args.warmup:
                runs.append(r)
        return {"runs": runs, "stats": summarize(runs)}

    # stream throughput: pwb run --json vs curl -sN vs SDK MessageStream
    def throughput(self, deltas, size):
        case = "stream %d x %d B" % (deltas, size)
        self.server.script([{"generate": {"deltas": deltas, "size": size}}])
        expect_len = deltas * size
        # the SSE body size, for the report
        probe = subprocess.run(["curl", "-sN", "--noproxy", "*", self.server.url + "/v1/messages",
                                "-H", "x-api-key: " + FAKE_KEY, "-H", "content-type: application/json",
                                "--data-binary", "@" + self.body, "-o", "/dev/null",
                                "-w", "%{size_download}"], capture_output=True, text=True)
        sse_bytes = int(probe.stdout or 0)

        def check_msg(r, out):
            if r["status"] != 0:
                return "exit status %d" % r["status"]
            try:
                d = json.load(open(out))
            except ValueError as e:
                return "output is not JSON: %s" % e
            msg = d.get("message", d) if "outcome" in d else d
            if "outcome" in d and d["outcome"] != "complete":
                return "outcome %s" % d["outcome"]
            text = "".join(b.get("text", "") for b in msg.get("content", []))
            if len(text) != expect_len:
                return "text of %d bytes, expected %d" % (len(text), expect_len)
            return None

        def check_curl(r, out):
            return "exit status %d" % r["status"] if r["status"] != 0 else None

        tools = {}
        tools["pwb"] = self.repeat("pwb", [self.pwb, "run", "--json", self.preset], check_msg)
        tools["curl"] = self.repeat("curl", [
            "curl", "-sN", "--noproxy", "*", self.server.url + "/v1/messages",
            "-H", "x-api-key: " + FAKE_KEY, "-H", "anthropic-version: 2023-06-01",
            "-H", "content-type: application/json", "--data-binary", "@" + self.body,
            "-o", "/dev/null"], check_curl, stdout_file=False)
        if self.sdk_ok:
            tools["sdk"] = self.repeat("sdk", [self.node, self.sdk_script, self.body, "json"],
                                       check_msg)
        res = {"tools": tools, "sse_bytes": sse_bytes,
               "what": "pwb run --json; curl -sN -o /dev/null; SDK "
                       "messages.stream().finalMessage()"}
        helper = self.args.stream_bench
        if helper and os.path.exists(helper):
            r = subprocess.run([helper, str(deltas), str(size), str(self.args.runs)],
                               capture_output=True, text=True)
            if r.returncode == 0:
                d = json.loads(r.stdout)
                res["in_process"] = {
                    "pwb SSE parse + assembly + message JSON, fast path": stats(d["fast_ms"]),
                    "the same through cJSON only (fast path off)": stats(d["cjson_ms"])}
        self.results[case] = res

    # time to first byte: a one-token answer, from process start
    def ttfb(self):
        case = "time to first byte (1 token)"
        self.server.script([{"generate": {"deltas": 1, "size": 1}}])

        def check_text(r, out):
            if r["status"] != 0:
                return "exit status %d" % r["status"]
            if b"a" not in r["out"]:
                return "no answer text in %r" % r["out"][:80]
            return None

        tools = {}
        tools["pwb"] = self.repeat("pwb", [self.pwb, "run", self.preset], check_text,
                                   first_byte=True)
        tools["curl"] = self.repeat("curl", [
            "curl", "-sN", "--noproxy", "*", self.server.url + "/v1/messages",
            "-H", "x-api-key: " + FAKE_KEY, "-H", "anthropic-version: 2023-06-01",
            "-H", "content-type: application/json", "--data-binary", "@" + self.body],
            check_text, first_byte=True)
        if self.sdk_ok:
            tools["sdk"] = self.repeat("sdk", [self.node, self.sdk_script, self.body, "text"],
                                       check_text, first_byte=True)
        self.results[case] = {"tools": tools, "first_byte": True,
                              "what": "pwb run (text to stdout); curl -sN (raw SSE to "
                                      "stdout); SDK stream.on('text')"}

    # cancel latency: SIGINT during a slow drip, time from the signal to exit
    def cancel(self):
        case = "cancel latency (SIGINT mid-stream)"
        # about 100 bytes every 20 ms: the client mostly waits in poll
        self.server.script([{"generate": {"deltas": 5000, "size": 4}, "chunk": 100,
                             "delay_ms": 20}])
        tools = {}
        cmds = {"pwb": [self.pwb, "run", self.preset],
                "curl": ["curl", "-sN", "--noproxy", "*", self.server.url + "/v1/messages",
                         "-H", "x-api-key: " + FAKE_KEY, "-H", "content-type: application/json",
                         "--data-binary", "@" + self.body]}
        if self.sdk_ok:
            cmds["sdk"] = [self.node, self.sdk_script, self.body, "text"]
        for name, argv in cmds.items():
            runs = []
            # answer text (for curl: a text_delta event), then SIGINT at a
            # varying point of the drip
            marker = "text_delta" if name == "curl" else "a"
            for i in range(self.args.warmup + self.args.runs):
                r = measure(argv, self.env, self.server.pid, cancel=(marker, 30 + 7 * i))
                if r["cancel_ms"] < 0:
                    raise SystemExit("bench: %s never printed %r" % (name, marker))
                if name == "pwb" and r["status"] != 130:
                    raise SystemExit("bench: pwb exited %d on SIGINT, expected 130"
                                     % r["status"])
                r["wall_ms"] = r.pop("cancel_ms")
                if i >= self.args.warmup:
                    runs.append(r)
            tools[name] = {"runs": runs, "stats": summarize(runs, ("wall_ms", "rss_kb"))}
        # let the server notice the dropped connections
        self.server.script([])
        self.results[case] = {"tools": tools, "cancel": True,
                              "what": "time from kill(SIGINT) to the process's exit, "
                                      "while ~100 B arrive every 20 ms; target under 100 ms"}

    # preset load: a 4 MB preset with 1,000 turns
    def make_big_preset(self, path):
        lines = ["pwb: 1", "name: big conversation",
                 "description: generated by tests/bench/bench.py (1,000 turns, about 4 MB)",
                 "model: %s" % MODEL, "max_tokens: 4096",
                 "system: |", "  You are a patient assistant.", "  Keep answers short.",
                 "messages:"]
        para = ("The quick brown fox jumps over the lazy dog; \"quotes\", colons: and "
                "# hashes stay text. Unicode: caf\u00e9, \u65e5\u672c.")
        for i in range(1000):
            role = "user" if i % 2 == 0 else "assistant"
            lines.append("  - role: %s" % role)
            if i % 3 == 2:
                # a double-quoted scalar with escapes
                text = ("turn %d " % i) + (para + " ") * 30
                lines.append("    content: %s" % json.dumps(text))
            else:
                lines.append("    content: |")
                for k in range(33):
                    lines.append("      %d.%d %s" % (i, k, para))
        text = "\n".join(lines) + "\n"
        with open(path, "w") as f:
            f.write(text)
        return len(text.encode())

    def preset_load(self):
        case = "preset load (4 MB, 1,000 turns)"
        path = os.path.join(self.tmp, "big.yaml")
        size = self.make_big_preset(path)

        def ok_status(r, out):
            return "exit status %d" % r["status"] if r["status"] != 0 else None

        tools = {}
        tools["pwb"] = self.repeat("pwb validate", [self.pwb, "validate", path], ok_status)
        tools["pyyaml"] = self.repeat("pyyaml", [
            "/usr/bin/python3", "-c",
            "import sys, yaml\n"
            "d = yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CLoader)\n"
            "assert len(d['messages']) == 1000\n", path], ok_status)
        extra = {}
        helper = self.args.preset_bench
        if helper and os.path.exists(helper):
            out = os.path.join(self.tmp, "saved.yaml")
            tools["pwb save"] = self.repeat("preset_bench save", [helper, "save", path, out],
                                            ok_status)
            # in-process figures (no process start): load+validate and save
            inproc = []
            for _ in range(self.args.runs):
                r = subprocess.run([helper, "save", path, out], capture_output=True, text=True)
                if r.returncode == 0:
                    inproc.append(json.loads(r.stdout))
            pyin = []
            for _ in range(self.args.runs):
                r = subprocess.run(["/usr/bin/python3", "-c",
                                    "import sys, time, yaml\n"
                                    "t = time.perf_counter()\n"
                                    "d = yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CLoader)\n"
                                    "print((time.perf_counter() - t) * 1e3)\n", path],
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    pyin.append(float(r.stdout))
            if inproc:
                extra["in_process"] = {
                    "pwb load": stats([x["load_ms"] for x in inproc]),
                    "pwb validate": stats([x["validate_ms"] for x in inproc]),
                    "pwb save": stats([x["save_ms"] for x in inproc]),
                    "pyyaml CLoader load": stats(pyin) if pyin else None}
            if os.path.exists(out):
                extra["saved_bytes"] = os.path.getsize(out)
            # the worst case for nesting: 100,000 nested lists (200 KB), refused
            deep = []
            for _ in range(self.args.runs):
                r = subprocess.run([helper, "deep", "100000"], capture_output=True, text=True)
                if r.returncode == 0:
                    deep.append(json.loads(r.stdout)["deep_ms"])
            if deep:
                extra["deep_100000_refused_ms"] = stats(deep)
        tools["pwb request"] = self.repeat("pwb request", [self.pwb, "request", path], ok_status)
        self.results[case] = dict({"tools": tools, "bytes": size,
                                   "what": "pwb validate FILE; /usr/bin/python3 yaml.load("
                                           "CLoader); preset_bench save (preset_load_file + "
                                           "preset_save); pwb request FILE"}, **extra)

    # --- the TUI ---------------------------------------------------------
    # A pseudo-terminal (Python pty) of TUI_ROWS x TUI_COLS with
    # TERM=xterm-256color; the harness reads and discards the output (no
    # terminal emulator draws it). Markers are found in the raw output.

    def pty_session(self, argv, steps, timeout=60):
        """Run argv (through measure -n) on a new pty. steps: [(bytes to send
        or None, marker)]: after sending, wait for marker in the output that
        follows. Returns ([ms per step], measure's JSON)."""
        env = dict(self.env, TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", TUI_ROWS, TUI_COLS, 0, 0))
                os.execve(MEASURE, [MEASURE, "-n", "--"] + argv, env)
            finally:
                os._exit(127)
        out = bytearray()
        times = []

        def read_until(marker, start, deadline):
            while True:
                if marker is not None and out.find(marker, max(0, start - len(marker))) >= 0:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                r, _, _ = select.select([fd], [], [], left)
                if not r:
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return marker is None
                if not chunk:
                    return marker is None
                out.extend(chunk)

        deadline = time.monotonic() + timeout
        ok = True
        for send, marker in steps:
            start = len(out)
            ts = time.perf_counter()
            if send is None:
                ts = t0
            else:
                os.write(fd, send)
            if not read_until(marker, start, deadline):
                ok = False
                break
            times.append((time.perf_counter() - ts) * 1e3)
        # quit: Ctrl-Q, then "y" in case it asks about unsaved changes
        try:
            os.write(fd, b"\x11")
            time.sleep(0.05)
            os.write(fd, b"y")
        except OSError:
            pass
        read_until(None, len(out), time.monotonic() + 10)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        m = re.findall(rb'\{"wall_ms": [^}]*\}', bytes(out))
        if not ok:
            raise SystemExit("bench: TUI never showed %r; output tail %r"
                             % (marker, bytes(out[-300:])))
        return times, (json.loads(m[-1]) if m else {})

    def tui_start(self):
        case = "TUI: start to first frame"
        big = os.path.join(self.tmp, "big.yaml")
        if not os.path.exists(big):
            self.make_big_preset(big)
        tools = {}
        for name, path in (("pwb (small preset)", self.preset), ("pwb (4 MB, 1,000 turns)", big)):
            runs = []
            for i in range(self.args.warmup + self.args.runs):
                t, m = self.pty_session([self.pwb, path], [(None, b"idle")])
                if i >= self.args.warmup:
                    runs.append({"wall_ms": t[0], "rss_kb": m.get("rss_kb", 0)})
            tools[name] = {"runs": runs, "stats": summarize(runs, ("wall_ms", "rss_kb"))}
        self.results[case] = {"tools": tools, "tui": True,
                              "what": "from fork to the status line's state (\"idle\") in "
                                      "the first frame, on a %dx%d pty, TERM=xterm-256color; "
                                      "RSS is the whole session's peak" % (TUI_COLS, TUI_ROWS)}

    def tui_keys(self):
        case = "TUI: time per key press (4 MB conversation)"
        big = os.path.join(self.tmp, "big.yaml")
        if not os.path.exists(big):
            self.make_big_preset(big)
        n = 200
        scripts = {
            "baseline": "@wait-idle\n<M-2>\n@render\n",
            "type a character": "@wait-idle\n<M-2>\n" + "x\n@render\n" * n,
            "<Down> (next turn)": "@wait-idle\n<M-2>\n" + "<Down>\n@render\n" * n,
        }
        env = dict(self.env, TERM="xterm-256color", PWB_TEST_CLOCK="1000000",
                   XDG_STATE_HOME=os.path.join(self.tmp, "state"),
                   PWB_SCRIPT_OUT=self.tmp)
        tools = {}
        small_tools = {}
        for label, body in scripts.items():
            sp = os.path.join(self.tmp, "keys.script")
            with open(sp, "w") as f:
                f.write(body + "<C-q>\ny\n")
            for target, store in ((big, tools), (self.preset, small_tools)):
                runs = []
                for i in range(self.args.warmup + self.args.runs):
                    shutil.copy(target, os.path.join(self.tmp, "keys.yaml"))
                    r = measure([self.pwb, "--script", sp, os.path.join(self.tmp, "keys.yaml")],
                                env, self.server.pid)
                    if r["status"] != 0:
                        raise SystemExit("bench: TUI script %s exited %d" % (label, r["status"]))
                    if i >= self.args.warmup:
                        runs.append(r)
                store[label] = {"runs": runs, "stats": summarize(runs)}
        per_key = {}
        for label in scripts:
            if label == "baseline":
                continue
            for which, store in (("4 MB", tools), ("small", small_tools)):
                b = store["baseline"]["stats"]
                t = store[label]["stats"]
                per_key["%s, %s preset" % (label, which)] = {
                    "wall_ms": (t["wall_ms"]["median"] - b["wall_ms"]["median"]) / n,
                    "cpu_ms": (t["cpu_ms"]["median"] - b["cpu_ms"]["median"]) / n}
        self.results[case] = {"tools": {"4 MB: " + k: v for k, v in tools.items()},
                              "per_key": per_key, "keys": n,
                              "what": "script mode (pwb --script): each key is followed by "
                                      "one render of the virtual screen (@render), %d keys "
                                      "per run; per key = (run - baseline) / %d, medians"
                                      % (n, n)}

    def tui_stream(self):
        case = "TUI: 100,000-delta stream"
        self.server.script([{"generate": {"deltas": 100000, "size": 4}}])
        env = dict(self.env, TERM="xterm-256color",
                   XDG_STATE_HOME=os.path.join(self.tmp, "state"), PWB_SCRIPT_OUT=self.tmp)
        tools = {}
        for label, body in (("pwb TUI: start, quit (baseline)", "@render\n"),
                            ("pwb TUI: start, Ctrl-R, stream, quit", "<C-r>\n@wait-idle\n")):
            sp = os.path.join(self.tmp, "stream.script")
            with open(sp, "w") as f:
                f.write(body + "<C-q>\ny\n")

            def ok_status(r, out):
                return "exit status %d" % r["status"] if r["status"] != 0 else None
            tools[label] = self.repeat(label, [self.pwb, "--script", sp, self.preset], ok_status)

        def ok_status(r, out):
            return "exit status %d" % r["status"] if r["status"] != 0 else None
        tools["pwb run --json"] = self.repeat("pwb run --json",
                                              [self.pwb, "run", "--json", self.preset], ok_status)
        tools["pwb run (text)"] = self.repeat("pwb run", [self.pwb, "run", self.preset], ok_status)
        self.results[case] = {"tools": tools, "tui": True,
                              "what": "the TUI in script mode (pwb --script: a virtual "
                                      "xterm-256color 80x24 screen drawn by ncurses to "
                                      "/dev/null, frames as the terminal loop draws them), "
                                      "against pwb run in the same run"}

    # --- evaluation: pwb eval against promptfoo ---------------------------
    # The same CSV rows (tests/bench/eval/rows.py), the same local echo
    # server (its own, with a request log, so each run's requests are
    # counted), at two concurrencies. The two tools alternate run by run so
    # the machine's load falls on both alike. A run whose output does not
    # show every row passed with its own answer, or after which the server
    # did not count exactly one request per row, is reported as invalid and
    # never enters a figure.

    def eval_compare(self):
        case = EVAL_CASE
        n = EVAL_ROWS
        spec = importlib.util.spec_from_file_location(
            "eval_rows", os.path.join(HERE, "eval", "rows.py"))
        eval_rows = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(eval_rows)
        tmp = os.path.join(self.tmp, "eval")
        os.makedirs(tmp, exist_ok=True)
        rows_csv = os.path.join(tmp, "rows.csv")
        eval_rows.write_rows(n, rows_csv)
        # what each row's answer must be: the server's prefix + the ticket
        with open(rows_csv, newline="") as f:
            expected = sorted(eval_rows.PREFIX + r["ticket"] for r in csv.DictReader(f))
        log = os.path.join(tmp, "server.jsonl")
        server = Server(tmp, log=log)
        server.script([{"echo": eval_rows.PREFIX}])
        log_pos = [os.path.getsize(log) if os.path.exists(log) else 0]

        def server_requests():
            """(messages requests, highest in flight) since the last call."""
            count, peak = 0, 0
            if os.path.exists(log):
                with open(log, "rb") as f:
                    f.seek(log_pos[0])
                    data = f.read()
                    log_pos[0] += len(data)
                for line in data.splitlines():
                    e = json.loads(line)
                    if e.get("path") == "/v1/messages" and e.get("method") == "POST":
                        count += 1
                        peak = max(peak, e.get("inflight", 0))
            return count, peak

        preset = os.path.join(HERE, "eval", "bench.yaml")
        pwb_out = os.path.join(tmp, "pwb.jsonl")
        pwb_data = os.path.join(tmp, "xdg-data")
        pwb_env = dict(self.env, ANTHROPIC_BASE_URL=server.url, XDG_DATA_HOME=pwb_data,
                       XDG_STATE_HOME=os.path.join(tmp, "xdg-state"))
        pwb_env.pop("PWB_LOG", None)

        def pwb_argv(conc):
            return [self.pwb, "eval", preset, "--tests", rows_csv, "--concurrency",
                    str(conc), "--no-log", "-o", pwb_out]

        def pwb_check(r):
            if r["status"] != 0:
                return "exit status %d" % r["status"]
            outs, bad = [], None
            try:
                with open(pwb_out) as f:
                    for line in f:
                        o = json.loads(line)
                        a = o.get("assertions") or []
                        if o.get("outcome") != "passed" or len(a) != 1 or not a[0].get("pass"):
                            bad = bad or "row %s: outcome %s" % (o.get("row"), o.get("outcome"))
                        outs.append(o.get("output"))
            except (OSError, ValueError) as e:
                return "-o output unreadable: %s" % e
            if bad:
                return bad
            if len(outs) != n:
                return "%d result lines, expected %d" % (len(outs), n)
            if sorted(outs) != expected:
                return "the answers are not the rows' own echoes"
            if os.path.exists(os.path.join(pwb_data, "pwb", "log.db")):
                return "--no-log wrote a run log"
            return None

        pf_main = os.path.join(PROMPTFOO_DIR, "node_modules", "promptfoo", "dist", "src",
                               "entrypoint.js")
        pf_ok = self.node and os.path.exists(pf_main)
        if not pf_ok:
            self.notes.append("promptfoo missing: run (cd tests/bench/promptfoo && npm ci)")
        pf_home = os.path.join(tmp, "pf-home")
        os.makedirs(pf_home, exist_ok=True)
        pf_out = os.path.join(tmp, "promptfoo.json")
        # no cache, no writes to its database, no telemetry or update check,
        # and a HOME of its own so nothing touches the user's ~/.promptfoo
        pf_env = dict(self.env, ANTHROPIC_BASE_URL=server.url, HOME=pf_home,
                      PROMPTFOO_CONFIG_DIR=os.path.join(pf_home, ".promptfoo"),
                      PROMPTFOO_DISABLE_TELEMETRY="1", PROMPTFOO_DISABLE_UPDATE="1")

        def pf_argv(conc):
            return [self.node, pf_main, "eval", "-c",
                    os.path.join(HERE, "eval", "promptfooconfig.yaml"), "-t", rows_csv,
                    "--no-cache", "--no-write", "--no-table", "--no-progress-bar",
                    "-j", str(conc), "-o", pf_out]

        def pf_check(r):
            if r["status"] != 0:
                return "exit status %d" % r["status"]
            try:
                with open(pf_out) as f:
                    d = json.load(f)["results"]
            except (OSError, ValueError, KeyError) as e:
                return "-o results.json unreadable: %s" % e
            st = d.get("stats", {})
            if st.get("successes") != n or st.get("failures") or st.get("errors"):
                return "stats %s" % {k: st.get(k) for k in ("successes", "failures", "errors")}
            res = d.get("results", [])
            if len(res) != n or not all(x.get("success") for x in res):
                return "%d results, not all successful" % len(res)
            if sorted((x.get("response") or {}).get("output") for x in res) != expected:
                return "the answers are not the rows' own echoes"
            return None

        tools = [("pwb", pwb_argv, pwb_env, pwb_check)]
        if pf_ok:
            tools.append(("promptfoo", pf_argv, pf_env, pf_check))
        runs_n = int(os.environ.get("BENCH_EVAL_RUNS", 3))
        warm = int(os.environ.get("BENCH_EVAL_WARMUP", 1))
        res = {"tools": {}, "invalid": [], "rows": n, "eval": True, "runs": runs_n,
               "warmup": warm,
               "uptime_before": uptime(),
               "what": "%d CSV rows, one contains assertion each; pwb eval --tests ROWS.csv "
                       "--concurrency N --no-log -o OUT.jsonl; promptfoo eval -t ROWS.csv "
                       "--no-cache --no-write -j N -o results.json (anthropic provider, "
                       "ANTHROPIC_BASE_URL = the local server); %d measured runs after %d "
                       "warm-up per tool and concurrency, the tools alternating" % (
                           n, runs_n, warm)}
        try:
            for conc in EVAL_CONCURRENCY:
                got = {name: [] for name, _, _, _ in tools}
                for i in range(warm + runs_n):
                    order = tools if i % 2 == 0 else tools[::-1]
                    for name, argv, env, check in order:
                        for path in (pwb_out, pf_out):
                            if os.path.exists(path):
                                os.unlink(path)
                        server_requests()  # skip anything logged before this run
                        errs = os.path.join(tmp, "stderr.txt")
                        open(errs, "w").close()
                        r = measure(argv(conc), dict(env, BENCH_STDERR=errs), server.pid,
                                    stdout_path=os.path.join(tmp, "stdout.txt"))
                        count, peak = server_requests()
                        r["requests"], r["inflight_max"] = count, peak
                        why = check(r)
                        if not why and count != n:
                            why = "the server saw %d requests, expected %d" % (count, n)
                        if why and r["status"] != 0:
                            with open(errs, errors="replace") as f:
                                tail = [x for x in f.read().splitlines() if x.strip()][-1:]
                            why += " (stderr: %s)" % (tail[0][:200] if tail else "empty")
                        if why:
                            res["invalid"].append({"tool": name, "concurrency": conc,
                                                   "run": i, "why": why})
                            print("bench: eval: %s -j %d run %d invalid: %s"
                                  % (name, conc, i, why), file=sys.stderr, flush=True)
                        elif i >= warm:
                            got[name].append(r)
                for name in got:
                    runs = got[name]
                    res["tools"]["%s -j %d" % (name, conc)] = {
                        "runs": runs, "stats": summarize(runs), "concurrency": conc,
                        "inflight_max": max((r["inflight_max"] for r in runs), default=0)}
        finally:
            server.stop()
        res["uptime_after"] = uptime()
        self.results[case] = res

    # --- evaluation through the Message Batches API ------------------------
    # BATCH_ROWS rows through `pwb eval --batch` on the test server's batch
    # store (its own server, no request log: a create body of 57 MB would be
    # logged twice per run). The server ends a batch at its first poll
    # (polls 0) and pwb polls after 10 ms (--poll 0.01), so the wall time is
    # pwb's and the server's work, not a scripted wait. Four shapes of the
    # same 10,000 rows separate the two memory peaks the issue names: a
    # large create body with small answers (the peak is the create step's),
    # small requests with large answers (the peak is reading the results),
    # both large (the whole run, with and without the run log), and both
    # small (the process and its per-row state alone).
    # A run is valid when pwb exited 0, its -o has one `passed` line per
    # row with the row's own answer, and the server's list shows exactly
    # the batches the split needs (one, here), all ended, whose requests
    # add up to the rows, all succeeded.

    def batch_bench(self):
        case = BATCH_CASE
        n = BATCH_ROWS
        spec = importlib.util.spec_from_file_location(
            "batch_rows", os.path.join(HERE, "batch", "rows.py"))
        batch_rows = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(batch_rows)
        tmp = os.path.join(self.tmp, "batch")
        os.makedirs(tmp, exist_ok=True)
        rows = {}
        for size in (0, BATCH_VALUE_BYTES):
            rows[size] = os.path.join(tmp, "rows-%d.csv" % size)
            batch_rows.write_rows(n, size, rows[size])
        server = Server(tmp)
        preset = os.path.join(HERE, "batch", "batch.yaml")
        out = os.path.join(tmp, "out.jsonl")
        data = os.path.join(tmp, "xdg-data")
        env = dict(self.env, ANTHROPIC_BASE_URL=server.url, XDG_DATA_HOME=data,
                   XDG_STATE_HOME=os.path.join(tmp, "xdg-state"))
        env.pop("PWB_LOG", None)
        # (label, row value bytes, the server's answer_size or None: echo, --no-log)
        shapes = [
            ("large create body, small results", BATCH_VALUE_BYTES, 64, True),
            ("small create body, large results", 0, BATCH_ANSWER_BYTES, True),
            ("both large, --no-log", BATCH_VALUE_BYTES, None, True),
            ("both large, run log on (the default)", BATCH_VALUE_BYTES, None, False),
            ("both small (baseline)", 0, 64, True),
        ]

        def get_json(path):
            req = urllib.request.Request(server.url + path, headers={"x-api-key": FAKE_KEY})
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.load(r)

        def results_bytes(bid):
            req = urllib.request.Request(server.url + "/v1/messages/batches/%s/results" % bid,
                                         headers={"x-api-key": FAKE_KEY})
            total = 0
            with urllib.request.urlopen(req, timeout=300) as r:
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        return total
                    total += len(chunk)

        def check(r):
            if r["status"] != 0:
                return "exit status %d" % r["status"]
            seen = bytearray(n)
            try:
                with open(out) as f:
                    for line in f:
                        o = json.loads(line)
                        i = o.get("row")
                        a = o.get("assertions") or []
                        if not isinstance(i, int) or not 0 <= i < n or seen[i]:
                            return "row %r missing, out of range or twice" % i
                        seen[i] = 1
                        if o.get("outcome") != "passed" or len(a) != 1 or not a[0].get("pass"):
                            return "row %d: outcome %s" % (i, o.get("outcome"))
                        if not (o.get("output") or "").startswith(
                                batch_rows.PREFIX + batch_rows.tag(i)):
                            return "row %d: not its own answer" % i
            except (OSError, ValueError) as e:
                return "-o output unreadable: %s" % e
            if sum(seen) != n:
                return "%d result lines, expected %d" % (sum(seen), n)
            page = get_json("/v1/messages/batches?limit=1000")["data"]
            if len(page) != 1:
                return "the server saw %d creates, expected 1" % len(page)
            total = sum(b["request_counts"]["succeeded"] for b in page)
            if total != n or any(b["processing_status"] != "ended" for b in page):
                return "the server's batches hold %d succeeded requests, expected %d" % (total, n)
            r["batches"] = [(b["id"], b.get("_create_bytes", 0)) for b in page]
            return None

        runs_n = int(os.environ.get("BENCH_BATCH_RUNS", 3))
        warm = int(os.environ.get("BENCH_BATCH_WARMUP", 1))
        res = {"tools": {}, "invalid": [], "rows": n, "batch": True, "runs": runs_n,
               "warmup": warm, "uptime_before": uptime(),
               "what": "%d CSV rows, one contains assertion each; pwb eval --tests ROWS.csv "
                       "--batch --poll 0.01 -o OUT.jsonl; the server ends each batch at its "
                       "first poll; %d measured runs after %d warm-up per shape" % (
                           n, runs_n, warm)}
        try:
            for label, value_bytes, answer, no_log in shapes:
                script = {"polls": 0, "results_chunk": 1 << 20, "sizes": True}
                if answer is not None:
                    script["answer_size"] = answer
                argv = [self.pwb, "eval", preset, "--tests", rows[value_bytes], "--batch",
                        "--poll", "0.01", "-o", out] + (["--no-log"] if no_log else [])
                got, sizes = [], {}
                print("bench: batch: %s ..." % label, file=sys.stderr, flush=True)
                for i in range(warm + runs_n):
                    server.script({"batches": script})  # a new, empty batch store
                    shutil.rmtree(data, ignore_errors=True)
                    if os.path.exists(out):
                        os.unlink(out)
                    errs = os.path.join(tmp, "stderr.txt")
                    open(errs, "w").close()
                    r = measure(argv, dict(env, BENCH_STDERR=errs), server.pid,
                                stdout_path=os.path.join(tmp, "stdout.txt"))
                    why = check(r)
                    if why and r["status"] != 0:
                        with open(errs, errors="replace") as f:
                            tail = [x for x in f.read().splitlines() if x.strip()][-1:]
                        why += " (stderr: %s)" % (tail[0][:200] if tail else "empty")
                    if why:
                        res["invalid"].append({"tool": label, "run": i, "why": why})
                        print("bench: batch: %s run %d invalid: %s" % (label, i, why),
                              file=sys.stderr, flush=True)
                        continue
                    if not sizes:
                        bid, create = r["batches"][0]
                        sizes = {"create_bytes": create, "results_bytes": results_bytes(bid),
                                 "out_bytes": os.path.getsize(out)}
                    r.pop("batches", None)
                    if i >= warm:
                        got.append(r)
                res["tools"][label] = dict({"runs": got, "stats": summarize(got),
                                            "no_log": no_log}, **sizes)
        finally:
            server.stop()
        res["uptime_after"] = uptime()
        self.results[case] = res

    # --- report ----------------------------------------------------------

    def eval_table(self, case, res):
        """The evaluation case: one line per tool and concurrency."""
        n = res["rows"]
        out = ["### %s" % case, "", res["what"] + ".", "",
               "Load: `%s` before, `%s` after." % (res["uptime_before"], res["uptime_after"]),
               "", "Each cell: min / median / max over the valid measured runs; rows/s and "
               "CPU per row from the medians; server CPU: mean per run (clock ticks of 10 ms); "
               "in flight: the most requests the server was handling at once.", "",
               "| tool | wall s | rows/s | CPU s | CPU per row ms | peak RSS MB | "
               "server CPU s | in flight | valid runs |",
               "|" + " --- |" * 9]

        def sec(ms):
            return "%.2f" % (ms / 1e3)
        for name, t in res["tools"].items():
            st, runs = t["stats"], t["runs"]
            if not runs:
                out.append("| %s | invalid | - | - | - | - | - | - | 0 |" % name)
                continue
            wall, cpu = st["wall_ms"]["median"], st["cpu_ms"]["median"]
            srv = [r["srv_cpu_ms"] for r in runs]
            out.append("| %s | %s | %.0f | %s | %.3f | %s | %s | %d | %d |" % (
                name, triple(st, "wall_ms", sec), n / (wall / 1e3), triple(st, "cpu_ms", sec),
                cpu / n, triple(st, "rss_kb", fmt_mb), sec(sum(srv) / len(srv)),
                t["inflight_max"], len(runs)))
        out.append("")
        for conc in EVAL_CONCURRENCY:
            p = res["tools"].get("pwb -j %d" % conc)
            f = res["tools"].get("promptfoo -j %d" % conc)
            if p and f and p["runs"] and f["runs"]:
                out.append("pwb / promptfoo at -j %d (medians): wall %s, CPU %s, RSS %s" % (
                    conc, ratio(p["stats"], f["stats"], "wall_ms"),
                    ratio(p["stats"], f["stats"], "cpu_ms"),
                    ratio(p["stats"], f["stats"], "rss_kb")))
                out.append("")
        if res["invalid"]:
            out.append("Invalid runs (not in any figure):")
            for x in res["invalid"]:
                out.append("- %s -j %d, run %d: %s" % (x["tool"], x["concurrency"], x["run"],
                                                     x["why"]))
            out.append("")
        return "\n".join(out)

    def batch_table(self, case, res):
        """The batch case: one line per shape of the rows."""
        n = res["rows"]
        out = ["### %s" % case, "", res["what"] + ".", "",
               "Load: `%s` before, `%s` after." % (res["uptime_before"], res["uptime_after"]),
               "", "Each cell: min / median / max over the valid measured runs; create body "
               "as the server received it, results as it serves them, both in MiB like the "
               "RSS; server CPU: mean per run (clock ticks of 10 ms).", "",
               "| shape | create body MiB | results MiB | wall s | rows/s | CPU s | peak RSS MiB "
               "| server CPU s | valid runs |",
               "|" + " --- |" * 9]

        def sec(ms):
            return "%.2f" % (ms / 1e3)
        for name, t in res["tools"].items():
            st, runs = t["stats"], t["runs"]
            if not runs:
                out.append("| %s | - | - | invalid | - | - | - | - | 0 |" % name)
                continue
            srv = [r["srv_cpu_ms"] for r in runs]
            out.append("| %s | %.1f | %.1f | %s | %.0f | %s | %s | %s | %d |" % (
                name, t.get("create_bytes", 0) / 1048576.0,
                t.get("results_bytes", 0) / 1048576.0,
                triple(st, "wall_ms", sec), n / (st["wall_ms"]["median"] / 1e3),
                triple(st, "cpu_ms", sec), triple(st, "rss_kb", fmt_mb),
                sec(sum(srv) / len(srv)), len(runs)))
        out.append("")
        if res["invalid"]:
            out.append("Invalid runs (not in any figure):")
            for x in res["invalid"]:
                out.append("- %s, run %d: %s" % (x["tool"], x["run"], x["why"]))
            out.append("")
        return "\n".join(out)

    def tables(self):
        out = []
        for case, res in self.results.items():
            if res.get("eval"):
                out.append(self.eval_table(case, res))
                continue
            if res.get("batch"):
                out.append(self.batch_table(case, res))
                continue
            tools = res["tools"]
            out.append("### %s" % case)
            if res.get("what"):
                out.append("")
                out.append(res["what"] + ".")
            bits = []
            if res.get("sse_bytes"):
                bits.append("SSE body %.1f MB" % (res["sse_bytes"] / 1e6))
            if res.get("bytes"):
                bits.append("file %.1f MB" % (res["bytes"] / 1e6))
            if res.get("saved_bytes"):
                bits.append("saved file %.1f MB" % (res["saved_bytes"] / 1e6))
            if bits:
                out.append("")
                out.append(", ".join(bits) + ".")
            out.append("")
            first = res.get("first_byte")
            hdr = ["tool"]
            if first:
                hdr.append("first byte ms")
            hdr += ["wall ms", "CPU ms", "peak RSS MB"]
            if not res.get("cancel"):
                hdr.append("server CPU ms")
            hdr[hdr.index("wall ms")] = "exit ms" if first else (
                "SIGINT to exit ms" if res.get("cancel") else "wall ms")
            out.append("Each cell: min / median / max over the measured runs%s." % (
                "; server CPU: mean per run (clock ticks of 10 ms summed over the runs)"
                if not res.get("cancel") else ""))
            out.append("")
            out.append("| " + " | ".join(hdr) + " |")
            out.append("|" + " --- |" * len(hdr))
            for name, t in tools.items():
                st = t["stats"]
                row = [name]
                if first:
                    row.append(triple(st, "first_ms", fmt_ms))
                row.append(triple(st, "wall_ms", fmt_ms))
                if not res.get("cancel"):
                    row.append(triple(st, "cpu_ms", fmt_ms))
                else:
                    row.append("-")
                row.append(triple(st, "rss_kb", fmt_mb))
                if not res.get("cancel"):
                    srv = [r["srv_cpu_ms"] for r in t["runs"] if "srv_cpu_ms" in r]
                    row.append(fmt_ms(sum(srv) / len(srv)) if srv else "-")
                out.append("| " + " | ".join(row) + " |")
            if "pwb" in tools:
                pst = tools["pwb"]["stats"]
                for name, t in tools.items():
                    if name.startswith("pwb"):
                        continue
                    st = t["stats"]
                    key = "first_ms" if first else "wall_ms"
                    parts = ["%s %s" % ("first byte" if first else "wall", ratio(pst, st, key))]
                    if not res.get("cancel"):
                        parts.append("CPU %s" % ratio(pst, st, "cpu_ms"))
                    parts.append("RSS %s" % ratio(pst, st, "rss_kb"))
                    out.append("")
                    out.append("pwb / %s (medians): %s" % (name, ", ".join(parts)))
            if res.get("per_key"):
                out.append("")
                out.append("Per key press (medians):")
                for k, v in res["per_key"].items():
                    out.append("- %s: %.2f ms wall, %.2f ms CPU" % (k, v["wall_ms"], v["cpu_ms"]))
            if case.startswith("TUI: 100,000"):
                b = tools.get("pwb TUI: start, quit (baseline)")
                t = tools.get("pwb TUI: start, Ctrl-R, stream, quit")
                if b and t and "pwb run --json" in tools:
                    d = t["stats"]["wall_ms"]["median"] - b["stats"]["wall_ms"]["median"]
                    p = tools["pwb run --json"]["stats"]["wall_ms"]["median"]
                    out.append("")
                    out.append("Streaming in the TUI (run minus baseline, medians): %s ms, "
                               "against %s ms for pwb run --json (whole process)" % (
                                   fmt_ms(d), fmt_ms(p)))
            if res.get("in_process"):
                out.append("")
                out.append("In-process (no process start), ms min / median / max:")
                for k, v in res["in_process"].items():
                    if v:
                        out.append("- %s: %s / %s / %s" % (k, fmt_ms(v["min"]),
                                                          fmt_ms(v["median"]), fmt_ms(v["max"])))
            out.append("")
        return "\n".join(out)


def med(results, case, tool, key="wall_ms"):
    try:
        return results[case]["tools"][tool]["stats"][key]["median"]
    except KeyError:
        return None


def targets_table(results):
    """The issue's targets against this run's medians, as markdown rows."""
    rows = []

    def row(target, measured, met):
        rows.append("| %s | %s | %s |" % (target, measured, met))

    for deltas, size in ((100000, 4), (10000, 64)):
        case = "stream %d x %d B" % (deltas, size)
        p, c, sdk = med(results, case, "pwb"), med(results, case, "curl"), med(results, case, "sdk")
        if p and c:
            r = p / c
            row("%s: pwb run --json within 3x of curl's wall (stretch 1.5x)" % case,
                "%.2fx (%s vs %s ms; pwb max %s ms)" % (
                    r, fmt_ms(p), fmt_ms(c),
                    fmt_ms(results[case]["tools"]["pwb"]["stats"]["wall_ms"]["max"])),
                "yes%s" % (", stretch too" if r <= 1.5 else "") if r <= 3 else "**no**")
            pr, cr = med(results, case, "pwb", "rss_kb"), med(results, case, "curl", "rss_kb")
            row("%s: peak RSS at most twice curl's" % case,
                "%.2fx (%s vs %s MB)" % (pr / cr, fmt_mb(pr), fmt_mb(cr)),
                "yes" if pr <= 2 * cr else "**no**")
        if p and sdk:
            pc, sc = med(results, case, "pwb", "cpu_ms"), med(results, case, "sdk", "cpu_ms")
            row("%s: at least 15x faster than the SDK" % case,
                "%.1fx on wall (%s vs %s ms); %.0fx less CPU" % (sdk / p, fmt_ms(sdk), fmt_ms(p),
                                                              sc / pc),
                "yes" if sdk / p >= 15 else "**no** on wall")
    case = "time to first byte (1 token)"
    p, c = med(results, case, "pwb", "first_ms"), med(results, case, "curl", "first_ms")
    if p and c:
        row("time to first byte within 1.3x of curl", "%.2fx (%s vs %s ms)" % (
            p / c, fmt_ms(p), fmt_ms(c)), "yes" if p <= 1.3 * c else "**no**")
    case = "preset load (4 MB, 1,000 turns)"
    p, y = med(results, case, "pwb"), med(results, case, "pyyaml")
    if p and y:
        row("preset load and validate faster than PyYAML with libyaml",
            "%s vs %s ms (%.2fx)" % (fmt_ms(p), fmt_ms(y), p / y), "yes" if p < y else "**no**")
    case = "cancel latency (SIGINT mid-stream)"
    p = med(results, case, "pwb")
    if p is not None:
        mx = results[case]["tools"]["pwb"]["stats"]["wall_ms"]["max"]
        row("cancel: SIGINT to exit under 100 ms", "%s ms (max %s)" % (fmt_ms(p), fmt_ms(mx)),
            "yes" if mx < 100 else ("median only" if p < 100 else "**no**"))
    case = "TUI: time per key press (4 MB conversation)"
    if case in results:
        pk = results[case]["per_key"]
        big = pk.get("type a character, 4 MB preset")
        small = pk.get("type a character, small preset")
        if big and small:
            row("TUI: the cost of a frame does not grow with the history (typing)",
                "%.2f ms per key with 4 MB loaded vs %.2f ms on a small preset" % (
                    big["wall_ms"], small["wall_ms"]),
                "yes" if big["wall_ms"] <= 2 * max(small["wall_ms"], 0.5) else "**no**")
    case = EVAL_CASE
    for conc in EVAL_CONCURRENCY if case in results else ():
        tools = results[case]["tools"]
        p, f = tools.get("pwb -j %d" % conc), tools.get("promptfoo -j %d" % conc)
        if not p or not p["runs"]:
            row("eval -j %d: pwb eval" % conc, "no valid run", "**no**")
            continue
        ps = p["stats"]
        if f and f["runs"]:
            fs = f["stats"]
            for key, what, frac, fmt, unit in (
                    ("cpu_ms", "CPU time", 10, fmt_ms, "ms"),
                    ("rss_kb", "peak RSS", 10, fmt_mb, "MB"),
                    ("wall_ms", "wall time", 3, fmt_ms, "ms")):
                a, b = ps[key]["median"], fs[key]["median"]
                row("eval -j %d: pwb's %s at most 1/%d of promptfoo's" % (conc, what, frac),
                    "%.3fx, 1/%.1f (%s vs %s %s)" % (a / b, b / a, fmt(a), fmt(b), unit),
                    "yes" if a * frac <= b else "**no**")
        per_row = ps["cpu_ms"]["median"] / results[case]["rows"]
        row("eval -j %d: pwb's CPU per row under 1 ms" % conc, "%.3f ms" % per_row,
            "yes" if per_row < 1 else "**no**")
    case = BATCH_CASE
    if case in results:
        tools = results[case]["tools"]

        def peak(label):
            t = tools.get(label)
            return t["stats"]["rss_kb"]["median"] / 1024.0 if t and t["runs"] else None
        base = peak("both small (baseline)")
        for label, what in (("large create body, small results", "the create step"),
                            ("both large, --no-log", "the whole run")):
            p = peak(label)
            if p is None or base is None:
                row("batch: peak RSS of %s within one create body + the baseline" % what,
                    "no valid run", "**no**")
                continue
            body = tools[label]["create_bytes"] / 1048576.0
            row("batch: peak RSS of %s within one create body + the baseline" % what,
                "%.1f MiB against %.1f MiB of body + %.1f MiB of baseline: %.1f MiB over, "
                "(RSS - baseline) = %.2fx the body" % (p, body, base, p - base - body,
                                                      (p - base) / body),
                "yes" if p <= base + body * 1.1 else "**no**")
        p = peak("small create body, large results")
        if p is not None and base is not None:
            rb = tools["small create body, large results"]["results_bytes"] / 1048576.0
            row("batch: reading the results never holds the file (peak RSS above the baseline "
                "under 1/10 of it)", "%.1f MiB against the baseline's %.1f MiB, for a "
                "%.1f MiB results file" % (p, base, rb),
                "yes" if p - base < rb / 10 else "**no**")
        t = tools.get("both large, run log on (the default)")
        if t and t["runs"]:
            row("batch: wall time, %d rows, start to results written (figure only)" % (
                results[case]["rows"]),
                "%s s with the run log, %s s with --no-log" % (
                    fmt_ms(t["stats"]["wall_ms"]["median"] / 1e3),
                    fmt_ms(tools["both large, --no-log"]["stats"]["wall_ms"]["median"] / 1e3)
                    if tools.get("both large, --no-log", {}).get("runs") else "-"), "-")
    if not rows:
        return ""
    return "\n".join(["| target | measured (medians) | met |", "| --- | --- | --- |"] + rows)


def uptime():
    """uptime(1)'s line: the machine's load when a case ran."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory": mem,
            "kernel": platform.release()}


def versions(pwb):
    v = {}
    for name, cmd in (("pwb", [pwb, "--version"]), ("curl", ["curl", "--version"]),
                      ("node", ["node", "--version"]),
                      ("python3", ["/usr/bin/python3", "--version"])):
        try:
            v[name] = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            v[name] = "?"
    try:
        pkg = json.load(open(os.path.join(ROOT, "tests", "node_modules", "@anthropic-ai",
                                          "sdk", "package.json")))
        v["@anthropic-ai/sdk"] = pkg["version"]
    except (OSError, ValueError, KeyError):
        v["@anthropic-ai/sdk"] = "not installed"
    try:
        pkg = json.load(open(os.path.join(PROMPTFOO_DIR, "node_modules", "promptfoo",
                                          "package.json")))
        v["promptfoo"] = pkg["version"]
    except (OSError, ValueError, KeyError):
        v["promptfoo"] = "not installed"
    try:
        import yaml
        v["PyYAML"] = yaml.__version__ + (" (CLoader)" if hasattr(yaml, "CLoader") else "")
    except ImportError:
        v["PyYAML"] = "not installed"
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pwb", default=os.path.join(ROOT, "pwb"))
    ap.add_argument("--preset-bench", default="")
    ap.add_argument("--stream-bench", default="")
    ap.add_argument("--measure", default="")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 7)))
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--cflags", default="")
    ap.add_argument("--json", default="")
    ap.add_argument("--markdown", default="")
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""))
    args = ap.parse_args()
    global MEASURE
    MEASURE = args.measure or os.path.join(ROOT, "build", "bench", "measure")
    if not os.path.exists(MEASURE):
        raise SystemExit("bench: %s missing (make bench builds it)" % MEASURE)
    tmp = tempfile.mkdtemp(prefix="pwb-bench.")
    cases = [("throughput-100k", lambda b: b.throughput(100000, 4)),
             ("throughput-10k", lambda b: b.throughput(10000, 64)),
             ("ttfb", lambda b: b.ttfb()),
             ("preset", lambda b: b.preset_load()),
             ("cancel", lambda b: b.cancel()),
             ("tui-start", lambda b: b.tui_start()),
             ("tui-keys", lambda b: b.tui_keys()),
             ("tui-stream", lambda b: b.tui_stream()),
             ("eval", lambda b: b.eval_compare()),
             ("batch", lambda b: b.batch_bench())]
    only = [c for c in args.only.split(",") if c]
    load_before = os.getloadavg()
    b = Bench(args, tmp)
    try:
        for name, fn in cases:
            if only and not any(o in name for o in only):
                continue
            print("bench: %s ..." % name, file=sys.stderr, flush=True)
            fn(b)
    finally:
        b.close()
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    m = machine()
    v = versions(b.pwb)
    head = ["Date: %s" % date,
            "Machine: %d cores, %s, %s RAM, Linux %s" % (m["nproc"], m["cpu"], m["memory"],
                                                     m["kernel"]),
            "Build: %s" % (args.cflags or "?"),
            "Versions: " + ", ".join("%s %s" % (k, val) for k, val in v.items()),
            "Runs: %d measured after %d warm-up, per tool and case%s" % (
                args.runs, args.warmup,
                "; the evaluation case: %d after %d (BENCH_EVAL_RUNS)" % (
                    b.results[EVAL_CASE]["runs"], b.results[EVAL_CASE]["warmup"])
                if EVAL_CASE in b.results else "") + (
                "; the batch case: %d after %d (BENCH_BATCH_RUNS)" % (
                    b.results[BATCH_CASE]["runs"], b.results[BATCH_CASE]["warmup"])
                if BATCH_CASE in b.results else ""),
            "Load average (1 min) before / after: %.2f / %.2f" % (load_before[0],
                                                                 os.getloadavg()[0])]
    head += ["Note: " + n for n in b.notes]
    tt = targets_table(b.results)
    body = ("### Against the targets\n\n" + tt + "\n\n" if tt else "") + b.tables()
    text = "\n".join(head) + "\n\n" + body
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n\n".join(head) + "\n\n" + body)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": date, "machine": m, "versions": v, "cflags": args.cflags,
                       "results": b.results}, f, indent=1)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
