// Keeps the view state (layer, view, walkthrough step, clustering settings, presenter view,
// activation image) in the URL, and restores it from the URL when the page opens.
import { useEffect } from 'react';

import { DEFAULT_DPC_OPTIONS, type DpcOptions } from '../../core/types';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { readViewState, writeViewState, type ViewState } from '../params';
import { useStore, type Store } from '../store';
import { dpcOptionsOf } from '../store/analysis';
import { TEACHING_VIEWS, type TeachingView } from '../store/teaching';
import { clampStep, WALKTHROUGH_STEPS } from './steps';

/** The view state in the URL the page opened with, read before anything writes to the URL. */
const linked: ViewState = readViewState(typeof window === 'undefined' ? '' : window.location.search);
/** False until the link's layer settings are applied, so the URL keeps them until then. */
let linkApplied = linked.layer === undefined;
/** Set once the hook has started, so StrictMode's second effect run does not start it again. */
let started = false;

/**
 * Restores the URL's view, step, presenter view and image, then mirrors the store into the URL
 * with history.replaceState. The link's layer and clustering settings wait for applyLinkedLayer.
 */
export function useUrlState(): void {
  useEffect(() => {
    if (started) return;
    started = true;
    applyViewSettings(linked);
    const unsubscribe = useStore.subscribe((state) => writeUrl(state));
    writeUrl(useStore.getState());
    return () => {
      unsubscribe();
      started = false;
    };
  }, []);
}

/**
 * Selects the link's layer and reclusters it with the link's settings. Call it once the start-up
 * analysis, or the restore of a saved session, has finished, so that the link's settings win.
 */
export async function applyLinkedLayer(): Promise<void> {
  try {
    await applyLayerSettings(linked);
  } finally {
    linkApplied = true;
    writeUrl(useStore.getState());
  }
}

function writeUrl(state: Store): void {
  if (!linkApplied) return;
  const search = writeViewState(window.location.search, viewStateOf(state));
  if (search === window.location.search) return;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
}

/** Applies the parts of the URL state that need no analysis: view, step, presenter and image. */
function applyViewSettings(initial: ViewState): void {
  const store = useStore.getState();
  if (initial.view !== undefined && (TEACHING_VIEWS as readonly string[]).includes(initial.view)) store.setTeachingView(initial.view as TeachingView);
  const step = WALKTHROUGH_STEPS.findIndex((s) => s.id === initial.step);
  if (step >= 0) store.setWalkthroughStep(step);
  if (initial.presenter) store.setPresenter(true);
  if (initial.image !== undefined) store.setActivationImage(initial.image);
}

/** Selects the URL's layer and reclusters it with the URL's settings, when it names any. */
async function applyLayerSettings(initial: ViewState): Promise<void> {
  const store = useStore.getState();
  const layer = initial.layer;
  if (layer === undefined || store.layers.length === 0) return;
  if (!store.layers.some((entry) => entry.name === layer)) {
    store.showError(`The link names layer "${layer}", which this model does not have; showing ${store.selectedLayer ?? 'the first layer'} instead.`);
    return;
  }
  store.selectLayer(layer);
  const changesClustering = initial.percentile !== undefined || initial.kernel !== undefined || initial.centers !== undefined || initial.clusterCount !== undefined;
  if (!changesClustering) return;

  const current = dpcOptionsOf(store.layerDpc, layer);
  const options: DpcOptions = {
    ...current,
    percentile: initial.percentile ?? current.percentile,
    kernel: initial.kernel ?? current.kernel,
    centers: initial.centers,
    clusterCount: initial.centers === undefined ? initial.clusterCount : undefined,
  };
  const analysisId = store.analysisId;
  try {
    const result = await bridge.recluster(layer, options);
    if (useStore.getState().analysisId === analysisId) useStore.getState().setLayerClusters(layer, options, result);
  } catch (error) {
    useStore.getState().showError(describeError(error));
  }
}

/** Builds the URL state from the store, leaving out defaults so links stay short. */
export function viewStateOf(state: Store): ViewState {
  const layer = state.selectedLayer;
  const options = layer === undefined ? undefined : state.layerDpc[layer];
  const step = WALKTHROUGH_STEPS[clampStep(state.walkthroughStep)].id;
  return {
    layer,
    view: state.teachingView === 'layer' ? undefined : state.teachingView,
    step: state.teachingView === 'walkthrough' ? step : undefined,
    percentile: options !== undefined && options.percentile !== DEFAULT_DPC_OPTIONS.percentile ? options.percentile : undefined,
    kernel: options !== undefined && options.kernel !== DEFAULT_DPC_OPTIONS.kernel ? options.kernel : undefined,
    centers: options?.centers !== undefined ? [...options.centers] : undefined,
    clusterCount: options?.centers === undefined ? options?.clusterCount : undefined,
    presenter: state.presenter || undefined,
    image: state.teachingView === 'activations' && state.activationImage !== 0 ? state.activationImage : undefined,
  };
}
