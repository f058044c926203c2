// The teaching views on the built app. The tests cover linked hover and selection across the
// decision graph, the filter map and the kernel grid, every walkthrough step, view state in the
// URL, the activation maps and the 2-D playground. One browser session runs them in order.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describePage, openWorkbench, waitForStatus, waitForText, workerMemory, type Workbench } from './harness';
import { readShippedModel } from './shipped';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, readLayerRow } from './workbench-page';

const IMAGES = 24;
const QUERY = `?calibration=${IMAGES}&evaluation=${IMAGES}`;
const shipped = readShippedModel();

let bench: Workbench;
let page: Page;

beforeAll(async () => {
  bench = await openWorkbench(QUERY);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
});

afterAll(async () => {
  await bench?.close();
});

async function selectedLayer(target: Page = page): Promise<string> {
  return ((await target.locator('#detail-heading').textContent()) ?? '').trim();
}

async function attributeValues(locator: Locator, name: string): Promise<string[]> {
  return locator.evaluateAll((nodes, attribute) => nodes.map((node) => node.getAttribute(attribute) ?? ''), name);
}

async function filtersWhere(locator: Locator): Promise<number[]> {
  return (await attributeValues(locator, 'data-filter')).map(Number).sort((a, b) => a - b);
}

async function expectClean(step: string): Promise<void> {
  expect(bench.errors, `console or page errors during ${step}`).toEqual([]);
  expect(await page.getByTestId('error-banner').count(), `error banner after ${step}; ${await describePage(page)}`).toBe(0);
}

const graphPoints = () => page.locator('[data-testid="decision-graph"] circle.dg-point');
const mapPoints = () => page.locator('[data-testid="filter-map"] circle.fm-point');

describe('linked views', () => {
  it('shows a map with its stress', async () => {
    const layer = await selectedLayer();
    const row = await readLayerRow(page, layer);
    await mapPoints().first().waitFor({ timeout: 30_000 });
    expect(await mapPoints().count(), `map points of ${layer}`).toBe(row.filters);
    const quality = (await page.getByTestId('map-quality').textContent()) ?? '';
    expect(quality, 'map quality line').toMatch(/^Stress \d\.\d{3} · the two axes keep \d+%/);
    await expectClean('drawing the map');
  });

  it('highlights a hovered filter everywhere', async () => {
    // From the decision graph to the map and the kernel grid.
    await graphPoints().and(page.locator('[data-filter="3"]')).dispatchEvent('mouseenter');
    await page.locator('[data-testid="filter-map"] circle.fm-point[data-highlighted="true"]').waitFor({ timeout: 5_000 });
    expect(await filtersWhere(page.locator('[data-testid="filter-map"] circle.fm-point[data-highlighted="true"]')), 'map highlight').toEqual([3]);
    expect(await filtersWhere(page.locator('[data-testid="kernel-panel"] .kg-tile[data-highlighted]')), 'kernel grid highlight').toEqual([3]);
    expect(await page.locator('[data-testid="filter-map"] .fm-hover-arrow').count(), 'arrow to the nearest denser filter').toBeLessThanOrEqual(1);

    // From the map to the decision graph and the kernel grid.
    await mapPoints().and(page.locator('[data-filter="5"]')).dispatchEvent('mouseenter');
    await page.locator('[data-testid="kernel-panel"] .kg-tile[data-filter="5"][data-highlighted]').waitFor({ timeout: 5_000 });
    const ring = page.locator('[data-testid="decision-graph"] .dg-highlight-ring');
    const target = graphPoints().and(page.locator('[data-filter="5"]'));
    expect(await ring.getAttribute('cx'), 'decision-graph ring x').toBe(await target.getAttribute('cx'));
    expect(await ring.getAttribute('cy'), 'decision-graph ring y').toBe(await target.getAttribute('cy'));
    await mapPoints().and(page.locator('[data-filter="5"]')).dispatchEvent('mouseleave');

    // The focused decision graph moves the highlight with the arrow keys.
    await page.locator('[data-testid="decision-graph"] svg.decision-graph').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.locator('[data-testid="kernel-panel"] .kg-tile[data-filter="1"][data-highlighted]').waitFor({ timeout: 5_000 });
    expect(await filtersWhere(page.locator('[data-testid="filter-map"] circle.fm-point[data-highlighted="true"]')), 'map highlight from the keyboard').toEqual([1]);
    await expectClean('hovering');
  });

  it('selects brushed filters everywhere', async () => {
    await page.getByTestId('filter-map-svg').scrollIntoViewIfNeeded();
    const box = await page.getByTestId('filter-map-svg').boundingBox();
    if (box === null) throw new Error('The filter map has no bounding box.');
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 2, { steps: 5 });
    await page.mouse.up();

    await page.locator('[data-testid="filter-map"] circle.fm-point[data-selected="true"]').first().waitFor({ timeout: 5_000 });
    const inMap = await filtersWhere(page.locator('[data-testid="filter-map"] circle.fm-point[data-selected="true"]'));
    expect(inMap.length, 'filters selected in the left half of the map').toBeGreaterThan(0);
    expect(await filtersWhere(graphPoints().and(page.locator('[data-selected="true"]'))), 'selection in the decision graph').toEqual(inMap);
    expect(await filtersWhere(page.locator('[data-testid="kernel-panel"] .kg-tile[data-selected]')), 'selection in the kernel grid').toEqual(inMap);
    expect(await page.locator('[data-testid="decision-graph"] .dg-selected-ring').count(), 'selection rings').toBe(inMap.length);

    await page.getByTestId('filter-map-svg').focus();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="filter-map"] circle.fm-point[data-selected="true"]').first().waitFor({ state: 'detached', timeout: 5_000 });
    await expectClean('brushing');
  });
});

describe('walkthrough', () => {
  it('changes the charts at every step', async () => {
    const layer = await selectedLayer();
    const row = await readLayerRow(page, layer);
    await page.getByTestId('view-walkthrough').click();
    const walkthrough = page.getByTestId('walkthrough');
    const step = async (id: string) => {
      await page.locator(`[data-testid="walkthrough"][data-step="${id}"]`).waitFor({ timeout: 5_000 });
      await mapPoints().first().waitFor({ timeout: 10_000 });
    };
    const mapAttribute = (name: string) => attributeValues(mapPoints(), name);
    const walkGraph = page.locator('[data-testid="walkthrough-graph"]');

    await step('distances');
    expect(await page.getByTestId('distance-histogram').count(), 'histogram at distances').toBe(1);
    expect(await page.getByTestId('dc-line').count(), 'no d_c before the density step').toBe(0);
    expect(new Set(await mapAttribute('data-cluster')), 'no clusters yet').toEqual(new Set(['-1']));
    const radiiBefore = new Set(await mapAttribute('r'));
    expect(radiiBefore.size, 'equal point sizes before ρ').toBe(1);

    await page.getByTestId('walkthrough-next').click();
    await step('density');
    expect(await page.getByTestId('dc-line').count(), 'd_c line').toBe(1);
    expect(new Set(await mapAttribute('r')).size, 'point sizes follow ρ').toBeGreaterThan(1);

    await page.keyboard.press('ArrowRight');
    await step('delta');
    expect(await page.locator('[data-testid="filter-map"] line.fm-arrow').count(), 'one arrow per filter but the densest').toBe(row.filters - 1);
    expect(await walkGraph.locator('.dg-center-mark').count(), 'no centers before γ').toBe(0);

    await page.keyboard.press('ArrowRight');
    await step('gamma');
    expect(await walkGraph.locator('.dg-center-mark').count(), 'centers on the decision graph').toBe(row.clusters);
    expect(await page.locator('[data-testid="filter-map"] .fm-center-mark').count(), 'centers on the map').toBe(row.clusters);
    expect(new Set(await mapAttribute('data-cluster')), 'still no clusters at γ').toEqual(new Set(['-1']));

    await page.keyboard.press('ArrowRight');
    await step('assignment');
    const labels = (await mapAttribute('data-cluster')).map(Number);
    expect(labels.every((label) => label >= 0 && label < row.clusters), `map labels ${labels.join(',')}`).toBe(true);
    expect(await attributeValues(walkGraph.locator('circle.dg-point'), 'data-cluster'), 'graph labels').not.toContain('-1');

    await page.keyboard.press('ArrowRight');
    await step('halo');
    expect(await page.locator('[data-testid="filter-map"] line.fm-arrow').count(), 'arrows hidden from the halo step on').toBe(0);
    const haloMap = await filtersWhere(page.locator('[data-testid="filter-map"] circle.fm-point[data-halo="true"]'));
    expect(await filtersWhere(walkGraph.locator('circle.dg-point[data-halo="true"]')), 'same halo on map and graph').toEqual(haloMap);

    await page.keyboard.press('ArrowRight');
    await step('apoz');
    expect(await page.locator('[data-testid="apoz-ranking"] tr[data-cluster]').count(), 'one ranking row per cluster').toBe(row.clusters);
    expect(await page.locator('[data-testid="filter-map"] .fm-removed-mark').count(), 'no removals before the last step').toBe(0);

    await page.keyboard.press('ArrowRight');
    await step('removed');
    expect(await page.locator('[data-testid="filter-map"] .fm-removed-mark').count(), 'removed filters on the map').toBe(row.removed);
    expect(await walkGraph.locator('circle.dg-point[data-removed="true"]').count(), 'removed filters on the graph').toBe(row.removed);
    expect(await page.getByTestId('removed-summary').textContent(), 'summary').toContain(`removes ${row.removed} of ${row.filters} filters`);
    expect(await page.getByTestId('walkthrough-next').isDisabled(), 'Next at the last step').toBe(true);

    await page.keyboard.press('ArrowLeft');
    await step('apoz');
    await page.getByTestId('walkthrough-back').click();
    await step('halo');
    expect(await walkthrough.locator('h3').textContent(), 'heading').toContain('Step 6 of 8');
    await expectClean('the walkthrough');
  });

  it('writes the view into the URL', async () => {
    const url = new URL(page.url());
    expect(url.searchParams.get('view'), `view in ${url.search}`).toBe('walkthrough');
    expect(url.searchParams.get('step'), `step in ${url.search}`).toBe('halo');
    expect(url.searchParams.get('layer'), `layer in ${url.search}`).toBe(await selectedLayer());
    expect(url.searchParams.get('calibration'), 'the image limit stays').toBe(String(IMAGES));
  });

  it('reopens a view from a link', async () => {
    const layer = shipped.convs[1].name;
    const link = `${bench.url}${QUERY}&layer=${layer}&view=walkthrough&step=gamma&p=4&centers=0,1`;
    const second = await bench.context.newPage();
    try {
      await second.goto(link);
      await waitForStatus(second, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
      await waitForText(second.locator('#detail-heading'), layer, 10_000, 'layer from the link');
      await second.locator('[data-testid="walkthrough"][data-step="gamma"]').waitFor({ timeout: 10_000 });
      const graph = second.locator('[data-testid="walkthrough-graph"]');
      await graph.locator('circle.dg-point[data-filter="1"][data-center="true"]').waitFor({ timeout: 10_000 });
      expect(await graph.locator('circle.dg-point[data-filter="0"]').getAttribute('data-center'), 'filter 0 is a center').toBe('true');
      expect(await second.getByTestId('percentile-input').inputValue(), 'percentile from the link').toBe('4');
      const row = await readLayerRow(second, layer);
      expect(await graph.locator('.dg-center-mark').count(), 'center marks').toBe(row.clusters);
      expect(row.clusters, 'two or three centers (the densest is added)').toBeLessThanOrEqual(3);
    } finally {
      await second.close();
    }
    await expectClean('opening a link');
  });
});

describe('activation view', () => {
  it('shows one map per filter without leaking tensors', async () => {
    const layer = await selectedLayer();
    const row = await readLayerRow(page, layer);
    const before = await workerMemory(page);
    await page.getByTestId('view-activations').click();
    await page.locator('[data-testid="activation-view"] .av-tile').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="activation-view"] .av-tile').count(), 'tiles').toBe(row.filters);
    const caption = (await page.locator('[data-testid="activation-view"] .av-tile figcaption').first().textContent()) ?? '';
    expect(caption, 'caption with APoZ and this image’s zeros').toMatch(/^#0 · APoZ \d+\.\d % · here \d+\.\d %$/);

    await page.getByTestId('activation-image').fill('3');
    await page.locator('.av-legend').filter({ hasText: /^Image 3 / }).waitFor({ timeout: 30_000 });
    expect((await workerMemory(page)).numTensors, 'worker tensors after two activation requests').toBe(before.numTensors);
    await expectClean('the activation view');
  });
});

describe('playground', () => {
  it('clusters three drawn blobs', async () => {
    await page.getByTestId('view-playground').click();
    await page.getByTestId('playground-clear').click();
    const canvas = page.getByTestId('playground-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (box === null) throw new Error('The playground has no bounding box.');
    // The same 3 × 3 grids of clicks, 12 pixels apart, that the unit test clusters.
    const spots = [
      [100, 100],
      [300, 110],
      [200, 280],
    ];
    for (const [sx, sy] of spots) {
      for (const dx of [-1, 0, 1]) {
        for (const dy of [-1, 0, 1]) await page.mouse.click(box.x + sx + 12 * dx, box.y + sy + 12 * dy);
      }
    }
    const clusters = page.getByTestId('playground-clusters');
    await clusters.filter({ hasText: /^27 points/ }).waitFor({ timeout: 5_000 });
    expect(await clusters.getAttribute('data-clusters'), `clusters: ${await clusters.textContent()}`).toBe('3');
    for (let spot = 0; spot < 3; spot++) {
      const labels = await attributeValues(canvas.locator('circle[data-point]'), 'data-cluster');
      expect(new Set(labels.slice(spot * 9, spot * 9 + 9)).size, `labels of blob ${spot}`).toBe(1);
    }

    // The keyboard adds a point at the cursor and removes it again.
    await canvas.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await clusters.filter({ hasText: /^28 points/ }).waitFor({ timeout: 5_000 });
    await page.keyboard.press('Delete');
    await clusters.filter({ hasText: /^27 points/ }).waitFor({ timeout: 5_000 });
    await expectClean('the playground');
  });
});
