/** How a {@link VercelProject}'s distribution sends requests to its functions. */
export abstract class Routing {
  /**
   * The default: cache behaviours while the routes fit `maxCacheBehaviors`, the edge router once
   * they do not — or when vercel.json has `rewrites`, which only the edge router can send to another
   * path's function, or when no order of path patterns serves every path as Vercel does (a route
   * next to one a segment longer ending in a dynamic one whose `*` can take its trailing-slash
   * paths, such as `api/users/[id].ts` and `api/users/[id]/[field].ts`: the pattern of the second
   * matches `/api/users/7/` with an empty last `*`, while `/api/users/*` matches `/api/users/7/name`).
   * Never with vercel.json `trailingSlash: false`.
   */
  static auto(): Routing {
    return new FixedRouting('auto');
  }

  /**
   * CloudFront cache behaviours per route (`/api/users/*` for `api/users/[id].ts`; `/api/hello` and
   * `/api/hello/` for `api/hello.ts`, as Vercel serves a route with one trailing slash too, unless
   * vercel.json sets `trailingSlash: false`): CloudFront matches the paths, no KeyValueStore read per
   * request. The wildcard also lets deeper paths through (`/api/users/1/2`); the function's adapter
   * answers those with Vercel's 404. Limited by CloudFront's "Cache behaviors per distribution"
   * quota (`maxCacheBehaviors`). Cannot serve vercel.json `rewrites`, nor routes path patterns
   * cannot tell apart (see {@link Routing.auto}): the synth fails.
   */
  static cacheBehaviors(): Routing {
    return new FixedRouting('cacheBehaviors');
  }

  /**
   * The edge router (`Cdn` `routes`): one behaviour whose viewer-request CloudFront Function finds the
   * route in a KeyValueStore and selects the function's origin — Vercel's matching exactly, at the
   * edge, for any number of routes up to the "Origins per distribution" quota. Costs a few
   * KeyValueStore reads per request (in the viewer-request function that runs anyway).
   */
  static edgeRouter(): Routing {
    return new FixedRouting('edgeRouter');
  }

  /** `auto`, `cacheBehaviors` or `edgeRouter`. */
  abstract readonly mode: 'auto' | 'cacheBehaviors' | 'edgeRouter';
}

class FixedRouting extends Routing {
  constructor(readonly mode: 'auto' | 'cacheBehaviors' | 'edgeRouter') {
    super();
  }
}
