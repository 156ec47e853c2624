/*
 * The optimizer's own paths. It answers at exactly one, and never fetches a source under any of
 * them: a source that is itself an optimizer request would make it call itself, each hop holding
 * an invocation, as deep as the URL length allows.
 */

/** The one path the optimizer answers at (the `ImageOptimizer` cache behaviour's path pattern). */
export const IMAGE_OPTIMIZER_PATH = '/_vercel/image';

// Vercel's and Next.js's optimizer paths, lower case: a source under either is refused, whoever
// serves it — this deployment, or another one a remote pattern allows.
const OPTIMIZER_PATH_PREFIXES = [IMAGE_OPTIMIZER_PATH, '/_next/image'];

/**
 * Whether `pathname` (a parsed URL's) is under an optimizer path, as a plain prefix:
 * `/_vercel/imageX` and `/_vercel/image.png` count too, as another deployment (or a CDN routing
 * `/_vercel/image*`) may send them to an optimizer. The path is compared as a server may read it —
 * percent-escapes decoded (`/_vercel/%69mage`), backslashes as slashes, repeated slashes merged,
 * dot segments resolved again, letters in any case — so no spelling of an optimizer path dodges it.
 */
export function isOptimizerPath(pathname: string): boolean {
  const decoded = decodeAsciiEscapes(pathname)
    .replace(/[\\/]+/g, '/')
    // Decoded `?` and `#` are part of the path here, not the start of a query or fragment.
    .replace(/[?#]/g, (char) => encodeURIComponent(char));
  const normalized = new URL(decoded, 'http://path.invalid').pathname.toLowerCase();
  return OPTIMIZER_PATH_PREFIXES.some((prefix) => normalized.startsWith(prefix));
}

// Decodes `%XX` escapes of ASCII characters, again until none is left (`%2569` is `%69` is `i`).
// Only ASCII: the prefixes are ASCII, and `decodeURIComponent` would throw on the invalid UTF-8
// (`%FF`) an attacker could add to get the whole path left undecoded.
function decodeAsciiEscapes(text: string): string {
  let current = text;
  for (;;) {
    const decoded = current.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (decoded === current) return current;
    current = decoded;
  }
}
