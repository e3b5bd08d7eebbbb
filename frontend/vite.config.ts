/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The Flask API; `npm run dev` proxies the API paths to it so the UI can use relative URLs.
const API = process.env.DIGITS_API ?? 'http://127.0.0.1:5000';

// The model the on-device reader runs in a static build: the shipped one (its ONNX export and its card).
const MODEL = resolve(import.meta.dirname, process.env.DEVICE_MODEL ?? '../models/digit_cnn.onnx');

/**
 * Put the on-device model into the build as `model.onnx` and `model.json` (its card, without the training history),
 * so that any static host serves it beside the app; the Flask server answers the same two URLs with the model it runs.
 * The build fails when the file is not the one its card vouches for.
 */
function deviceModel(): Plugin {
  return {
    name: 'digits-device-model',
    apply: 'build',
    generateBundle() {
      const onnx = readFileSync(MODEL);
      const card = JSON.parse(readFileSync(MODEL.replace(/\.onnx$/, '.json'), 'utf8')) as Record<string, unknown>;
      const expected = (card.exports as { onnx?: { sha256?: string } } | undefined)?.onnx?.sha256;
      const actual = createHash('sha256').update(onnx).digest('hex');
      if (actual !== expected) this.error(`${MODEL} is not the export its card describes (${actual} != ${expected})`);
      delete card.history;
      this.emitFile({ type: 'asset', fileName: 'model.onnx', source: onnx });
      this.emitFile({ type: 'asset', fileName: 'model.json', source: JSON.stringify(card) });
    },
  };
}

/** What is worth sending gzipped: text and WebAssembly (ONNX Runtime's 14 MB .wasm is 3.7 MB gzipped). */
const COMPRESSIBLE = /\.(?:html|js|mjs|css|svg|json|webmanifest|wasm)$/;

/**
 * Write `NAME.gz` beside each compressible file of the build (when it saves a tenth or more), for servers that send
 * it to clients that accept gzip: the Flask server does (backend/serving/app.py), nginx with `gzip_static on`. The
 * first visit's download (the service worker precaches the runtime and the model) drops from 15.4 MB to about 5 MB.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'digits-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const path of walk(outDir).filter((p) => COMPRESSIBLE.test(p))) {
        const data = readFileSync(path);
        const packed = gzipSync(data, { level: 9 });
        if (data.length >= 1024 && packed.length <= data.length * 0.9) writeFileSync(`${path}.gz`, packed);
      }
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    deviceModel(),
    // Installable, and offline after the first visit: the manifest, and a service worker (Workbox) that precaches
    // the app, the WebAssembly runtime and the model. src/pwa.ts registers it.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['favicon.svg'],
      manifest: {
        name: 'Digit recognizer',
        short_name: 'Digits',
        description: 'Draw a digit and watch a neural network recognise it as you draw, online or offline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#0f172a',
        background_color: '#0f172a',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,mjs,css,svg,png,wasm,onnx,json,webmanifest}'],
        // ONNX Runtime's WebAssembly is about 14 MB.
        maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
        // Only the app's own pages fall back to index.html offline: never /docs, /admin or the API.
        navigateFallback: 'index.html',
        navigateFallbackAllowlist: [/^\/$/, /^\/d\/[^/]+$/],
        // Vite's assets are named by their content: no revision needed.
        dontCacheBustURLsMatching: /^assets\//,
        cleanupOutdatedCaches: true,
        // A new service worker takes over at once, this very page included (the first visit works offline next).
        skipWaiting: true,
        clientsClaim: true,
      },
    }),
    precompress(), // last: after the service worker is written
  ],
  base: '/',
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/predict': API,
      '/health': API,
      '/model': API,
    },
  },
  // `vite preview` is a static host (the build alone, as on any web server): no API behind it, so Auto answers on the
  // device. Without this it would proxy the API paths as the dev server does.
  preview: { proxy: {} },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true,
  },
});
