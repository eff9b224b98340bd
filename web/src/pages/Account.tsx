import { useEffect, useState } from 'preact/hooks';
import { Link } from '../router';
import { type IndexedMedia, config, formatPti, search } from '../services';
import { chain, useAccount } from '../wallet';
import { Card } from './Card';
import type { Profile } from '../chain';

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
