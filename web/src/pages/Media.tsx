import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from '../router';
import {
  type IndexedMedia, type MediaProof, ServiceError, config, formatPti, indexedMedia, link, parsePti, plural, proof, shortAddress,
} from '../services';
import type { Payer } from '../pay';
import { type Ad, fetchAd, recordView, track } from '../ads';
import { type Account, chain, session, useAccount } from '../wallet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `load` every `ms` until `done(value)` (or the component goes), showing each value. */
function usePolled<T>(load: () => Promise<T>, done: (v: T) => boolean, ms: number, deps: unknown[]) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    (async () => {
      for (;;) {
        try {
          const v = await load();
          if (!live) return;
          setValue(v);
          setError('');
          if (done(v)) return;
        } catch (e) {
          if (!live) return;
          // Not indexed yet is a wait, not an error.
          if (!(e instanceof ServiceError && e.status === 404)) setError((e as Error).message);
        }
        await sleep(ms);
        if (!live) return;
      }
    })();
    return () => void (live = false);
  }, [...deps, tick]);
  return { value, error, refresh: () => setTick((t) => t + 1) };
}

function Stage({ text }: { text: string }) {
  return text ? <p class="muted" role="status">{text}</p> : null;
}

/** `/media/{id}`: the picture or video, its facts, reactions, purchase and proof. */
export function MediaPage({ id }: { id: number }) {
  const account = useAccount();
  const [download, setDownload] = useState('');
  // Followed while the page is open: views, reactions and price change.
  const media = usePolled(() => indexedMedia(id), () => false, 2000, [id]);
  const m = media.value;
  useEffect(() => {
    void config().then((c) => setDownload(c.download));
    // hls.js (its light build: a third less to parse) is fetched while the record loads:
    // a video's first frame waits for it.
    void import('hls.js/light');
  }, []);
  if (media.error && !m) return <p class="error" role="alert">{media.error}</p>;
  if (!m || !download) return <p class="muted" role="status">Waiting for media {id} to be indexed…</p>;
  return (
    <article class="media">
      <div class="viewer">
        {m.status === 'deleted' ? (
          <p class="error">Its owner deleted this item.</p>
        ) : m.kind === 'video' ? (
          <Video media={m} download={download} account={account} />
        ) : (
          <Picture media={m} download={download} account={account} onBought={media.refresh} />
        )}
      </div>
      <div class="facts">
        <h1>{m.title}</h1>
        <p>
          by <Link href={`/account/${m.owner}`}>{m.owner_name ?? shortAddress(m.owner)}</Link>
          {' · '}
          {new Date(m.captured_at ?? m.registered_at).toLocaleString()}
          {m.location && ` · ${m.location.latitude.toFixed(4)}, ${m.location.longitude.toFixed(4)}`}
        </p>
        <p>
          <span data-testid="views">{plural(m.views, 'view')}</span> · {m.minute_price ? `${formatPti(m.minute_price)} a minute` : m.price ? formatPti(m.price) : 'Free'}
        </p>
        <Reactions media={m} account={account} onChange={media.refresh} />
        <ProofPanel id={id} />
      </div>
    </article>
  );
}

/** Whether the account may open the original: free, its own, or bought. */
async function mayOpen(m: IndexedMedia, account: Account | null): Promise<boolean> {
  if (!m.price) return true;
  if (!account) return false;
  if (account.address === m.owner) return true;
  return (await chain()).hasBought(m.id, account.address);
}

function Picture({ media, download, account, onBought }: {
  media: IndexedMedia; download: string; account: Account | null; onBought: () => void;
}) {
  const [src, setSrc] = useState('');
  const [open, setOpen] = useState<boolean | null>(null);
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const [bought, setBought] = useState(0);
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const may = await mayOpen(media, account);
        if (!live) return;
        setOpen(may);
        if (!may) return;
        // With an account, the gateway's link counts the view for it.
        const url = account ? await link(media.id, await session(account)) : `${download}/media/${media.id}`;
        if (live) setSrc(url);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    })();
    return () => void (live = false);
  }, [media.id, account?.address, bought]);
  const buy = async () => {
    if (!account || !media.price) return;
    setError('');
    try {
      await (await chain()).buy(account, media.id, media.price, (s) => setStage(`Buying: ${s}…`));
      setStage('Bought.');
      setBought((b) => b + 1);
      onBought();
    } catch (e) {
      setStage('');
      setError((e as Error).message);
    }
  };
  return (
    <div>
      {src ? (
        <img class="original" src={src} alt={media.title} />
      ) : (
        media.thumbnail && <img class="original preview" src={download + media.thumbnail} alt={`${media.title} (preview)`} />
      )}
      {open === false && (
        <div class="buy">
          <p>The original costs {formatPti(media.price)}.</p>
          {account ? (
            <button type="button" onClick={buy}>Buy for {formatPti(media.price)}</button>
          ) : (
            <p class="muted">Choose an account to buy it.</p>
          )}
        </div>
      )}
      <Stage text={stage} />
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/**
 * The pre-roll: the ad auction's winner (asked for as the page opens) plays before the
 * content's first play, if its answer is in by then; otherwise the content plays at once
 * and no ad starts later. When the ad has played the viewer signs its View.
 */
function usePreroll(media: IndexedMedia, download: string, account: Account | null, video: { current: HTMLVideoElement | null }) {
  const ad = useRef<HTMLVideoElement>(null);
  const [ready, setReady] = useState(false);
  const [showing, setShowing] = useState(false);
  const [left, setLeft] = useState(0);
  useEffect(() => {
    const content = video.current;
    if (!content) return;
    let live = true;
    let answer: Ad | null = null;
    let started = false;
    let stop = () => {};
    const abort = new AbortController();
    void (async () => {
      const token = account ? await session(account).catch(() => '') : '';
      answer = await fetchAd(download, media.id, token, abort.signal).catch(() => null);
      // Its element exists only when there is an ad to play.
      if (live && answer) setReady(true);
    })();
    const play = async (a: Ad, el: HTMLVideoElement) => {
      setLeft(Math.ceil(a.durationSecs));
      setShowing(true);
      const { default: Hls } = await import('hls.js/light');
      const hls = Hls.isSupported() ? new Hls({ enableWorker: false }) : null;
      let done = false;
      const finish = (completed: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(stalled);
        hls?.destroy();
        el.removeAttribute('src');
        if (!live) return;
        setShowing(false);
        if (completed) {
          track(a, 'complete');
          if (a.paid && account) void recordView(a, account).catch(() => {});
        }
        void content.play().catch(() => {});
      };
      stop = () => finish(false);
      // An ad that does not start within three seconds is skipped.
      const stalled = setTimeout(() => finish(false), 3000);
      el.addEventListener('playing', () => {
        clearTimeout(stalled);
        track(a, 'start');
      }, { once: true });
      el.ontimeupdate = () => {
        const duration = Number.isFinite(el.duration) && el.duration > 0 ? el.duration : a.durationSecs;
        const done = el.currentTime / duration;
        if (done >= 0.25) track(a, 'firstQuartile');
        if (done >= 0.5) track(a, 'midpoint');
        if (done >= 0.75) track(a, 'thirdQuartile');
        setLeft(Math.max(0, Math.ceil(duration - el.currentTime)));
      };
      el.onended = () => finish(true);
      el.onerror = () => finish(false);
      track(a, 'impression');
      if (hls) {
        hls.on(Hls.Events.ERROR, (_e, data) => data.fatal && finish(false));
        hls.loadSource(a.stream);
        hls.attachMedia(el);
      } else {
        el.src = a.stream;
      }
      await el.play().catch(() => finish(false));
    };
    const onPlay = () => {
      if (started) return;
      // The content's first play: the ad plays now, or never.
      started = true;
      if (!answer || !ad.current) return;
      content.pause();
      performance.mark('paratii-ad-start');
      void play(answer, ad.current);
    };
    content.addEventListener('play', onPlay);
    return () => {
      live = false;
      setReady(false);
      abort.abort();
      stop();
      content.removeEventListener('play', onPlay);
    };
  }, [media.id, account?.address]);
  const element = ready ? (
    <video ref={ad} class="ad" muted playsInline hidden={!showing} aria-label="Advertisement" />
  ) : null;
  const label = showing ? <p class="ad-label" data-testid="ad">Advertisement · the video starts in {left} s</p> : null;
  return { element, label, showing };
}

function Video({ media, download, account }: { media: IndexedMedia; download: string; account: Account | null }) {
  const video = useRef<HTMLVideoElement>(null);
  const preroll = usePreroll(media, download, account, video);
  const [levels, setLevels] = useState<string[]>([]);
  const [playing, setPlaying] = useState('');
  const [chosen, setChosen] = useState(-1);
  const [error, setError] = useState('');
  const hlsRef = useRef<{ currentLevel: number; destroy(): void } | null>(null);
  // Pay as you watch: the account's channel to the gateway's hub (undefined: looking).
  const perMinute = media.minute_price ?? null;
  // Its owner watches free.
  const paying = !!perMinute && account?.address !== media.owner;
  const [payer, setPayer] = useState<Payer | null | undefined>(paying ? undefined : null);
  const [spent, setSpent] = useState(0n);
  const [opened, setOpened] = useState(0);
  useEffect(() => {
    if (!paying) {
      setPayer(null);
      return;
    }
    let live = true;
    setPayer(undefined);
    (async () => {
      const found = account ? await (await import('../pay')).payerFor(account, download, media.id) : null;
      if (live) setPayer(found);
    })().catch((e) => live && setError((e as Error).message));
    return () => void (live = false);
  }, [media.id, account?.address, opened]);
  useEffect(() => {
    // A video paid per minute plays once the channel is known.
    if (paying && !payer) return;
    let live = true;
    (async () => {
      const token = account ? await session(account).catch(() => '') : '';
      const { default: Hls } = await import('hls.js/light');
      if (!live || !video.current) return;
      const src = `${download}/media/${media.id}/hls/master.m3u8`;
      if (!Hls.isSupported()) {
        video.current.src = src;
        return;
      }
      const hls = new Hls({
        // The segments are fragmented MP4, appended as they come: no transmuxing for a
        // worker to do, and starting one delays the first request.
        enableWorker: false,
        xhrSetup: async (xhr, url) => {
          xhr.open('GET', url, true);
          if (token) xhr.setRequestHeader('x-paratii-session', token);
          if (payer) await payer.pay(xhr, url, () => live && setSpent(payer.spent));
        },
      });
      hlsRef.current = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => setLevels(data.levels.map((l) => (l.height ? `${l.height}p` : l.name))));
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
        const l = hls.levels[data.level];
        setPlaying(l?.height ? `${l.height}p` : String(data.level));
      });
      hls.on(Hls.Events.ERROR, (_e, data) => {
        const status = (data.response as { code?: number } | undefined)?.code;
        if (status === 402 && perMinute) setError('The gateway refused a payment: top up or renew your channel on your account page.');
        else if (status === 401 || status === 403) setError(`The free preview has ended: buy the video (${formatPti(media.price)}) to watch on.`);
        else if (data.fatal) setError(`The video cannot play: ${data.details}.`);
      });
      video.current.addEventListener('loadeddata', () => performance.mark('paratii-first-frame'), { once: true });
      hls.loadSource(src);
      hls.attachMedia(video.current);
    })().catch((e) => live && setError((e as Error).message));
    return () => {
      live = false;
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [media.id, account?.address, payer]);
  const poster = media.thumbnail ? download + media.thumbnail : undefined;
  const pick = (i: number) => {
    setChosen(i);
    if (hlsRef.current) hlsRef.current.currentLevel = i;
  };
  return (
    <div>
      <div class="screen">
        <video ref={video} controls muted playsInline poster={poster} aria-label={media.title} />
        {preroll.element}
      </div>
      {preroll.label}
      <div class="toolbar" role="group" aria-label="Quality">
        <button type="button" aria-pressed={chosen === -1} onClick={() => pick(-1)}>Auto</button>
        {levels.map((l, i) => (
          <button type="button" aria-pressed={chosen === i} onClick={() => pick(i)}>{l}</button>
        ))}
        <span class="muted" data-testid="playing">{playing && `Playing ${playing}`}</span>
      </div>
      {media.price && !perMinute && <p class="muted">Priced {formatPti(media.price)}: the first 30 seconds are a free preview.</p>}
      {account?.address === media.owner && <MinutePrice media={media} account={account} />}
      {paying && perMinute && (
        <PayBar perMinute={perMinute} download={download} account={account} payer={payer} spent={spent}
          onOpened={() => setOpened((n) => n + 1)} />
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/** The owner's form: price the video per minute (pay as you watch), or stop. */
function MinutePrice({ media, account }: { media: IndexedMedia; account: Account }) {
  const [price, setPrice] = useState('');
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const set = async (planck: bigint | null) => {
    setError('');
    try {
      await (await chain()).setMinutePrice(account, media.id, planck, (s) => setStage(`Pricing: ${s}…`));
      setStage(planck === null ? 'Not paid per minute any more.' : `Priced ${formatPti(planck)} a minute.`);
    } catch (err) {
      setStage('');
      setError((err as Error).message);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const planck = parsePti(price);
    if (planck === null || planck <= 0n) return setError('A price per minute is an amount of PTI such as 0.6.');
    void set(planck);
  };
  return (
    <div class="pay" aria-label="Price per minute">
      <p class="muted">
        You own this video and watch it free.{' '}
        {media.minute_price ? `Viewers pay ${formatPti(media.minute_price)} a minute.` : 'Viewers watch it free.'}
      </p>
      <form class="inline" onSubmit={submit}>
        <label>
          Price per minute (PTI) <input value={price} onInput={(e) => setPrice(e.currentTarget.value)} inputMode="decimal" required />
        </label>
        <button type="submit">Set the price per minute</button>
        {media.minute_price && <button type="button" onClick={() => set(null)}>Make it free</button>}
      </form>
      <Stage text={stage} />
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/** A video paid per minute: its price, the channel paying it and what was spent, or the form to open one. */
function PayBar({ perMinute, download, account, payer, spent, onOpened }: {
  perMinute: string; download: string; account: Account | null;
  payer: Payer | null | undefined; spent: bigint; onOpened: () => void;
}) {
  const [deposit, setDeposit] = useState('5');
  const [minutes, setMinutes] = useState('1440');
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const open = async (e: Event) => {
    e.preventDefault();
    if (!account) return;
    setError('');
    try {
      const amount = parsePti(deposit);
      if (amount === null || amount <= 0n) throw new Error('The deposit is an amount of PTI such as 5 or 0.5.');
      const { openPlayerChannel } = await import('../pay');
      const id = await openPlayerChannel(account, download, amount, Number(minutes), (s) => setStage(`Opening the channel: ${s}…`));
      setStage(`Channel #${id} is open: the video plays.`);
      onOpened();
    } catch (err) {
      setStage('');
      setError((err as Error).message);
    }
  };
  return (
    <div class="pay" aria-label="Pay as you watch">
      <p>
        Pay as you watch: <strong>{formatPti(perMinute)} a minute</strong>, paid segment by segment to its owner.
      </p>
      {payer ? (
        <p data-testid="spent">
          Channel #{payer.channel} · paid {formatPti(spent)} for this video here ({formatPti(payer.held)} in all)
        </p>
      ) : payer === undefined ? (
        <p class="muted" role="status">Looking for your payment channel…</p>
      ) : !account ? (
        <p class="muted">Choose an account to watch: one payment channel pays every video of this gateway.</p>
      ) : (
        <form class="inline" onSubmit={open}>
          <label>
            Deposit (PTI) <input value={deposit} onInput={(e) => setDeposit(e.currentTarget.value)} inputMode="decimal" required />
          </label>
          <label>
            For (minutes) <input value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} inputMode="numeric" required />
          </label>
          <button type="submit">Open a payment channel</button>
        </form>
      )}
      <Stage text={stage} />
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function Reactions({ media, account, onChange }: { media: IndexedMedia; account: Account | null; onChange: () => void }) {
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const act = async (what: 'Like' | 'Dislike' | 'flag') => {
    if (!account) return setError('Choose an account first.');
    setError('');
    try {
      const c = await chain();
      const report = (s: string) => setStage(`${what}: ${s}…`);
      if (what === 'flag') await c.flag(account, media.id, 'flagged from the player', report);
      else await c.react(account, media.id, what, report);
      setStage('Recorded on chain; the counts follow once the indexer has the block.');
      onChange();
    } catch (e) {
      setStage('');
      setError((e as Error).message);
    }
  };
  return (
    <div class="reactions">
      <button type="button" onClick={() => act('Like')} aria-label={`Like (${media.likes})`}>Like · {media.likes}</button>
      <button type="button" onClick={() => act('Dislike')} aria-label={`Dislike (${media.dislikes})`}>Dislike · {media.dislikes}</button>
      <button type="button" onClick={() => act('flag')}>Flag</button>
      <Stage text={stage} />
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/** `original`, `chunk hashes of the original`, `thumbnail 320×180`, `240p rendition`. */
function kindName(kind: MediaProof['objects'][number]['kind']): string {
  if (kind === 'chunk_hashes') return 'chunk hashes of the original';
  if (typeof kind === 'string') return kind;
  if ('thumbnail' in kind) return `thumbnail ${kind.thumbnail.width}×${kind.thumbnail.height}`;
  return `${kind.transcoded.label} rendition manifest`;
}

function ProofPanel({ id }: { id: number }) {
  const done = (p: MediaProof) => p.finalized && (!p.ethereum || p.ethereum.status === 'anchored');
  const { value: p, error } = usePolled(() => proof(id), done, 3000, [id]);
  if (!p) return <section class="proof"><h2>Proof of existence</h2><p class="muted">{error || 'Reading the proof…'}</p></section>;
  const original = p.objects[0];
  const eth = p.ethereum;
  return (
    <section class="proof" aria-label="Proof of existence">
      <h2>Proof of existence</h2>
      <dl>
        <dt>Content hash (SHA-256)</dt>
        <dd class="hash">{original?.content_hash}</dd>
        <dt>CID</dt>
        <dd class="hash">{original?.cid}</dd>
        <dt>Registered</dt>
        <dd>
          block #{p.block_number} · {new Date(p.timestamp).toLocaleString()} ·{' '}
          <strong data-testid="finality">{p.finalized ? 'finalized' : 'not final yet'}</strong>
        </dd>
        <dt>Storage</dt>
        <dd>
          <ul>
            {p.objects.map((o) => (
              <li>
                {kindName(o.kind)} ({o.size.toLocaleString()} bytes):{' '}
                {o.clusters.map((c) => `cluster ${c.cluster}: receipt ${c.receipt} (${c.status.toLowerCase()})`).join(', ')}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Ethereum anchor</dt>
        <dd data-testid="anchor">
          {!eth ? (
            'not configured on this gateway'
          ) : eth.status === 'anchored' ? (
            <>
              anchored: verifyMedia returned true at Paratii block #{eth.anchored_block}, Ethereum block {eth.ethereum_block}
              {eth.ethereum_tx && <span class="hash"> (transaction {eth.ethereum_tx})</span>}
            </>
          ) : eth.status === 'pending' ? (
            'pending: the next anchor will cover it'
          ) : (
            `${eth.status}${eth.error ? `: ${eth.error}` : ''}`
          )}
        </dd>
      </dl>
    </section>
  );
}
