import './client/style.css';
import { startApp } from './client/app';
import { ensureIsolation } from './client/isolation';

// On a host without isolation headers this may reload the page once through the service
// worker (coi-sw.js) first; the app starts on the load that stays.
void ensureIsolation().then((state) => {
  if (state !== 'reloading') startApp(document.getElementById('app')!);
});
