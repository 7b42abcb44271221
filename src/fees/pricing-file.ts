import fs from 'node:fs';
import { defaultPricing, effectivePricing, pricingProblem, type Pricing, type PricingOverrides } from './pricing.ts';

/**
 * Reads the platform's default pricing from a JSON file with the shape of `Pricing` (any part of it: missing parts
 * keep the built-in defaults). A malformed file stops the start with a message naming the problem.
 */
export function loadPricingFile(filePath: string): Pricing {
  const parsed = JSON.parse(fs.readFileSync(filePath, 'utf8')) as PricingOverrides;
  const problem = pricingProblem(parsed);
  if (problem) throw new Error(`${filePath}: ${problem}`);
  return effectivePricing(defaultPricing, parsed);
}
