/* `reconcile validate`: check the manifest offline (schema, names, SQL fragments); no database. */
import { formatProblem } from '../core/errors.js';
import { checkManifestFile } from '../io/manifest/load.js';
import { pluralise as plural } from '../core/text.js';

export interface ValidateOptions {
  readonly file: string;
  readonly format: 'text' | 'json';
}

/** Where output goes; each call writes a whole chunk, newlines included (like `stream.write`). */
export interface ValidateOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Returns the exit code: 0 valid, 1 problems. Bad input never throws. */
export async function runValidate(options: ValidateOptions, out: ValidateOutput): Promise<number> {
  const check = await checkManifestFile(options.file);
  const valid = check.state !== undefined && check.problems.length === 0;

  if (options.format === 'json') {
    const report = {
      file: options.file,
      valid,
      tables: check.tableCount,
      indexes: check.indexCount,
      problems: check.problems.map((p) => ({
        file: p.file,
        line: p.line,
        column: p.column,
        path: p.path,
        message: p.message,
      })),
    };
    out.stdout(`${JSON.stringify(report)}\n`);
    return valid ? 0 : 1;
  }

  if (valid) {
    out.stdout(
      `${options.file} is valid: ${plural(check.tableCount, 'table', 'tables')}, ${plural(check.indexCount, 'index', 'indexes')}\n`,
    );
    return 0;
  }
  const lines = check.problems.map((p) => `${formatProblem(p)}\n`).join('');
  out.stderr(`${lines}${plural(check.problems.length, 'problem', 'problems')}\n`);
  return 1;
}


