import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SeatctlError } from '../errors/index.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFile } from '../fs/private-files.js';
import { safeArtifactPath } from '../fs/safe-artifact-path.js';
import { artifactExists, artifactKey, sha256Of, type ArtifactStore, type StoredArtifact } from './artifact-store.js';

/**
 * The default artifact store: files under the data dir, one folder per job
 * (`<dataDir>/jobs/<jobId>/…`, see job-folder.ts), folders 0700 and files 0600.
 *
 * Evidence is written to a private temporary file beside its final name and then
 * hard-linked into place: `link` fails if the name exists (a symlink included), so no
 * file is ever overwritten, and a reader never sees half a file — a process killed
 * mid-write leaves a `.tmp-…` file (never served: keys cannot start with a dot), not a
 * truncated screenshot under a name a re-run would be refused.
 */
export function createFileArtifactStore(options: { jobFolder: (jobId: string) => string }): ArtifactStore {
  const { jobFolder } = options;

  const target = async (jobId: string, relPath: string): Promise<{ key: string; file: string }> => {
    const key = artifactKey(relPath);
    const file = path.join(jobFolder(jobId), key);
    await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    return { key, file };
  };

  /** An existing file under `key`: the same bytes are a no-op, other bytes are refused. */
  const settle = async (jobId: string, key: string, file: string, sha256: string, bytes: number): Promise<StoredArtifact> => {
    // Something that cannot be read without following a link (a planted symlink) is not our evidence either.
    const existing = await readNoFollow(file).catch(() => null);
    if (!existing || sha256Of(existing) !== sha256) throw artifactExists(jobId, key);
    return { path: key, sha256, bytes };
  };

  const store: ArtifactStore = {
    async put(jobId, relPath, data) {
      const { key, file } = await target(jobId, relPath);
      const sha256 = sha256Of(data);
      const bytes = Buffer.byteLength(data);
      const temp = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString('hex')}`);
      await writeExclusive(temp, data);
      try {
        await link(temp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return await settle(jobId, key, file, sha256, bytes);
      } finally {
        await unlink(temp).catch(() => undefined);
      }
      return { path: key, sha256, bytes };
    },

    async putFile(jobId, relPath, localFile) {
      const { key, file } = await target(jobId, relPath);
      const sha256 = await hashFile(localFile);
      const bytes = (await stat(localFile)).size;
      try {
        await link(localFile, file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return await settle(jobId, key, file, sha256, bytes);
        if (code !== 'EXDEV') throw err;
        // A data dir spread over two file systems: copy, still refusing an existing name.
        try {
          await copyFile(localFile, file, constants.COPYFILE_EXCL);
        } catch (copyErr) {
          if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') return await settle(jobId, key, file, sha256, bytes);
          throw copyErr;
        }
      } finally {
        await unlink(localFile).catch(() => undefined);
      }
      return { path: key, sha256, bytes };
    },

    async replace(jobId, relPath, data) {
      const { key, file } = await target(jobId, relPath);
      await writePrivateFile(file, data);
      return { path: key, sha256: sha256Of(data), bytes: Buffer.byteLength(data) };
    },

    async get(jobId, relPath) {
      const file = await resolve(jobId, relPath);
      return file ? readNoFollow(file) : null;
    },

    async stat(jobId, relPath) {
      const file = await resolve(jobId, relPath);
      if (!file) return null;
      const info = await stat(file);
      return { bytes: info.size, version: `${info.size}:${info.mtimeMs}` };
    },

    async list(jobId) {
      const root = jobFolder(jobId);
      const out: StoredArtifact[] = [];
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const e of entries) {
          // Temporary files and anything that is not a plain file or folder (a planted symlink) are not artifacts.
          if (e.name.startsWith('.')) continue;
          const full = path.join(dir, e.name);
          if (e.isDirectory()) await walk(full);
          else if (e.isFile()) {
            const data = await readNoFollow(full);
            out.push({ path: path.relative(root, full).split(path.sep).join('/'), sha256: sha256Of(data), bytes: data.length });
          }
        }
      };
      await walk(root);
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async discard(jobId) {
      await rm(jobFolder(jobId), { recursive: true, force: true });
    },

    async close() {},
  };

  /** The real file for a key, inside the job's folder (symlinks out are refused), or null. */
  async function resolve(jobId: string, relPath: string): Promise<string | null> {
    const key = artifactKey(relPath);
    const root = jobFolder(jobId);
    if (!(await lstat(root).then((s) => s.isDirectory(), () => false))) return null;
    try {
      return await safeArtifactPath(root, key);
    } catch (err) {
      if (err instanceof SeatctlError && err.code === 'ARTIFACT_NOT_FOUND') return null;
      throw err;
    }
  }

  return store;
}

/** Created exclusively, owner-only, never through a symlink. */
async function writeExclusive(file: string, data: Buffer | string): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

async function readNoFollow(file: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

