// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event, on the image optimizer's
// behaviour (/_vercel/image). Deployed together with cloudfront-functions/shared/sanitize-request.js
// (Host → x-forwarded-host, spoofable headers dropped, distribution id and domain added).
//
// Then it reduces the viewer's Accept header to the one output format the optimizer will produce —
// avif, webp or original — in x-vfa-image-format, which the cache policy keys on: CloudFront cannot
// key on raw Accept sensibly (every browser sends a different one), and this keeps at most three
// cached variants per url/w/q. The rule must stay equal to runtime/image-optimizer/negotiate.ts
// (a test checks it): the first configured format that Accept names explicitly with q > 0;
// wildcards do not count.

// The configured formats in order of preference, e.g. 'avif,webp' (filled in at synth).
const IMAGE_FORMATS = '__VFA_IMAGE_FORMATS__';

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named handler.
function handler(event) {
  const request = sanitizeViewerRequest(event);
  const accept = request.headers.accept ? request.headers.accept.value : '';
  request.headers['x-vfa-image-format'] = { value: negotiateImageFormat(accept) };
  return request;
}

function negotiateImageFormat(accept) {
  const accepted = {};
  const ranges = accept.split(',');
  for (let i = 0; i < ranges.length; i++) {
    const parts = ranges[i].split(';');
    const type = parts[0].trim().toLowerCase();
    let quality = 1;
    for (let j = 1; j < parts.length; j++) {
      const param = parts[j].trim().toLowerCase();
      if (/^q\s*=/.test(param)) quality = parseFloat(param.slice(param.indexOf('=') + 1));
    }
    if (type && quality > 0) accepted[type] = true;
  }
  const formats = IMAGE_FORMATS === '' ? [] : IMAGE_FORMATS.split(',');
  for (let i = 0; i < formats.length; i++) {
    if (accepted[`image/${formats[i]}`]) return formats[i];
  }
  return 'original';
}
