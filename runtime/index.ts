/**
 * The `@vercel/functions` surface on AWS: the same exports, names and types as upstream 3.9.9.
 * User code keeps `import { ... } from '@vercel/functions'`; the bundler aliases it here.
 * Export-only file.
 */
export { addCacheTag } from './addcachetag';
export type { AddCacheTagApi } from './addcachetag/types';
export { getCache } from './cache';
export type { RuntimeCache } from './cache/types';
export { attachDatabasePool, experimental_attachDatabasePool } from './db-connections';
export { getDeadline } from './deadline';
export { getEnv } from './get-env';
export type { Geo, Request } from './headers';
export { geolocation, ipAddress } from './headers';
export { metric } from './metric';
export { next, rewrite } from './middleware';
export {
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  invalidateBySrcImage,
  invalidateByTag,
} from './purge';
export type { DangerouslyDeleteOptions, PurgeApi } from './purge/types';
export { waitUntil } from './wait-until';
export type { UpgradeWebSocketOptions, WebSocket, WebSocketData } from './websocket';
export { experimental_upgradeWebSocket } from './websocket';
