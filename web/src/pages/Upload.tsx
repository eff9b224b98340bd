import { useState } from 'preact/hooks';
import { navigate } from '../router';
import { type JobAccepted, type UploadResponse, ServiceError, config, indexedUpTo, jobStatus, parsePlace } from '../services';
import { chain, useAccount } from '../wallet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The size of each PATCH: a dropped connection costs at most this much again. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Sends `file` with the tus protocol (resumable: a dropped connection, or a reload of the
 * page, resumes from the last byte the gateway has), then reads the upload's outcome.
 */
async function sendResumable(
  uploadUrl: string,
  file: File,
  metadata: Record<string, string>,
  onProgress: (sent: number, total: number) => void,
): Promise<{ status: number; body: unknown }> {
  const { Upload } = await import('tus-js-client');
  const url = await new Promise<string>((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: `${uploadUrl}/tus`,
      metadata,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      onProgress,
      onSuccess: () => resolve(upload.url!),
      onError: (e) => {
        const body = (e as { originalResponse?: { getBody(): string } | null }).originalResponse?.getBody();
        try {
          reject(new Error(JSON.parse(body ?? '').error));
        } catch {
          reject(new Error(`The upload failed: ${e.message}`));
        }
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
  const r = await fetch(`${url}/result`);
  return { status: r.status, body: await r.json() };
}

/**
 * The file's SHA-256, read 4 MiB at a time: a file of gigabytes is never in memory whole
 * (WebCrypto's digest takes one buffer, so the hashing is @noble/hashes', incremental).
 */
async function sha256(file: File, onProgress: (fraction: number) => void): Promise<Uint8Array> {
  const { sha256: hasher } = await import('@noble/hashes/sha2');
  const hash = hasher.create();
  const chunk = 4 << 20;
  for (let at = 0; at < file.size; at += chunk) {
    hash.update(new Uint8Array(await file.slice(at, at + chunk).arrayBuffer()));
    onProgress(Math.min(at + chunk, file.size) / file.size);
  }
  return hash.digest();
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
    const where = place ? parsePlace(place) : null;
    if (place && !where) {
      return setError('Write the place as latitude, longitude in degrees (e.g. 52.37, 4.90; latitude −90 to 90, longitude −180 to 180).');
    }
    setBusy(true);
    try {
      const c = await config();
      const ch = await chain();
      setStage('Hashing the file…');
      const hash = await sha256(file, (f) => setStage(`Hashing the file… ${Math.floor(f * 100)} %`));
      setStage('Sign the upload in your wallet…');
      const expires = Date.now() + 30 * 60_000;
      const signature = await ch.signUpload(account, hash, expires);
      const metadata: Record<string, string> = {
        title: title.trim(),
        owner: account.address,
        expires: String(expires),
        signature,
        sha256: [...hash].map((b) => b.toString(16).padStart(2, '0')).join(''),
        filename: file.name,
      };
      if (where) metadata.location = place.replace(/\s/g, '');
      if (when) metadata.captured_at = String(new Date(when).getTime());
      setStage('Uploading…');
      const answer = await sendResumable(c.upload, file, metadata, (sent, total) => setBytes(Math.round((sent / total) * 100)));
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
