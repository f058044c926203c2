#!/usr/bin/env node
// The `peakprune` command. tsx's loader compiles the TypeScript sources as they are imported,
// so the tool runs from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
