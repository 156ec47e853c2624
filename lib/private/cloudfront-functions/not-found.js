// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the default behaviour of
// a distribution whose paths are all served by explicit behaviours. Answers every request that no
// function route matched with a 404, as Vercel does, so the default behaviour's origin is never
// contacted.

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler() {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'text/plain; charset=utf-8' },
      'cache-control': { value: 'public, max-age=0, must-revalidate' },
    },
    body: { encoding: 'text', data: 'The page could not be found.\n\nNOT_FOUND\n' },
  };
}
