/// <reference types="vite/client" />

declare module 'virtual:snippets' {
  interface Highlighted {
    html: string;
    path: string;
  }
  const snippets: Record<string, { rust?: Highlighted; python?: Highlighted }>;
  export default snippets;
}
