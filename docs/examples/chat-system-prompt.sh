#!/bin/bash
# Plain chat with a system prompt
# The simplest useful preset: one system prompt that sets the role, tone and
# limits, and one user question. Change the system prompt and press send
# again to see how much of the answer it controls.
# The response below was written by hand as an illustration; record a real
# one with: pwb run presets/chat-system-prompt.yaml --record
#
# Exported by pwb: sends the same request with curl. The key comes from
# ANTHROPIC_API_KEY and stays off the command line; ANTHROPIC_BASE_URL, when
# set, replaces https://api.anthropic.com.
set -euo pipefail
: "${ANTHROPIC_API_KEY:?set ANTHROPIC_API_KEY}"
base_url=${ANTHROPIC_BASE_URL:-https://api.anthropic.com}

curl -sS --fail-with-body "${base_url%/}/v1/messages" \
	-H @<(printf 'x-api-key: %s\n' "$ANTHROPIC_API_KEY") \
	-H 'anthropic-version: 2023-06-01' \
	-H 'content-type: application/json' \
	--data-binary @- <<'JSON'
{
  "model": "claude-sonnet-4-6",
  "max_tokens": 1024,
  "messages": [
    {
      "role": "user",
      "content": "Our web server's disk filled up overnight. How do I find out what is using the space?"
    }
  ],
  "system": "You are a senior site reliability engineer mentoring a junior colleague.\nAnswer in plain English, in at most three short paragraphs.\nWhen a command helps, show it in a code block and say what it does.\nIf a question is ambiguous, state the assumption you make before answering.\n",
  "temperature": 0.7
}
JSON
