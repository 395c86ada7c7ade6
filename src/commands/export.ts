/* `reconcile export`: write a manifest for the live database's indexes (adopting an existing schema). */
import { exportManifest } from '../core/export.js';
import { withSession } from '../io/db.js';
import { readIndexesForExport } from '../io/export-reader.js';
import { readResolutionPath } from '../io/search-path.js';
import { withConnection, type CommandContext, type CommonOptions, type ConnectionOptions } from './context.js';

export interface ExportCommandOptions extends ConnectionOptions, CommonOptions {
  readonly schema: readonly string[];
  readonly table: readonly string[];
}

export async function runExport(options: ExportCommandOptions, context: CommandContext): Promise<number> {
  const indexes = await withConnection(context, options, async (target) => {
    // A plan of the exported manifest resolves its names through the role's search_path: write them so.
    const searchPath = await readResolutionPath(target, {});
    return withSession(target, (session) => readIndexesForExport(session, { schemas: options.schema, tables: options.table }, searchPath));
  });
  const { text, exported, leftOut } = exportManifest(indexes, { source: 'the database', date: new Date().toISOString().slice(0, 10) });
  context.stdout.write(text);
  context.stderr.write(`Exported ${exported} index${exported === 1 ? '' : 'es'}${leftOut > 0 ? `, left out ${leftOut} (see the header)` : ''}.\n`);
  return 0;
}
