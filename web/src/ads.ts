// The pre-roll: the gateway's VAST tag (GET /ads/vast?media=, the ad auction's winner),
// its trackers, and the viewer's View record once the ad has played. Nothing here may
// hold up the content: the player asks for the ad as the page opens and plays the
// content at once if the answer is not in when the viewer presses play.
import { chain, type Account } from './wallet';

export interface Ad {
  impression: string;
  /** The creative's HLS master playlist. */
  stream: string;
  durationSecs: number;
  trackers: Record<string, string[]>;
  /** Whether the viewer is paid for it (a session was sent): then they sign the View. */
  paid: boolean;
  campaign: number;
  block: number;
  genesis: string;
  views: string;
}

const text = (root: Element | Document, selector: string) => root.querySelector(selector)?.textContent?.trim() ?? '';

function seconds(duration: string): number {
  const [h, m, s] = duration.split(':').map(Number);
  return (h || 0) * 3600 + (m || 0) * 60 + (s || 0);
}

/** The VAST InLine ad for a pre-roll before media `id`, or null (no ad, or no answer). */
export async function fetchAd(download: string, id: number, session: string, signal: AbortSignal): Promise<Ad | null> {
  const r = await fetch(`${download}/ads/vast?media=${id}`, {
    headers: session ? { 'x-paratii-session': session } : {},
    signal,
  });
  if (!r.ok) return null;
  const xml = new DOMParser().parseFromString(await r.text(), 'application/xml');
  const ad = xml.querySelector('Ad');
  const stream = text(xml, 'MediaFile');
  const extension = xml.querySelector('Extension[type=paratii]');
  if (!ad || !stream || !extension) return null;
  const trackers: Record<string, string[]> = { impression: [...xml.querySelectorAll('Impression')].map((e) => e.textContent?.trim() ?? '') };
  for (const t of xml.querySelectorAll('Tracking')) {
    const event = t.getAttribute('event') ?? '';
    (trackers[event] ??= []).push(t.textContent?.trim() ?? '');
  }
  return {
    impression: ad.getAttribute('id') ?? '',
    stream,
    durationSecs: seconds(text(xml, 'Duration')),
    trackers,
    paid: text(extension, 'Paid') === 'true',
    campaign: Number(text(extension, 'Campaign')),
    block: Number(text(extension, 'Block')),
    genesis: text(extension, 'Genesis'),
    views: text(extension, 'Views'),
  };
}

/** Fires an ad's trackers for `event` (once each; failures do not matter to the viewer). */
export function track(ad: Ad, event: string) {
  for (const url of ad.trackers[event] ?? []) void fetch(url, { keepalive: true }).catch(() => {});
  delete ad.trackers[event];
}

/**
 * The viewer signs the View of `ad` (a development key silently, a wallet once) for the
 * channel block the gateway names now (the auction's, or a later one if the exchange's
 * channel node closed its part of that block while the ad played) and posts it.
 */
export async function recordView(ad: Ad, account: Account): Promise<void> {
  const asked = await fetch(`${ad.views}?impression=${ad.impression}`);
  if (!asked.ok) throw new Error(`the gateway does not take this ad's view (${asked.status})`);
  const { block } = (await asked.json()) as { block: number };
  const signature = await (await chain()).signAdView(account, { ...ad, block });
  const r = await fetch(ad.views, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ impression: ad.impression, block, signature }),
  });
  if (!r.ok) throw new Error(`the gateway did not keep the ad's view (${r.status})`);
}
