/// <reference types="vite/client" />

/** One demo's code panel, highlighted at build time (www/plugins/snippets.ts):
 *  `import snippet from 'virtual:snippets/<id>'` in the demo's own folder. */
declare module 'virtual:snippets/*' {
  const snippet: import('./client/snippets-view').Snippet;
  export default snippet;
}
