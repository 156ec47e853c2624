/** Adds one or more tags to the response being produced, for later `invalidateByTag()`. */
export type AddCacheTagApi = (tag: string | string[]) => Promise<void>;
