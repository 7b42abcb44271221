import type { Command } from 'commander';

/** `payrail start`: the API server (and, unless PAYRAIL_WEBHOOK_WORKER=0, the webhook delivery worker). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the API (with an embedded PostgreSQL unless DATABASE_URL is set); Ctrl-C or SIGTERM stops it cleanly')
    .action(async () => {
      const [{ loadConfig }, { startServer }] = await Promise.all([import('../config.ts'), import('../server.ts')]);
      await startServer(loadConfig());
    });
}
