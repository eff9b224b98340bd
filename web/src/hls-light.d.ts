// hls.js's light build (no subtitles, alternate audio, DRM or CMCD — the player needs
// none of them: each rendition carries its own audio) has the full build's API; its
// package entry `hls.js/light` ships no declarations of its own.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
