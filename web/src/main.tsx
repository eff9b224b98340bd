// The Paratii Player. Preact (4 KB, React's API; no virtual-DOM framework weighs less with
// components and hooks), Vite, TypeScript; the services' JSON typed from their OpenAPI
// documents; the chain client loaded when first needed.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { Link, navigate, useLocation } from './router';
import { config } from './services';
import { type Account, choose, chain, useAccount } from './wallet';
import { Catalogue } from './pages/Catalogue';
import { Search } from './pages/Search';
import { MediaPage } from './pages/Media';
import { Upload } from './pages/Upload';
import { AccountPage } from './pages/Account';

function AccountPicker() {
  const current = useAccount();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [error, setError] = useState('');
  const [devOffered, setDevOffered] = useState(false);
  useEffect(() => {
    config().then((c) => setDevOffered(c.dev_accounts)).catch(() => {});
  }, []);
  const load = async (which: 'dev' | 'wallet') => {
    setError('');
    try {
      const c = await chain();
      const found = which === 'dev' ? await c.devAccounts() : await c.walletAccounts();
      setAccounts(found);
      if (!current || !found.some((a) => a.address === current.address)) choose(found[0]);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div class="account-picker">
      {accounts.length > 0 ? (
        <select
          aria-label="Account"
          value={current?.address ?? ''}
          onChange={(e) => choose(accounts.find((a) => a.address === e.currentTarget.value) ?? null)}
        >
          {accounts.map((a) => (
            <option value={a.address}>{a.name}</option>
          ))}
        </select>
      ) : (
        <>
          {current && <span class="muted">{current.name}</span>}
          <button type="button" onClick={() => load('wallet')}>
            Connect wallet
          </button>
          {devOffered && (
            <button type="button" onClick={() => load('dev')}>
              Development accounts
            </button>
          )}
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Header({ q }: { q: string }) {
  const current = useAccount();
  return (
    <header>
      <Link href="/" class="logo">
        Paratii
      </Link>
      <input
        type="search"
        aria-label="Search media"
        placeholder="Search media…"
        value={q}
        onInput={(e) => {
          const value = e.currentTarget.value;
          // Keystroke → painted results is measured from here (Search marks the paint).
          performance.mark('paratii-keystroke', { detail: value });
          navigate(`/search?q=${encodeURIComponent(value)}`, location.pathname === '/search');
        }}
      />
      <nav>
        <Link href="/">Catalogue</Link>
        <Link href="/upload">Upload</Link>
        {current && <Link href={`/account/${current.address}`}>My account</Link>}
      </nav>
      <AccountPicker />
    </header>
  );
}

function App() {
  const url = useLocation();
  const path = url.pathname;
  const q = url.searchParams.get('q') ?? '';
  let page;
  let m;
  if (path === '/') page = <Catalogue />;
  else if (path === '/search') page = <Search q={q} />;
  else if ((m = path.match(/^\/media\/(\d+)$/))) page = <MediaPage id={Number(m[1])} />;
  else if (path === '/upload') page = <Upload />;
  else if ((m = path.match(/^\/account\/([1-9A-HJ-NP-Za-km-z]{40,60})$/))) page = <AccountPage address={m[1]} />;
  else page = <p class="error">There is no page at {path}.</p>;
  return (
    <>
      <Header q={path === '/search' ? q : ''} />
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
