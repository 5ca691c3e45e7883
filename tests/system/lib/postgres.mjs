// The throwaway PostgreSQL 15 cluster that run.sh starts: fresh databases, SQL, and stopping
// and starting the cluster for the fault tests. run.sh exports where the cluster lives.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

const cluster = {
  bin: process.env.HRAPP_PG_BIN,
  data: process.env.HRAPP_PG_DATA,
  port: process.env.HRAPP_PG_PORT,
  options: process.env.HRAPP_PG_OPTIONS,
};

function requireCluster() {
  if (!cluster.port) throw new Error('no PostgreSQL cluster: run the suite through tests/system/run.sh');
}

/** The URL the app connects to for database `name`. */
export function databaseUrl(name) {
  requireCluster();
  return `postgres://postgres@127.0.0.1:${cluster.port}/${name}`;
}

async function psql(database, sql) {
  requireCluster();
  const { stdout } = await run(
    `${cluster.bin}/psql`,
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', cluster.port, '-U', 'postgres', '-d', database, '-c', sql],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** Creates an empty database and returns its name. */
export async function createDatabase() {
  const name = `hrapp_${randomBytes(6).toString('hex')}`;
  await psql('postgres', `CREATE DATABASE ${name}`);
  return name;
}

/** The rows of a query as objects keyed by column name. */
export async function queryRows(database, query) {
  const out = await psql(database, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`);
  return JSON.parse(out);
}

/** Runs statements that return nothing. */
export async function execute(database, sql) {
  await psql(database, sql);
}

async function pgCtl(...args) {
  requireCluster();
  const command = [`${cluster.bin}/pg_ctl`, '-D', cluster.data, '-w', ...args];
  // The cluster belongs to the postgres user when run.sh ran as root.
  if (process.getuid() === 0) await run('runuser', ['-u', 'postgres', '--', ...command]);
  else await run(command[0], command.slice(1));
}

/** Stops the whole cluster at once, dropping every connection (a database outage). */
export function stopCluster() {
  return pgCtl('-m', 'fast', 'stop');
}

/** Starts the cluster again with the options run.sh used, and waits until it accepts connections. */
export function startCluster() {
  return pgCtl('-l', `${cluster.data}/server.log`, '-o', cluster.options, 'start');
}
