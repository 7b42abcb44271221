import type { Command } from 'commander';
import { registerAdyenSandboxCommand } from '../sandbox/adyen/cli.ts';
import { registerPayPalSandboxCommand } from '../sandbox/paypal/cli.ts';
import { registerMollieSandboxCommand } from '../sandbox/mollie/cli.ts';
import { registerMercadoPagoSandboxCommand } from '../sandbox/mercadopago/cli.ts';
import { registerRazorpaySandboxCommand } from '../sandbox/razorpay/cli.ts';

/** `payrail sandbox adyen|paypal|mollie`: provider simulators, each its own HTTP server; their flags live beside them. */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description("run a payment provider's sandbox as its own HTTP server");
  registerAdyenSandboxCommand(sandbox);
  registerPayPalSandboxCommand(sandbox);
  registerMollieSandboxCommand(sandbox);
  registerMercadoPagoSandboxCommand(sandbox);
  registerRazorpaySandboxCommand(sandbox);
}
