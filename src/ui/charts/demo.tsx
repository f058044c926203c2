// Manual check of the two charts on synthetic filters, not linked from the app.
// Open /src/ui/charts/demo.html on the Vite dev server. The query ?n=512 sets the number of filters.
import { StrictMode, useLayoutEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { DecisionGraph } from './DecisionGraph';
import { KernelGrid } from './KernelGrid';

const FILTERS = Number(new URLSearchParams(location.search).get('n') ?? 64);
const SHAPE = [3, 3, 8, FILTERS] as const;
const PROTOTYPES = 9;

/** Draws filters around a few random prototypes with a seeded linear congruential generator. */
function syntheticKernel(): Float32Array {
  let state = 42;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const [kh, kw, cin, cout] = SHAPE;
  const size = kh * kw * cin;
  const prototypes = Array.from({ length: PROTOTYPES }, () => Array.from({ length: size }, random));
  const kernel = new Float32Array(size * cout);
  for (let f = 0; f < cout; f++) {
    const p = prototypes[Math.floor(((random() + 1) / 2) * PROTOTYPES)];
    for (let i = 0; i < size; i++) kernel[i * cout + f] = f === 1 ? 0 : p[i] + 0.3 * random();
  }
  return kernel;
}

/** Clusters the filters by a plain density peak clustering, enough to feed the charts. */
function cluster(kernel: Float32Array, chosen: readonly number[] | null) {
  const n = SHAPE[3];
  const size = kernel.length / n;
  const d = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < size; i++) s += (kernel[i * n + a] - kernel[i * n + b]) ** 2;
    return Math.sqrt(s);
  };
  const dist = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => d(a, b)));
  const sorted = dist.flatMap((row, a) => row.filter((_, b) => b > a)).sort((a, b) => a - b);
  const dc = sorted[Math.floor(0.02 * sorted.length)] || 1;
  const rho = Float64Array.from(dist, (row, a) => row.reduce((s, v, b) => s + (b === a ? 0 : Math.exp(-((v / dc) ** 2))), 0));
  const order = Array.from(rho.keys()).sort((a, b) => rho[b] - rho[a] || a - b);
  const delta = new Float64Array(n);
  const nearest = new Int32Array(n).fill(-1);
  order.forEach((i, rank) => {
    delta[i] = rank === 0 ? Math.max(...dist[i]) : Infinity;
    for (let r = 0; r < rank; r++) if (dist[i][order[r]] < delta[i]) [delta[i], nearest[i]] = [dist[i][order[r]], order[r]];
  });
  const gamma = Array.from(rho, (r, i) => r * delta[i]);
  const centers = chosen ?? Array.from(gamma.keys()).sort((a, b) => gamma[b] - gamma[a]).slice(0, PROTOTYPES);
  const labels = new Int32Array(n).fill(-1);
  centers.forEach((c, k) => (labels[c] = k));
  for (const i of order) if (labels[i] < 0) labels[i] = nearest[i] < 0 ? 0 : labels[nearest[i]];
  const halo = Uint8Array.from(rho, (r) => (r < 0.5 ? 1 : 0));
  const apoz = Float64Array.from(rho, (_, i) => (i * 37 % 100) / 100);
  return { rho, delta, labels, centers, halo, apoz };
}

function Demo() {
  const kernel = useMemo(() => syntheticKernel(), []);
  const [chosen, setChosen] = useState<number[] | null>(null);
  const [removed, setRemoved] = useState<ReadonlySet<number>>(new Set());
  const [hovered, setHovered] = useState<number | null>(null);
  const [channel, setChannel] = useState<'mean' | number>('mean');
  const dpc = useMemo(() => cluster(kernel, chosen), [kernel, chosen]);

  const toggleCenter = (f: number) =>
    setChosen(dpc.centers.includes(f) ? dpc.centers.filter((c) => c !== f) : [...dpc.centers, f]);
  const toggleRemoved = (f: number) =>
    setRemoved((old) => (old.has(f) ? new Set([...old].filter((x) => x !== f)) : new Set([...old, f])));

  useLayoutEffect(() => {
    (window as unknown as { mountedAt?: number }).mountedAt ??= performance.now();
  }, []);

  return (
    <>
      <p id="status">
        hovered: {String(hovered)} · centers: {dpc.centers.join(', ')} · removed: {[...removed].join(', ')}
      </p>
      <DecisionGraph
        {...dpc}
        removed={removed}
        highlighted={hovered}
        onToggleCenter={toggleCenter}
        onBrush={(filters) => setRemoved(new Set(filters))}
        onHover={setHovered}
      />
      <p>
        <select id="channel" value={String(channel)} onChange={(e) => setChannel(e.target.value === 'mean' ? 'mean' : Number(e.target.value))}>
          <option value="mean">mean</option>
          {Array.from({ length: SHAPE[2] }, (_, c) => (
            <option key={c} value={c}>{`channel ${c}`}</option>
          ))}
        </select>
      </p>
      <KernelGrid
        kernel={kernel}
        kernelShape={SHAPE}
        labels={dpc.labels}
        centers={dpc.centers}
        apoz={dpc.apoz}
        apozApplies={FILTERS % 2 === 0}
        meanAbs={dpc.apoz}
        removed={removed}
        channel={channel}
        highlighted={hovered}
        onToggleFilter={toggleRemoved}
        onHover={setHovered}
      />
      <h3>Edge cases</h3>
      <div id="edge-cases" style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        <EdgeGraph rho={[0]} delta={[0]} />
        <EdgeGraph rho={[2, 2, 2]} delta={[Infinity, 0.5, NaN]} />
        <EdgeGraph rho={[]} delta={[]} />
        <EdgeGraph rho={[1, 2]} delta={[1]} />
        <EdgeGraph rho={[1, Infinity, 3]} delta={[0.5, 2, 1]} />
      </div>
    </>
  );
}

function EdgeGraph({ rho, delta }: { rho: number[]; delta: number[] }) {
  const n = rho.length;
  return (
    <DecisionGraph
      rho={Float64Array.from(rho)}
      delta={Float64Array.from(delta)}
      labels={new Int32Array(n)}
      centers={n > 0 ? [0] : []}
      halo={new Uint8Array(n)}
      width={260}
      height={200}
      onToggleCenter={() => {}}
      onBrush={() => {}}
    />
  );
}

(window as unknown as { renderStart: number }).renderStart = performance.now();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Demo />
  </StrictMode>,
);
