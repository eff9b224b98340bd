//! `paratii ad watch MEDIA --suri //Viewer`: the pre-roll before a media item, as the web
//! player plays it, for a terminal.
//!
//! It opens a viewer session, asks the gateway's VAST tag (`GET /ads/vast?media=`), and
//! when an ad comes back it fires the `Impression` trackers, streams the creative's HLS
//! rendition segment by segment at the pace it plays (each segment fetched when the
//! one before would have ended), firing `start`, the quartiles and `complete` as the
//! playback passes them, and then — for a paid impression — signs the View with the
//! viewer's key for the block the gateway names (`GET /ads/views?impression=`) and posts
//! it. It reads the InLine subset of VAST 4 the gateway writes.

use crate::{check, Cli, Failure};
use paratii_client::adx::{self, Body, Channel};
use std::time::{Duration, Instant};

/// The text of the first `<tag …>…</tag>` in `xml`, CDATA unwrapped.
fn text<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
	elements(xml, tag).next().map(|(_, text)| text)
}

/// Every `<tag attributes>text</tag>` in `xml`: (attributes, text), CDATA unwrapped.
fn elements<'a>(xml: &'a str, tag: &str) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
	let open = format!("<{tag}");
	let close = format!("</{tag}>");
	let mut rest = xml;
	std::iter::from_fn(move || loop {
		let at = rest.find(&open)?;
		let after = &rest[at + open.len()..];
		// `<Tag>` or `<Tag attr…>`, not `<TagLonger>`.
		if !after.starts_with(['>', ' ']) {
			rest = after;
			continue;
		}
		let head_end = after.find('>')?;
		let attributes = after[..head_end].trim();
		let body = &after[head_end + 1..];
		let end = body.find(&close)?;
		rest = &body[end + close.len()..];
		let inner = body[..end].trim();
		let inner = inner
			.strip_prefix("<![CDATA[")
			.and_then(|s| s.strip_suffix("]]>"))
			.unwrap_or(inner)
			.trim();
		return Some((attributes, inner));
	})
}

/// `name="value"` of an element's attributes.
fn attribute<'a>(attributes: &'a str, name: &str) -> Option<&'a str> {
	let key = format!("{name}=\"");
	let start = attributes.find(&key)? + key.len();
	let len = attributes[start..].find('"')?;
	Some(&attributes[start..start + len])
}

/// `HH:MM:SS.mmm`.
fn duration(value: &str) -> Option<Duration> {
	let mut parts = value.split(':');
	let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
	let secs =
		h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?;
	(secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// An HLS playlist's entries: (URI resolved against `base`, `#EXTINF` seconds if any).
fn playlist(base: &reqwest::Url, text: &str) -> Result<Vec<(reqwest::Url, f64)>, Failure> {
	let mut entries = Vec::new();
	let mut extinf = None;
	for line in text.lines().map(str::trim) {
		if let Some(value) = line.strip_prefix("#EXTINF:") {
			extinf = value.split(',').next().and_then(|s| s.parse::<f64>().ok());
		} else if !line.is_empty() && !line.starts_with('#') {
			let url = base.join(line).map_err(|e| Failure(4, format!("{line}: {e}")))?;
			entries.push((url, extinf.take().unwrap_or(0.0)));
		}
	}
	Ok(entries)
}

/// What `watch` saw, for `--json`.
#[derive(serde::Serialize)]
struct Watched {
	impression: String,
	campaign: u64,
	block: Option<u32>,
	/// Plancks per view.
	price: String,
	paid: bool,
	seconds: f64,
	segments: usize,
}

pub async fn watch(cli: &Cli, media: u64, suri: Option<&str>) -> Result<(), Failure> {
	let key = suri
		.map(paratii_client::keys::account_key)
		.transpose()
		.map_err(|e| Failure(2, format!("--suri: {e:#}")))?;
	let session = crate::session(cli, suri).await?;
	let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
	let mut request = http.get(format!("{}/ads/vast?media={media}", cli.download_url));
	if let Some(session) = &session {
		request = request.header(paratii_client::session::SESSION_HEADER, session);
	}
	let vast = check(request.send().await?).await?.text().await?;
	let Some((ad, _)) = elements(&vast, "Ad").next() else {
		println!("no ad before media {media}");
		return Ok(());
	};
	let malformed = |what: &str| Failure(4, format!("the VAST answer has no {what}"));
	let impression = attribute(ad, "id").ok_or_else(|| malformed("Ad id"))?.to_string();
	let campaign: u64 = text(&vast, "Campaign")
		.and_then(|c| c.parse().ok())
		.ok_or_else(|| malformed("Campaign"))?;
	let price = text(&vast, "Price").unwrap_or("0").to_string();
	let paid = text(&vast, "Paid") == Some("true");
	let length = text(&vast, "Duration").and_then(duration).ok_or_else(|| malformed("Duration"))?;
	let media_file = text(&vast, "MediaFile").ok_or_else(|| malformed("MediaFile"))?;
	let mut trackers: Vec<(String, String)> = elements(&vast, "Impression")
		.map(|(_, url)| ("impression".to_string(), url.to_string()))
		.collect();
	trackers.extend(
		elements(&vast, "Tracking")
			.filter_map(|(a, url)| Some((attribute(a, "event")?.to_string(), url.to_string()))),
	);
	// Trackers fire in the background (a failing one does not stop the ad, as in a
	// player); all have answered before the command ends.
	let mut beacons = tokio::task::JoinSet::new();
	let mut fire = |event: &str| {
		for (_, url) in trackers.iter().filter(|(e, _)| e == event) {
			let (http, url) = (http.clone(), url.clone());
			beacons.spawn(async move { http.get(&url).send().await });
		}
	};

	// The creative's first rendition, fetched as a player plays it.
	let master_url = reqwest::Url::parse(media_file).map_err(|e| Failure(4, format!("{e}")))?;
	let master = check(http.get(master_url.clone()).send().await?).await?.text().await?;
	let (rendition_url, _) =
		playlist(&master_url, &master)?.into_iter().next().ok_or_else(|| malformed("rendition"))?;
	let rendition = check(http.get(rendition_url.clone()).send().await?).await?.text().await?;
	let segments = playlist(&rendition_url, &rendition)?;
	if let Some(init) = rendition
		.lines()
		.find_map(|l| l.strip_prefix("#EXT-X-MAP:URI=\""))
		.and_then(|l| l.split('"').next())
	{
		let init = rendition_url.join(init).map_err(|e| Failure(4, format!("{e}")))?;
		check(http.get(init).send().await?).await?.bytes().await?;
	}
	fire("impression");
	let progress = crate::bar(segments.len() as u64, "ad");
	let started = Instant::now();
	let quartiles = [(0.25, "firstQuartile"), (0.5, "midpoint"), (0.75, "thirdQuartile")];
	let mut fired = 0;
	let mut position = 0.0;
	fire("start");
	for (url, seconds) in &segments {
		check(http.get(url.clone()).send().await?).await?.bytes().await?;
		progress.inc(1);
		// The segment plays for its duration; the quartiles it passes fire as it does.
		let end = position + seconds;
		while let Some((at, event)) = quartiles.get(fired) {
			let when = at * length.as_secs_f64();
			if when > end {
				break;
			}
			tokio::time::sleep_until((started + Duration::from_secs_f64(when)).into()).await;
			fire(event);
			fired += 1;
		}
		position = end;
		tokio::time::sleep_until((started + Duration::from_secs_f64(position)).into()).await;
	}
	for (_, event) in &quartiles[fired..] {
		fire(event);
	}
	tokio::time::sleep_until((started + length).into()).await;
	fire("complete");
	progress.finish_and_clear();
	while beacons.join_next().await.is_some() {}

	// The View, for a paid impression.
	let mut block = None;
	if let (true, Some(key)) = (paid, &key) {
		let impression_id: u64 = impression.parse().map_err(|_| malformed("decimal Ad id"))?;
		let views = format!("{}/ads/views", cli.download_url);
		let at: adx::ViewBlock =
			check(http.get(&views).query(&[("impression", &impression)]).send().await?)
				.await?
				.json()
				.await?;
		let genesis = crate::connect(cli).await?.genesis_hash();
		let channel = Channel { genesis, campaign, block: at.block };
		let signed = adx::sign(key, &channel, Body::View { impression: impression_id });
		let record = adx::ViewRecord {
			impression: impression.clone(),
			block: Some(at.block),
			signature: format!("0x{}", hex::encode(signed.signature)),
		};
		check(http.post(&views).json(&record).send().await?).await?;
		block = Some(at.block);
	}
	let watched = Watched {
		impression,
		campaign,
		block,
		price,
		paid: paid && key.is_some(),
		seconds: started.elapsed().as_secs_f64(),
		segments: segments.len(),
	};
	if cli.json {
		println!("{}", serde_json::to_string(&watched)?);
	} else {
		println!(
			"watched the ad of campaign {} ({} segments, {:.1} s){}",
			watched.campaign,
			watched.segments,
			watched.seconds,
			match watched.block {
				Some(b) => format!("; View signed for channel block {b}"),
				None => "; not paid (no viewer key)".into(),
			}
		);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	const VAST: &str = "<VAST version=\"4.2\"><Ad id=\"77\"><InLine>\
		<Impression id=\"77\"><![CDATA[http://g/ads/events/77/impression]]></Impression>\
		<Impression id=\"77\"><![CDATA[http://a/events/3/77/impression?d=4000]]></Impression>\
		<Creatives><Creative><Linear><Duration>00:00:04.040</Duration><TrackingEvents>\
		<Tracking event=\"start\"><![CDATA[http://g/ads/events/77/start]]></Tracking>\
		</TrackingEvents></Linear></Creative></Creatives>\
		<Extensions><Extension type=\"paratii\"><Campaign>3</Campaign><Paid>true</Paid>\
		</Extension></Extensions></InLine></Ad></VAST>";

	#[test]
	fn reads_the_gateways_vast() {
		let (ad, _) = elements(VAST, "Ad").next().unwrap();
		assert_eq!(attribute(ad, "id"), Some("77"));
		assert_eq!(text(VAST, "Campaign"), Some("3"));
		assert_eq!(text(VAST, "Paid"), Some("true"));
		assert_eq!(text(VAST, "Duration").and_then(duration), Some(Duration::from_millis(4_040)));
		let impressions: Vec<_> = elements(VAST, "Impression").map(|(_, u)| u).collect();
		assert_eq!(impressions.len(), 2);
		assert_eq!(impressions[1], "http://a/events/3/77/impression?d=4000");
		let (attrs, url) = elements(VAST, "Tracking").next().unwrap();
		assert_eq!(
			(attribute(attrs, "event"), url),
			(Some("start"), "http://g/ads/events/77/start")
		);
		// `<Ad` does not match `<AdSystem`, and no ad is none.
		assert!(elements("<VAST><AdSystem>x</AdSystem></VAST>", "Ad").next().is_none());
	}

	#[test]
	fn reads_hls_playlists() {
		let base = reqwest::Url::parse("http://g/media/5/hls/master.m3u8").unwrap();
		let entries =
			playlist(&base, "#EXTM3U\n#EXTINF:2.0,\nseg/0.m4s\n#EXTINF:1.5,\nseg/1.m4s\n")
				.unwrap_or_else(|_| panic!("a playlist"));
		assert_eq!(entries.len(), 2);
		assert_eq!(entries[1].0.as_str(), "http://g/media/5/hls/seg/1.m4s");
		assert_eq!(entries[1].1, 1.5);
	}
}
