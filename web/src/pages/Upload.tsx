import { useState } from 'preact/hooks';
import { navigate } from '../router';
import { type JobAccepted, type UploadResponse, ServiceError, config, indexedUpTo, jobStatus } from '../services';
import { chain, useAccount } from '../wallet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the form with the file last, reporting the bytes sent; resolves with status and JSON. */
function send(url: string, form: FormData, onProgress: (sent: number, total: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response });
    xhr.onerror = () => reject(new Error('The connection to the gateway broke during the upload: try again.'));
    xhr.ontimeout = () => reject(new Error('The gateway did not answer in time: try again.'));
    xhr.send(form);
  });
}

async function sha256(file: File): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
}

/**
 * `/upload`: a file dropped or chosen, its title, place and time; the owner signs the
 * upload (its SHA-256) and, once the gateway has stored it (and transcoded a video), the
 * registration on chain; the item's page opens when that is final.
 */
export function Upload() {
  const account = useAccount();
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [place, setPlace] = useState('');
  const [when, setWhen] = useState('');
  const [stage, setStage] = useState('');
  const [bytes, setBytes] = useState<number | null>(null);
  const [transcode, setTranscode] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (!account) return setError('Choose an account first (top right): it owns the upload and signs it.');
    if (!file) return setError('Choose a file to upload.');
    if (!title.trim()) return setError('Give it a title.');
    if (place && !/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/.test(place)) {
      return setError('Write the place as latitude, longitude in degrees (e.g. 52.37, 4.90).');
    }
    setBusy(true);
    try {
      const c = await config();
      const ch = await chain();
      setStage('Hashing the file…');
      const hash = await sha256(file);
      setStage('Sign the upload in your wallet…');
      const expires = Date.now() + 30 * 60_000;
      const signature = await ch.signUpload(account, hash, expires);
      const form = new FormData();
      form.set('title', title.trim());
      form.set('owner', account.address);
      form.set('expires', String(expires));
      form.set('signature', signature);
      if (place) form.set('location', place.replace(/\s/g, ''));
      if (when) form.set('captured_at', String(new Date(when).getTime()));
      form.set('file', file);
      setStage('Uploading…');
      const answer = await send(`${c.upload}/uploads`, form, (sent, total) => setBytes(Math.round((sent / total) * 100)));
      let done: UploadResponse;
      if (answer.status === 201) {
        done = answer.body as UploadResponse;
      } else if (answer.status === 202) {
        const job = answer.body as JobAccepted;
        setTranscode(0);
        for (;;) {
          const s = await jobStatus(job.status_url);
          setTranscode(Math.round(s.percent));
          setStage(`Video: ${s.state}${s.eta_secs ? `, about ${Math.ceil(s.eta_secs)} s left` : ''}…`);
          if (s.state === 'done' && s.result) {
            done = s.result;
            break;
          }
          if (s.state === 'failed') throw new Error(s.error ?? 'The video could not be transcoded.');
          await sleep(1000);
        }
      } else {
        const message = (answer.body as { error?: string } | null)?.error;
        throw new ServiceError(answer.status, message ?? `The gateway refused the upload (${answer.status}).`);
      }
      setStage('Sign the registration in your wallet…');
      const { id, block } = await ch.registerUpload(account, done.call, (s) => setStage(`Registering on chain: ${s}…`));
      setStage(`Registered as media ${id} in block #${block}; waiting for the index…`);
      await indexedUpTo(block);
      navigate(`/media/${id}`);
    } catch (e) {
      setError((e as Error).message);
      setStage('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="upload" onSubmit={submit}>
      <h1>Upload</h1>
      <label
        class={`drop${over ? ' over' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer?.files[0];
          if (f) setFile(f);
        }}
      >
        {file ? `${file.name} (${(file.size / 1e6).toFixed(1)} MB)` : 'Drop a picture or a video here, or choose one'}
        <input type="file" accept="image/*,video/*" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </label>
      <label>
        Title
        <input value={title} maxLength={128} required onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Place (latitude, longitude)
        <input value={place} placeholder="52.37, 4.90" onInput={(e) => setPlace(e.currentTarget.value)} />
      </label>
      <label>
        Taken at
        <input type="datetime-local" value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>Upload and register</button>
      {bytes !== null && (
        <label>Sent <progress max={100} value={bytes} aria-label="Bytes sent" /> {bytes}%</label>
      )}
      {transcode !== null && (
        <label>Transcoding <progress max={100} value={transcode} aria-label="Transcoding" /> {transcode}%</label>
      )}
      {stage && <p role="status">{stage}</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
