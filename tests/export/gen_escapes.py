#!/usr/bin/env python3
"""Writes a preset (JSON, which is YAML) whose system prompt, messages and
tool description are random strings built from the characters exporters get
wrong: quotes, backslashes, line breaks, ${, backticks, $(, %, ??, hex
digits after control characters, invisible and bidirectional characters,
non-ASCII and emoji. Deterministic for a seed.

Usage: gen_escapes.py SEED OUT.yaml
"""
import json
import random
import re
import sys

POOL = (
    ['"', "'", "\\", "\n", "\r", "\t", "\r\n", "$", "{", "}", "`", "(", ")", "%",
     "?", "??", "/", "=", "*", "*/", "#", "!", " ", "  ", "a", "F", "0", "9", "x",
     "u", "n", "JSON", "EOF", "${x}", "$(id)", "%s", "%n", "{{", "}}", "\"\"\"",
     "??=", "??/", "\\x41", "\\u0041", "\\n", "\x01", "\x07", "\x1b", "\x1f", "\x7f",
     "\u0085", "\u00a0", "\u200b", "\u200d", "\u2028", "\u2029", "\u202e", "\u2066",
     "\ufeff", "é", "ß", "日本", "😀", "👩‍💻", "🇨🇭", "∑"]
    + ["word"] * 6
)
# Characters YAML does not allow raw (DEL) or would read as line breaks or a
# BOM inside a quoted scalar: written as escapes.
YAML_ESCAPE = {"\x7f": "\\x7F", "\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def text(rng, longest):
    n = rng.randint(1, longest)
    s = "".join(rng.choice(POOL) for _ in range(n))
    # {{name}} is a variable reference: keep the braces, break the name
    return re.sub(r"\{\{(\s*)([A-Za-z_])", r"{{\1-\2", s)


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(seed)
    messages = []
    for i in range(12):
        messages.append({"role": "user" if i % 2 == 0 else "assistant",
                         "content": text(rng, 8 if i % 3 else 60)})
    preset = {
        "pwb": 1,
        "name": text(rng, 6),
        "model": "claude-sonnet-4-5",
        "max_tokens": 256,
        "system": text(rng, 80),
        "messages": messages,
        "tools": [{"name": "probe", "description": text(rng, 20),
                   "input_schema": {"type": "object"}}],
    }
    doc = json.dumps(preset, ensure_ascii=False, indent=1)
    for ch, esc in YAML_ESCAPE.items():
        doc = doc.replace(ch, esc)
    with open(out, "w", encoding="utf-8") as f:
        f.write(doc + "\n")


if __name__ == "__main__":
    main()
