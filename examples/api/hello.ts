import { geolocation, getEnv, ipAddress } from '@vercel/functions';

// What the platform knows about the caller: location and IP from the CDN's viewer headers, and the
// region the function runs in. `?format=text` answers in plain text instead of JSON.
export default {
  fetch(request: Request): Response {
    const geo = geolocation(request);
    const ip = ipAddress(request) ?? null;
    const { VERCEL_REGION, VERCEL_ENV } = getEnv();

    if (new URL(request.url).searchParams.get('format') === 'text') {
      const place = [geo.city, geo.country].filter(Boolean).join(', ') || 'somewhere';
      return new Response(
        `Hello from ${VERCEL_REGION ?? 'an unknown region'} to ${ip ?? 'you'} in ${place}\n`,
        {
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        },
      );
    }
    return Response.json({ geo, ip, region: VERCEL_REGION ?? null, env: VERCEL_ENV ?? null });
  },
};
