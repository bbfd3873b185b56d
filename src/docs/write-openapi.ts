import { writeFileSync } from 'node:fs';
import { SERVICE_VERSION } from '../service/build-app.js';
import { openApiDocument } from '../service/openapi.js';

/** `npm run docs:openapi`: refreshes the checked-in copy of the served OpenAPI document. */
writeFileSync(new URL('../../docs/openapi.json', import.meta.url), JSON.stringify(openApiDocument(SERVICE_VERSION), null, 2) + '\n');
