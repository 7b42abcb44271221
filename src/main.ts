import { parseArgs } from 'node:util';
import { createAccount, issueKeys } from './accounts/service.ts';
import { loadConfig } from './config.ts';
import { sealAll } from './ledger/sealer.ts';
import { formatReport, verifyLedgerSnapshot } from './ledger/verify.ts';
import { openPlatform } from './runtime.ts';
import { adyenSandboxUsage, runAdyenSandboxCommand } from './sandbox/adyen/cli.ts';
import { paypalSandboxUsage, runPayPalSandboxCommand } from './sandbox/paypal/cli.ts';
import { startWebhookWorker } from './webhooks/worker.ts';
import { startServer } from './server.ts';

const usage = `Usage: payrail <command>

Commands:
  start                         Start the API (embedded PostgreSQL unless DATABASE_URL is set)
  migrate                       Apply database migrations and exit
  worker                        Run only the webhook delivery worker (scale deliveries out; PAYRAIL_WEBHOOK_WORKER=0
                                keeps \`start\` from running its own)
  account create --name NAME    Create an account and print its keys (add --live for live-mode keys too)
  ledger verify [--seal] [--json]
                                Recompute every balance from the postings, check every entry balances and matches
                                its hash, and check every hash chain; exits 1 with a report on any discrepancy.
                                --seal first seals committed entries into the chains (otherwise read-only).
  sandbox adyen [--port N]      Run the Adyen Checkout API v71 sandbox (test cards, 3-D Secure, webhooks, faults) as
                                its own HTTP server; --help-sandbox lists its flags
  sandbox paypal [--port N]     Run the PayPal REST sandbox (Orders v2, Payments v2, approval page, webhooks, faults)
                                as its own HTTP server; --help-sandbox lists its flags

Environment: PORT, HOST, DATABASE_URL, PAYRAIL_DATA_DIR, PAYRAIL_ENCRYPTION_KEY, PAYRAIL_PUBLIC_URL, PAYRAIL_LOG_REQUESTS`;

async function main(argv: string[]): Promise<number> {
  const [command, subcommand] = argv;
  const config = loadConfig();
  const log = (line: string) => console.error(`[payrail] ${line}`);
  switch (command) {
    case 'start':
      await startServer(config);
      return -1;
    case 'worker': {
      const platform = await openPlatform(config, { log, checkEncryptionKey: true });
      const worker = await startWebhookWorker(platform.deps, platform.databaseUrl, config.webhooks);
      log('webhook delivery worker running');
      const stop = async () => {
        await worker.stop();
        await platform.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      return -1;
    }
    case 'migrate': {
      const platform = await openPlatform(config, { log, poolSize: 2 });
      await platform.close();
      console.log('migrations are up to date');
      return 0;
    }
    case 'account': {
      if (subcommand !== 'create') break;
      const { values } = parseArgs({ args: argv.slice(2), options: { name: { type: 'string' }, live: { type: 'boolean' } } });
      const name = values.name?.trim();
      if (!name || name.length > 200) {
        console.error('account create needs --name NAME (1 to 200 characters)');
        return 2;
      }
      const platform = await openPlatform(config, { log, poolSize: 2 });
      try {
        const account = await createAccount(platform.db, name);
        console.log(`Account               ${account.accountId} (${account.name})`);
        console.log(`Test secret key       ${account.secretKey}`);
        console.log(`Test publishable key  ${account.publishableKey}`);
        if (values.live) {
          const live = await issueKeys(platform.db, account.accountId, true);
          console.log(`Live secret key       ${live.secretKey}`);
          console.log(`Live publishable key  ${live.publishableKey}`);
        }
      } finally {
        await platform.close();
      }
      return 0;
    }
    case 'ledger': {
      if (subcommand !== 'verify') break;
      const { values } = parseArgs({ args: argv.slice(2), options: { seal: { type: 'boolean' }, json: { type: 'boolean' } } });
      const platform = await openPlatform(config, { log, poolSize: 2 });
      try {
        if (values.seal) log(`sealed ${await sealAll(platform.db)} entries`);
        const report = await verifyLedgerSnapshot(platform.db);
        console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
        return report.ok ? 0 : 1;
      } finally {
        await platform.close();
      }
    }
    case 'sandbox': {
      if (subcommand === 'paypal') {
        if (argv.includes('--help-sandbox')) {
          console.log(paypalSandboxUsage);
          return 0;
        }
        return runPayPalSandboxCommand(argv.slice(2));
      }
      if (subcommand !== 'adyen') break;
      if (argv.includes('--help-sandbox')) {
        console.log(adyenSandboxUsage);
        return 0;
      }
      return runAdyenSandboxCommand(argv.slice(2));
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
  }
  console.error(usage);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    console.error(`payrail: ${(error as Error).message}`);
    process.exit(1);
  },
);
