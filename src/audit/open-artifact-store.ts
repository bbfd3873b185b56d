import type { ArtifactsConfig } from '../config/schema.js';
import type { ArtifactStore } from './artifact-store.js';
import { createFileArtifactStore } from './file-artifact-store.js';
import { jobDir } from './job-folder.js';
import { createPostgresArtifactStore } from './postgres-artifact-store.js';

/**
 * The one place that picks where evidence goes, from the config's `artifacts`: files
 * under the data dir (the default; one machine), or PostgreSQL (several machines serving
 * reports). The PostgreSQL URL is a secret reference, resolved here and never logged.
 */
export function openArtifactStore(
  config: { dataDir: string; artifacts?: ArtifactsConfig | undefined },
  resolveSecret: (ref: string, fieldPath: string) => string,
  options: { onError?: (message: string) => void } = {},
): ArtifactStore {
  const artifacts = config.artifacts ?? { kind: 'files' };
  if (artifacts.kind === 'postgres') {
    return createPostgresArtifactStore({
      url: resolveSecret(artifacts.url, 'artifacts.url'),
      ...(artifacts.schema ? { schema: artifacts.schema } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
  return createFileArtifactStore({ jobFolder: (jobId) => jobDir(config.dataDir, jobId) });
}
