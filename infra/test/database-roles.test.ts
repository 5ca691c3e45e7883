import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
// @ts-expect-error: the function's code is plain JavaScript, shipped as it is (bundled with pg).
import { ensureRoles } from '../lib/database-roles/index.mjs';
import { DATABASE_APP_USERNAME, DATABASE_MASTER_USERNAME, DATABASE_NAME, DATABASE_OWNER_ROLE } from '../lib/defaults.ts';
import { INFRA_DIR } from './support.ts';

// The DatabaseRoles function against a real PostgreSQL 15 (tests/with-postgres.sh): this file
// runs itself again under the harness when no cluster is given.
const superuserUrl = process.env.HRAPP_TEST_POSTGRES_URL;
const MASTER_PASSWORD = 'master-password-1';
const APP_PASSWORD = 'app-password-1';

describe('the DatabaseRoles function', () => {
  if (superuserUrl === undefined) {
    it('passes against a throwaway PostgreSQL (tests/with-postgres.sh)', () => {
      const harness = path.join(INFRA_DIR, '..', 'tests', 'with-postgres.sh');
      const self = fileURLToPath(import.meta.url);
      // A test run of its own, reporting TAP, not to this runner.
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const result = spawnSync(harness, [process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', self], { cwd: INFRA_DIR, env, encoding: 'utf8', timeout: 300_000 });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /# pass [1-9]/);
      assert.match(result.stdout, /# fail 0/);
    });
    return;
  }

  const connect = async (user: string, password: string) => {
    const url = new URL(superuserUrl);
    const client = new pg.Client({ host: url.hostname, port: Number(url.port), user, password, database: DATABASE_NAME });
    await client.connect();
    return client;
  };
  const roles = { database: DATABASE_NAME, masterUsername: DATABASE_MASTER_USERNAME, ownerRole: DATABASE_OWNER_ROLE, appUsername: DATABASE_APP_USERNAME };
  const owners = async (client: pg.Client) =>
    Object.fromEntries(
      (
        await client.query(`
          SELECT 'table ' || c.relname AS object, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'S')
          UNION ALL SELECT 'function ' || proname, pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
          UNION ALL SELECT 'type ' || typname, pg_get_userbyid(typowner) FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'
          UNION ALL SELECT 'collation ' || collname, pg_get_userbyid(collowner) FROM pg_collation WHERE collnamespace = 'public'::regnamespace
          UNION ALL SELECT 'schema public', pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'`)
      ).rows.map((row) => [row.object, row.owner]),
    );

  it('makes the group role own the schema and what the master made, and gives the app a login in it', async () => {
    // The database as RDS creates it: a master with CREATEROLE and CREATEDB, no superuser, owning
    // the database; and objects an earlier version's migrations made as the master.
    const superuser = new pg.Client({ connectionString: superuserUrl });
    await superuser.connect();
    await superuser.query(`CREATE ROLE ${DATABASE_MASTER_USERNAME} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER_PASSWORD}'`);
    await superuser.query(`CREATE DATABASE ${DATABASE_NAME} OWNER ${DATABASE_MASTER_USERNAME}`);
    await superuser.end();
    const master = await connect(DATABASE_MASTER_USERNAME, MASTER_PASSWORD);
    await master.query(`
      CREATE TABLE employees (id bigserial PRIMARY KEY, name text NOT NULL);
      CREATE VIEW employee_names AS SELECT name FROM employees;
      CREATE TYPE role_kind AS ENUM ('member', 'hr', 'admin');
      CREATE FUNCTION employee_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM employees';
      CREATE COLLATION names_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);`);

    const first = await ensureRoles(master, { ...roles, appPassword: APP_PASSWORD });
    assert.equal(first.Actions, `created ${DATABASE_OWNER_ROLE}; created ${DATABASE_APP_USERNAME}; set the password of ${DATABASE_APP_USERNAME}; gave 5 object(s) of ${DATABASE_MASTER_USERNAME} to ${DATABASE_OWNER_ROLE}`);
    assert.deepEqual(await owners(master), {
      'schema public': DATABASE_OWNER_ROLE,
      'table employees': DATABASE_OWNER_ROLE,
      'table employees_id_seq': DATABASE_OWNER_ROLE,
      'table employee_names': DATABASE_OWNER_ROLE,
      'type role_kind': DATABASE_OWNER_ROLE,
      'function employee_count': DATABASE_OWNER_ROLE,
      'collation names_ci': DATABASE_OWNER_ROLE,
    });
    // Again, as on every later deploy: nothing to do, and the password (rotation's now) untouched.
    assert.equal((await ensureRoles(master, roles)).Actions, 'nothing to change');
    await master.end();
  });

  it("lets the app's login migrate as the group role: tables, pg_trgm, collations, all owned by the group", async () => {
    const app = await connect(DATABASE_APP_USERNAME, APP_PASSWORD);
    await app.query(`SET ROLE ${DATABASE_OWNER_ROLE}`);
    await app.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE TABLE sessions (id text PRIMARY KEY, employee_id bigint REFERENCES employees (id));
      CREATE INDEX employees_name_trgm ON employees USING gin (name gin_trgm_ops);
      CREATE COLLATION names_sort (provider = icu, locale = 'und');
      ALTER TABLE employees ADD COLUMN email text;`);
    await app.query('RESET ROLE');
    const owned = await owners(app);
    assert.equal(owned['table sessions'], DATABASE_OWNER_ROLE);
    assert.equal(owned['collation names_sort'], DATABASE_OWNER_ROLE);
    await assert.rejects(app.query('CREATE ROLE intruder'), /permission denied/);
    await app.end();
  });

  it("lets rotation's clone, made as multi-user rotation makes it, reach the same objects", async () => {
    const master = await connect(DATABASE_MASTER_USERNAME, MASTER_PASSWORD);
    await master.query(`CREATE ROLE ${DATABASE_APP_USERNAME}_clone LOGIN PASSWORD 'clone-password-1'`);
    await master.query(`GRANT ${DATABASE_APP_USERNAME} TO ${DATABASE_APP_USERNAME}_clone`);
    await master.end();
    const clone = await connect(`${DATABASE_APP_USERNAME}_clone`, 'clone-password-1');
    await clone.query("INSERT INTO employees (name, email) VALUES ('Ada Lovelace', 'ada@example.com')");
    assert.equal((await clone.query("SELECT count(*)::int AS n FROM employees WHERE name % 'Ada Lovelac'")).rows[0].n, 1);
    await clone.query(`SET ROLE ${DATABASE_OWNER_ROLE}`);
    await clone.query('ALTER TABLE employees ADD COLUMN phone text');
    await clone.end();
  });

  it('refuses names that are not plain identifiers', async () => {
    await assert.rejects(ensureRoles({} as pg.Client, { ...roles, ownerRole: 'owner; DROP DATABASE x' }), /not a plain role name: 'owner; DROP DATABASE x'/);
  });
});
