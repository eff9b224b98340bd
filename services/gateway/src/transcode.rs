//! Videos into an HLS ladder with Debian's `ffmpeg`, driven from Rust.
//!
//! - [`probe`]: `ffprobe` first — a file ffmpeg cannot read, without a video stream, in
//!   a codec outside [`VIDEO_CODECS`]/[`AUDIO_CODECS`], of zero length or longer than
//!   the configured limit is refused with the reason, before anything is stored.
//! - [`ladder`]: the rungs up to the source's resolution among 240p, 480p, 720p and
//!   1080p (the short side: a portrait video's width).
//! - [`transcode`]: **one decode of the source** feeding every rung (`split` then
//!   `scale` in one filter graph), H.264 (x264 `veryfast`) + AAC in fragmented-MP4 HLS
//!   segments of about four seconds, with keyframes forced at the same instants in
//!   every rung (every four seconds, no scene-cut keyframes), so players switch rungs
//!   at any segment boundary. Progress (position, fps, speed) comes from ffmpeg's
//!   `-progress` output.
//! - **Resuming**: ffmpeg lists a segment in its playlist once the segment is complete.
//!   A worker that finds a previous run's output keeps the segments every rung has
//!   completed, deletes the rest, and starts ffmpeg again at the first missing
//!   segment's time (`-ss`, `-start_number`, `-output_ts_offset`): finished segments
//!   are not made again; their fragments carry the absolute decode times
//!   (`frag_discont`). Each run's initialization section is kept under its own name, and
//!   [`assemble`] keeps the first run's for every segment when the others declare the
//!   same codec configuration (ffprobe's codec parameters and extradata hash), which
//!   they do with the same settings: a rendition stays one timeline under one section.
//!   Otherwise each segment keeps its own run's, and the playlist switches at a
//!   discontinuity.
//! - [`poster`]: a frame one second in (or mid-video if shorter) for the thumbnails.
//!
//! ffmpeg runs as a child that dies with its worker (`PR_SET_PDEATHSIG`), so a killed
//! worker leaves no encoder writing into the directory the next one resumes in.

use serde::{Deserialize, Serialize};
use std::{
	path::{Path, PathBuf},
	process::Stdio,
	time::Duration,
};
use tokio::io::AsyncBufReadExt;

/// Seconds per segment (and between forced keyframes).
pub const SEGMENT_SECS: u32 = 4;
/// Video codecs accepted as sources (ffprobe's names).
pub const VIDEO_CODECS: &[&str] =
	&["h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "prores", "mjpeg"];
/// Audio codecs accepted as sources.
pub const AUDIO_CODECS: &[&str] =
	&["aac", "mp3", "opus", "vorbis", "ac3", "eac3", "flac", "alac", "mp2"];
/// The rungs: short side in pixels, video bits per second at 30 frames per second.
const RUNGS: [(u32, u32); 4] =
	[(240, 400_000), (480, 1_200_000), (720, 2_800_000), (1080, 5_000_000)];
/// Audio bits per second in every rung.
const AUDIO_BITRATE: u32 = 128_000;
/// Largest source frame accepted, either side.
const MAX_SIDE: u32 = 8192;
/// How long ffprobe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// What `ffprobe` says of a source.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Probe {
	/// Seconds.
	pub duration: f64,
	pub width: u32,
	pub height: u32,
	pub frame_rate: f64,
	pub video_codec: String,
	/// `None`: no audio stream.
	pub audio_codec: Option<String>,
}

/// A source refused, and why (said to the uploader).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

#[derive(Deserialize)]
struct ProbeOutput {
	#[serde(default)]
	streams: Vec<ProbeStream>,
	format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
	codec_type: Option<String>,
	codec_name: Option<String>,
	width: Option<u32>,
	height: Option<u32>,
	avg_frame_rate: Option<String>,
	r_frame_rate: Option<String>,
	disposition: Option<ProbeDisposition>,
}

#[derive(Deserialize)]
struct ProbeDisposition {
	#[serde(default)]
	attached_pic: u8,
}

#[derive(Deserialize)]
struct ProbeFormat {
	duration: Option<String>,
}

/// `"30000/1001"` → 29.97.
fn rate(s: Option<&str>) -> Option<f64> {
	let s = s?;
	let (n, d) = s.split_once('/').unwrap_or((s, "1"));
	let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
	(d > 0.0 && n > 0.0).then(|| n / d)
}

/// Reads ffprobe's JSON for a source and checks it against the limits.
fn judge(json: &[u8], max_secs: f64) -> Result<Probe, Refused> {
	let out: ProbeOutput = serde_json::from_slice(json)
		.map_err(|e| Refused(format!("ffprobe's answer could not be read: {e}")))?;
	let video = out
		.streams
		.iter()
		.find(|s| {
			s.codec_type.as_deref() == Some("video")
				&& s.disposition.as_ref().is_none_or(|d| d.attached_pic == 0)
		})
		.ok_or_else(|| Refused("the file has no video stream".into()))?;
	let video_codec = video.codec_name.clone().unwrap_or_default();
	if !VIDEO_CODECS.contains(&video_codec.as_str()) {
		return Err(Refused(format!(
			"video codec {video_codec:?} is not supported; supported: {}",
			VIDEO_CODECS.join(", ")
		)));
	}
	let audio_codec = match out.streams.iter().find(|s| s.codec_type.as_deref() == Some("audio")) {
		Some(a) => {
			let codec = a.codec_name.clone().unwrap_or_default();
			if !AUDIO_CODECS.contains(&codec.as_str()) && !codec.starts_with("pcm_") {
				return Err(Refused(format!(
					"audio codec {codec:?} is not supported; supported: {}, pcm",
					AUDIO_CODECS.join(", ")
				)));
			}
			Some(codec)
		},
		None => None,
	};
	let (width, height) = (video.width.unwrap_or(0), video.height.unwrap_or(0));
	if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
		return Err(Refused(format!(
			"the video is {width}×{height} pixels; sides of 1 to {MAX_SIDE} are accepted"
		)));
	}
	let duration = out
		.format
		.and_then(|f| f.duration)
		.and_then(|d| d.parse::<f64>().ok())
		.filter(|d| d.is_finite())
		.unwrap_or(0.0);
	if duration <= 0.0 {
		return Err(Refused("the video has no length (zero seconds)".into()));
	}
	if duration > max_secs {
		return Err(Refused(format!(
			"the video is {duration:.1} s long; videos of at most {max_secs:.0} s are accepted"
		)));
	}
	let frame_rate = rate(video.avg_frame_rate.as_deref())
		.or_else(|| rate(video.r_frame_rate.as_deref()))
		.filter(|r| *r <= 240.0)
		.unwrap_or(30.0);
	Ok(Probe { duration, width, height, frame_rate, video_codec, audio_codec })
}

/// Probes `source` with ffprobe and checks it (at most `max_secs` long).
pub async fn probe(source: &Path, max_secs: f64) -> anyhow::Result<Result<Probe, Refused>> {
	let mut command = tokio::process::Command::new("ffprobe");
	command
		.args(["-v", "error", "-print_format", "json", "-show_format", "-show_streams"])
		.arg(source)
		.stdin(Stdio::null())
		.kill_on_drop(true);
	let output = match tokio::time::timeout(PROBE_TIMEOUT, command.output()).await {
		Ok(output) => {
			output.map_err(|e| anyhow::anyhow!("running ffprobe (Debian package ffmpeg): {e}"))?
		},
		Err(_) => return Ok(Err(Refused("the file could not be probed in 30 s".into()))),
	};
	if !output.status.success() {
		let why = String::from_utf8_lossy(&output.stderr);
		let why = why.lines().last().unwrap_or("unknown error").trim();
		return Ok(Err(Refused(format!("not a video ffmpeg can read: {why}"))));
	}
	Ok(judge(&output.stdout, max_secs))
}

/// One rung of the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rung {
	/// `480p`.
	pub label: String,
	pub width: u32,
	pub height: u32,
	pub video_bitrate: u32,
}

fn even(x: f64) -> u32 {
	((x / 2.0).round() as u32).max(1) * 2
}

/// The rungs for `probe`: every standard one up to the source's short side (the source
/// size itself if it is smaller than all), in the source's aspect.
pub fn ladder(probe: &Probe) -> Vec<Rung> {
	let (w, h) = (probe.width as f64, probe.height as f64);
	let short = probe.width.min(probe.height);
	let portrait = probe.height > probe.width;
	let fps_factor = if probe.frame_rate > 31.0 { 1.5 } else { 1.0 };
	let mut sides: Vec<(u32, u32)> = RUNGS.iter().copied().filter(|(s, _)| *s <= short).collect();
	if sides.is_empty() {
		sides.push((short - short % 2, RUNGS[0].1));
	}
	sides
		.into_iter()
		.map(|(side, bitrate)| {
			let (width, height) = if portrait {
				(side, even(side as f64 * h / w))
			} else {
				(even(side as f64 * w / h), side)
			};
			Rung {
				label: format!("{side}p"),
				width,
				height,
				video_bitrate: (bitrate as f64 * fps_factor) as u32,
			}
		})
		.collect()
}

/// Where a run of ffmpeg starts: its first segment and that segment's time.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Start {
	pub segment: usize,
	pub secs: f64,
}

/// ffmpeg's arguments for one run: `source` into `out/{label}/` for every rung.
pub fn ffmpeg_args(
	source: &Path,
	out: &Path,
	probe: &Probe,
	rungs: &[Rung],
	start: Start,
) -> Vec<String> {
	let mut a: Vec<String> =
		["-hide_banner", "-nostdin", "-y", "-loglevel", "error"].map(String::from).to_vec();
	if start.secs > 0.0 {
		a.extend(["-ss".into(), format!("{:.6}", start.secs)]);
	}
	a.extend(["-i".into(), source.display().to_string()]);
	// One decode: the source's video split into every rung's scaler.
	let n = rungs.len();
	let mut graph = format!("[0:v:0]split={n}");
	for i in 0..n {
		graph.push_str(&format!("[s{i}]"));
	}
	for (i, r) in rungs.iter().enumerate() {
		graph.push_str(&format!(";[s{i}]scale={}:{},setsar=1[v{i}]", r.width, r.height));
	}
	a.extend(["-filter_complex".into(), graph]);
	let audio = probe.audio_codec.is_some();
	for i in 0..n {
		a.extend(["-map".into(), format!("[v{i}]")]);
		if audio {
			a.extend(["-map".into(), "0:a:0".into()]);
		}
	}
	let gop = ((probe.frame_rate * SEGMENT_SECS as f64).round() as u32).max(1);
	a.extend(
		[
			"-c:v",
			"libx264",
			"-preset",
			"veryfast",
			"-profile:v",
			"high",
			"-pix_fmt",
			"yuv420p",
			"-sc_threshold",
			"0",
		]
		.map(String::from),
	);
	a.extend(["-g".into(), gop.to_string(), "-keyint_min".into(), gop.to_string()]);
	a.extend(["-force_key_frames".into(), format!("expr:gte(t,n_forced*{SEGMENT_SECS})")]);
	for (i, r) in rungs.iter().enumerate() {
		a.extend([
			format!("-b:v:{i}"),
			r.video_bitrate.to_string(),
			format!("-maxrate:v:{i}"),
			(r.video_bitrate as u64 * 3 / 2).to_string(),
			format!("-bufsize:v:{i}"),
			(r.video_bitrate as u64 * 2).to_string(),
		]);
	}
	if audio {
		a.extend(["-c:a".into(), "aac".into(), "-b:a".into(), AUDIO_BITRATE.to_string()]);
		a.extend(["-ac".into(), "2".into(), "-ar".into(), "48000".into()]);
	}
	if start.secs > 0.0 {
		// The segments go on from the time the run starts at, in their own fragments'
		// decode times (tfdt) rather than an edit list in the run's initialization
		// section: they then play on from the earlier run's segments under its section.
		a.extend(["-output_ts_offset".into(), format!("{:.6}", start.secs)]);
		a.extend(["-hls_segment_options".into(), "movflags=+frag_discont".into()]);
	}
	let map = rungs
		.iter()
		.enumerate()
		.map(|(i, r)| {
			if audio {
				format!("v:{i},a:{i},name:{}", r.label)
			} else {
				format!("v:{i},name:{}", r.label)
			}
		})
		.collect::<Vec<_>>()
		.join(" ");
	a.extend([
		"-f".into(),
		"hls".into(),
		"-hls_time".into(),
		SEGMENT_SECS.to_string(),
		// EVENT: ffmpeg rewrites the playlist after each segment (a VOD playlist only at
		// the end), which is how a resumed job knows the finished ones.
		"-hls_playlist_type".into(),
		"event".into(),
		"-hls_segment_type".into(),
		"fmp4".into(),
		"-hls_flags".into(),
		"independent_segments".into(),
		"-hls_list_size".into(),
		"0".into(),
		"-start_number".into(),
		start.segment.to_string(),
		"-hls_fmp4_init_filename".into(),
		"init_%v.mp4".into(),
		"-hls_segment_filename".into(),
		out.join("%v").join("seg-%05d.m4s").display().to_string(),
		"-master_pl_name".into(),
		"master.m3u8".into(),
		"-var_stream_map".into(),
		map,
		"-progress".into(),
		"pipe:1".into(),
		"-nostats".into(),
		out.join("%v").join("index.m3u8").display().to_string(),
	]);
	a
}

/// Where a run is, from ffmpeg's `-progress` lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
	/// Seconds of the video encoded, from its start (earlier runs included).
	pub position: f64,
	pub fps: f64,
	/// Encoding speed, × realtime.
	pub speed: f64,
}

/// The rung directories' bookkeeping across runs (`out/runs.json`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Runs {
	runs: Vec<Start>,
	/// Per rung label: the segments kept from finished or interrupted runs.
	kept: std::collections::BTreeMap<String, Vec<KeptSegment>>,
}

/// A segment file a run completed: its file, duration and the run (whose
/// initialization section it follows).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KeptSegment {
	pub file: String,
	pub duration: f64,
	pub run: usize,
}

fn runs_path(out: &Path) -> PathBuf {
	out.join("runs.json")
}

fn read_runs(out: &Path) -> Runs {
	crate::jobs::read_json(&runs_path(out)).unwrap_or_default()
}

fn write_runs(out: &Path, runs: &Runs) -> anyhow::Result<()> {
	crate::jobs::write_json(&runs_path(out), runs)
}

/// The segments of the last run each rung completed (per its playlist).
fn completed(out: &Path, rungs: &[Rung]) -> Vec<Vec<paratii_client::hls::Listed>> {
	rungs
		.iter()
		.map(|r| {
			std::fs::read(out.join(&r.label).join("index.m3u8"))
				.ok()
				.and_then(|b| paratii_client::hls::listed_segments(&b).ok())
				.map(|(_, segments)| segments)
				.unwrap_or_default()
		})
		.collect()
}

/// Whether `name` is a run's initialization section as [`close_last_run`] names it.
fn is_kept_init(name: &str) -> bool {
	name.strip_prefix("init-")
		.and_then(|r| r.strip_suffix(".mp4"))
		.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Closes the last run: keeps the segments every rung completed, deletes the others,
/// and names the run's initialization sections after it. Returns where the next run
/// starts.
fn close_last_run(out: &Path, rungs: &[Rung], runs: &mut Runs) -> anyhow::Result<Start> {
	let Some(last) = runs.runs.len().checked_sub(1) else { return Ok(Start::default()) };
	let start = runs.runs[last];
	let listed = completed(out, rungs);
	let common = listed.iter().map(Vec::len).min().unwrap_or(0);
	for (rung, segments) in rungs.iter().zip(&listed) {
		let dir = out.join(&rung.label);
		let kept = runs.kept.entry(rung.label.clone()).or_default();
		kept.extend(segments.iter().take(common).map(|s| KeptSegment {
			file: s.uri.clone(),
			duration: s.duration,
			run: last,
		}));
		let keep: std::collections::HashSet<&str> = kept.iter().map(|k| k.file.as_str()).collect();
		for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
			let name = entry.file_name().to_string_lossy().into_owned();
			if name.starts_with("seg-") && !keep.contains(name.as_str()) {
				std::fs::remove_file(entry.path())?;
			}
		}
		// ffmpeg names the section after the rung (`init_240p.mp4`; a one-rung ladder
		// `init_%v.mp4`): whatever it wrote, it becomes this run's.
		for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
			let name = entry.file_name().to_string_lossy().into_owned();
			if name.starts_with("init") && name.ends_with(".mp4") && !is_kept_init(&name) {
				std::fs::rename(entry.path(), dir.join(format!("init-{last}.mp4")))?;
			}
		}
		let _ = std::fs::remove_file(dir.join("index.m3u8"));
	}
	let secs: f64 =
		listed.first().map(|s| s.iter().take(common).map(|l| l.duration).sum()).unwrap_or(0.0);
	Ok(Start { segment: start.segment + common, secs: start.secs + secs })
}

/// Whether an earlier run finished the whole video.
pub fn finished(out: &Path) -> bool {
	out.join("done").exists()
}

/// Transcodes `source` into `out` for `rungs`, resuming what an earlier run left;
/// `progress` is called as ffmpeg reports. Returns where the run started (the video's
/// start unless it resumed).
pub async fn transcode(
	source: &Path,
	out: &Path,
	probe: &Probe,
	rungs: &[Rung],
	mut progress: impl FnMut(Progress),
) -> anyhow::Result<Start> {
	if finished(out) {
		return Ok(Start { segment: 0, secs: probe.duration });
	}
	std::fs::create_dir_all(out)?;
	for rung in rungs {
		std::fs::create_dir_all(out.join(&rung.label))?;
	}
	let mut runs = read_runs(out);
	let start = close_last_run(out, rungs, &mut runs)?;
	if start.segment > 0 {
		tracing::info!(
			"resuming {} at segment {} ({:.1} s): the segments before are kept",
			source.display(),
			start.segment,
			start.secs
		);
	}
	// An interrupted run that completed no segment is replaced, not added to.
	if runs.runs.last().is_some_and(|last| last.segment == start.segment) {
		runs.runs.pop();
	}
	runs.runs.push(start);
	write_runs(out, &runs)?;

	let args = ffmpeg_args(source, out, probe, rungs, start);
	let mut command = tokio::process::Command::new("ffmpeg");
	command
		.args(&args)
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.kill_on_drop(true);
	// SAFETY: the closure runs in the child between fork and exec, where only
	// async-signal-safe calls are allowed: prctl is one, and it touches nothing else.
	#[allow(unsafe_code)]
	unsafe {
		command.pre_exec(|| {
			// The encoder dies with its worker: no orphan writes into a resumed job.
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
			Ok(())
		});
	}
	let mut child = command
		.spawn()
		.map_err(|e| anyhow::anyhow!("running ffmpeg (Debian package ffmpeg): {e}"))?;
	let stderr = child.stderr.take();
	let errors = tokio::spawn(async move {
		let mut text = String::new();
		if let Some(stderr) = stderr {
			let mut lines = tokio::io::BufReader::new(stderr).lines();
			while let Ok(Some(line)) = lines.next_line().await {
				if text.len() < 4096 {
					text.push_str(&line);
					text.push('\n');
				}
			}
		}
		text
	});
	if let Some(stdout) = child.stdout.take() {
		let mut lines = tokio::io::BufReader::new(stdout).lines();
		let mut now = Progress { position: start.secs, ..Default::default() };
		while let Ok(Some(line)) = lines.next_line().await {
			let Some((key, value)) = line.split_once('=') else { continue };
			match key {
				"out_time_us" => {
					if let Ok(us) = value.trim().parse::<f64>() {
						now.position = start.secs + us.max(0.0) / 1e6;
					}
				},
				"fps" => now.fps = value.trim().parse().unwrap_or(now.fps),
				"speed" => {
					now.speed = value.trim().trim_end_matches('x').parse().unwrap_or(now.speed)
				},
				"progress" => progress(now),
				_ => {},
			}
		}
	}
	let status = child.wait().await?;
	let errors = errors.await.unwrap_or_default();
	if !status.success() {
		anyhow::bail!(
			"ffmpeg failed ({status}): {}",
			errors.lines().rev().take(3).collect::<Vec<_>>().join(" / ")
		);
	}
	close_last_run(out, rungs, &mut runs)?;
	write_runs(out, &runs)?;
	std::fs::write(out.join("done"), b"")?;
	Ok(start)
}

/// A rung's finished output: its initialization sections (one per run that made
/// segments, identical ones merged) and segments with the section each follows.
#[derive(Debug)]
pub struct Assembled {
	pub rung: Rung,
	pub codecs: String,
	pub inits: Vec<PathBuf>,
	/// File, duration, index into `inits`.
	pub segments: Vec<(PathBuf, f64, usize)>,
}

/// What a decoder is configured with by an initialization section: per stream, its
/// codec, size or sampling, and the SHA-256 of its extradata (avcC, esds).
async fn codec_configuration(init: &Path) -> anyhow::Result<String> {
	let mut ffprobe = tokio::process::Command::new("ffprobe");
	ffprobe
		.args(["-v", "error", "-show_data_hash", "SHA256", "-show_entries"])
		.arg("stream=index,codec_name,width,height,sample_rate,channels,extradata_hash")
		.args(["-of", "compact"])
		.arg(init);
	Ok(String::from_utf8_lossy(&stdout_of(ffprobe).await?).into_owned())
}

/// Runs `command` (no stdin; killed if dropped) to its end: its standard output, or an
/// error with its last error line.
async fn stdout_of(mut command: tokio::process::Command) -> anyhow::Result<Vec<u8>> {
	let output = command.stdin(Stdio::null()).kill_on_drop(true).output().await?;
	anyhow::ensure!(
		output.status.success(),
		"{:?} failed ({}): {}",
		command.as_std().get_program(),
		output.status,
		String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("").trim()
	);
	Ok(output.stdout)
}

/// The finished output in `out`, rung by rung.
pub async fn assemble(out: &Path, rungs: &[Rung]) -> anyhow::Result<Vec<Assembled>> {
	let runs = read_runs(out);
	let master = std::fs::read(out.join("master.m3u8")).unwrap_or_default();
	let variants = paratii_client::hls::variants(&master).unwrap_or_default();
	let mut assembled = Vec::new();
	for rung in rungs {
		let dir = out.join(&rung.label);
		let kept = runs.kept.get(&rung.label).cloned().unwrap_or_default();
		anyhow::ensure!(!kept.is_empty(), "rung {} has no segments", rung.label);
		// Initialization sections by run, those configuring the decoder alike merged.
		let mut inits: Vec<(PathBuf, String)> = Vec::new();
		let mut by_run = std::collections::BTreeMap::new();
		for run in kept.iter().map(|k| k.run).collect::<std::collections::BTreeSet<_>>() {
			let path = dir.join(format!("init-{run}.mp4"));
			let configuration = codec_configuration(&path).await?;
			let index = match inits.iter().position(|(_, c)| *c == configuration) {
				Some(i) => i,
				None => {
					inits.push((path, configuration));
					inits.len() - 1
				},
			};
			by_run.insert(run, index);
		}
		let codecs = variants
			.iter()
			.find(|v| v.uri.contains(&rung.label))
			.and_then(|v| v.codecs.clone())
			.unwrap_or_else(|| "avc1.640028,mp4a.40.2".into());
		assembled.push(Assembled {
			rung: rung.clone(),
			codecs,
			inits: inits.into_iter().map(|(p, _)| p).collect(),
			segments: kept
				.iter()
				.map(|k| (dir.join(&k.file), k.duration, by_run[&k.run]))
				.collect(),
		});
	}
	Ok(assembled)
}

/// A JPEG frame of `source` one second in (mid-video if shorter), at its own size.
pub async fn poster(source: &Path, probe: &Probe, dest: &Path) -> anyhow::Result<()> {
	let at = if probe.duration > 2.0 { 1.0 } else { probe.duration / 2.0 };
	let mut ffmpeg = tokio::process::Command::new("ffmpeg");
	ffmpeg
		.args(["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-ss", &format!("{at:.3}")])
		.arg("-i")
		.arg(source)
		.args(["-frames:v", "1", "-q:v", "2", "-update", "1"])
		.arg(dest);
	stdout_of(ffmpeg).await?;
	anyhow::ensure!(dest.exists(), "ffmpeg made no poster frame of {}", source.display());
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn probed(width: u32, height: u32) -> Probe {
		Probe {
			duration: 20.0,
			width,
			height,
			frame_rate: 30.0,
			video_codec: "h264".into(),
			audio_codec: Some("aac".into()),
		}
	}

	#[test]
	fn the_ladder_goes_up_to_the_source_in_its_aspect() {
		let labels = |p: &Probe| {
			ladder(p).into_iter().map(|r| (r.label, r.width, r.height)).collect::<Vec<_>>()
		};
		assert_eq!(
			labels(&probed(1280, 720)),
			[("240p".into(), 426, 240), ("480p".into(), 854, 480), ("720p".into(), 1280, 720)]
		);
		assert_eq!(labels(&probed(1920, 1080)).len(), 4);
		// Portrait: the rung is the width.
		assert_eq!(labels(&probed(720, 1280))[1], ("480p".into(), 480, 854));
		// Smaller than every rung: the source's own size.
		assert_eq!(labels(&probed(160, 120)), [("120p".into(), 160, 120)]);
	}

	fn probe_json(video: &str, audio: Option<&str>, duration: &str) -> Vec<u8> {
		let mut streams = vec![serde_json::json!({
			"codec_type": "video", "codec_name": video, "width": 1280, "height": 720,
			"avg_frame_rate": "30000/1001"
		})];
		if let Some(a) = audio {
			streams.push(serde_json::json!({ "codec_type": "audio", "codec_name": a }));
		}
		serde_json::to_vec(
			&serde_json::json!({ "streams": streams, "format": { "duration": duration } }),
		)
		.unwrap()
	}

	#[test]
	fn sources_are_judged_by_codec_and_length() {
		let ok = judge(&probe_json("h264", Some("aac"), "20.0"), 60.0).unwrap();
		assert_eq!((ok.width, ok.height, ok.audio_codec.as_deref()), (1280, 720, Some("aac")));
		assert!((ok.frame_rate - 29.97).abs() < 0.01);
		assert!(judge(&probe_json("h264", None, "20.0"), 60.0).unwrap().audio_codec.is_none());
		let refused = |json: Vec<u8>| judge(&json, 60.0).unwrap_err().0;
		assert!(refused(probe_json("h264", Some("aac"), "61")).contains("at most 60 s"));
		assert!(refused(probe_json("h264", Some("aac"), "0")).contains("no length"));
		assert!(refused(probe_json("theora", None, "5")).contains("video codec \"theora\""));
		assert!(refused(probe_json("h264", Some("wmav2"), "5")).contains("audio codec \"wmav2\""));
		assert!(
			refused(br#"{"streams":[],"format":{"duration":"3"}}"#.to_vec()).contains("no video")
		);
	}

	#[test]
	fn one_decode_feeds_every_rung_with_keyframes_every_segment() {
		let p = probed(1280, 720);
		let rungs = ladder(&p);
		let args = ffmpeg_args(Path::new("in.mp4"), Path::new("out"), &p, &rungs, Start::default());
		assert_eq!(args.iter().filter(|a| *a == "-i").count(), 1, "one input, decoded once");
		let graph = &args[args.iter().position(|a| a == "-filter_complex").unwrap() + 1];
		assert!(graph.starts_with("[0:v:0]split=3[s0][s1][s2]"), "{graph}");
		assert!(graph.contains("scale=854:480"), "{graph}");
		assert!(args.contains(&"expr:gte(t,n_forced*4)".to_string()));
		assert!(args.contains(&"v:0,a:0,name:240p v:1,a:1,name:480p v:2,a:2,name:720p".to_string()));
		assert!(!args.contains(&"-ss".to_string()));
		// A resumed run starts at its first missing segment.
		let resumed = ffmpeg_args(
			Path::new("in.mp4"),
			Path::new("out"),
			&p,
			&rungs,
			Start { segment: 3, secs: 12.0 },
		);
		let after =
			|flag: &str| resumed[resumed.iter().position(|a| a == flag).unwrap() + 1].clone();
		assert_eq!(after("-ss"), "12.000000");
		assert_eq!(after("-start_number"), "3");
		assert_eq!(after("-output_ts_offset"), "12.000000");
	}

	#[test]
	fn an_interrupted_run_keeps_the_segments_every_rung_completed() {
		let dir = tempfile::tempdir().unwrap();
		let out = dir.path();
		let rungs = ladder(&probed(854, 480)); // 240p, 480p
		let mut runs = Runs { runs: vec![Start::default()], ..Default::default() };
		// 240p completed three segments, 480p two (and was writing a third).
		for (rung, done) in rungs.iter().zip([3usize, 2]) {
			let d = out.join(&rung.label);
			std::fs::create_dir_all(&d).unwrap();
			let mut playlist = String::from("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n");
			for n in 0..3 {
				std::fs::write(d.join(format!("seg-{n:05}.m4s")), b"x").unwrap();
				if n < done {
					playlist.push_str(&format!("#EXTINF:4.000000,\nseg-{n:05}.m4s\n"));
				}
			}
			std::fs::write(d.join("index.m3u8"), playlist).unwrap();
			std::fs::write(d.join(format!("init_{}.mp4", rung.label)), b"init").unwrap();
		}
		let next = close_last_run(out, &rungs, &mut runs).unwrap();
		assert_eq!(next, Start { segment: 2, secs: 8.0 });
		for rung in &rungs {
			let d = out.join(&rung.label);
			assert!(d.join("seg-00001.m4s").exists());
			assert!(!d.join("seg-00002.m4s").exists(), "not completed by every rung: made again");
			assert!(d.join("init-0.mp4").exists());
			assert!(!d.join(format!("init_{}.mp4", rung.label)).exists());
			assert_eq!(runs.kept[&rung.label].len(), 2);
		}
	}
}
