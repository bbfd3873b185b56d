import { createFileArtifactStore } from '../../src/audit/file-artifact-store.js';
import { jobDir } from '../../src/audit/job-folder.js';
import type { ArtifactStore } from '../../src/audit/artifact-store.js';

/** The default artifact store over a data dir, as the CLI and the service open it. */
export const fileArtifacts = (dataDir: string): ArtifactStore => createFileArtifactStore({ jobFolder: (jobId) => jobDir(dataDir, jobId) });
