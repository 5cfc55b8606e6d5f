import { Logger } from '@nestjs/common';
import { configFromEnv } from '@vigil/api';
import { createVigilApp } from './bootstrap';
import { projectorThreadFromEnv } from './projector-thread';
import { rolesFrom, serverArgs } from './roles';

const TOKEN_HELP = `Every API request but /health, /metrics and the console's page needs a bearer token. For the embedded default, mint one with:
  npm run vigil -- token --sub dm1 --name "Dana Manager" --role data_manager
  npm run vigil -- token --sub inv1 --name "Ines Investigator" --role investigator --sites SAT
then: curl -H "Authorization: Bearer $TOKEN" http://localhost:PORT/alerts`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const config = configFromEnv();
  const { demo } = serverArgs(args);
  const roles = rolesFrom(process.env, args);
  const app = await createVigilApp({ config, demo, roles, projectorThread: projectorThreadFromEnv(process.env) });
  await app.listen(config.port, '0.0.0.0');
  const logger = new Logger('Vigil');
  if (roles.includes('api'))
    logger.log(`Vigil listening on http://localhost:${config.port}: the console at /, API docs at /docs; data in ${config.dataDir}; roles ${roles.join(', ')}`);
  else logger.log(`Vigil node with roles ${roles.join(', ')}: /health on http://localhost:${config.port}`);
  if (config.jwt.mode === 'embedded') logger.log(TOKEN_HELP.replace('PORT', String(config.port)));
  if (demo) {
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
