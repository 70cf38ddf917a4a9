// Plain chat with a system prompt
// The simplest useful preset: one system prompt that sets the role, tone and
// limits, and one user question. Change the system prompt and press send
// again to see how much of the answer it controls.
// The response below was written by hand as an illustration; record a real
// one with: pwb run presets/chat-system-prompt.yaml --record
//
// Exported by pwb. Needs the official SDK: npm install @anthropic-ai/sdk
// An ES module: save as request.mjs and run node request.mjs. The key comes
// from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, replaces
// https://api.anthropic.com.
import Anthropic from '@anthropic-ai/sdk';

const SYSTEM = `You are a senior site reliability engineer mentoring a junior colleague.
Answer in plain English, in at most three short paragraphs.
When a command helps, show it in a code block and say what it does.
If a question is ambiguous, state the assumption you make before answering.
`;

const MESSAGE_1 =
  "Our web server's disk filled up overnight. How do I find out what is " +
  "using the space?";

if (!process.env.ANTHROPIC_API_KEY) throw new Error('set ANTHROPIC_API_KEY');

// Send what pwb sends: the key as x-api-key and the API version. SDK 1.x would
// send Authorization: Bearer and anthropic-version 2026-10-21.
const client = new Anthropic({
  defaultHeaders: {
    'x-api-key': process.env.ANTHROPIC_API_KEY,
    Authorization: null,
    'anthropic-version': '2023-06-01',
  },
});

const message = await client.messages.create({
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  system: SYSTEM,
  messages: [{ role: 'user', content: MESSAGE_1 }],
  temperature: 0.7,
});
for (const block of message.content) {
  if (block.type === 'text') process.stdout.write(block.text);
}
process.stdout.write('\n');
