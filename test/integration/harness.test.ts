import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/db.js';

describe('test harness', () => {
  it('talks to a real PostgreSQL of the chosen major', async () => {
    const db = await freshDatabase();
    const { rows } = await db.query<{ num: string; db: string }>(
      `SELECT current_setting('server_version_num') AS num, current_database() AS db`,
    );
    expect(Math.floor(Number(rows[0]!.num) / 10_000)).toBe(db.major);
    expect(rows[0]!.db).toBe(db.name);
    const wanted = process.env.PG_VERSION;
    if (wanted) expect(db.major).toBe(Number(wanted));
  });
});
