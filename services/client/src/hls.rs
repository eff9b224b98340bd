//! Videos as the chain commits to them: one **rendition manifest** per rung of the HLS
//! ladder, registered as a `Transcoded { label }` object of the media item.
//!
//! A media record holds at most 16 objects and a video has hundreds of segments, so the
//! record commits to the segments through their manifests: a manifest (JSON, format
//! [`FORMAT`]) lists its rendition's initialization section and segments, each by
//! SHA-256, size and the storage receipts of the clusters holding it. The chain records
//! the manifest's own SHA-256, so every byte a player fetches is committed: a segment
//! belongs to media item M when its hash is listed in a manifest whose hash M's record
//! holds. Gateways serve a segment only once its bytes hash to the listed value.
//!
//! Players never see a manifest: the gateway renders the HLS playlists from them
//! ([`Manifest::media_playlist`], [`master_playlist`]), with `m3u8-rs`.

use crate::{content, wire::Receipt, ClusterId};
use serde::{Deserialize, Serialize};

/// The manifest format this module reads and writes.
pub const FORMAT: &str = "paratii/hls-rendition/v1";

/// Most segments a manifest may list (over 100 hours of 4-second segments): a bound on
/// what a gateway parses.
pub const MAX_SEGMENTS: usize = 100_000;

/// Longest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// One stored piece of a rendition: an initialization section or a segment.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Part {
	/// `0x` + 64 hex digits.
	pub sha256: String,
	pub size: u64,
	/// The receipts of the clusters that stored it (who holds it).
	pub receipts: Vec<Receipt>,
}

impl Part {
	/// Its SHA-256, parsed.
	pub fn hash(&self) -> Option<[u8; 32]> {
		content::parse_hash(&self.sha256)
	}

	/// The clusters that hold it.
	pub fn clusters(&self) -> Vec<ClusterId> {
		self.receipts.iter().map(|r| r.cluster).collect()
	}
}

/// A segment: its duration and which initialization section it follows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Segment {
	/// Seconds.
	pub duration: f64,
	/// Index into [`Manifest::inits`]: a rendition resumed after its worker stopped may
	/// have a second initialization section.
	#[serde(default)]
	pub init: usize,
	#[serde(flatten)]
	pub part: Part,
}

/// One rendition of a video.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
	/// [`FORMAT`].
	pub format: String,
	/// `240p`, `480p`, `720p`, `1080p`: its height (a portrait video's width).
	pub label: String,
	pub width: u32,
	pub height: u32,
	/// Peak bits per second over its segments (HLS `BANDWIDTH`).
	pub bandwidth: u64,
	/// Bits per second over the whole rendition (HLS `AVERAGE-BANDWIDTH`).
	pub average_bandwidth: u64,
	/// RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`.
	pub codecs: String,
	pub frame_rate: f64,
	/// Fragmented-MP4 initialization sections (one, unless the rendition was resumed
	/// with a different one).
	pub inits: Vec<Part>,
	pub segments: Vec<Segment>,
}

/// Where a playlist points: a rendition's initialization section or segment `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
	Init(usize),
	Segment(usize),
}

impl Manifest {
	/// Parses and checks a manifest: its format, bounds and hashes.
	pub fn parse(bytes: &[u8]) -> anyhow::Result<Self> {
		let m: Manifest = serde_json::from_slice(bytes)?;
		anyhow::ensure!(m.format == FORMAT, "not a {FORMAT} manifest: {:?}", m.format);
		anyhow::ensure!(
			!m.segments.is_empty() && m.segments.len() <= MAX_SEGMENTS,
			"a manifest lists 1 to {MAX_SEGMENTS} segments, this one {}",
			m.segments.len()
		);
		anyhow::ensure!(!m.inits.is_empty(), "a manifest has an initialization section");
		for part in m.inits.iter().chain(m.segments.iter().map(|s| &s.part)) {
			anyhow::ensure!(part.hash().is_some(), "a part's sha256 is not 32 bytes of hex");
		}
		for (n, s) in m.segments.iter().enumerate() {
			anyhow::ensure!(
				s.init < m.inits.len(),
				"segment {n} follows initialization section {}, of {}",
				s.init,
				m.inits.len()
			);
			anyhow::ensure!(
				s.duration.is_finite() && s.duration > 0.0,
				"segment {n} has duration {}",
				s.duration
			);
		}
		Ok(m)
	}

	/// The rendition's length, seconds.
	pub fn duration(&self) -> f64 {
		self.segments.iter().map(|s| s.duration).sum()
	}

	/// When segment `n` starts, seconds from the video's start.
	pub fn start_of(&self, n: usize) -> f64 {
		self.segments.iter().take(n).map(|s| s.duration).sum()
	}

	/// The part `piece` names, if the manifest has it.
	pub fn part(&self, piece: Piece) -> Option<&Part> {
		match piece {
			Piece::Init(n) => self.inits.get(n),
			Piece::Segment(n) => self.segments.get(n).map(|s| &s.part),
		}
	}

	/// The rendition's HLS media playlist (VOD), with `uri` naming each piece.
	pub fn media_playlist(&self, uri: impl Fn(Piece) -> String) -> String {
		use m3u8_rs::{Map, MediaPlaylist, MediaPlaylistType, MediaSegment};
		let mut segments = Vec::with_capacity(self.segments.len());
		let mut current_init = None;
		for (n, s) in self.segments.iter().enumerate() {
			let mut segment = MediaSegment {
				uri: uri(Piece::Segment(n)),
				duration: s.duration as f32,
				..Default::default()
			};
			if current_init != Some(s.init) {
				segment.map = Some(Map { uri: uri(Piece::Init(s.init)), ..Default::default() });
				// A new initialization section after the first: the encoder restarted.
				segment.discontinuity = current_init.is_some();
				current_init = Some(s.init);
			}
			segments.push(segment);
		}
		let longest = self.segments.iter().map(|s| s.duration).fold(0.0, f64::max);
		let playlist = MediaPlaylist {
			// EXT-X-MAP in a playlist without I-frames only needs version 6; 7 is what
			// ffmpeg and Apple's tools write for fragmented MP4.
			version: Some(7),
			target_duration: longest.ceil() as u64,
			media_sequence: 0,
			segments,
			end_list: true,
			playlist_type: Some(MediaPlaylistType::Vod),
			independent_segments: true,
			..Default::default()
		};
		write(|w| playlist.write_to(w))
	}
}

/// The master playlist over `renditions` (each with the URI of its media playlist),
/// lowest bandwidth first.
pub fn master_playlist(renditions: &[(String, &Manifest)]) -> String {
	use m3u8_rs::{MasterPlaylist, Resolution, VariantStream};
	let mut variants: Vec<VariantStream> = renditions
		.iter()
		.map(|(uri, m)| VariantStream {
			uri: uri.clone(),
			bandwidth: m.bandwidth,
			average_bandwidth: Some(m.average_bandwidth),
			codecs: Some(m.codecs.clone()),
			resolution: Some(Resolution { width: m.width.into(), height: m.height.into() }),
			frame_rate: Some(m.frame_rate),
			..Default::default()
		})
		.collect();
	variants.sort_by_key(|v| v.bandwidth);
	let playlist = MasterPlaylist {
		version: Some(7),
		variants,
		independent_segments: true,
		..Default::default()
	};
	write(|w| playlist.write_to(w))
}

fn write(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
	let mut out = Vec::new();
	// Writing to a Vec cannot fail; the playlists are ASCII but for URIs we make.
	let _ = f(&mut out);
	String::from_utf8_lossy(&out).into_owned()
}

/// A segment as an encoder's media playlist lists it: its file and duration.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
	pub uri: String,
	pub duration: f64,
}

/// The segments of a media playlist (an encoder's, as written so far), in order; the
/// initialization section's URI if the playlist names one.
pub fn listed_segments(playlist: &[u8]) -> anyhow::Result<(Option<String>, Vec<Listed>)> {
	let parsed = m3u8_rs::parse_media_playlist_res(playlist)
		.map_err(|e| anyhow::anyhow!("not an HLS media playlist: {e:?}"))?;
	let init = parsed.segments.iter().find_map(|s| s.map.as_ref().map(|m| m.uri.clone()));
	let segments = parsed
		.segments
		.into_iter()
		.map(|s| Listed { uri: s.uri, duration: f64::from(s.duration) })
		.collect();
	Ok((init, segments))
}

/// What an encoder's master playlist says of one rendition.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
	/// Its media playlist, relative to the master.
	pub uri: String,
	pub codecs: Option<String>,
	pub width: u32,
	pub height: u32,
}

/// The renditions of a master playlist.
pub fn variants(playlist: &[u8]) -> anyhow::Result<Vec<Variant>> {
	let parsed = m3u8_rs::parse_master_playlist_res(playlist)
		.map_err(|e| anyhow::anyhow!("not an HLS master playlist: {e:?}"))?;
	Ok(parsed
		.variants
		.into_iter()
		.map(|v| Variant {
			uri: v.uri,
			codecs: v.codecs,
			width: v.resolution.map(|r| r.width as u32).unwrap_or(0),
			height: v.resolution.map(|r| r.height as u32).unwrap_or(0),
		})
		.collect())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn part(byte: u8, size: u64) -> Part {
		Part {
			sha256: content::hex_hash(&[byte; 32]),
			size,
			receipts: vec![Receipt { cluster: 1, issued_at: 5, signature: "0x00".into() }],
		}
	}

	fn manifest(inits: usize, durations: &[(f64, usize)]) -> Manifest {
		Manifest {
			format: FORMAT.into(),
			label: "480p".into(),
			width: 854,
			height: 480,
			bandwidth: 1_400_000,
			average_bandwidth: 1_200_000,
			codecs: "avc1.64001e,mp4a.40.2".into(),
			frame_rate: 30.0,
			inits: (0..inits).map(|i| part(200 + i as u8, 800)).collect(),
			segments: durations
				.iter()
				.enumerate()
				.map(|(n, &(duration, init))| Segment { duration, init, part: part(n as u8, 1000) })
				.collect(),
		}
	}

	#[test]
	fn a_manifest_round_trips_and_its_playlist_is_what_hls_players_read() {
		let m = manifest(1, &[(4.0, 0), (4.0, 0), (2.5, 0)]);
		let json = serde_json::to_vec(&m).unwrap();
		assert_eq!(Manifest::parse(&json).unwrap(), m);
		assert_eq!(m.duration(), 10.5);
		assert_eq!(m.start_of(2), 8.0);

		let playlist = m.media_playlist(|p| match p {
			Piece::Init(n) => format!("init-{n}.mp4"),
			Piece::Segment(n) => format!("{n}.m4s"),
		});
		assert!(playlist.starts_with("#EXTM3U"), "{playlist}");
		assert!(playlist.contains("#EXT-X-TARGETDURATION:4"), "{playlist}");
		assert!(playlist.contains("#EXT-X-PLAYLIST-TYPE:VOD"), "{playlist}");
		assert!(playlist.contains("#EXT-X-MAP:URI=\"init-0.mp4\""), "{playlist}");
		assert!(playlist.contains("#EXT-X-ENDLIST"), "{playlist}");
		assert!(!playlist.contains("DISCONTINUITY"), "{playlist}");
		// Read back by the same parser the transcoder reads ffmpeg's playlists with.
		let (init, listed) = listed_segments(playlist.as_bytes()).unwrap();
		assert_eq!(init.as_deref(), Some("init-0.mp4"));
		assert_eq!(
			listed.iter().map(|l| (l.uri.as_str(), l.duration)).collect::<Vec<_>>(),
			[("0.m4s", 4.0), ("1.m4s", 4.0), ("2.m4s", 2.5)]
		);
	}

	#[test]
	fn a_resumed_rendition_switches_initialization_section_at_a_discontinuity() {
		let m = manifest(2, &[(4.0, 0), (4.0, 1), (4.0, 1)]);
		let playlist = m.media_playlist(|p| format!("{p:?}"));
		let lines: Vec<&str> = playlist.lines().collect();
		let at = |text: &str| lines.iter().position(|l| l.contains(text)).expect(text);
		// The switch (a new map and a discontinuity) comes between segments 0 and 1.
		let (first, second) = (at("Segment(0)"), at("Segment(1)"));
		for tag in ["#EXT-X-DISCONTINUITY", "Init(1)"] {
			assert!((first..second).contains(&at(tag)), "{tag} between the segments: {playlist}");
		}
		assert_eq!(playlist.matches("#EXT-X-MAP").count(), 2);
	}

	#[test]
	fn bad_manifests_are_refused_with_the_reason() {
		let good = manifest(1, &[(4.0, 0)]);
		let refused = |m: &Manifest| {
			Manifest::parse(&serde_json::to_vec(m).unwrap()).unwrap_err().to_string()
		};
		let mut m = good.clone();
		m.format = "something/else".into();
		assert!(refused(&m).contains("not a paratii/hls-rendition/v1"));
		let mut m = good.clone();
		m.segments.clear();
		assert!(refused(&m).contains("1 to"));
		let mut m = good.clone();
		m.segments[0].init = 1;
		assert!(refused(&m).contains("initialization section 1"));
		let mut m = good.clone();
		m.segments[0].part.sha256 = "0x12".into();
		assert!(refused(&m).contains("not 32 bytes"));
		let mut m = good;
		m.segments[0].duration = 0.0;
		assert!(refused(&m).contains("duration"));
		assert!(Manifest::parse(b"not json").is_err());
	}

	#[test]
	fn the_master_playlist_lists_renditions_lowest_first_with_codecs_and_resolution() {
		let low = manifest(1, &[(4.0, 0)]);
		let mut high = low.clone();
		(high.label, high.width, high.height, high.bandwidth) =
			("720p".into(), 1280, 720, 3_000_000);
		let master = master_playlist(&[("720p.m3u8".into(), &high), ("480p.m3u8".into(), &low)]);
		let parsed = variants(master.as_bytes()).unwrap();
		assert_eq!(
			parsed.iter().map(|v| v.uri.as_str()).collect::<Vec<_>>(),
			["480p.m3u8", "720p.m3u8"]
		);
		assert_eq!((parsed[1].width, parsed[1].height), (1280, 720));
		assert_eq!(parsed[0].codecs.as_deref(), Some("avc1.64001e,mp4a.40.2"));
		assert!(master.contains("BANDWIDTH=3000000"), "{master}");
	}
}
