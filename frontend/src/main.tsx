import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { SharedDrawingPage } from './components/SharedDrawingPage';
import { sharedDrawingId } from './feedback';
import { registerServiceWorker } from './pwa';
import './styles.css';

// A share link (/d/<id>) shows that drawing; every other path is the app.
const shared = sharedDrawingId(window.location.pathname);

registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>{shared ? <SharedDrawingPage id={shared} /> : <App />}</StrictMode>,
);
