// Benchmark anchor: the official TypeScript SDK (@anthropic-ai/sdk, pinned in
// tests/package-lock.json) consuming one streamed answer with its
// MessageStream helper, as an application would.
//   node sdk_stream.mjs BODY.json json   print the final Message as JSON (like pwb run --json)
//   node sdk_stream.mjs BODY.json text   print text deltas as they arrive (like pwb run)
// BODY.json is the request body pwb sends (pwb request FILE); ANTHROPIC_BASE_URL
// and ANTHROPIC_API_KEY come from the environment.
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';

const [bodyPath, mode = 'json'] = process.argv.slice(2);
const body = JSON.parse(readFileSync(bodyPath, 'utf8'));
delete body.stream;
const client = new Anthropic({
  apiKey: process.env.ANTHROPIC_API_KEY,
  baseURL: process.env.ANTHROPIC_BASE_URL,
  maxRetries: 0,
});
const stream = client.messages.stream(body);
if (mode === 'text') stream.on('text', (t) => process.stdout.write(t));
const message = await stream.finalMessage();
if (mode === 'json') process.stdout.write(JSON.stringify(message) + '\n');
else process.stdout.write('\n');
