// Every filter's activation map for one calibration image, after the activation APoZ measures,
// beside the filter's APoZ over all calibration images. Exact zeros get their own colour.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

import { formatPercent } from '../charts/KernelGrid';
import { useLayerView } from '../components/useLayerView';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { useStore } from '../store';
import type { ActivationMaps } from '../../worker/teaching';

/** Colour of an exact zero: Okabe–Ito blue, distinct from the grey ramp of positive values. */
export const ZERO_RGB: readonly [number, number, number] = [0, 114, 178];
/** Colour ramp end for negative values (activations without exact zeros): Okabe–Ito orange. */
const NEGATIVE_RGB: readonly [number, number, number] = [230, 159, 0];
const TILE_SCALE = 3;

/**
 * Returns the RGBA pixels of one map: 0 in ZERO_RGB, a positive v as grey from white (near 0)
 * to black (at `max`), a negative v as a ramp from white to orange at −max.
 */
export function activationPixels(map: Float32Array, max: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(map.length * 4);
  const span = max > 0 ? max : 1;
  map.forEach((v, i) => {
    let rgb: readonly [number, number, number];
    if (v === 0) rgb = ZERO_RGB;
    else if (v > 0) {
      const level = Math.round(255 * (1 - Math.min(1, v / span)));
      rgb = [level, level, level];
    } else {
      const t = Math.min(1, -v / span);
      rgb = [255 + t * (NEGATIVE_RGB[0] - 255), 255 + t * (NEGATIVE_RGB[1] - 255), 255 + t * (NEGATIVE_RGB[2] - 255)];
    }
    pixels.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  });
  return pixels;
}

function useActivationMaps(name: string, image: number): { maps?: ActivationMaps; error?: string } {
  const [result, setResult] = useState<{ key: string; maps?: ActivationMaps; error?: string }>();
  const key = `${name}/${image}`;
  useEffect(() => {
    let current = true;
    bridge.activationMaps(name, image, 'calibration').then(
      (maps) => current && setResult({ key, maps }),
      (error: unknown) => current && setResult({ key, error: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, [name, image, key]);
  return result?.key === key ? result : {};
}

export function ActivationView({ name }: { name: string }) {
  const { layer, hovered, setHoveredFilter } = useLayerView(name);
  const count = useStore((s) => s.samples.calibration?.count ?? 0);
  const image = useStore((s) => Math.min(s.activationImage, Math.max(0, (s.samples.calibration?.count ?? 1) - 1)));
  const setImage = useStore((s) => s.setActivationImage);
  const { maps, error } = useActivationMaps(name, image);
  const rootRef = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    if (rootRef.current === null || maps === undefined) return;
    const area = maps.height * maps.width;
    const max = maps.maps.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const canvas of rootRef.current.querySelectorAll<HTMLCanvasElement>('canvas[data-filter]')) {
      const f = Number(canvas.dataset.filter);
      const context = canvas.getContext('2d');
      if (context === null) continue;
      const data = activationPixels(maps.maps.subarray(f * area, (f + 1) * area), max);
      context.putImageData(new ImageData(data, maps.width, maps.height), 0, 0);
    }
    const input = rootRef.current.querySelector<HTMLCanvasElement>('canvas.av-input');
    const inputContext = input?.getContext('2d');
    if (inputContext) inputContext.putImageData(new ImageData(imagePixels(maps.image, maps.imageShape), maps.imageShape[1], maps.imageShape[0]), 0, 0);
  }, [maps]);

  if (layer === undefined) return null;
  return (
    <section className="activation-view" data-testid="activation-view" ref={rootRef}>
      <div className="av-controls">
        <button type="button" onClick={() => setImage(Math.max(0, image - 1))} disabled={image === 0}>
          ← Previous image
        </button>
        <label>
          Calibration image{' '}
          <input
            type="number"
            min={0}
            max={Math.max(0, count - 1)}
            value={image}
            onChange={(event) => setImage(Math.max(0, Math.min(count - 1, Math.round(Number(event.target.value) || 0))))}
            data-testid="activation-image"
          />{' '}
          of {count}
        </label>
        <button type="button" onClick={() => setImage(Math.min(count - 1, image + 1))} disabled={image >= count - 1}>
          Next image →
        </button>
      </div>
      {error !== undefined && <p className="notice" role="alert">{error}</p>}
      {maps === undefined && error === undefined && <p className="muted">Running the image through the model…</p>}
      {maps !== undefined && (
        <>
          <p className="av-legend">
            Image {maps.imageIndex} ({maps.label}) through {maps.layer}, measured at {maps.measuredAt} ({maps.activation}).{' '}
            <span className="av-swatch" style={{ background: `rgb(${ZERO_RGB.join(',')})` }} /> exact zero, white to black: small to large
            positive values. APoZ is each filter’s share of zeros over all {count} calibration images; “here” is this image’s share.
          </p>
          <canvas className="av-input" width={maps.imageShape[1]} height={maps.imageShape[0]} style={{ width: maps.imageShape[1] * TILE_SCALE }} aria-label={`Input image: ${maps.label}`} />
          <div className="av-grid">
            {Array.from({ length: maps.filters }, (_, f) => (
              <figure
                key={f}
                className="av-tile"
                data-filter={f}
                data-highlighted={hovered === f ? 'true' : undefined}
                onMouseEnter={() => setHoveredFilter(f)}
                onMouseLeave={() => setHoveredFilter(null)}
              >
                <canvas data-filter={f} width={maps.width} height={maps.height} style={{ width: maps.width * TILE_SCALE }} aria-hidden="true" />
                <figcaption>
                  #{f} · APoZ {layer.apoz.applies ? formatPercent(layer.apoz.apoz[f]) : 'n/a'} · here {formatPercent(maps.zeroFraction[f])}
                </figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

/** Converts an H × W × C image in [0, 1] (or the model's scale, clamped) to grey or RGB pixels. */
function imagePixels(image: Float32Array, shape: readonly [number, number, number]): Uint8ClampedArray<ArrayBuffer> {
  const [h, w, c] = shape;
  const pixels = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    const channel = (k: number) => 255 * image[i * c + Math.min(k, c - 1)];
    pixels.set([channel(0), channel(1), channel(2), 255], i * 4);
  }
  return pixels;
}
