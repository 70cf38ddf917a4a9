#!/usr/bin/env python3
"""Checks a Python program written by `pwb export --lang python` without the
anthropic package (not installable here), using only the standard library.

Usage: check_python.py FILE BODY.json VERSION BETA|- [--stream]

- FILE compiles;
- it calls client.messages.create(...) (client.messages.stream(...) with
  --stream) exactly once; the call's keyword arguments, evaluated literally
  (module-level names bound to literals are resolved, extra_body is merged,
  stream() adds "stream": true), equal BODY.json as JSON values (a bool is
  not a number, 1 equals 1.0);
- the client is built with anthropic.Anthropic(...): api_key is not a
  literal, default_headers pins anthropic-version to VERSION and
  anthropic-beta to BETA (absent when BETA is "-");
- no key-shaped string appears anywhere in the file.
Prints what is wrong and exits 1, or exits 0.
"""
import ast
import json
import re
import sys


class NotLiteral(Exception):
    pass


def evaluate(node, names):
    """The value of a literal expression; names maps module-level names."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise NotLiteral("name %s is not bound to a literal" % node.id)
        return names[node.id]
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise NotLiteral("** in a dict")
            out[evaluate(k, names)] = evaluate(v, names)
        return out
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = evaluate(node.operand, names)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise NotLiteral("minus on a non-number")
        return -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = evaluate(node.left, names), evaluate(node.right, names)
        if isinstance(a, str) and isinstance(b, str):
            return a + b
    raise NotLiteral("not a literal: %s" % ast.dump(node)[:120])


def json_equal(a, b, path="body"):
    """Strict JSON equality; returns a list of differences."""
    if isinstance(a, bool) or isinstance(b, bool):
        return [] if type(a) is type(b) and a == b else ["%s: %r != %r" % (path, a, b)]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return [] if a == b else ["%s: %r != %r" % (path, a, b)]
    if isinstance(a, dict) and isinstance(b, dict):
        diffs = []
        for k in sorted(set(a) | set(b)):
            if k not in a:
                diffs.append("%s.%s: missing in the program" % (path, k))
            elif k not in b:
                diffs.append("%s.%s: not in pwb's body" % (path, k))
            else:
                diffs += json_equal(a[k], b[k], "%s.%s" % (path, k))
        return diffs
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s: %d items != %d" % (path, len(a), len(b))]
        diffs = []
        for i, (x, y) in enumerate(zip(a, b)):
            diffs += json_equal(x, y, "%s[%d]" % (path, i))
        return diffs
    if type(a) is type(b) and a == b:
        return []
    return ["%s: %r != %r" % (path, a, b)]


def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def check(path, body, version, beta, stream):
    """Problems with the exported program at path (an empty list when none).
    body is pwb's body (parsed), beta None when no betas are sent."""
    src = open(path, encoding="utf-8").read()
    problems = []
    try:
        compile(src, path, "exec")
    except SyntaxError as e:
        return ["does not compile: %s" % e]
    if re.search(r"sk-ant-[a-z]+[0-9]*-[A-Za-z0-9_-]{20,}", src):
        problems.append("a key-shaped string is in the file")

    tree = ast.parse(src, path)
    names = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            try:
                names[stmt.targets[0].id] = evaluate(stmt.value, names)
            except NotLiteral:
                pass

    want = "messages.stream" if stream else "messages.create"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
             dotted(n.func).endswith((".messages.create", ".messages.stream"))]
    if len(calls) != 1 or not dotted(calls[0].func).endswith(want):
        problems.append("expected one %s call, found %s" %
                        (want, [dotted(c.func) for c in calls]))
    else:
        call = calls[0]
        sent = {}
        try:
            if call.args:
                raise NotLiteral("positional arguments")
            for kw in call.keywords:
                if kw.arg is None:
                    raise NotLiteral("**kwargs")
                value = evaluate(kw.value, names)
                if kw.arg == "extra_body":
                    for k, v in value.items():
                        if k in sent:
                            problems.append("%s given twice" % k)
                        sent[k] = v
                elif kw.arg in ("extra_headers", "extra_query", "timeout"):
                    problems.append("unexpected %s=" % kw.arg)
                else:
                    if kw.arg in sent:
                        problems.append("%s given twice" % kw.arg)
                    sent[kw.arg] = value
            if stream:
                if "stream" in sent:
                    problems.append("stream= passed to messages.stream()")
                sent["stream"] = True
            problems += json_equal(sent, body)
        except NotLiteral as e:
            problems.append("call arguments: %s" % e)

    clients = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
               dotted(n.func) == "anthropic.Anthropic"]
    if len(clients) != 1:
        problems.append("expected one anthropic.Anthropic(...) call")
        return problems
    kws = {kw.arg: kw.value for kw in clients[0].keywords}
    key = kws.get("api_key")
    if key is not None and isinstance(key, ast.Constant):
        problems.append("api_key is a literal")
    if key is not None and "ANTHROPIC_API_KEY" not in ast.unparse(key):
        problems.append("api_key does not come from ANTHROPIC_API_KEY")
    try:
        headers = evaluate(kws["default_headers"], names) if "default_headers" in kws else {}
    except NotLiteral as e:
        headers = {}
        problems.append("default_headers: %s" % e)
    headers = {k.lower(): v for k, v in headers.items()}
    if headers.get("anthropic-version") != version:
        problems.append("anthropic-version %r, expected %r" %
                        (headers.get("anthropic-version"), version))
    if headers.get("anthropic-beta") != beta:
        problems.append("anthropic-beta %r, expected %r" % (headers.get("anthropic-beta"), beta))
    if "base_url" in kws:
        problems.append("base_url is set (ANTHROPIC_BASE_URL would be ignored)")
    return problems


def main():
    args = [a for a in sys.argv[1:] if a != "--stream"]
    if len(args) != 4:
        print(__doc__)
        return 2
    path, body_path, version, beta = args
    body = json.load(open(body_path, encoding="utf-8"))
    problems = check(path, body, version, None if beta == "-" else beta,
                     "--stream" in sys.argv[1:])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
