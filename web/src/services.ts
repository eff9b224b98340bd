// The services' JSON APIs, typed by the OpenAPI documents they serve (src/api/, made by
// `npm run types` from docs/openapi/). Every error is turned into words a person can
// act on: the services answer `{"error": "..."}` with a sentence already.
import type { components as Indexer } from './api/indexer';
import type { components as Download } from './api/gateway-download';
import type { components as Upload } from './api/gateway-upload';

export type IndexedMedia = Indexer['schemas']['IndexedMedia'];
export type SearchResults = Indexer['schemas']['SearchResults'];
export type SearchHit = Indexer['schemas']['SearchHit'];
export type MediaPage = Indexer['schemas']['MediaPage'];
export type Facets = Indexer['schemas']['Facets'];
export type MediaProof = Download['schemas']['MediaProof'];
export type MediaLink = Download['schemas']['MediaLink'];
export type UploadResponse = Upload['schemas']['UploadResponse'];
export type JobAccepted = Upload['schemas']['JobAccepted'];
export type JobStatus = Upload['schemas']['JobStatus'];

/** Where the services are, from the server that sent this page (`/config.json`). */
export interface Config {
  upload: string;
  download: string;
  indexer: string;
  chain: string;
  dev_accounts: boolean;
  /** Ad validators (`paratii-adx validator`): the viewer's ad earnings and their proofs. */
  ad_validators?: string[];
}

let configPromise: Promise<Config> | undefined;
export function config(): Promise<Config> {
  configPromise ??= fetch('/config.json').then((r) => {
    if (!r.ok) throw new Error('the player could not read its configuration (/config.json)');
    return r.json() as Promise<Config>;
  });
  return configPromise;
}

/** A service's refusal or failure, with the sentence it gave. */
export class ServiceError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

async function readError(r: Response, what: string): Promise<ServiceError> {
  let message = `${what} failed (${r.status} ${r.statusText})`;
  try {
    const body = await r.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new ServiceError(r.status, message);
}

export async function getJson<T>(url: string, what: string, init?: RequestInit): Promise<T> {
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ServiceError(0, `${what}: the service cannot be reached (${url.split('?')[0]})`);
  }
  if (!r.ok) throw await readError(r, what);
  return r.json() as Promise<T>;
}

export type Sort = 'newest' | 'most_viewed' | 'most_liked' | 'price_asc' | 'price_desc' | 'relevance';

export interface SearchParams {
  q: string;
  sort?: Sort;
  kind?: string;
  price?: string;
  owner?: string;
  /** Registered from / up to (YYYY-MM-DD, UTC). */
  from?: string;
  to?: string;
  /** `min_lat,min_lon,max_lat,max_lon` in degrees (see boxAround). */
  bbox?: string;
  limit?: number;
  offset?: number;
  facets?: boolean;
}

export async function search(p: SearchParams, signal?: AbortSignal): Promise<SearchResults> {
  const c = await config();
  const qs = new URLSearchParams({ q: p.q });
  // The indexer's parameters carry these names; an empty or absent one is not sent.
  for (const key of ['sort', 'kind', 'price', 'owner', 'from', 'to', 'bbox', 'limit', 'offset', 'facets'] as const) {
    if (p[key]) qs.set(key, String(p[key]));
  }
  return getJson<SearchResults>(`${c.indexer}/search?${qs}`, 'Search', { signal });
}

export async function catalogue(order: string, cursor?: string | null): Promise<MediaPage> {
  const c = await config();
  const qs = new URLSearchParams({ order, limit: '24' });
  if (cursor) qs.set('cursor', cursor);
  return getJson<MediaPage>(`${c.indexer}/media?${qs}`, 'The catalogue');
}

export async function indexedMedia(id: number | string): Promise<IndexedMedia> {
  const c = await config();
  return getJson<IndexedMedia>(`${c.indexer}/media/${id}`, `Media ${id}`);
}

export async function proof(id: number | string): Promise<MediaProof> {
  const c = await config();
  return getJson<MediaProof>(`${c.download}/media/${id}/proof`, `The proof of media ${id}`);
}

/** A URL that opens media `id` for the session's viewer (for `<img>`/`<video>`). */
export async function link(id: number | string, session: string): Promise<string> {
  const c = await config();
  const l = await getJson<MediaLink>(`${c.download}/media/${id}/link`, 'Opening the media', {
    method: 'POST',
    headers: { 'x-paratii-session': session },
  });
  return c.download + l.url;
}

/** Resolves once the indexer has indexed finalized block `block` (polling its health). */
export async function indexedUpTo(block: number): Promise<void> {
  const c = await config();
  for (;;) {
    const h = await getJson<{ indexed_block: number }>(`${c.indexer}/health`, 'The indexer');
    if (h.indexed_block >= block) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function jobStatus(statusUrl: string): Promise<JobStatus> {
  const c = await config();
  return getJson<JobStatus>(c.upload + statusUrl, 'The transcoding job');
}

/** PTI has 18 decimals; prices are planck in decimal strings. */
export function formatPti(planck: string | bigint | null | undefined): string {
  if (planck === null || planck === undefined) return 'free';
  const v = BigInt(planck);
  const whole = v / 10n ** 18n;
  const frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4);
  return `${whole}${frac ? '.' + frac : ''} PTI`;
}

/** An amount of PTI written as people do (`5`, `0.25`) in plancks, or null. */
export function parsePti(text: string): bigint | null {
  const m = /^\s*(\d*)(?:\.(\d{0,18}))?\s*$/.exec(text);
  if (!m || (m[1] === '' && !m[2])) return null;
  return BigInt(m[1] || '0') * 10n ** 18n + BigInt((m[2] ?? '').padEnd(18, '0') || '0');
}

/** A place written `latitude, longitude` in degrees (e.g. `52.37, 4.90`), or null. */
export function parsePlace(text: string): [number, number] | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const [lat, lon] = [Number(m[1]), Number(m[2])];
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
}

/**
 * The indexer's `bbox` (`min_lat,min_lon,max_lat,max_lon`) for the square `km` either
 * side of `[lat, lon]`: a degree of latitude is 111.2 km, one of longitude that times the
 * latitude's cosine; clamped to the poles and the antimeridian.
 */
export function boxAround([lat, lon]: [number, number], km: number): string {
  const dLat = km / 111.2;
  const dLon = km / (111.2 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01));
  const clamp = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v)).toFixed(4);
  return [clamp(lat - dLat, 90), clamp(lon - dLon, 180), clamp(lat + dLat, 90), clamp(lon + dLon, 180)].join(',');
}

export function shortAddress(a: string): string {
  return a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-6)}` : a;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
