import fs from 'node:fs';
import path from 'node:path';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Versioned migrations of one dialect: files `NNN_name.sql` in migrations/<dialect>/, applied in order. */
export function loadMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = path.join(__dirname, dialect);
  return fs
    .readdirSync(dir)
    .filter((file) => /^\d+_[a-z0-9_]+\.sql$/.test(file))
    .map((file) => ({
      version: Number.parseInt(file.slice(0, file.indexOf('_')), 10),
      name: file.replace(/\.sql$/, ''),
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}
