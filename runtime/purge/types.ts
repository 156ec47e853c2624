/** Options of the `dangerouslyDelete*` purge calls. */
export interface DangerouslyDeleteOptions {
  /**
   * Seconds during which requests still get the stale object and revalidate in the background;
   * after it, the object is deleted. @default 0 (delete immediately)
   */
  revalidationDeadlineSeconds?: number;
}

/** The purge operations a host runtime provides through the request context. */
export interface PurgeApi {
  invalidateByTag: (tag: string | string[]) => Promise<void>;
  dangerouslyDeleteByTag: (tag: string | string[], options?: DangerouslyDeleteOptions) => Promise<void>;
  invalidateBySrcImage: (src: string | string[]) => Promise<void>;
  dangerouslyDeleteBySrcImage: (src: string | string[], options?: DangerouslyDeleteOptions) => Promise<void>;
}
