import type { FastifyInstance } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { applyNotifications, findWebhookConfiguration } from '../../provider-webhooks/service.ts';
import type { ProviderNotification } from '../../connectors/connector.ts';

/**
 * One webhook endpoint per connector configuration: `POST /payrail/webhooks/{configuration id}`, the URL to register
 * with the provider (Adyen's standard webhook, PayPal's webhook, a Stripe webhook endpoint). The body is read raw,
 * since every provider signs the exact bytes; the configuration's connector verifies it before anything is applied.
 * Answers: 200 once applied (Adyen's `[accepted]`), 400 for a body that does not verify (the provider retries, and
 * a forged request is never acted on), 404 for an unknown configuration.
 */

/** Largest webhook body accepted: Adyen batches up to 100 items, PayPal and Stripe events are far smaller. */
export const providerWebhookBodyBytesMax = 1_048_576;
const configurationIdPattern = /^pcc_[0-9A-Za-z]{24}$/;

export function registerProviderWebhooks(app: FastifyInstance, deps: Dependencies): void {
  void app.register(async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: providerWebhookBodyBytesMax }, (_request, body, done) => done(null, body));
    instance.post<{ Params: { id: string } }>('/payrail/webhooks/:id', async (request, reply) => {
      const configuration = configurationIdPattern.test(request.params.id) ? await findWebhookConfiguration(deps.db, request.params.id) : undefined;
      if (!configuration || configuration.connector === 'test_processor') {
        return reply.status(404).send({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such connector configuration.' } });
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
      let notifications: ProviderNotification[];
      try {
        notifications = await deps.connectors.forConfiguration(configuration).parseWebhook(headers, body);
      } catch {
        // Why it failed is not told: it would help a forger. The provider will retry a genuine one.
        return reply.status(400).send({ error: { type: 'invalid_request_error', code: 'webhook_not_verified', message: 'The webhook could not be verified for this connector configuration.' } });
      }
      await applyNotifications(deps, configuration, notifications);
      return configuration.connector === 'adyen' ? reply.type('text/plain').send('[accepted]') : reply.send({ received: true });
    });
  });
}
