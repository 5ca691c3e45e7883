// The function behind the secrets stack's DatabaseRoles resource: with the master credentials,
// creates the group role that owns the app's schema and the app's own login, a member of it.
// Multi-user rotation later creates the login's `_clone` with the same memberships, so either
// login reaches every object, and the app's migrations `SET ROLE` to the group role so that
// whatever they create is the group role's. Shipped bundled with the `pg` client (esbuild, at
// synthesis); the AWS SDK comes with the Lambda runtime.
import pg from 'pg';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Every object of schema `public` that `$1` owns and that is not part of an extension or of another object. */
const OWNED_OBJECTS = `
  SELECT kind, name FROM (
    SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind,
           c.oid::regclass::text AS name, c.oid, 'pg_class'::regclass AS catalog
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = $1::text::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
           p.oid::regprocedure::text, p.oid, 'pg_proc'::regclass
      FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = $1::text::regrole
    UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text, t.oid, 'pg_type'::regclass
      FROM pg_type t
     WHERE t.typnamespace = 'public'::regnamespace AND t.typowner = $1::text::regrole AND t.typtype IN ('e', 'd', 'r')
    UNION ALL
    SELECT 'COLLATION', c.oid::regcollation::text, c.oid, 'pg_collation'::regclass
      FROM pg_collation c
     WHERE c.collnamespace = 'public'::regnamespace AND c.collowner = $1::text::regrole
  ) owned
  WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = owned.catalog AND d.objid = owned.oid AND d.deptype IN ('e', 'a', 'i'))`;

/**
 * Brings the database to the roles the app expects; safe to run again. `client` is a connected
 * `pg` client of the master. `appPassword`, given when the app's secret is new, becomes the
 * login's password; later runs leave it to rotation.
 */
export async function ensureRoles(client, { database, masterUsername, ownerRole, appUsername, appPassword }) {
  for (const name of [masterUsername, ownerRole, appUsername]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain role name: '${name}'`);
  }
  if (!IDENTIFIER.test(database)) throw new Error(`not a plain database name: '${database}'`);
  const exists = async (role) => (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount > 0;
  const actions = [];

  if (!(await exists(ownerRole))) {
    await client.query(`CREATE ROLE ${ownerRole} NOLOGIN`);
    actions.push(`created ${ownerRole}`);
  }
  // The master hands objects to the group role, which needs membership; a login never needs the master's.
  await client.query(`GRANT ${ownerRole} TO ${masterUsername}`);
  if (!(await exists(appUsername))) {
    await client.query(`CREATE ROLE ${appUsername} LOGIN`);
    actions.push(`created ${appUsername}`);
  }
  if (appPassword !== undefined) {
    await client.query(`ALTER ROLE ${appUsername} WITH LOGIN PASSWORD ${client.escapeLiteral(appPassword)}`);
    actions.push(`set the password of ${appUsername}`);
  }
  await client.query(`GRANT ${ownerRole} TO ${appUsername}`);
  // CREATE on the database lets the group role create trusted extensions (pg_trgm) and schemas;
  // owning public, it creates, alters and drops what migrations need there (collations included).
  await client.query(`GRANT CREATE, TEMPORARY ON DATABASE ${database} TO ${ownerRole}`);
  await client.query(`ALTER SCHEMA public OWNER TO ${ownerRole}`);
  // A database whose migrations ran as the master before: its objects pass to the group role.
  const { rows } = await client.query(OWNED_OBJECTS, [masterUsername]);
  for (const { kind, name } of rows) await client.query(`ALTER ${kind} ${name} OWNER TO ${ownerRole}`);
  if (rows.length > 0) actions.push(`gave ${rows.length} object(s) of ${masterUsername} to ${ownerRole}`);
  return { OwnerRole: ownerRole, AppUsername: appUsername, Actions: actions.join('; ') || 'nothing to change' };
}

/** The custom resource's onEvent handler (provider framework); deleting it leaves the roles to the database's fate. */
export async function handler(event) {
  const props = event.ResourceProperties;
  const physicalResourceId = `${props.database}-roles`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? physicalResourceId };
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const secrets = new SecretsManagerClient({});
  const read = async (secretId) => JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString);
  const master = await read(props.masterSecretArn);
  const app = event.RequestType === 'Create' ? await read(props.appSecretArn) : undefined;
  // rds.force_ssl=1; the runtime's CA file (NODE_EXTRA_CA_CERTS) holds the RDS authorities.
  const client = new pg.Client({
    host: master.host,
    port: Number(master.port),
    user: master.username,
    password: master.password,
    database: props.database,
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 15_000,
  });
  await client.connect();
  try {
    const data = await ensureRoles(client, {
      database: props.database,
      masterUsername: master.username,
      ownerRole: props.ownerRole,
      appUsername: props.appUsername,
      appPassword: app?.password,
    });
    return { PhysicalResourceId: physicalResourceId, Data: data };
  } finally {
    await client.end();
  }
}
