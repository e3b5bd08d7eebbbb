/**
 * Offline after the first visit: register the service worker that the build generates (vite-plugin-pwa's Workbox
 * `generateSW`, configured in vite.config.ts). It precaches the app, ONNX Runtime's WebAssembly and the model, and
 * updates itself when a new build is deployed. Nothing happens in development or where service workers are missing.
 */
import { registerSW } from 'virtual:pwa-register';

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  void registerSW({ immediate: true });
}
