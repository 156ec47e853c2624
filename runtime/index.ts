/**
 * The `@vercel/functions` surface on AWS: the same exports, names and types as upstream 3.9.9.
 * User code keeps `import { ... } from '@vercel/functions'`; the bundler aliases it here.
 * Export-only file.
 */
import { addCacheTag } from './addcachetag';
import { getCache } from './cache';
import { attachDatabasePool, experimental_attachDatabasePool } from './db-connections';
import { getDeadline } from './deadline';
import { getEnv } from './get-env';
import { geolocation, ipAddress } from './headers';
import { metric } from './metric';
import { next, rewrite } from './middleware';
import {
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  invalidateBySrcImage,
  invalidateByTag,
} from './purge';
import { waitUntil } from './wait-until';
import { experimental_upgradeWebSocket } from './websocket';

export type { AddCacheTagApi } from './addcachetag/types';
export type { RuntimeCache } from './cache/types';
export type { Geo, Request } from './headers';
export type { DangerouslyDeleteOptions, PurgeApi } from './purge/types';
export type { UpgradeWebSocketOptions, WebSocket, WebSocketData } from './websocket';
export {
  addCacheTag,
  attachDatabasePool,
  dangerouslyDeleteBySrcImage,
  dangerouslyDeleteByTag,
  experimental_attachDatabasePool,
  experimental_upgradeWebSocket,
  geolocation,
  getCache,
  getDeadline,
  getEnv,
  invalidateBySrcImage,
  invalidateByTag,
  ipAddress,
  metric,
  next,
  rewrite,
  waitUntil,
};
