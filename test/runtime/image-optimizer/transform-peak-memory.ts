// Run in a child process by transform-memory.test.ts: transforms the image file argv[2] at width 640
// and prints the process's peak resident memory (KB), which only a process of its own can measure.
import { readFileSync } from 'node:fs';
import { transformImage } from '../../../runtime/image-optimizer/transform';

const bytes = readFileSync(process.argv[2]);
transformImage(bytes, 'webp', { width: 640, quality: 75, format: 'webp' })
  .then(
    () => 'transformed',
    (error: { statusCode?: number }) => `rejected ${error.statusCode}`,
  )
  .then((outcome) => {
    process.stdout.write(JSON.stringify({ outcome, maxRssKb: process.resourceUsage().maxRSS }));
  });
