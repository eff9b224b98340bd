import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../router';
import { type SearchResults, boxAround, config, parsePlace, search, shortAddress } from '../services';
import { Card } from './Card';

/**
 * `/search?q=`: results on every keystroke (the previous request is cancelled),
 * highlighted matches, facets that filter, and the arrow keys to move through the hits
 * (Enter opens one).
 */
export function Search({ q }: { q: string }) {
  const [kind, setKind] = useState('');
  const [price, setPrice] = useState('');
  const [owner, setOwner] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [near, setNear] = useState('');
  const [radius, setRadius] = useState('10');
  const [results, setResults] = useState<SearchResults | null>(null);
  const [shownFor, setShownFor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState(-1);
  const [download, setDownload] = useState('');
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    config().then((c) => setDownload(c.download));
  }, []);
  // The place filter applies once the place reads as coordinates.
  const center = parsePlace(near);
  const bbox = center ? boxAround(center, Number(radius)) : '';
  useEffect(() => {
    const abort = new AbortController();
    search({ q, kind, price, owner, from, to, bbox, facets: true, limit: 40 }, abort.signal)
      .then((r) => {
        setResults(r);
        setShownFor(q);
        setSelected(-1);
        setError('');
      })
      .catch((e) => e.name !== 'AbortError' && setError(e.message));
    return () => abort.abort();
  }, [q, kind, price, owner, from, to, bbox]);

  // Effects run once the browser has painted: this marks the results on screen.
  useEffect(() => {
    if (shownFor !== null) performance.mark('paratii-results', { detail: shownFor });
  }, [results]);

  const hits = results?.hits ?? [];
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = Math.max(-1, Math.min(hits.length - 1, selected + (e.key === 'ArrowDown' ? 1 : -1)));
      setSelected(n);
      (list.current?.querySelectorAll('a')[n] as HTMLElement | undefined)?.focus();
    } else if (e.key === 'Enter' && selected >= 0 && hits[selected]) {
      navigate(`/media/${hits[selected].media.id}`);
    }
  };
  const facet = (value: string, current: string, set: (v: string) => void, count: number, label = value) => (
    <label>
      <input type="checkbox" checked={current === value} onChange={() => set(current === value ? '' : value)} />
      {label} <span class="muted">({count})</span>
    </label>
  );
  // Owners are facets by account; their names come with the hits.
  const ownerName = (address: string) => hits.find((h) => h.media.owner === address)?.media.owner_name ?? shortAddress(address);
  const f = results?.facets;
  return (
    <section class="search" onKeyDown={onKey}>
      <aside aria-label="Filters">
        <fieldset>
          <legend>Kind</legend>
          {f && Object.entries(f.kind).map(([v, n]) => facet(v, kind, setKind, n))}
        </fieldset>
        <fieldset>
          <legend>Price</legend>
          {f && Object.entries(f.price).map(([v, n]) => facet(v, price, setPrice, n))}
        </fieldset>
        <fieldset>
          <legend>Owner</legend>
          {f && f.owner.map((o) => facet(o.value, owner, setOwner, o.count, ownerName(o.value)))}
        </fieldset>
        <fieldset>
          <legend>Registered</legend>
          <label>
            from <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label>
            to <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Place</legend>
          <label>
            near <input value={near} placeholder="52.37, 4.90" aria-describedby="near-hint" onInput={(e) => setNear(e.currentTarget.value)} />
          </label>
          <label>
            within{' '}
            <select value={radius} onChange={(e) => setRadius(e.currentTarget.value)}>
              {['1', '10', '100', '1000'].map((km) => <option value={km}>{km} km</option>)}
            </select>
          </label>
          <small id="near-hint" class={near && !center ? 'error' : 'muted'}>
            {near && !center ? 'latitude, longitude in degrees' : 'where it was taken'}
          </small>
        </fieldset>
      </aside>
      <div>
        <p class="muted" aria-live="polite">
          {results ? `${results.total} result${results.total === 1 ? '' : 's'}${q ? ` for “${q}”` : ''}` : 'Searching…'}
        </p>
        {error && <p class="error" role="alert">{error}</p>}
        <ul class="grid" ref={list} aria-label="Results">
          {hits.map((h, i) => (
            <Card media={h.media} download={download} highlighted={h.highlighted_title} selected={i === selected} />
          ))}
        </ul>
      </div>
    </section>
  );
}
