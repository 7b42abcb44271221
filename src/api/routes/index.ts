import type { RouteDefinition } from '../route.ts';
import { chargeRoutes } from './charges.ts';
import { customerRoutes } from './customers.ts';
import { eventRoutes } from './events.ts';
import { paymentIntentRoutes } from './payment-intents.ts';
import { paymentMethodRoutes } from './payment-methods.ts';
import { refundRoutes } from './refunds.ts';

/** Every API route Payrail serves; the OpenAPI document is built from this list. */
export function allRoutes(): RouteDefinition[] {
  return [...customerRoutes, ...paymentMethodRoutes, ...paymentIntentRoutes, ...chargeRoutes, ...refundRoutes, ...eventRoutes] as unknown as RouteDefinition[];
}
