import { resolve } from 'node:path';
import { runDevServerCli } from '../lib/local/dev-server-cli';

// `npm start`: the local dev server on examples/. Composition only — the command line lives in
// lib/local/dev-server-cli.ts, shared with the package's `vercel-functions-aws-dev` bin.

void runDevServerCli(process.argv.slice(2), {
  command: 'npm start --',
  defaultDir: resolve(__dirname, '..', 'examples'),
});
