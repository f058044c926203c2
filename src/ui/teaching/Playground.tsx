// Density peak clustering on a 2-D point set the user draws: click or drag on empty space to add
// points, drag a point to move it, double-click a point to remove it. The decision graph and the
// controls are the ones the filters use.
import { useMemo, useRef, useState } from 'react';

import { clusterPlane, DEFAULT_PLAYGROUND_SETTINGS, threeBlobs, type PlanePoint, type PlaygroundSettings } from '../../core/playground';
import { DecisionGraph } from '../charts/DecisionGraph';
import { clusterColor } from '../charts/palette';

const WIDTH = 420;
const HEIGHT = 320;
/** Distance in pixels the pointer travels while drawing before the next point is added. */
const SPRAY_SPACING = 14;
const RADIUS = 5;
/** Pixels the keyboard cursor moves per arrow key press. */
const CURSOR_STEP = 10;

/** Returns the three-blob preset scaled into the drawing area. */
function presetPoints(): PlanePoint[] {
  return threeBlobs().map((p) => ({ x: 20 + p.x * (WIDTH - 40), y: 20 + p.y * (HEIGHT - 40) }));
}

type Gesture = { kind: 'move'; index: number } | { kind: 'draw'; last: PlanePoint } | undefined;

export function Playground() {
  const [points, setPoints] = useState<PlanePoint[]>(presetPoints);
  const [settings, setSettings] = useState<PlaygroundSettings>(DEFAULT_PLAYGROUND_SETTINGS);
  const [hovered, setHovered] = useState<number | null>(null);
  const [cursor, setCursor] = useState<PlanePoint>({ x: WIDTH / 2, y: HEIGHT / 2 });
  const [focused, setFocused] = useState(false);
  const gesture = useRef<Gesture>(undefined);
  const result = useMemo(() => clusterPlane(points, settings), [points, settings]);

  const position = (event: React.PointerEvent<SVGSVGElement>): PlanePoint => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: ((event.clientX - box.left) * WIDTH) / box.width, y: ((event.clientY - box.top) * HEIGHT) / box.height };
  };
  const onPointerDown = (event: React.PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const target = event.target instanceof SVGElement ? event.target.dataset.point : undefined;
    if (target !== undefined) {
      gesture.current = { kind: 'move', index: Number(target) };
      return;
    }
    const at = position(event);
    gesture.current = { kind: 'draw', last: at };
    setPoints((current) => [...current, at]);
  };
  const onPointerMove = (event: React.PointerEvent<SVGSVGElement>) => {
    const active = gesture.current;
    if (active === undefined) return;
    const at = position(event);
    if (active.kind === 'move') {
      setPoints((current) => current.map((p, i) => (i === active.index ? at : p)));
    } else if (Math.hypot(at.x - active.last.x, at.y - active.last.y) >= SPRAY_SPACING) {
      gesture.current = { kind: 'draw', last: at };
      setPoints((current) => [...current, at]);
    }
  };
  const endGesture = () => {
    gesture.current = undefined;
  };
  const removePoint = (index: number) => {
    setPoints((current) => current.filter((_, i) => i !== index));
    setSettings((current) => ({ ...current, centers: undefined }));
  };
  const onKeyDown = (event: React.KeyboardEvent<SVGSVGElement>) => {
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[event.key];
    if (move !== undefined) {
      setCursor((c) => ({ x: clamp(c.x + move[0] * CURSOR_STEP, 0, WIDTH), y: clamp(c.y + move[1] * CURSOR_STEP, 0, HEIGHT) }));
    } else if (event.key === 'Enter' || event.key === ' ') {
      setPoints((current) => [...current, cursor]);
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      const nearest = nearestPoint(points, cursor);
      if (nearest !== undefined) removePoint(nearest);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };
  const toggleCenters = (filters: readonly number[]) => {
    if (result === undefined || filters.length === 0) return;
    const centers = result.centers;
    const allCenters = filters.every((f) => centers.includes(f));
    const next = allCenters ? centers.filter((c) => c === result.order[0] || !filters.includes(c)) : [...new Set([...centers, ...filters])];
    setSettings((current) => ({ ...current, centers: next }));
  };

  const labelOf = (i: number) => result?.labels[i] ?? -1;
  const centerSet = new Set(result?.centers ?? []);
  return (
    <section className="playground" data-testid="playground">
      <h3>Playground: density peak clustering of points you draw</h3>
      <p className="muted">
        Click or drag on empty space to add points, drag a point to move it, double-click a point to remove it. With the drawing
        area focused, the arrow keys move a cursor, Enter adds a point and Delete removes one. Click a point on the decision graph to
        make it a center or not.
      </p>
      <PlaygroundControls settings={settings} onChange={setSettings} onPreset={() => setPoints(presetPoints())} onClear={() => setPoints([])} />
      <p data-testid="playground-clusters" data-clusters={result?.centers.length ?? 0}>
        {points.length} points · {result === undefined ? 'add at least two points' : `${result.centers.length} clusters · d_c = ${result.dc.toFixed(1)} px`}
      </p>
      <div className="pg-charts">
        <svg
          className="peakprune-chart pg-canvas"
          width={WIDTH}
          height={HEIGHT}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={`Drawing area with ${points.length} points in ${result?.centers.length ?? 0} clusters. Arrow keys move a cursor, Enter adds a point there, Delete removes the point under it.`}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
          data-testid="playground-canvas"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endGesture}
          onPointerCancel={endGesture}
        >
          <rect width={WIDTH} height={HEIGHT} className="pg-background" />
          {points.map((p, i) => (
            <circle
              key={i}
              data-point={i}
              data-cluster={labelOf(i)}
              data-center={String(centerSet.has(i))}
              cx={p.x}
              cy={p.y}
              r={centerSet.has(i) ? RADIUS + 2 : RADIUS}
              fill={result?.halo[i] === 1 ? '#fff' : clusterColor(labelOf(i))}
              stroke={centerSet.has(i) ? '#000' : clusterColor(labelOf(i))}
              strokeWidth={hovered === i ? 3 : 1.5}
              onDoubleClick={() => removePoint(i)}
              onPointerEnter={() => setHovered(i)}
              onPointerLeave={() => setHovered(null)}
            >
              <title>{`Point ${i}`}</title>
            </circle>
          ))}
          {focused && <path className="pg-cursor" d={`M${cursor.x - 8},${cursor.y}H${cursor.x + 8}M${cursor.x},${cursor.y - 8}V${cursor.y + 8}`} />}
        </svg>
        {result !== undefined && (
          <DecisionGraph
            rho={result.rho}
            delta={result.delta}
            labels={result.labels}
            centers={result.centers}
            halo={result.halo}
            highlighted={hovered}
            width={380}
            height={320}
            onToggleCenter={(i) => toggleCenters([i])}
            onBrush={toggleCenters}
            onHover={setHovered}
          />
        )}
      </div>
    </section>
  );
}

function clamp(v: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, v));
}

/** Returns the index of the point within RADIUS + 7 pixels of `at` that is closest to it, if any. */
function nearestPoint(points: readonly PlanePoint[], at: PlanePoint): number | undefined {
  let best: number | undefined;
  let bestDistance = RADIUS + 7;
  points.forEach((p, i) => {
    const d = Math.hypot(p.x - at.x, p.y - at.y);
    if (d <= bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

interface ControlsProps {
  settings: PlaygroundSettings;
  onChange: (settings: PlaygroundSettings) => void;
  onPreset: () => void;
  onClear: () => void;
}

function PlaygroundControls({ settings, onChange, onPreset, onClear }: ControlsProps) {
  return (
    <div className="pg-controls">
      <button type="button" onClick={onPreset} data-testid="playground-preset">
        Three blobs
      </button>
      <button type="button" onClick={onClear} data-testid="playground-clear">
        Clear
      </button>
      <label>
        d_c percentile (%){' '}
        <input
          type="number"
          min={0.5}
          max={100}
          step={0.5}
          value={settings.percentile}
          onChange={(event) => {
            const value = Number(event.target.value);
            if (value > 0 && value <= 100) onChange({ ...settings, percentile: value, centers: undefined });
          }}
          data-testid="playground-percentile"
        />
      </label>
      <label>
        Kernel{' '}
        <select value={settings.kernel} onChange={(event) => onChange({ ...settings, kernel: event.target.value === 'cutoff' ? 'cutoff' : 'gaussian', centers: undefined })}>
          <option value="gaussian">Gaussian</option>
          <option value="cutoff">cutoff</option>
        </select>
      </label>
      <label>
        Clusters{' '}
        <input
          type="number"
          min={0}
          step={1}
          value={settings.clusterCount ?? 0}
          onChange={(event) => {
            const value = Math.round(Number(event.target.value));
            onChange({ ...settings, clusterCount: value >= 1 ? value : undefined, centers: undefined });
          }}
          aria-describedby="pg-clusters-hint"
        />
        <span id="pg-clusters-hint" className="muted">
          {' '}
          (0: chosen from γ)
        </span>
      </label>
      <label>
        <input type="checkbox" checked={settings.halo} onChange={(event) => onChange({ ...settings, halo: event.target.checked })} /> halo
      </label>
      <button type="button" onClick={() => onChange({ ...settings, centers: undefined, clusterCount: undefined })}>
        Automatic centers
      </button>
    </div>
  );
}
