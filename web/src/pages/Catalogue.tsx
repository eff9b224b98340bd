import { useEffect, useRef, useState } from 'preact/hooks';
import { type IndexedMedia, catalogue, config, search } from '../services';
import { Card } from './Card';

type Order = 'newest' | 'most_viewed' | 'price_asc';
const ORDERS: [Order, string][] = [['newest', 'Newest'], ['most_viewed', 'Most viewed'], ['price_asc', 'Price']];

/** `/`: every media item, newest first (or most viewed, or by price), loaded as you scroll. */
export function Catalogue() {
  const [order, setOrder] = useState<Order>('newest');
  const [items, setItems] = useState<IndexedMedia[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  const [download, setDownload] = useState('');
  const loading = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);

  const more = async (reset = false) => {
    if (loading.current || (!reset && done)) return;
    loading.current = true;
    try {
      if (order === 'price_asc') {
        // Prices sort in the search index (an empty query browses).
        const offset = reset ? 0 : Number(next ?? 0);
        const r = await search({ q: '', sort: 'price_asc', limit: 24, offset });
        setItems((old) => (reset ? r.hits.map((h) => h.media) : [...old, ...r.hits.map((h) => h.media)]));
        const end = offset + r.hits.length;
        setNext(String(end));
        setDone(end >= r.total || r.hits.length === 0);
      } else {
        const page = await catalogue(order, reset ? null : next);
        setItems((old) => (reset ? page.items : [...old, ...page.items]));
        setNext(page.next_cursor ?? null);
        setDone(!page.next_cursor);
      }
      setError('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      loading.current = false;
    }
  };

  useEffect(() => {
    config().then((c) => setDownload(c.download));
  }, []);
  useEffect(() => {
    setDone(false);
    setNext(null);
    void more(true);
  }, [order]);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => entries[0].isIntersecting && void more());
    io.observe(el);
    return () => io.disconnect();
  });

  return (
    <section>
      <div class="toolbar" role="group" aria-label="Sort">
        {ORDERS.map(([o, label]) => (
          <button type="button" aria-pressed={order === o} onClick={() => setOrder(o)}>
            {label}
          </button>
        ))}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <ul class="grid" aria-label="Media">
        {items.map((m) => (
          <Card media={m} download={download} />
        ))}
      </ul>
      {items.length === 0 && !error && done && <p class="muted">Nothing here yet: upload the first picture.</p>}
      <div ref={sentinel} class="sentinel">{done ? '' : 'Loading…'}</div>
    </section>
  );
}
