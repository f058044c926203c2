// Turns a Keras model config (Keras 2 as in legacy .h5 files, or Keras 3 as in .keras files) into
// the topology TensorFlow.js layers read, and lists the features that cannot be carried over.
import { PeakPruneError } from '../errors';
import { knownClassNames, topologyLayers } from './checks';

type Json = Record<string, unknown>;

/** Converts a Keras config to a tfjs topology: Keras 3 wrappers are dropped, inbound nodes rewritten. */
export function kerasToTfjsTopology(config: Json, kerasVersion: string | undefined): Json {
  const converted = cleanValue(config) as Json;
  if (converted.class_name === 'Functional') convertFunctional(converted);
  return { class_name: converted.class_name, config: converted.config, keras_version: kerasVersion ?? 'unknown', backend: 'tensorflow' };
}

/**
 * Removes Keras 3 serialization wrappers recursively: a {module, class_name, config,
 * registered_name} object keeps only class_name and config, a dtype policy becomes its dtype
 * name, and an InputLayer's batch_shape is renamed to the batch_input_shape tfjs reads.
 */
function cleanValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanValue);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Json;
  if (typeof record.class_name === 'string' && /DTypePolicy$/.test(record.class_name)) {
    const policy = record.config as Json | undefined;
    return policy?.name === 'mixed_float16' || policy?.name === 'mixed_bfloat16' ? 'float32' : (policy?.name ?? 'float32');
  }
  const cleaned: Json = {};
  for (const [key, item] of Object.entries(record)) {
    if (key === 'module' || key === 'registered_name' || key === 'build_config' || key === 'compile_config') continue;
    cleaned[key] = cleanValue(item);
  }
  if (cleaned.class_name === 'InputLayer' && typeof cleaned.config === 'object' && cleaned.config !== null) {
    const layerConfig = cleaned.config as Json;
    if (layerConfig.batch_shape !== undefined && layerConfig.batch_input_shape === undefined) {
      layerConfig.batch_input_shape = layerConfig.batch_shape;
      delete layerConfig.batch_shape;
    }
  }
  return cleaned;
}

/** Rewrites Keras 3 inbound nodes ({args, kwargs} holding keras tensors) into Keras 2's lists. */
function convertFunctional(model: Json): void {
  const config = model.config as Json;
  for (const layer of (config.layers as Json[] | undefined) ?? []) {
    const nodes = layer.inbound_nodes;
    if (!Array.isArray(nodes)) continue;
    layer.inbound_nodes = nodes.map((node) => (Array.isArray(node) ? node : kerasHistories(node).map((history) => [...history, {}])));
  }
  for (const key of ['input_layers', 'output_layers']) {
    const list = config[key];
    if (Array.isArray(list) && typeof list[0] === 'string') config[key] = [list];
  }
}

/** Collects [layer, node, tensor] of every keras tensor in a Keras 3 node, in argument order. */
function kerasHistories(value: unknown): unknown[][] {
  if (Array.isArray(value)) return value.flatMap(kerasHistories);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Json;
  if (record.class_name === '__keras_tensor__') {
    const history = (record.config as Json | undefined)?.keras_history;
    return Array.isArray(history) ? [history] : [];
  }
  return Object.values(record).flatMap(kerasHistories);
}

/** A Keras feature that the conversion drops or cannot carry, with the layer it sits on. */
export interface KerasFinding {
  layer: string;
  className: string;
  problem: string;
  /** Whether loading must stop (the model would compute something else), or only warn. */
  fatal: boolean;
}

/** Lists unsupported Keras features in an original (unconverted) config, one entry per layer and feature. */
export function findUnsupportedFeatures(config: Json): KerasFinding[] {
  const known = knownClassNames();
  const findings: KerasFinding[] = [];
  for (const layer of topologyLayers(config)) {
    const add = (problem: string, fatal: boolean) => findings.push({ layer: layer.name, className: layer.className, problem, fatal });
    const settings = layer.config;
    if (layer.className === 'Lambda') add('Lambda layers hold Python code, which cannot run in TensorFlow.js', true);
    else if (!known.has(layer.className)) add(`TensorFlow.js has no layer class "${layer.className}"`, true);
    if (typeof settings.groups === 'number' && settings.groups > 1) add(`grouped convolution (groups = ${settings.groups}) is not available in TensorFlow.js`, true);
    if (settings.data_format === 'channels_first') add('channels_first data format is not supported; save the model with channels_last', true);
    if (typeof settings.lora_rank === 'number') add('LoRA weights are not supported; merge them into the kernel before saving', true);
    if (settings.quantization_config !== undefined && settings.quantization_config !== null) add('Keras quantized layers are not supported', true);
    if (typeof settings.dtype === 'object' && settings.dtype !== null && /mixed/.test(JSON.stringify(settings.dtype))) {
      add('mixed precision policy is loaded as float32', false);
    }
  }
  return findings;
}

/** Formats findings for the user: throws for fatal ones, returns warning sentences for the rest. */
export function reportFindings(findings: readonly KerasFinding[], path: string): string[] {
  const fatal = findings.filter((finding) => finding.fatal);
  if (fatal.length > 0) {
    const list = fatal.slice(0, 3).map((finding) => `layer "${finding.layer}" (${finding.className}): ${finding.problem}`);
    const more = fatal.length > 3 ? ` and ${fatal.length - 3} more` : '';
    throw new PeakPruneError('invalid-model', `${path} uses Keras features that cannot be converted: ${list.join('; ')}${more}. Change these layers and save the model again.`);
  }
  return findings.map((finding) => `${path}: layer "${finding.layer}" (${finding.className}): ${finding.problem}.`);
}
