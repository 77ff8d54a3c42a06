// The messages between an embed (embed.html) and the page that frames it, used by the
// <concurrency-demo> element (www/src/element/) and the embed page (www/src/client/embed-page.ts).
//
//   parent -> embed   { type: 'concurrency-demo:hello' }    after the frame loads
//   embed  -> parent  { type: 'concurrency-demo:size', height }   whenever its height changes
//
// The embed answers only the window that framed it (`event.source === window.parent`) and
// posts sizes only to the origin that said hello. The element accepts a size only from its
// own iframe's window and origin. Nothing in a message is ever used as HTML.

export const HELLO = 'concurrency-demo:hello';
export const SIZE = 'concurrency-demo:size';

export interface HelloMessage {
  type: typeof HELLO;
}

export interface SizeMessage {
  type: typeof SIZE;
  /** The embed's content height in CSS pixels. */
  height: number;
}

/** Heights outside this range are refused (a broken or hostile frame cannot take the page). */
export const MAX_HEIGHT = 8000;

export function isSizeMessage(data: unknown): data is SizeMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Partial<SizeMessage>;
  return m.type === SIZE && typeof m.height === 'number' && Number.isFinite(m.height) && m.height >= 0 && m.height <= MAX_HEIGHT;
}

export function isHelloMessage(data: unknown): data is HelloMessage {
  return typeof data === 'object' && data !== null && (data as Partial<HelloMessage>).type === HELLO;
}
