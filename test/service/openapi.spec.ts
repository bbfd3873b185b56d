import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { openApiDocument } from '../../src/service/openapi.js';
import { SERVICE_VERSION } from '../../src/service/build-app.js';

test('docs/openapi.json is the document the service serves (regenerate: npm run docs:openapi)', async () => {
  const checkedIn = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  expect(checkedIn).toEqual(openApiDocument(SERVICE_VERSION));
});
