// `peakprune inspect`: the model's layers, which can be pruned, coupled groups, frozen layers,
// and its size and cost, as JSON.
import { COMMON_OPTIONS, parseCommandArgs } from '../args';
import { loadLayersModelFromFiles } from '../load-model';
import { modelMetrics } from '../../core/metrics';
import { describeChannels, summarizeModel, type ChannelStructure } from '../../core/topology';
import type { LayerSummary, ModelMetrics } from '../../core/types';
import { DEFAULT_MODEL, displayPath, resolvePath, useCpuBackend, type CliIO } from './io';

export const INSPECT_HELP = `Usage: peakprune inspect [--model PATH]

Prints one JSON object to stdout: the model's name, input and output shapes, every layer
(class, output shape without the batch axis, parameters, whether its filters can be pruned
and, for a convolution that cannot, why), the coupled groups (convolutions whose filters are
removed together, named after their lead layer, with the reason when they cannot be pruned),
every frozen layer (a layer that keeps all channels reaching it) with its reason, and the
model's parameters, FLOPs and bytes.

Options:
  --model PATH   TensorFlow.js LayersModel: model.json with its weight shards beside it, a
                 folder or .zip holding them, or a Keras .h5 or .keras file (default: the
                 shipped public/model/model.json)
  --verbose      print the stack trace of an unexpected error
  -h, --help     show this help
`;

const INSPECT_OPTIONS = {
  ...COMMON_OPTIONS,
  model: { type: 'string' },
} as const;

/** JSON object that `inspect` prints. Shapes leave out the batch axis. */
export interface InspectOutput {
  model: string;
  file: string;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  metrics: ModelMetrics;
  layers: LayerSummary[];
  groups: ChannelStructure['groups'];
  frozen: ChannelStructure['frozen'];
}

/** Runs `peakprune inspect`; `argv` contains the arguments after the command name. */
export async function runInspect(argv: string[], io: CliIO): Promise<void> {
  const values = parseCommandArgs('inspect', argv, INSPECT_OPTIONS);
  if (values.help) {
    io.stdout(INSPECT_HELP);
    return;
  }

  await useCpuBackend();
  const file = values.model === undefined ? DEFAULT_MODEL : resolvePath(io, values.model);
  const model = await loadLayersModelFromFiles(file);
  try {
    const channels = describeChannels(model);
    const output: InspectOutput = {
      model: model.name,
      file: displayPath(io, file),
      inputShape: model.inputs[0].shape.slice(1),
      outputShape: model.outputs[0].shape.slice(1),
      metrics: modelMetrics(model),
      layers: summarizeModel(model),
      groups: channels.groups,
      frozen: channels.frozen,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } finally {
    model.dispose();
  }
}
