import type { ImageOptimizerProps } from '../image-optimizer';
import { readVercelJson } from '../private/vercel-json';

/**
 * The image optimizer configuration of the project in `dir` — `vercel.json`'s `images`, read by the
 * same reader as `VercelProject` — or `undefined` when the project has no `vercel.json` or it has
 * no `images`. The dev server re-reads it when sources change, to re-synthesize when it changed and
 * to report an invalid file before synthesizing.
 *
 * @throws VercelJsonError when `vercel.json` is not a JSON object or its `images` is not valid
 */
export function readImagesConfig(dir: string): ImageOptimizerProps | undefined {
  return readVercelJson(dir)?.images;
}
