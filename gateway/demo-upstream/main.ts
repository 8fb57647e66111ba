/**
 * Standalone entry of the demo upstream (docker-compose's `upstream` service):
 *   DEMO_UPSTREAM_HOST (127.0.0.1; 0.0.0.0 in compose), DEMO_UPSTREAM_PORT (9000), DEMO_UPSTREAM_GRPC_PORT (9001).
 */
import { startDemoUpstream } from './server';

async function main(): Promise<void> {
  const demo = await startDemoUpstream({
    host: process.env.DEMO_UPSTREAM_HOST,
    port: process.env.DEMO_UPSTREAM_PORT ? Number(process.env.DEMO_UPSTREAM_PORT) : undefined,
    grpcPort: process.env.DEMO_UPSTREAM_GRPC_PORT ? Number(process.env.DEMO_UPSTREAM_GRPC_PORT) : undefined,
  });
  process.stdout.write(`demo upstream: ${demo.httpUrl} (REST, /graphql, grpc-web), gRPC ${demo.grpcTarget}\n`);
  const stop = (): void => {
    void demo.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`demo upstream failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
