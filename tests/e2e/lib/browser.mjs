// What the player tier's files share: where the player's build is, Chromium (Debian's,
// driven by playwright-core: these machines cannot download a browser build), and how
// much the timing targets are relaxed inside the test command.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// The targets are for the player alone on 2 cores; inside the test command five
// other lanes share those cores (the video's first frame there: p95 1.2–1.8 s against
// 0.6–0.85 s alone), so the tier holds the figures to three times the targets, and
// measures a figure over its limit once more before failing (withinTarget): a guard
// against the player getting slower, not the targets' measurement.
// PARATII_PLAYER_SLACK=1 holds them to the targets themselves: how docs/player.md's
// figures are measured, the test run by itself.
export const SLACK = Number(process.env.PARATII_PLAYER_SLACK ?? 3);
export const WEB_DIST = new URL('../../../web/dist/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium, media playing without a gesture; fails when the player was not built. */
export function launchChromium() {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`no player build in ${WEB_DIST}: run npm run build in web/`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}
