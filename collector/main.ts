/*
 * Standalone collector (docker-compose): node dist/collector/main.js
 * Configuration from COLLECTOR_* environment variables, see docs/collector.md and collector/config.ts.
 */
import { optionsFromEnv } from './config';
import { startCollector } from './server';

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const collector = await startCollector(options);
  const backend = collector.store.kind === 'postgres' ? 'PostgreSQL' : `SQLite in ${options.dataDir}`;
  process.stdout.write(`collector listening on ${collector.url} (${backend})\n`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`collector: ${signal}, closing\n`);
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`collector: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`collector: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
