// Serves the built app with `vite preview` and drives Debian Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { chromium, type BrowserContext, type ConsoleMessage, type Download, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The built app the tests serve: dist/, or the folder in PEAKPRUNE_DIST (from `vite build --outDir`). */
export const DIST = resolve(ROOT, process.env.PEAKPRUNE_DIST ?? 'dist');

/** Flags that give tfjs WebGL 2 on SwiftShader in headless Chromium and keep it off the network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface Workbench {
  url: string;
  context: BrowserContext;
  page: Page;
  /** Console errors (from the page and its workers) and uncaught page errors seen so far. */
  errors: string[];
  /** Empty folder for saved downloads, removed by `close`. */
  downloadsDir: string;
  close(): Promise<void>;
}

/** Tensor counts from the worker's tfjs, which must return to earlier values after a job. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
}

/** WorkerMemory plus the WebGL backend's texture bytes, which benchmarks print. */
export interface WorkerGpuMemory extends WorkerMemory {
  /** WebGL only: bytes of the textures that hold live tensors. */
  numBytesInGPU?: number;
  /** WebGL only: bytes of every texture allocated so far, released ones included (a high-water mark). */
  numBytesInGPUAllocated?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // The server is not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url} within ${timeoutMs} ms`);
}

/** Starts `vite preview` on the built app in DIST and returns its URL and process. */
export async function startPreview(): Promise<{ url: string; stop: () => void }> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(`${join(DIST, 'index.html')} is missing: run \`npx vite build\` before the browser tests.`);
  }
  const port = await freePort();
  // Vite 8 allows one preview server per project unless its lock is bypassed, so without the
  // flag a preview the developer left running makes every browser test fail to start.
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--bypass-lock', '--outDir', DIST],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(url, child, 30_000);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGTERM');
    throw error;
  }
  return {
    url,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

/** Formats a console message with its origin, so a failure names the thread and the script line. */
function describeConsoleMessage(message: ConsoleMessage): string {
  const origin = message.worker() === null ? 'page' : 'worker';
  const { url, lineNumber } = message.location();
  const where = url === '' ? '' : ` (${url}:${lineNumber})`;
  return `console.error in the ${origin}: ${message.text()}${where}`;
}

export interface OpenOptions {
  /**
   * Callback run on the new browser context before the page opens, for example to serve other
   * files for the shipped model through `context.route`. Service workers are blocked when it is
   * set, because routes do not see requests that a service worker handles.
   */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/** Opens the built workbench at `query` (for example "?calibration=100") in a fresh profile. */
export async function openWorkbench(query = '', options: OpenOptions = {}): Promise<Workbench> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium).`);
  }
  const preview = await startPreview();
  const profile = mkdtempSync(join(tmpdir(), 'peakprune-profile-'));
  const downloadsDir = mkdtempSync(join(tmpdir(), 'peakprune-downloads-'));
  const removeFolders = () => {
    rmSync(profile, { recursive: true, force: true });
    rmSync(downloadsDir, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
      ...(options.prepare === undefined ? {} : { serviceWorkers: 'block' as const }),
    });
    await options.prepare?.(context);
  } catch (error) {
    preview.stop();
    removeFolders();
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  // The page's console event also carries messages from its dedicated workers.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(describeConsoleMessage(message));
  });
  page.on('pageerror', (error) => errors.push(`uncaught error in the page: ${error.message}`));
  await page.goto(preview.url + query);
  return {
    url: preview.url,
    context,
    page,
    errors,
    downloadsDir,
    close: async () => {
      try {
        await context.close();
      } finally {
        preview.stop();
        removeFolders();
      }
    },
  };
}

/** Returns the worker's tfjs tensor count and tensor bytes through the page's test hook. */
export async function workerMemory(page: Page): Promise<WorkerMemory> {
  const { numTensors, numBytes } = await workerGpuMemory(page);
  return { numTensors, numBytes };
}

/**
 * Returns the worker's tensor figures with its GPU texture bytes. The allocated bytes only grow
 * (tfjs keeps released textures for reuse), so leak checks compare workerMemory instead.
 */
export async function workerGpuMemory(page: Page): Promise<WorkerGpuMemory> {
  return page.evaluate(async () => {
    const hooks = window.peakprune;
    if (hooks === undefined) throw new Error('window.peakprune is missing: the app did not expose its test hooks.');
    return hooks.memory();
  });
}

/** Returns the status line, the error banner and the console errors, for failure messages. */
export async function describePage(page: Page, errors: readonly string[] = []): Promise<string> {
  const status = await textOrNothing(page.getByTestId('status-text'));
  const banner = await textOrNothing(page.getByTestId('error-banner'));
  const lines = [`status line: ${status ?? '(none)'}`, `error banner: ${banner ?? '(none)'}`];
  if (errors.length > 0) lines.push(`console errors: ${errors.join(' | ')}`);
  return lines.join('; ');
}

async function textOrNothing(locator: Locator): Promise<string | undefined> {
  if ((await locator.count()) === 0) return undefined;
  return (await locator.first().textContent()) ?? undefined;
}

/**
 * Waits until the status line matches `pattern` and returns its text. Throws after `timeoutMs`
 * with what the page showed instead, so a stuck or failed job explains itself.
 */
export async function waitForStatus(page: Page, pattern: RegExp, timeoutMs: number, errors: readonly string[] = []): Promise<string> {
  const status = page.getByTestId('status-text').filter({ hasText: pattern });
  try {
    await status.waitFor({ timeout: timeoutMs });
  } catch {
    throw new Error(`The status line did not match ${pattern} within ${timeoutMs} ms; ${await describePage(page, errors)}`);
  }
  return (await status.textContent()) ?? '';
}

/** Waits until `locator`'s whole text equals `text`, or throws naming `description` and the text seen last. */
export async function waitForText(locator: Locator, text: string, timeoutMs: number, description: string): Promise<void> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    await locator.filter({ hasText: new RegExp(`^\\s*${escaped}\\s*$`) }).waitFor({ timeout: timeoutMs });
  } catch {
    const seen = (await locator.count()) === 0 ? '(element missing)' : await locator.first().textContent();
    throw new Error(`${description}: expected "${text}" within ${timeoutMs} ms, but it shows "${seen}".`);
  }
}

/**
 * Runs `trigger`, waits for `count` downloads and saves each under its suggested file name in
 * `dir`. Returns the saved paths keyed by file name.
 */
export async function saveDownloads(page: Page, count: number, trigger: () => Promise<void>, dir: string, timeoutMs = 30_000): Promise<Map<string, string>> {
  const saved = new Map<string, string>();
  const pending: Promise<void>[] = [];
  const started: string[] = [];
  let resolveAll: () => void = () => undefined;
  const allStarted = new Promise<void>((resolveStarted) => {
    resolveAll = resolveStarted;
  });
  const onDownload = (download: Download) => {
    const name = download.suggestedFilename();
    started.push(name);
    const path = join(dir, name);
    pending.push(download.saveAs(path).then(() => void saved.set(name, path)));
    if (started.length === count) resolveAll();
  };
  page.on('download', onDownload);
  try {
    await trigger();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const fail = () => reject(new Error(`Expected ${count} downloads within ${timeoutMs} ms, but only these started: ${started.join(', ') || 'none'}.`));
      timer = setTimeout(fail, timeoutMs);
    });
    try {
      await Promise.race([allStarted, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await Promise.all(pending);
  } finally {
    page.off('download', onDownload);
  }
  return saved;
}
