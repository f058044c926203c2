import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    react(),
    // An installable web app whose service worker precaches the app, the worker bundle, the shipped
    // model and the sample sprites, so the page reloads and analyses offline once it has loaded.
    // src/ui/main.tsx registers the worker.
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icons/*'],
      manifest: {
        name: 'PeakPrune',
        short_name: 'PeakPrune',
        description: 'Prune convolutional networks in the browser by density peak clustering of filters and APoZ ranking.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#f3f5f8',
        theme_color: '#1f3b57',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,json,bin,wasm,webmanifest}'],
        // The worker bundle (tfjs with its WebGL backend) is about 1.7 MB, near workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // The HDF5 reader (h5wasm, about 4.8 MB with its WebAssembly inlined) loads only when a
        // user opens a Keras .h5 file, so it is cached on first use instead of precached.
        globIgnores: ['**/hdf5_hl-*.js'],
        runtimeCaching: [{ urlPattern: /\/assets\/hdf5_hl-[\w-]+\.js$/, handler: 'CacheFirst', options: { cacheName: 'peakprune-hdf5' } }],
        navigateFallback: 'index.html',
        // The first visit is controlled at once, so it works offline without a second load.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  worker: { format: 'es' },
  // The dev server's dependency scan does not find the worker's imports, so they are listed here.
  // Without the list, the first dev load reloads the page while Vite optimises them.
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgl', 'comlink', 'd3', 'fflate', 'react', 'react-dom', 'zustand'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  preview: { port: 4173, strictPort: false },
});
