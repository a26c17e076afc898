// Registers the service worker (written by `stryke generate pwa`; docs/pwa.md).
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/service-worker.js').catch((err) => console.warn('Service worker not registered:', err));
  });
}
