// The database behind one app instance, on the engine this run tests (HRAPP_DB=sqlite or
// postgres): what to tell the app, and direct SQL for checking what the app stored.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as postgres from './postgres.mjs';

const run = promisify(execFile);

export const engine = process.env.HRAPP_DB === 'postgres' ? 'postgres' : 'sqlite';

/** 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, the form the app stores timestamps in. */
export function dbTimestamp(date) {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

export class Database {
  /** A fresh, empty database for an app whose data folder is `dataDir`. */
  static async create(dataDir) {
    if (engine === 'postgres') return new Database({ postgresName: await postgres.createDatabase() });
    return new Database({ sqliteFile: path.join(dataDir, 'hrapp.db') });
  }

  constructor({ postgresName, sqliteFile }) {
    this.postgresName = postgresName;
    this.sqliteFile = sqliteFile;
  }

  /** Environment for the app: PostgreSQL by URL; SQLite is the app's default inside its data folder. */
  get env() {
    return this.postgresName ? { DATABASE_URL: postgres.databaseUrl(this.postgresName) } : {};
  }

  /** The rows of a query, as objects keyed by column name. */
  async rows(query) {
    if (this.postgresName) return postgres.queryRows(this.postgresName, query);
    const { stdout } = await this.#sqlite(query, ['-json']);
    return stdout.trim() ? JSON.parse(stdout) : [];
  }

  /** The single value of a one-row, one-column query. */
  async value(query) {
    const [row] = await this.rows(query);
    return row === undefined ? undefined : Object.values(row)[0];
  }

  /** Runs statements that return nothing. */
  async execute(sql) {
    if (this.postgresName) return postgres.execute(this.postgresName, sql);
    await this.#sqlite(sql, []);
  }

  #sqlite(sql, flags) {
    // The app may hold a write lock for a moment: wait for it rather than fail.
    return run('sqlite3', [...flags, '-bail', '-cmd', '.timeout 10000', this.sqliteFile, sql], {
      maxBuffer: 64 * 1024 * 1024,
    });
  }
}
