import './client/style.css';
import './client/embed.css';
import { startEmbed } from './client/embed-page';
import { ensureIsolation } from './client/isolation';

// In a frame this never reloads (a service worker cannot isolate a framed page); opened on
// its own on a host without headers, it may reload once through coi-sw.js like the playground.
void ensureIsolation().then((state) => {
  if (state !== 'reloading') startEmbed(document.getElementById('embed')!);
});
