import { Link } from '../router';
import { type IndexedMedia, formatPti, plural } from '../services';

/** A media item in a grid: thumbnail, title (highlighted in search), owner, price. */
export function Card({ media, download, highlighted, selected }: {
  media: IndexedMedia;
  download: string;
  highlighted?: string;
  selected?: boolean;
}) {
  return (
    <li class={`card${selected ? ' selected' : ''}`} aria-selected={selected}>
      <Link href={`/media/${media.id}`}>
        <div class="thumb">
          {media.thumbnail ? (
            <img src={download + media.thumbnail} alt="" loading="lazy" width={320} height={180} />
          ) : (
            <span class="kind">{media.kind}</span>
          )}
          <span class={`badge ${media.price ? 'paid' : 'free'}`}>{media.price ? formatPti(media.price) : 'Free'}</span>
          {media.kind === 'video' && <span class="badge video">▶ video</span>}
        </div>
        {/* The indexer escapes the title and adds only <mark> around matches. */}
        {highlighted !== undefined ? (
          <h3 class="title" dangerouslySetInnerHTML={{ __html: highlighted }} />
        ) : (
          <h3 class="title">{media.title}</h3>
        )}
        <p class="muted">
          {media.owner_name ?? media.owner.slice(0, 8) + '…'} · {plural(media.views, 'view')} · {plural(media.likes, 'like')}
        </p>
      </Link>
    </li>
  );
}
