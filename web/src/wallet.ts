// Who is using the player: the chosen account (kept in localStorage) and its viewer
// session (one signature opens it for hours; kept in sessionStorage). The chain client
// itself (./chain) is loaded only when first needed.
import { useEffect, useState } from 'preact/hooks';

export interface Account {
  address: string;
  name: string;
  /** `dev` for a development account, else the wallet's name. */
  source: string;
}

export const chain = () => import('./chain');

const KEY = 'paratii.account';
let current: Account | null = (() => {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
})();
const listeners = new Set<(a: Account | null) => void>();

export function account(): Account | null {
  return current;
}

export function choose(a: Account | null) {
  current = a;
  if (a) localStorage.setItem(KEY, JSON.stringify(a));
  else localStorage.removeItem(KEY);
  listeners.forEach((l) => l(a));
}

export function useAccount(): Account | null {
  const [a, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return a;
}

const SESSION_HOURS = 8;

/**
 * The account's viewer session, signed once (a wallet prompts once) and reused until an
 * hour before it ends.
 */
export async function session(a: Account): Promise<string> {
  const key = `paratii.session.${a.address}`;
  const kept = sessionStorage.getItem(key);
  if (kept) {
    const expires = Number(kept.split('.')[1]);
    if (expires - Date.now() > 3600_000) return kept;
  }
  const { signSession } = await chain();
  const token = await signSession(a, Date.now() + SESSION_HOURS * 3600_000);
  sessionStorage.setItem(key, token);
  return token;
}
