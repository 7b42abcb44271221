import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Stripe's OpenAPI spec sits beside the repository (it is large, so it is not vendored). */
export const stripeSpecPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/specs/stripe/spec3.json');

interface SpecShape {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { items?: { enum?: string[] } }> } }> } }>>;
}

/** The event types of the spec's `POST /v1/webhook_endpoints` `enabled_events` enum, without the `*` wildcard. */
export function specEnabledEvents(spec: SpecShape): string[] {
  const schema = spec.paths['/v1/webhook_endpoints'].post.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
  const values = schema?.properties?.enabled_events?.items?.enum;
  if (!values) throw new Error('the spec has no enabled_events enum on POST /v1/webhook_endpoints');
  return values.filter((value) => value !== '*');
}
