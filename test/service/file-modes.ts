import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every directory under (and including) `root` that is not 0700, and every file that
 * is not 0600, as "relative/path mode" lines; symlinks are skipped (their own mode
 * means nothing). The data dir holds people's records, sessions and evidence.
 */
export function looseModes(root: string): { problems: string[]; dirs: number; files: string[] } {
  const problems: string[] = [];
  const files: string[] = [];
  let dirs = 0;
  const visit = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    const rel = path.relative(root, p) || '.';
    if (st.isDirectory()) {
      dirs += 1;
      if (mode !== 0o700) problems.push(`${rel}/ ${mode.toString(8)}`);
      for (const entry of readdirSync(p)) visit(path.join(p, entry));
    } else {
      files.push(rel);
      if (mode !== 0o600) problems.push(`${rel} ${mode.toString(8)}`);
    }
  };
  visit(root);
  return { problems, dirs, files };
}
