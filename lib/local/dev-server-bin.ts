#!/usr/bin/env node
import { runDevServerCli } from './dev-server-cli';

// The package's `vercel-functions-aws-dev` bin: the dev server of `npm start`, on the current
// folder, for an app that installed the package. Compiled to dist/ with the rest of lib/.

void runDevServerCli(process.argv.slice(2), { command: 'vercel-functions-aws-dev', defaultDir: '.' });
