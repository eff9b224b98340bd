import { useEffect, useState } from 'preact/hooks';
import { Link } from '../router';
import { type IndexedMedia, config, formatPti, parsePti, search } from '../services';
import { type Account, chain, useAccount } from '../wallet';
import { Card } from './Card';
import type { PayChannel, Profile } from '../chain';

/** `/account/{address}`: the user's name, PTI balance, uploads and purchases. */
export function AccountPage({ address }: { address: string }) {
  const me = useAccount();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [uploads, setUploads] = useState<IndexedMedia[]>([]);
  const [bought, setBought] = useState<number[]>([]);
  const [download, setDownload] = useState('');
  const [name, setName] = useState('');
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    (async () => {
      const c = await config();
      setDownload(c.download);
      const [r, ch] = await Promise.all([search({ q: '', owner: address, sort: 'newest', limit: 100 }), chain()]);
      if (!live) return;
      setUploads(r.hits.map((h) => h.media));
      const [p, b] = await Promise.all([ch.profile(address), ch.purchases(address)]);
      if (!live) return;
      setProfile(p);
      setBought(b);
    })().catch((e) => live && setError((e as Error).message));
    return () => void (live = false);
  }, [address, tick]);
  const register = async (e: Event) => {
    e.preventDefault();
    if (!me) return;
    setError('');
    try {
      await (await chain()).registerName(me, name.trim(), (s) => setStage(`Registering: ${s}…`));
      setStage('Registered.');
      setTick((t) => t + 1);
    } catch (e) {
      setStage('');
      setError((e as Error).message);
    }
  };
  return (
    <section class="account">
      <h1>{profile?.name ?? 'Account'}</h1>
      <p class="hash">{address}</p>
      {profile && (
        <p>
          Balance: <strong data-testid="balance">{formatPti(profile.free)}</strong>
          {profile.reserved > 0n && <span class="muted"> ({formatPti(profile.reserved)} held as deposits)</span>}
        </p>
      )}
      {profile && profile.name === null && me?.address === address && (
        <form onSubmit={register} class="inline">
          <label>
            Choose a user name <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
          <button type="submit">Register</button>
        </form>
      )}
      {stage && <p role="status">{stage}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <AdEarnings address={address} />
      <Channels address={address} onChange={() => setTick((t) => t + 1)} />
      <h2>Uploads ({uploads.length})</h2>
      <ul class="grid">
        {uploads.map((m) => (
          <Card media={m} download={download} />
        ))}
      </ul>
      <h2>Purchases ({bought.length})</h2>
      <ul>
        {bought.map((id) => (
          <li>
            <Link href={`/media/${id}`}>Media {id}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Proof {
  leaf_index: number;
  number_of_leaves: number;
  path: string[];
}
interface CampaignEarnings {
  campaign: number;
  settled: { block: number; cumulative: string; proof: Proof } | null;
  pending: { block: number; cumulative: string } | null;
}
interface Earning {
  campaign: number;
  cumulative: bigint;
  proof: Proof | null;
  claimable: bigint;
  pending: bigint;
}

/** The account's ad earnings, from the ad validators: earned per campaign. */
async function earnings(address: string): Promise<Earning[]> {
  const validators = (await config()).ad_validators ?? [];
  const byCampaign = new Map<number, CampaignEarnings>();
  await Promise.all(validators.map(async (v) => {
    const r = await fetch(`${v}/accounts/${address}/earnings`).catch(() => null);
    if (!r?.ok) return;
    for (const c of ((await r.json()) as { campaigns: CampaignEarnings[] }).campaigns) {
      const known = byCampaign.get(c.campaign);
      // The most settled answer of any validator (they agree on what the chain settled).
      if (!known || BigInt(c.settled?.cumulative ?? 0) > BigInt(known.settled?.cumulative ?? 0)) byCampaign.set(c.campaign, c);
    }
  }));
  const ch = await chain();
  return Promise.all([...byCampaign.values()].map(async (c) => {
    const settled = BigInt(c.settled?.cumulative ?? 0);
    const withdrawn = await ch.adWithdrawn(c.campaign, address);
    const posted = BigInt(c.pending?.cumulative ?? 0);
    return {
      campaign: c.campaign,
      cumulative: settled,
      proof: c.settled?.proof ?? null,
      claimable: settled > withdrawn ? settled - withdrawn : 0n,
      pending: posted > settled ? posted - settled : 0n,
    };
  }));
}

/** Ad earnings: pending (in a result the validators posted, not settled yet), claimable, and a Claim button. */
function AdEarnings({ address }: { address: string }) {
  const me = useAccount();
  const [list, setList] = useState<Earning[] | null>(null);
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void earnings(address).then((l) => live && setList(l), (e) => live && setError((e as Error).message));
    return () => void (live = false);
  }, [address, tick]);
  if (!list || list.length === 0) return null;
  const claim = async (e: Earning, who: Account) => {
    if (!e.proof) return;
    setError('');
    try {
      await (await chain()).claimAd(who, e.campaign, address, e.cumulative.toString(), e.proof, (s) => setStage(`Claiming: ${s}…`));
      setStage('Claimed.');
      setTick((t) => t + 1);
    } catch (err) {
      setStage('');
      setError((err as Error).message);
    }
  };
  return (
    <>
      <h2>Ad earnings</h2>
      <table class="earnings" aria-label="Ad earnings">
        <thead>
          <tr><th>Campaign</th><th>Pending</th><th>Claimable</th><th /></tr>
        </thead>
        <tbody>
          {list.map((e) => (
            <tr data-campaign={e.campaign}>
              <td>{e.campaign}</td>
              <td data-testid="pending">{formatPti(e.pending.toString())}</td>
              <td data-testid="claimable">{formatPti(e.claimable.toString())}</td>
              <td>
                {me && me.address === address && e.claimable > 0n && (
                  <button type="button" onClick={() => claim(e, me)}>Claim {formatPti(e.claimable.toString())}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {stage && <p role="status">{stage}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}

/** The account's payment channels (pay as you watch): deposit, settled, expiry; top up and close. */
function Channels({ address, onChange }: { address: string; onChange: () => void }) {
  const me = useAccount();
  const [list, setList] = useState<PayChannel[] | null>(null);
  const [clock, setClock] = useState({ best: 0, challenge: 0 });
  const [amounts, setAmounts] = useState<Record<number, string>>({});
  const [stage, setStage] = useState('');
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    (async () => {
      const c = await chain();
      const [l, k] = await Promise.all([c.channelsOf(address), c.channelClock()]);
      if (live) {
        setList(l);
        setClock(k);
      }
    })().catch((e) => live && setError((e as Error).message));
    // The expiry and challenge period pass with the blocks: read them again.
    const timer = setInterval(() => setTick((t) => t + 1), 6000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [address, tick]);
  // After the last one closes, what happened stays said.
  if (!list || (list.length === 0 && !stage && !error)) return null;
  const mine = me?.address === address ? me : null;
  const act = async (run: (who: Account) => Promise<string>) => {
    if (!mine) return;
    setError('');
    try {
      setStage(await run(mine));
      setTick((t) => t + 1);
      onChange();
    } catch (err) {
      setStage('');
      setError((err as Error).message);
    }
  };
  const topUp = (ch: PayChannel) => act(async (who) => {
    const amount = parsePti(amounts[ch.id] ?? '');
    if (amount === null || amount <= 0n) throw new Error('Top up by an amount of PTI such as 5 or 0.5.');
    await (await chain()).topUpChannel(who, ch.id, amount, (s) => setStage(`Topping up: ${s}…`));
    return `Channel #${ch.id}: ${formatPti(amount)} added.`;
  });
  const close = (ch: PayChannel) => act(async (who) => {
    const refunded = await (await chain()).closeChannel(who, ch.id, (s) => setStage(`Closing: ${s}…`));
    return `Channel #${ch.id} closed: ${formatPti(refunded)} came back.`;
  });
  return (
    <>
      <h2>Payment channels</h2>
      {list.length > 0 && <table class="earnings" aria-label="Payment channels">
        <thead>
          <tr><th>Channel</th><th>Deposit</th><th>Paid</th><th>Expires</th><th /></tr>
        </thead>
        <tbody>
          {list.map((ch) => {
            const closable = clock.best >= ch.expiresAt + clock.challenge;
            return (
              <tr data-channel={ch.id}>
                <td>#{ch.id}</td>
                <td data-testid="deposit">{formatPti(ch.deposit)}</td>
                <td data-testid="paid">{formatPti(ch.paid)}</td>
                <td>
                  block #{ch.expiresAt}
                  {!closable && <span class="muted"> (closable from #{ch.expiresAt + clock.challenge})</span>}
                </td>
                <td>
                  {mine && (
                    <span class="inline">
                      <label>
                        Add (PTI){' '}
                        <input size={6} value={amounts[ch.id] ?? ''} inputMode="decimal"
                          onInput={(e) => setAmounts({ ...amounts, [ch.id]: e.currentTarget.value })} />
                      </label>
                      <button type="button" onClick={() => topUp(ch)}>Top up</button>
                      {closable && <button type="button" onClick={() => close(ch)}>Close #{ch.id}</button>}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>}
      {stage && <p role="status">{stage}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}
