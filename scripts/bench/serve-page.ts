// Builds a small page of the benchmark scripts with Vite into a temporary folder and serves it
// on the loopback address, so that timed code runs in Chromium without the app around it.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { build, preview } from 'vite';

import { ROOT } from '../../test/browser/harness';

export interface BenchPage {
  url: string;
  close: () => Promise<void>;
}

/**
 * Writes `files` (index.html and any entry script, by name) into a temporary folder, builds it,
 * serves the build and returns its URL. `publicDir` is served beside it when given.
 */
export async function serveBenchPage(files: Record<string, string>, publicDir?: string): Promise<BenchPage> {
  const root = mkdtempSync(join(tmpdir(), 'peakprune-bench-page-'));
  // Bare imports in the entry resolve through this link to the repository's packages.
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const config = {
    root,
    configFile: false as const,
    logLevel: 'warn' as const,
    publicDir: publicDir ?? (false as const),
    build: { outDir: join(root, 'dist'), chunkSizeWarningLimit: 4096, target: 'es2022' },
  };
  await build(config);
  const server = await preview({ ...config, preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview of the bench page returned no local URL.');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
