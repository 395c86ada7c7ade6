/* Writes a fleet apply's JSON report (`--report FILE`); a file that cannot be written is the user's to fix. */
import { writeFile } from 'node:fs/promises';
import { UserError } from '../../core/errors.js';

export async function writeFleetReport(file: string, report: unknown): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    throw new UserError(`Cannot write the report to ${file}: ${error instanceof Error ? error.message : String(error)}.`, 'Pass --report a path in a directory you can write to.');
  }
}
