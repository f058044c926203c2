// The generated part of docs/results.md: settings, timings and the tables of the method
// comparison before and after fine-tuning. It replaces the text between two marker comments and
// leaves the rest of the page, including the hand-written reading of the numbers, untouched.
import type { SweepRow } from '../../src/core/sweep';
import type { PruneMethod } from '../../src/core/types';

export const BEGIN_MARKER = '<!-- results:begin: written by scripts/results/index.ts, edits between the markers are overwritten -->';
export const END_MARKER = '<!-- results:end -->';

/** Everything the generated section states. */
export interface ResultsFacts {
  date: string;
  command: string;
  nodeCommand: string;
  machine: string;
  limit: number;
  /** Calibration images of the browser stage. */
  finetuneImages: number;
  calibrationImages: number;
  evaluationImages: number;
  unprunedTop1: number;
  unprunedParams: number;
  methods: readonly PruneMethod[];
  ratios: readonly number[];
  finetuneRatios: readonly number[];
  seeds: readonly number[];
  epochs: number;
  /** Fine-tuning settings the page used, as one sentence. */
  fineTuneSettings: string;
  backend: string;
  nodeSeconds: number;
  nodeReused: boolean;
  browserSeconds: number;
  browserSweepSeconds: number;
  /** Rows of the Node stage: every method, seed and ratio, before fine-tuning. */
  before: readonly SweepRow[];
  /** Rows of the browser stage: the fine-tuned ratios, top-1 before and after on WebGL. */
  finetuned: readonly SweepRow[];
  svgPath: string;
}

/** Returns the generated section, markers included. */
export function formatResultsSection(facts: ResultsFacts): string {
  const lines = [
    BEGIN_MARKER,
    '',
    '## Eight methods on the shipped Fashion-MNIST model, before and after fine-tuning',
    '',
    `Regenerated on ${facts.date} by one command, run from the repository root:`,
    '',
    '```',
    facts.command,
    '```',
    '',
    ...settingsList(facts),
    '',
    `![Top-1 against pruning ratio for every method, before and after fine-tuning](${facts.svgPath})`,
    '',
    `Top-1 (%) on the ${facts.evaluationImages} evaluation images before fine-tuning (Node, cpu backend), by fraction of each`,
    `layer's filters removed. The random row gives the mean over seeds ${facts.seeds.join(', ')}, with the lowest and highest seed in brackets.`,
    '',
    ...pivotTable(facts.before, facts.methods, facts.ratios, (row) => row.top1),
    '',
    'Size and cost by ratio (the same for every method when no per-cluster quota reaches its cap; the',
    'table gives the mean over methods and seeds):',
    '',
    ...sizeTable(facts.before, facts.ratios),
    '',
    `Top-1 (%) at ratios ${facts.finetuneRatios.join(', ')} in the browser stage, before and after ${facts.epochs} epoch${facts.epochs === 1 ? '' : 's'}`,
    'of fine-tuning, both measured on WebGL on the same evaluation images. "kept" is the epoch whose weights',
    'the model ended with (0: the held-out images preferred the weights from before training).',
    '',
    ...finetunedTable(facts),
    '',
    END_MARKER,
  ];
  return lines.join('\n');
}

/** Replaces the generated section of `doc`, or inserts it after the first paragraph when the markers are missing. */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf('<!-- results:begin');
  const end = doc.indexOf(END_MARKER);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + END_MARKER.length);
  const firstBreak = doc.indexOf('\n\n');
  const at = firstBreak >= 0 ? firstBreak + 2 : doc.length;
  return `${doc.slice(0, at)}${section}\n\n${doc.slice(at)}`;
}

function settingsList(facts: ResultsFacts): string[] {
  const nodeTime = facts.nodeReused
    ? `${formatMinutes(facts.nodeSeconds)} summed over the rows, analysis excluded (this run reused an earlier output of that command with --before-from)`
    : formatMinutes(facts.nodeSeconds);
  return [
    `- Model: the shipped \`public/model/model.json\`, ${formatCount(facts.unprunedParams)} parameters, top-1 ${percent(facts.unprunedTop1)} % unpruned on these images.`,
    `- Images: the shipped samples, ${facts.calibrationImages} calibration images (the training split) and ${facts.evaluationImages} evaluation`,
    `  images (the test split), picked class-balanced with split seed 0 as \`--limit ${facts.limit}\` picks them. The browser stage`,
    '  loads the same evaluation images (the script writes them as the sprites of its own build) and',
    ...(facts.finetuneImages === facts.calibrationImages
      ? ['  the same calibration images.']
      : [`  ${facts.finetuneImages} calibration images picked as \`--limit ${facts.finetuneImages}\` picks them, to fit the time budget.`]),
    '  Accuracy is measured on the evaluation images only, and fine-tuning uses only the calibration images.',
    '- After each pruning that removes filters, the BatchNormalization moving statistics are re-estimated on the',
    '  calibration images. The ratio-0 rows are the unpruned model.',
    `- Before fine-tuning, every ratio: \`${facts.nodeCommand}\` on Node's cpu backend, ${nodeTime}.`,
    `- After fine-tuning, ratios ${facts.finetuneRatios.join(', ')}: the page's "Compare methods" sweep in headless Chromium with tfjs on`,
    `  ${facts.backend} (SwiftShader, a software GPU). ${facts.fineTuneSettings} The stage took ${formatMinutes(facts.browserSeconds)},`,
    `  of which the sweep itself took ${formatMinutes(facts.browserSweepSeconds)}; the rest is the build, the start and the analysis in the page.`,
    `- Machine: ${facts.machine}.`,
    '- Data: `docs/results/sweep.csv` has one row per method, seed and ratio with the Node top-1 in `top1` and the',
    '  browser\'s fine-tuned top-1 in `top1_finetuned`; `docs/results/sweep.json` also keeps the browser rows as measured.',
  ];
}

function pivotTable(rows: readonly SweepRow[], methods: readonly PruneMethod[], ratios: readonly number[], value: (row: SweepRow) => number | null): string[] {
  const lines = [`| method | ${ratios.join(' | ')} |`, `|---|${ratios.map(() => '---:').join('|')}|`];
  for (const method of methods) {
    const cells = ratios.map((ratio) => cell(rows.filter((row) => row.method === method && row.ratio === ratio), value));
    lines.push(`| ${method} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function finetunedTable(facts: ResultsFacts): string[] {
  const header = facts.finetuneRatios.flatMap((ratio) => [`${ratio} before`, `${ratio} after`, 'kept']);
  const lines = [`| method | ${header.join(' | ')} |`, `|---|${header.map(() => '---:').join('|')}|`];
  for (const method of facts.methods) {
    const cells = facts.finetuneRatios.flatMap((ratio) => {
      const group = facts.finetuned.filter((row) => row.method === method && row.ratio === ratio);
      const kept = group.map((row) => (row.finetuneBestEpoch === null ? '-' : String(row.finetuneBestEpoch))).join(', ');
      return [cell(group, (row) => row.top1), cell(group, (row) => row.top1Finetuned), kept === '' ? 'n/a' : kept];
    });
    lines.push(`| ${method} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function sizeTable(rows: readonly SweepRow[], ratios: readonly number[]): string[] {
  const mean = (ratio: number, pick: (row: SweepRow) => number) => {
    const group = rows.filter((row) => row.ratio === ratio);
    return group.length === 0 ? 'n/a' : formatCount(Math.round(group.reduce((sum, row) => sum + pick(row), 0) / group.length));
  };
  return [
    `| ratio | ${ratios.join(' | ')} |`,
    `|---|${ratios.map(() => '---:').join('|')}|`,
    `| filters removed | ${ratios.map((ratio) => mean(ratio, (row) => row.filtersRemoved)).join(' | ')} |`,
    `| parameters | ${ratios.map((ratio) => mean(ratio, (row) => row.params)).join(' | ')} |`,
    `| multiply-adds per image | ${ratios.map((ratio) => mean(ratio, (row) => row.flops)).join(' | ')} |`,
  ];
}

/** Formats one value, or the mean over seeds with the range in brackets; "n/a" for no rows. */
function cell(group: readonly SweepRow[], value: (row: SweepRow) => number | null): string {
  const values = group.map(value).filter((v): v is number => v !== null);
  if (values.length === 0) return 'n/a';
  if (values.length === 1) return percent(values[0]);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return `${percent(mean)} (${percent(Math.min(...values))}–${percent(Math.max(...values))})`;
}

function percent(fraction: number): string {
  return (fraction * 100).toFixed(1);
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatMinutes(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
