import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // The dev server's dependency scan does not find the worker's imports, so they are listed here.
  // Without the list, the first dev load reloads the page while Vite optimises them.
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgl', 'comlink', 'd3', 'fflate', 'react', 'react-dom', 'zustand'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  preview: { port: 4173, strictPort: false },
});
