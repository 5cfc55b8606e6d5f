import { Logger } from '@nestjs/common';
import { configFromEnv } from '@vigil/api';
import { createVigilApp } from './bootstrap';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const config = configFromEnv();
  const app = await createVigilApp({ config });
  await app.listen(config.port, '0.0.0.0');
  const logger = new Logger('Vigil');
  logger.log(`Vigil listening on http://localhost:${config.port} (API docs at /docs), data in ${config.dataDir}`);
  if (args.includes('--demo')) {
    const { loadDemoCohort } = await import('./demo/demo-cohort');
    const summary = await loadDemoCohort(app);
    logger.log(`Demo cohort: ${summary}`);
  }
}

main().catch((error: unknown) => {
  // A configuration or startup error is printed plainly, not as a stack trace lost in logs.
  console.error(error instanceof Error ? `Vigil could not start: ${error.message}` : error);
  process.exit(1);
});
