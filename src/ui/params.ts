// URL query parameters of the page:
//   ?calibration=N  use only the first N shipped calibration images (default: all of them)
//   ?evaluation=M   use only the first M shipped evaluation images (default: all of them)
// Browser tests pass small numbers so that analysis and evaluation finish quickly.

export interface SampleLimits {
  calibration?: number;
  evaluation?: number;
}

const LIMIT_NAMES = ['calibration', 'evaluation'] as const;

/** Reads the image limits from a query string; a missing, non-integer or negative value means no limit. */
export function readSampleLimits(search: string): SampleLimits {
  const params = new URLSearchParams(search);
  return { calibration: positiveInteger(params.get('calibration')), evaluation: positiveInteger(params.get('evaluation')) };
}

/**
 * Returns one sentence naming the image limits in `search` that readSampleLimits ignores
 * (present but not a positive integer), or undefined when there are none.
 */
export function describeIgnoredLimits(search: string): string | undefined {
  const params = new URLSearchParams(search);
  const ignored = LIMIT_NAMES.filter((name) => params.has(name) && positiveInteger(params.get(name)) === undefined).map(
    (name) => `${name}=${params.get(name) ?? ''}`,
  );
  if (ignored.length === 0) return undefined;
  const list = ignored.map((entry) => `"${entry}"`).join(' and ');
  return `Ignored ${list} in the URL: a limit must be a whole number of images above 0, so all images of that set are used.`;
}

function positiveInteger(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

// The teaching views keep their state in the URL too, so a link reopens the same view:
//   ?layer=NAME       selected layer
//   ?view=V           layer (default), walkthrough, activations or playground
//   ?step=ID          walkthrough step: distances, density, delta, gamma, assignment, halo, apoz, removed
//   ?p=P              d_c percentile of that layer
//   ?kernel=K         gaussian or cutoff
//   ?centers=A,B,C    hand-picked centers of that layer
//   ?k=N              number of clusters of largest γ (ignored when centers are given)
//   ?presenter=1      presenter view with large type
//   ?image=N          calibration image of the activation view

/** View state read from or written to the URL. Absent fields keep the page's defaults. */
export interface ViewState {
  layer?: string;
  view?: string;
  step?: string;
  percentile?: number;
  kernel?: 'gaussian' | 'cutoff';
  centers?: number[];
  clusterCount?: number;
  presenter?: boolean;
  image?: number;
}

const VIEW_KEYS = ['layer', 'view', 'step', 'p', 'kernel', 'centers', 'k', 'presenter', 'image'] as const;

/** Reads the view state from a query string; values that do not parse are left out. */
export function readViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const text = (key: string) => params.get(key)?.trim() || undefined;
  const percentile = Number(text('p'));
  const kernel = text('kernel');
  const centers = text('centers')
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
  const image = text('image');
  return {
    layer: text('layer'),
    view: text('view'),
    step: text('step'),
    percentile: Number.isFinite(percentile) && percentile > 0 && percentile <= 100 ? percentile : undefined,
    kernel: kernel === 'gaussian' || kernel === 'cutoff' ? kernel : undefined,
    centers: centers !== undefined && centers.length > 0 ? centers : undefined,
    clusterCount: positiveInteger(params.get('k')),
    presenter: params.get('presenter') === '1' ? true : undefined,
    image: image !== undefined && /^\d+$/.test(image) ? Number(image) : undefined,
  };
}

/**
 * Returns `search` with the view-state parameters replaced by `state`. Other parameters, such
 * as calibration and evaluation, stay as they are. Returns '' or a string starting with '?'.
 */
export function writeViewState(search: string, state: ViewState): string {
  const params = new URLSearchParams(search);
  for (const key of VIEW_KEYS) params.delete(key);
  const entries: [string, string | undefined][] = [
    ['layer', state.layer],
    ['view', state.view],
    ['step', state.step],
    ['p', state.percentile?.toString()],
    ['kernel', state.kernel],
    ['centers', state.centers?.join(',')],
    ['k', state.clusterCount?.toString()],
    ['presenter', state.presenter ? '1' : undefined],
    ['image', state.image?.toString()],
  ];
  for (const [key, value] of entries) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString().replace(/%2C/g, ',');
  return text === '' ? '' : `?${text}`;
}
