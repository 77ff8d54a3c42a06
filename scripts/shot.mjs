// Dev helper: screenshot a URL with Debian's Chromium. node scripts/shot.mjs URL out.png [width]
import { launch } from '../tests/e2e/browser.mjs';
const [url, out, width = '1280'] = process.argv.slice(2);
const { context, close } = await launch();
const page = await context.newPage();
await page.setViewportSize({ width: Number(width), height: 900 });
page.on('console', (m) => console.log('console:', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(url);
await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="ready"], [data-demo-result][data-state="error"]', { timeout: 60000, state: 'attached' });
if (url.includes('run=1')) await page.waitForSelector('[data-demo-result][data-state="done"]', { timeout: 60000, state: 'attached' });
await page.screenshot({ path: out, fullPage: true });
console.log(await page.getAttribute('[data-demo-result]', 'data-result'));
await close();
