// Finds where a test service can come from, without starting anything: an environment URL,
// a Docker engine (testcontainers), or a local service; otherwise why it is missing.
// Used in-process by services.ts (async), and as a child process when jest needs the answer
// synchronously, at describe time:  node service-probe.js postgres|kafka|eventstoredb
'use strict';
const net = require('node:net');
const http = require('node:http');

const localPostgres = 'postgres://postgres@127.0.0.1:5432/test';
const localKafka = '127.0.0.1:9092';
const localEventStoreDb = 'esdb://127.0.0.1:2113?tls=false';

const services = {
  postgres: {
    envNames: ['VIGIL_POSTGRES_URL', 'DATABASE_URL'],
    local: { url: localPostgres, check: () => postgresAnswers(localPostgres) },
  },
  kafka: {
    envNames: ['KAFKA_BROKERS'],
    local: { url: localKafka, check: () => portAnswers('127.0.0.1', 9092) },
  },
  eventstoredb: {
    envNames: ['EVENTSTORE_URL'],
    local: { url: localEventStoreDb, check: () => portAnswers('127.0.0.1', 2113) },
  },
};

/** @returns {Promise<{source:'env'|'docker'|'local', url?:string, detail:string}|{skip:string}>} */
async function probe(name, env = process.env) {
  const service = services[name];
  if (!service) throw new Error(`unknown service ${name}`);
  for (const envName of service.envNames) {
    const url = env[envName] && env[envName].trim();
    if (url) return { source: 'env', url, detail: `${envName}=${url}` };
  }
  const docker = await dockerAnswers(env);
  if (docker.ok) return { source: 'docker', detail: `Docker engine at ${docker.where}` };
  const local = await service.local.check();
  if (local.ok) return { source: 'local', url: service.local.url, detail: `local service at ${service.local.url}` };
  return {
    skip:
      `no ${service.envNames.join(' or ')} set; no Docker engine (${docker.where}: ${docker.why}); ` + `nothing answers at ${service.local.url} (${local.why})`,
  };
}

function dockerAnswers(env, timeoutMs = 1000) {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  let options;
  if (host.startsWith('unix://')) options = { socketPath: host.slice('unix://'.length) };
  else if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    options = { host: url.hostname, port: Number(url.port || 2375) };
  } else return Promise.resolve({ ok: false, where: host, why: 'unsupported DOCKER_HOST' });
  return new Promise((resolve) => {
    const request = http.get({ ...options, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? { ok: true, where: host } : { ok: false, where: host, why: `ping answered ${response.statusCode}` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ ok: false, where: host, why: error.code || error.message }));
  });
}

function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.on('timeout', () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.on('error', (error) => resolve({ ok: false, why: error.code || error.message }));
  });
}

async function postgresAnswers(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, why: error.code || error.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

module.exports = { probe };

if (require.main === module) {
  probe(process.argv[2]).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error) => process.stdout.write(JSON.stringify({ skip: `probe failed: ${error.message}` })),
  );
}
