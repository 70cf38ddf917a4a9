# Plain chat with a system prompt
# The simplest useful preset: one system prompt that sets the role, tone and
# limits, and one user question. Change the system prompt and press send
# again to see how much of the answer it controls.
# The response below was written by hand as an illustration; record a real
# one with: pwb run presets/chat-system-prompt.yaml --record
#
# Exported by pwb. Needs the official SDK: pip install anthropic
# The key comes from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, replaces
# https://api.anthropic.com.
import os

import anthropic

SYSTEM = """\
You are a senior site reliability engineer mentoring a junior colleague.
Answer in plain English, in at most three short paragraphs.
When a command helps, show it in a code block and say what it does.
If a question is ambiguous, state the assumption you make before answering.
"""

MESSAGE_1 = (
    "Our web server's disk filled up overnight. How do I find out what is "
    "using the space?"
)

client = anthropic.Anthropic(
    api_key=os.environ["ANTHROPIC_API_KEY"],
    # What pwb sends: newer SDKs default to another API version.
    default_headers={
        "anthropic-version": "2023-06-01",
    },
)

message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=1024,
    system=SYSTEM,
    messages=[{"role": "user", "content": MESSAGE_1}],
    temperature=0.7,
)
print("".join(b.text for b in message.content if b.type == "text"))
