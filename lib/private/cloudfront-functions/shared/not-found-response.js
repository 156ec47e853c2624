// Shared by not-found.js and router.js (concatenated by lib/private/cloudfront-function-code.ts):
// Vercel's answer for a path no function serves, given at the edge so no origin is contacted.

// biome-ignore lint/correctness/noUnusedVariables: called by the handler it is concatenated with.
function notFoundResponse() {
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
