/** The audit log: events, the bounded local log, export, and forwarding to a policy-named endpoint. */
export * from './event';
export * from './export';
export * from './log';
export * from './forwarder';
export * from './ecs';
export * from './syslog';
export * from './report';
export { IndexedDBAuditLog, IndexedDBQueueStore, openAuditDb } from './indexeddb';
export { openHostAudit } from './host';
export type { HostAudit } from './host';
