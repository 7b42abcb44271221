// Regenerates docs/errors.md from the error catalogue: `node --import tsx scripts/generate-error-docs.ts`.
import fs from 'node:fs';
import { errorCatalogue } from '../src/platform/errors.ts';

const rows = Object.entries(errorCatalogue).map(([code, entry]) => `| \`${code}\` | \`${entry.type}\` | ${entry.status} | ${entry.description} |`);
fs.writeFileSync(
  new URL('../docs/errors.md', import.meta.url),
  `# Errors

Every error is Stripe's envelope: \`{"error": {"type", "code", "message", "param"?, "decline_code"?, "payment_intent"?, "charge"?}}\`,
with the HTTP status below. \`param\` names the offending parameter in Stripe's bracket notation (\`card[exp_month]\`,
\`metadata[key]\`, \`payment_method_types[0]\`). Card declines (402) carry \`decline_code\` and, on PaymentIntent
endpoints, the updated \`payment_intent\`. A 500 (\`api_error\`) is always a bug: its \`Request-Id\` is in the log.

This table is generated from \`src/platform/errors.ts\` (\`node --import tsx scripts/generate-error-docs.ts\`); a test
fails when a code is used in the source but missing here.

| code | type | status | meaning |
|---|---|---|---|
${rows.join('\n')}

Decline codes (\`decline_code\`) of the test processor: \`generic_decline\`, \`insufficient_funds\`, \`lost_card\`,
\`stolen_card\`, \`expired_card\`, \`incorrect_cvc\`, \`processing_error\`, \`fraudulent\`, \`card_velocity_exceeded\`,
\`authentication_required\` (see docs/testing.md for the cards that produce them).
`,
);
