export * from './job-store.js';
export { canonicalJson } from './canonical-json.js';
export { GENESIS_HASH, FIRST_AUDIT_SEQ, auditHash, verifyAuditChain, type AuditContent, type ChainVerdict } from './audit-chain.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './list-paging.js';
export { createSqliteJobStore, type SqliteJobStoreOptions } from './sqlite-job-store.js';
export { openJobStore, storeFile, STORE_FILE_NAME } from './open-store.js';
export { createPostgresJobStore, type PostgresJobStoreOptions } from './postgres-job-store.js';
export { type StoreSource, type OpenStoreOptions } from './open-store.js';
