// Regenerates the method comparison in docs/results.md: `npx tsx scripts/results/index.ts`.
//
// 1. Browser: the built app's "Compare methods" sweep fine-tunes the chosen ratios in headless
//    Chromium on WebGL, about ten times faster per image than Node's cpu backend here.
// 2. Node: `peakprune sweep` measures every method, seed and ratio before fine-tuning.
// 3. Writes docs/results/sweep.csv, sweep.json and sweep.svg and replaces the generated section of
//    docs/results.md. The reading of the numbers below that section is written by hand.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { SweepResult } from '../../src/cli/commands/sweep-output';
import { PRUNE_METHODS } from '../../src/core/criteria';
import { formatSweepCsv, type SweepRow } from '../../src/core/sweep';
import type { PruneMethod } from '../../src/core/types';
import { runBrowserStage, type BrowserStageResult } from './browser';
import { renderResultsSvg } from './figure';
import { formatResultsSection, replaceSection } from './report';

const ROOT = resolve(import.meta.dirname, '../..');

const HELP = `Usage: npx tsx scripts/results/index.ts [options]

Runs the method comparison of docs/results.md: every method and ratio before fine-tuning with
"peakprune sweep" on Node, then the fine-tuned ratios in headless Chromium on WebGL, and writes
docs/results/sweep.csv, sweep.json, sweep.svg and the generated section of docs/results.md.

Options:
  --limit N            calibration and evaluation images, as "peakprune sweep --limit" (default: 300)
  --ratios LIST        ratios before fine-tuning (default: 0,0.1,...,0.9)
  --finetune-ratios L  ratios fine-tuned in the browser (default: 0.3,0.5,0.7)
  --seeds LIST         seeds of the random method (default: 0,1,2)
  --epochs E           fine-tuning epochs per pruning (default: 1)
  --finetune-images N  calibration images of the browser stage, for BatchNormalization and
                       fine-tuning; picked as "--limit N" picks them (default: --limit)
  --methods LIST       methods (default: all eight)
  --dist DIR           folder the app is built into (default: /tmp/peakprune-results-dist)
  --out DIR            folder for sweep.csv, sweep.json and sweep.svg (default: docs/results)
  --doc FILE           Markdown page whose generated section is replaced (default: docs/results.md)
  --before-from DIR    reuse DIR/sweep.json of an earlier "peakprune sweep" run with the same
                       settings instead of running the Node stage
  -h, --help           show this help
`;

interface Options {
  limit: number;
  ratios: number[];
  finetuneRatios: number[];
  seeds: number[];
  epochs: number;
  finetuneImages: number;
  methods: PruneMethod[];
  distDir: string;
  outDir: string;
  docPath: string;
  beforeFrom?: string;
}

function readOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      limit: { type: 'string' },
      ratios: { type: 'string' },
      'finetune-ratios': { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      'finetune-images': { type: 'string' },
      methods: { type: 'string' },
      dist: { type: 'string' },
      out: { type: 'string' },
      doc: { type: 'string' },
      'before-from': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const numbers = (text: string) => text.split(',').map((item) => Number(item));
  const methods = (values.methods?.split(',') ?? [...PRUNE_METHODS]) as PruneMethod[];
  const unknown = methods.find((method) => !PRUNE_METHODS.includes(method));
  if (unknown !== undefined) throw new Error(`Method "${unknown}" is unknown; use ${PRUNE_METHODS.join(', ')}.`);
  const options: Options = {
    limit: Number(values.limit ?? 300),
    ratios: numbers(values.ratios ?? '0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9'),
    finetuneRatios: numbers(values['finetune-ratios'] ?? '0.3,0.5,0.7'),
    seeds: numbers(values.seeds ?? '0,1,2'),
    epochs: Number(values.epochs ?? 1),
    finetuneImages: Number(values['finetune-images'] ?? values.limit ?? 300),
    methods,
    distDir: resolve(values.dist ?? '/tmp/peakprune-results-dist'),
    outDir: resolve(values.out ?? join(ROOT, 'docs/results')),
    docPath: resolve(values.doc ?? join(ROOT, 'docs/results.md')),
    beforeFrom: values['before-from'] === undefined ? undefined : resolve(values['before-from']),
  };
  if (!Number.isInteger(options.limit) || options.limit < 10) throw new Error(`--limit ${values.limit} is invalid; use a whole number of at least 10.`);
  if (!Number.isInteger(options.finetuneImages) || options.finetuneImages < 10 || options.finetuneImages > options.limit) {
    throw new Error(`--finetune-images ${values['finetune-images']} is invalid; use a whole number from 10 to --limit.`);
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`--epochs ${values.epochs} is invalid; use a whole number of at least 1.`);
  return options;
}

function nodeSweepArgs(options: Options, outDir: string): string[] {
  return [
    'sweep',
    '--methods', options.methods.join(','),
    '--ratios', options.ratios.join(','),
    '--seeds', options.seeds.join(','),
    '--limit', String(options.limit),
    '--out', outDir,
  ];
}

/** Runs `peakprune sweep` in a child process, or reads the output of an earlier run. */
function runNodeStage(options: Options, outDir: string, log: (line: string) => void): { result: SweepResult; seconds: number } {
  if (options.beforeFrom !== undefined) {
    log(`node: reusing ${join(options.beforeFrom, 'sweep.json')}`);
    const result = JSON.parse(readFileSync(join(options.beforeFrom, 'sweep.json'), 'utf8')) as SweepResult;
    return { result, seconds: result.rows.reduce((sum, row) => sum + row.seconds, 0) };
  }
  const started = Date.now();
  log(`node: peakprune ${nodeSweepArgs(options, outDir).join(' ')}`);
  const child = spawnSync(process.execPath, [join(ROOT, 'scripts/peakprune.mjs'), ...nodeSweepArgs(options, outDir)], { cwd: ROOT, stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`peakprune sweep failed with exit code ${child.status}.`);
  return { result: JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as SweepResult, seconds: (Date.now() - started) / 1000 };
}

/** Copies each browser row's fine-tuned top-1 into the Node row of the same method, seed and ratio. */
function mergeRows(before: readonly SweepRow[], finetuned: readonly SweepRow[]): SweepRow[] {
  return before.map((row) => {
    const match = finetuned.find((other) => other.method === row.method && other.seed === row.seed && other.ratio === row.ratio);
    if (match === undefined) return { ...row, top1Finetuned: null, finetuneEpochs: 0, finetuneBestEpoch: null };
    return { ...row, top1Finetuned: match.top1Finetuned, finetuneEpochs: match.finetuneEpochs, finetuneBestEpoch: match.finetuneBestEpoch };
  });
}

function describeMachine(): string {
  const chromium = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'Chromium (version unknown)';
  const load = loadavg()[0].toFixed(1);
  return `${cpus().length} cores of ${cpus()[0]?.model ?? 'an unknown CPU'} (load average ${load} when the run ended), no GPU, Node ${process.version}, ${chromium}, TensorFlow.js 4.22`;
}

function describeFineTune(browser: BrowserStageResult): string {
  const settings = (browser.settings as { fineTune?: Record<string, unknown> }).fineTune;
  if (settings === undefined || settings === null) return 'No fine-tuning settings were recorded.';
  const heldOut = Number(settings.validationFraction);
  const epochs = Number(settings.epochs);
  return (
    `Fine-tuning: up to ${epochs} epoch${epochs === 1 ? '' : 's'} of ${String(settings.optimizer)} with learning rate ${String(settings.learningRate)} and batch size ` +
    `${String(settings.batchSize)} on the calibration images, ${Math.round(heldOut * 100)} % of them held out for early stopping (patience ${String(settings.patience)}, seed ${String(settings.seed)}). ` +
    'The BatchNormalization statistics are re-estimated on the other calibration images after each epoch.'
  );
}

/** Drops --before-from and its value, which name a local folder and do not change the figures. */
function withoutBeforeFrom(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--before-from') i++;
    else if (!argv[i].startsWith('--before-from=')) kept.push(argv[i]);
  }
  return kept;
}

async function main(argv: string[]): Promise<void> {
  const options = readOptions(argv);
  if (options === undefined) {
    process.stdout.write(HELP);
    return;
  }
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const { outDir, docPath } = options;
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();

  const browser = await runBrowserStage({
    root: ROOT,
    distDir: options.distDir,
    methods: options.methods,
    ratios: options.finetuneRatios,
    seeds: options.seeds,
    epochs: options.epochs,
    limit: options.limit,
    calibrationLimit: options.finetuneImages,
    splitSeed: 0,
    log,
  });
  log(`browser: ${browser.rows.length} rows in ${browser.seconds.toFixed(0)} s`);
  // The Node stage runs second, so a failure in the browser, the likelier one, shows up first.
  const node = runNodeStage(options, join(outDir, 'node'), log);

  const merged = mergeRows(node.result.rows, browser.rows);
  writeFileSync(join(outDir, 'sweep.csv'), formatSweepCsv(merged));
  const json = { node: { settings: node.result.settings, unpruned: node.result.unpruned }, browser: { settings: browser.settings, backend: browser.backend, rows: browser.rows }, rows: merged };
  writeFileSync(join(outDir, 'sweep.json'), `${JSON.stringify(json, null, 2)}\n`);
  const title = 'Top-1 against pruning ratio for every method, before and after fine-tuning, on the shipped model';
  writeFileSync(join(outDir, 'sweep.svg'), renderResultsSvg(node.result.rows, browser.rows, title));

  const section = formatResultsSection({
    date: new Date().toISOString().slice(0, 10),
    command: ['npx tsx scripts/results/index.ts', ...withoutBeforeFrom(argv)].join(' '),
    nodeCommand: `npx peakprune ${nodeSweepArgs(options, relative(ROOT, join(outDir, 'node'))).join(' ')}`,
    machine: describeMachine(),
    limit: options.limit,
    finetuneImages: options.finetuneImages,
    calibrationImages: node.result.settings.calibrationImages,
    evaluationImages: node.result.settings.evaluationImages,
    unprunedTop1: node.result.unpruned.top1 ?? Number.NaN,
    unprunedParams: node.result.unpruned.params,
    methods: options.methods,
    ratios: options.ratios,
    finetuneRatios: options.finetuneRatios,
    seeds: options.seeds,
    epochs: options.epochs,
    fineTuneSettings: describeFineTune(browser),
    backend: browser.backend,
    nodeSeconds: node.seconds,
    nodeReused: options.beforeFrom !== undefined,
    browserSeconds: browser.seconds,
    browserSweepSeconds: browser.sweepSeconds,
    before: node.result.rows,
    finetuned: browser.rows,
    svgPath: relative(dirname(docPath), join(outDir, 'sweep.svg')),
  });
  writeFileSync(docPath, replaceSection(readFileSync(docPath, 'utf8'), section));
  log(`wrote sweep.csv, sweep.json and sweep.svg to ${outDir} and updated ${docPath} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`results: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
