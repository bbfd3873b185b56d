import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtInDrivers } from '../composition/built-in-drivers.js';
import { configReferenceMarkdown } from './config-reference.js';

/** `npm run docs:config` (run from source by tsx): rewrites docs/config-reference.md. */
export const CONFIG_REFERENCE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/config-reference.md');

writeFileSync(CONFIG_REFERENCE_FILE, configReferenceMarkdown(builtInDrivers()));
process.stdout.write(`wrote ${CONFIG_REFERENCE_FILE}\n`);
