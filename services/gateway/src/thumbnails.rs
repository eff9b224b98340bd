//! Thumbnails of uploaded pictures: JPEG at fixed long edges, EXIF orientation
//! applied (a phone's portrait photo stays portrait).

use image::{codecs::jpeg::JpegEncoder, imageops::FilterType, DynamicImage, ImageDecoder};
use std::io::Cursor;

/// Long edges of the thumbnails made of every picture larger than them.
pub const LONG_EDGES: [u32; 2] = [320, 1280];
/// JPEG quality of thumbnails.
const QUALITY: u8 = 85;
/// Largest decoded picture accepted (bytes of pixels): a guard against
/// decompression bombs.
const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;

/// A thumbnail: its JPEG bytes and size in pixels.
pub struct Thumbnail {
	pub jpeg: Vec<u8>,
	pub width: u32,
	pub height: u32,
}

/// Decodes a JPEG, PNG or WebP picture with its EXIF orientation applied.
pub fn decode(bytes: &[u8]) -> anyhow::Result<DynamicImage> {
	let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
	let mut limits = image::Limits::default();
	limits.max_alloc = Some(MAX_DECODED_BYTES);
	reader.limits(limits);
	let mut decoder = reader.into_decoder()?;
	let orientation = decoder.orientation()?;
	let mut picture = DynamicImage::from_decoder(decoder)?;
	picture.apply_orientation(orientation);
	Ok(picture)
}

/// The thumbnails of `picture`: one per long edge in [`LONG_EDGES`] shorter than the
/// picture's own, smallest first.
pub fn thumbnails(picture: &DynamicImage) -> anyhow::Result<Vec<Thumbnail>> {
	let long = picture.width().max(picture.height());
	let mut out = Vec::new();
	for edge in LONG_EDGES.into_iter().filter(|&e| e < long) {
		let small = picture.resize(edge, edge, FilterType::Lanczos3).to_rgb8();
		let mut jpeg = Vec::new();
		JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode_image(&small)?;
		out.push(Thumbnail { jpeg, width: small.width(), height: small.height() });
	}
	Ok(out)
}

#[cfg(test)]
mod tests {
	use super::*;
	use image::{ImageFormat, RgbImage};

	fn png(width: u32, height: u32) -> Vec<u8> {
		let picture = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]));
		let mut out = Vec::new();
		picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
		out
	}

	/// A JPEG with an EXIF APP1 segment saying "rotate 90° clockwise" (orientation 6).
	fn jpeg_rotated(width: u32, height: u32) -> Vec<u8> {
		let picture = RgbImage::from_fn(width, height, |x, _| image::Rgb([x as u8, 0, 0]));
		let mut plain = Vec::new();
		JpegEncoder::new(&mut plain).encode_image(&picture).unwrap();
		// TIFF, little-endian, one IFD entry: tag 0x0112 (Orientation), SHORT, 1, value 6.
		let tiff: [u8; 26] = [
			b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0,
			0,
		];
		let mut app1 = b"Exif\0\0".to_vec();
		app1.extend_from_slice(&tiff);
		let len = (app1.len() + 2) as u16;
		let mut out = plain[..2].to_vec(); // SOI
		out.extend_from_slice(&[0xFF, 0xE1]);
		out.extend_from_slice(&len.to_be_bytes());
		out.extend_from_slice(&app1);
		out.extend_from_slice(&plain[2..]);
		out
	}

	#[test]
	fn makes_both_sizes_of_a_large_picture_keeping_its_aspect() {
		let picture = decode(&png(1600, 900)).unwrap();
		let thumbs = thumbnails(&picture).unwrap();
		let sizes: Vec<_> = thumbs.iter().map(|t| (t.width, t.height)).collect();
		assert_eq!(sizes, vec![(320, 180), (1280, 720)]);
		for t in &thumbs {
			assert_eq!(paratii_client::content::sniff(&t.jpeg), Some("image/jpeg"));
		}
	}

	#[test]
	fn a_small_picture_gets_only_the_thumbnails_smaller_than_itself() {
		assert_eq!(thumbnails(&decode(&png(800, 600)).unwrap()).unwrap().len(), 1);
		assert!(thumbnails(&decode(&png(300, 200)).unwrap()).unwrap().is_empty());
	}

	#[test]
	fn exif_orientation_is_applied() {
		let bytes = jpeg_rotated(400, 200);
		let picture = decode(&bytes).unwrap();
		assert_eq!((picture.width(), picture.height()), (200, 400));
		let thumbs = thumbnails(&picture).unwrap();
		assert_eq!((thumbs[0].width, thumbs[0].height), (160, 320));
	}

	#[test]
	fn garbage_is_not_a_picture() {
		assert!(decode(b"\x89PNG\r\n\x1a\nnot really").is_err());
	}
}
