// Pay as you watch in the player (pallet-micropay, the gateway's `--hub-suri`): one
// payment channel per account and hub, opened once — the one signature — with a session
// key the player made as the channel's voucher signer, so each segment's voucher is
// signed without a prompt. The key's seed stays in this browser's localStorage next to
// the channel id: whoever reads it can spend at most what the deposit holds, to the
// owners of what is watched through this hub.
import type { components as Download } from './api/gateway-download';
import { getJson, ServiceError } from './services';
import { type Account, chain } from './wallet';
import type { KeyringPair } from '@polkadot/keyring/types';

export type HubInfo = Download['schemas']['HubInfo'];
/** `GET /media/{id}/hls/{label}/prices.json` (paratii_client::micropay::SegmentPrices). */
export interface SegmentPrices {
  media: number;
  minute_price: string;
  segments: string[];
  hub: string | null;
}
type HeldVouchers = Download['schemas']['HeldVouchers'];

interface Kept {
  channel: number;
  seed: string;
}

const storeKey = (payer: string, hub: string) => `paratii.channel.${payer}.${hub}`;

function kept(payer: string, hub: string): Kept | null {
  try {
    return JSON.parse(localStorage.getItem(storeKey(payer, hub)) ?? 'null');
  } catch {
    return null;
  }
}

/** The gateway's hub and terms; null when it takes no pay-as-you-watch payments. */
export async function hubInfo(download: string): Promise<HubInfo | null> {
  try {
    return await getJson<HubInfo>(`${download}/micropay`, 'Reading the gateway’s payment terms');
  } catch (e) {
    if (e instanceof ServiceError && e.status === 404) return null;
    throw e;
  }
}

/** What a rendition's segments cost. */
export function segmentPrices(download: string, media: number, label: string): Promise<SegmentPrices> {
  return getJson<SegmentPrices>(`${download}/media/${media}/hls/${label}/prices.json`, 'Reading the segment prices');
}

/** Signs the vouchers of one media item in one channel, from what the gateway holds. */
export class Payer {
  /** The item's voucher the gateway holds (plancks). */
  held: bigint;
  readonly start: bigint;
  /** Each rendition's segment prices, fetched once. */
  private readonly prices = new Map<string, Promise<bigint[]>>();
  constructor(
    readonly channel: number,
    private readonly key: KeyringPair,
    private readonly genesis: Uint8Array,
    readonly media: number,
    held: bigint,
    private readonly download: string,
    private readonly sign: (key: KeyringPair, genesis: Uint8Array, channel: number, media: number, cumulative: bigint) => string,
  ) {
    this.held = held;
    this.start = held;
  }

  /** What this page paid for the item. */
  get spent(): bigint {
    return this.held - this.start;
  }

  /**
   * Adds to an opened request of hls.js, if it is for a segment, the voucher paying it —
   * what the gateway holds for the item plus the segment's price — and learns from the
   * answer what the gateway holds then (`onPaid` follows).
   */
  async pay(xhr: XMLHttpRequest, url: string, onPaid: () => void): Promise<void> {
    const segment = /\/hls\/([^/]+)\/(\d+)\.m4s/.exec(url);
    if (!segment) return;
    const [, label, n] = segment;
    if (!this.prices.has(label)) {
      this.prices.set(label, segmentPrices(this.download, this.media, label).then((p) => p.segments.map(BigInt)));
    }
    const price = (await this.prices.get(label)!)[Number(n)] ?? 0n;
    xhr.setRequestHeader('x-paratii-voucher', this.sign(this.key, this.genesis, this.channel, this.media, this.held + price));
    // Past the browser's cache: a copy kept from when the video was free (or from another
    // account) would be played unpaid.
    xhr.setRequestHeader('cache-control', 'no-cache');
    xhr.addEventListener('loadend', () => {
      const paid = xhr.getResponseHeader('x-paratii-paid');
      if (paid) this.held = BigInt(paid);
      onPaid();
    });
  }
}

/**
 * The account's channel to the gateway's hub that this browser holds the key of and that
 * runs past the hub's margin, as a payer of `media`; null when there is none.
 */
export async function payerFor(account: Account, download: string, media: number): Promise<Payer | null> {
  const hub = await hubInfo(download);
  if (!hub) return null;
  const k = kept(account.address, hub.hub);
  if (!k) return null;
  const c = await chain();
  const [channels, { best }, genesis] = await Promise.all([c.channelsOf(account.address), c.channelClock(), c.genesisHash()]);
  const open = channels.find((ch) => ch.id === k.channel && ch.hub === hub.hub);
  if (!open || open.expiresAt <= best + hub.expiry_margin_blocks) return null;
  const held = await getJson<HeldVouchers>(`${download}/micropay/channels/${k.channel}`, 'Reading the channel');
  const item = held.items.find((i) => i.media === media);
  return new Payer(k.channel, c.voucherKey(k.seed), genesis, media, BigInt(item?.cumulative ?? 0), download, c.signVoucher);
}

/** Opens a channel to the gateway's hub with a fresh session key as its signer (one signature). */
export async function openPlayerChannel(
  account: Account,
  download: string,
  deposit: bigint,
  minutes: number,
  onStage: (s: string) => void,
): Promise<number> {
  const hub = await hubInfo(download);
  if (!hub) throw new Error('This gateway takes no pay-as-you-watch payments.');
  const c = await chain();
  const key = await c.newVoucherKey();
  const blocks = Math.ceil((minutes * 60_000) / (await c.blockMillis()));
  const id = await c.openChannel(account, hub.hub, key.pair.publicKey, deposit, blocks, onStage);
  localStorage.setItem(storeKey(account.address, hub.hub), JSON.stringify({ channel: id, seed: key.seed } satisfies Kept));
  return id;
}
