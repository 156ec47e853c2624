import {
  CRON_SCHEDULE_CONTEXT_FIELD,
  DISTRIBUTION_ID_HEADER,
  ORIGIN_SECRET_HEADER,
} from './constructs-contract';

// The request Vercel sends for a vercel.json cron (https://vercel.com/docs/cron-jobs, "How cron
// jobs work"; https://vercel.com/docs/cron-jobs/manage-cron-jobs, "Securing cron jobs"): a GET of
// the entry's path on the production URL, with the user agent `vercel-cron/1.0`, and
// `Authorization: Bearer <CRON_SECRET>` when the project has that variable. On AWS the schedule
// invokes the route's function directly, so the request arrives as the Lambda Function URL event
// (payload format 2.0) the adapter reads for every request, holding what CloudFront would add:
// the public host in `x-forwarded-host`, the distribution id in `x-vfa-distribution-id` (the purge
// API finds the distribution to invalidate only there) and, with `OriginProtection.secretHeader()`,
// the origin secret. No viewer can send this input: it is the schedule's, invoked by EventBridge
// Scheduler under a role only it can assume, and CloudFront strips every `x-vfa-*` header viewers send.
// Vercel also sends `x-vercel-cron-schedule`. The adapter drops every `x-vercel-*` header a client
// sends (they are the runtime's to set), so the schedule travels in `requestContext`, which only a
// direct invoker can write, and the adapter sets the header from it.

/** The user agent of Vercel's cron requests. */
export const CRON_USER_AGENT = 'vercel-cron/1.0';

/** What a cron invocation's request holds. */
export interface CronEventOptions {
  /** The entry's path, as written in vercel.json, with its query if any: `/api/sync?full=1`. */
  readonly path: string;
  /** The entry's schedule, as written in vercel.json (`0 5 * * *`). */
  readonly schedule: string;
  /** The project's public host (first custom domain, else the distribution's): may be a token. */
  readonly host: string;
  /**
   * The id of the distribution in front of the function (a token), sent as the CDN's
   * viewer-request function sends it, so purge calls made by the cron reach that distribution.
   */
  readonly distributionId: string;
  /** `CRON_SECRET` of the project's environment, sent as a Bearer token. May be a token. */
  readonly cronSecret?: string;
  /** The origin secret's value (a CloudFormation dynamic reference), with `secretHeader()`. */
  readonly originSecret?: string;
}

/**
 * The Function URL event (payload format 2.0) of Vercel's cron request for `options.path`: what
 * the schedule sends the function as its input.
 */
export function cronInvocationEvent(options: CronEventOptions): Record<string, unknown> {
  const query = options.path.indexOf('?');
  const rawPath = query === -1 ? options.path : options.path.slice(0, query);
  const rawQueryString = query === -1 ? '' : options.path.slice(query + 1);
  const headers: Record<string, string> = {
    host: options.host,
    'x-forwarded-host': options.host,
    'x-forwarded-proto': 'https',
    'user-agent': CRON_USER_AGENT,
    [DISTRIBUTION_ID_HEADER]: options.distributionId,
  };
  if (options.cronSecret !== undefined) headers.authorization = `Bearer ${options.cronSecret}`;
  if (options.originSecret !== undefined) headers[ORIGIN_SECRET_HEADER] = options.originSecret;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      domainName: options.host,
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', userAgent: CRON_USER_AGENT },
      routeKey: '$default',
      stage: '$default',
      [CRON_SCHEDULE_CONTEXT_FIELD]: options.schedule,
    },
    isBase64Encoded: false,
  };
}
