//! Thumbnails of uploaded pictures: JPEG at fixed long edges, EXIF orientation
//! applied (a phone's portrait photo stays portrait).

use image::{codecs::jpeg::JpegEncoder, imageops::FilterType, DynamicImage, ImageDecoder};
use std::io::Cursor;

/// Long edges of the thumbnails made of every picture larger than them.
pub const LONG_EDGES: [u32; 2] = [320, 1280];
/// JPEG quality of thumbnails.
const QUALITY: u8 = 85;
/// Largest decoded picture accepted (bytes of pixels): a guard against
/// decompression bombs (a 9,000 × 9,000 RGB picture fits).
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// Widest and tallest picture accepted, in pixels.
pub const MAX_DIMENSION: u32 = 16_384;
/// Pictures decoded at once by one gateway: with the original read whole beside its
/// decoded pixels, thumbnails take at most this many × (the upload limit +
/// `MAX_DECODED_BYTES`) of memory however many uploads run.
pub const CONCURRENT_DECODES: usize = 2;

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
	limits.max_image_width = Some(MAX_DIMENSION);
	limits.max_image_height = Some(MAX_DIMENSION);
	reader.limits(limits);
	let mut decoder = reader.into_decoder()?;
	// The decoders check `max_alloc` against their own buffers only, not the picture
	// they return: its size is known from the header, before any pixel is decoded.
	let pixels = decoder.total_bytes();
	if pixels > MAX_DECODED_BYTES {
		anyhow::bail!(
			"the picture would take {pixels} bytes decoded: over the limit of \
			 {MAX_DECODED_BYTES}"
		);
	}
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

/// A video's poster frame as thumbnails: the frame itself, its long edge brought down to
/// the largest of [`LONG_EDGES`] (the player's poster), and the smaller thumbnails.
pub fn poster_thumbnails(frame: &DynamicImage) -> anyhow::Result<Vec<Thumbnail>> {
	let largest = LONG_EDGES[LONG_EDGES.len() - 1];
	let poster = if frame.width().max(frame.height()) > largest {
		frame.resize(largest, largest, FilterType::Lanczos3)
	} else {
		frame.clone()
	};
	let mut out = thumbnails(&poster)?;
	let rgb = poster.to_rgb8();
	let mut jpeg = Vec::new();
	JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode_image(&rgb)?;
	out.push(Thumbnail { jpeg, width: rgb.width(), height: rgb.height() });
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
	fn pictures_beyond_the_dimension_and_memory_bounds_are_refused() {
		// Wider than MAX_DIMENSION, though tiny in bytes: refused from its header.
		let wide = png(MAX_DIMENSION + 1, 1);
		assert!(wide.len() < 100_000);
		let refused = decode(&wide).expect_err("refused");
		assert!(refused.to_string().contains("limit"), "{refused}");
		// Within the dimensions, but more pixels than MAX_DECODED_BYTES: 16,384 × 6,000
		// RGB is 295 MB. A header says so before any pixel is decoded.
		let mut header = Vec::new();
		header.extend_from_slice(b"\x89PNG\r\n\x1a\n");
		let mut ihdr = b"IHDR".to_vec();
		ihdr.extend_from_slice(&MAX_DIMENSION.to_be_bytes());
		ihdr.extend_from_slice(&6_000u32.to_be_bytes());
		ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
		header.extend_from_slice(&13u32.to_be_bytes());
		header.extend_from_slice(&ihdr);
		header.extend_from_slice(&crc32(&ihdr).to_be_bytes());
		// The decoder reads up to the first image data chunk: a few bytes of a zlib stream.
		let idat = [b"IDAT".as_slice(), &[0x78, 0x9c, 0x03, 0x00]].concat();
		header.extend_from_slice(&4u32.to_be_bytes());
		header.extend_from_slice(&idat);
		header.extend_from_slice(&crc32(&idat).to_be_bytes());
		header.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
		let refused = decode(&header).expect_err("refused");
		assert!(refused.to_string().contains("limit"), "{refused}");
	}

	/// CRC-32 (IEEE), as PNG chunks carry it.
	fn crc32(bytes: &[u8]) -> u32 {
		let mut crc = !0u32;
		for byte in bytes {
			crc ^= u32::from(*byte);
			for _ in 0..8 {
				crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
			}
		}
		!crc
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
