import type { RouteDefinition } from '../route.ts';
import { accountRoutes } from './accounts.ts';
import { accountLinkRoutes } from './account-links.ts';
import { connectedAccountRoutes } from './connected-accounts.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { balanceRoutes } from './balance.ts';
import { balanceTransactionRoutes } from './balance-transactions.ts';
import { chargeRoutes } from './charges.ts';
import { checkoutSessionRoutes } from './checkout-sessions.ts';
import { chargeRefundRoutes } from './charge-refunds.ts';
import { connectorConfigurationRoutes } from './connector-configurations.ts';
import { customerRoutes } from './customers.ts';
import { customerSourceRoutes } from './customer-sources.ts';
import { legacyChargeRoutes } from './legacy-charges.ts';
import { tokenRoutes } from './tokens.ts';
import { eventRoutes } from './events.ts';
import { externalAccountRoutes } from './external-accounts.ts';
import { personRoutesAll } from './persons.ts';
import { fileRoutes } from './files.ts';
import { paymentIntentRoutes } from './payment-intents.ts';
import { paymentLinkRoutes } from './payment-links.ts';
import { paymentMethodRoutes } from './payment-methods.ts';
import { mandateRoutes } from './mandates.ts';
import { payoutRoutes } from './payouts.ts';
import { priceRoutes } from './prices.ts';
import { paymentMethodConfigurationRoutes } from './payment-method-configurations.ts';
import { productRoutes } from './products.ts';
import { refundRoutes } from './refunds.ts';
import { routingProfileRoutes } from './routing-profile.ts';
import { searchRoutes } from './search.ts';
import { setupAttemptRoutes } from './setup-attempts.ts';
import { setupIntentRoutes } from './setup-intents.ts';
import { transferRoutes } from './transfers.ts';
import { disputeRoutes } from './disputes.ts';
import { earlyFraudWarningRoutes } from './early-fraud-warnings.ts';
import { applicationFeeRoutes } from './application-fees.ts';
import { webhookEndpointRoutes } from './webhook-endpoints.ts';

/** Every API route Payrail serves; the OpenAPI document is built from this list. */
export function allRoutes(): RouteDefinition[] {
  return [
    ...searchRoutes,
    ...customerRoutes,
    ...paymentMethodRoutes,
    ...mandateRoutes,
    ...paymentIntentRoutes,
    ...setupIntentRoutes,
    ...setupAttemptRoutes,
    ...checkoutSessionRoutes,
    ...paymentLinkRoutes,
    ...chargeRoutes,
    ...chargeRefundRoutes,
    ...legacyChargeRoutes,
    ...tokenRoutes,
    ...customerSourceRoutes,
    ...refundRoutes,
    ...disputeRoutes,
    ...earlyFraudWarningRoutes,
    ...productRoutes,
    ...paymentMethodConfigurationRoutes,
    ...priceRoutes,
    ...eventRoutes,
    ...balanceRoutes,
    ...balanceTransactionRoutes,
    ...accountRoutes,
    ...connectedAccountRoutes,
    ...accountLinkRoutes,
    ...fileRoutes,
    ...externalAccountRoutes,
    ...personRoutesAll,
    ...payoutRoutes,
    ...transferRoutes,
    ...applicationFeeRoutes,
    ...webhookEndpointRoutes,
    ...connectorConfigurationRoutes,
    ...routingProfileRoutes,
    ...apiKeyRoutes,
  ] as unknown as RouteDefinition[];
}
