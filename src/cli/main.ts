// Entry point of the `peakprune` command-line tool: picks the command and turns every failure
// into an exit status of 1 with one line on stderr.
import { PeakPruneError } from '../core/errors';
import { INSPECT_HELP, runInspect } from './commands/inspect';
import type { CliIO } from './commands/io';
import { PRUNE_HELP, runPrune } from './commands/prune';
import { runSensitivity, SENSITIVITY_HELP } from './commands/sensitivity';
import { runSweep, SWEEP_HELP } from './commands/sweep';

export type { CliIO } from './commands/io';

export const MAIN_HELP = `Usage: peakprune <command> [options]

Prunes the filters of a TensorFlow.js convolutional network by density peak clustering and
APoZ, on the tfjs cpu backend.

Commands:
  prune     remove filters and write the smaller model, its weights and a report
  sweep     prune with several methods and ratios and write top-1, parameters and FLOPs as CSV
  sensitivity
            prune one layer at a time at several ratios, propose per-layer ratios within an
            accuracy drop, and measure the model pruned with all of them
  inspect   print the model's layers, prunable convolutions, parameters and FLOPs as JSON

Run "peakprune <command> --help" for the options of a command.
`;

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<void>; help: string }> = {
  prune: { run: runPrune, help: PRUNE_HELP },
  inspect: { run: runInspect, help: INSPECT_HELP },
  sweep: { run: runSweep, help: SWEEP_HELP },
  sensitivity: { run: runSensitivity, help: SENSITIVITY_HELP },
};

/** Runs one command line (without the node and script arguments) and returns the exit status. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    io.stdout(MAIN_HELP);
    return 0;
  }
  if (command === undefined) {
    io.stderr(MAIN_HELP);
    return 1;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) {
    io.stderr(`peakprune: unknown command "${command}"; use prune, sweep, sensitivity or inspect (peakprune --help).\n`);
    return 1;
  }

  try {
    await entry.run(rest, io);
    return 0;
  } catch (error) {
    reportError(error, rest.includes('--verbose'), io);
    return 1;
  }
}

function reportError(error: unknown, verbose: boolean, io: CliIO): void {
  if (error instanceof PeakPruneError) {
    io.stderr(`peakprune: ${oneLine(error.message)}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (verbose && error instanceof Error && error.stack !== undefined) {
    io.stderr(`peakprune: unexpected error: ${error.stack}\n`);
    return;
  }
  io.stderr(`peakprune: unexpected error: ${oneLine(message)} (run again with --verbose for the stack trace)\n`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Streams of the running process; progress is shown only when stderr is a terminal. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    showProgress: process.stderr.isTTY === true,
    cwd: process.cwd(),
  };
}
