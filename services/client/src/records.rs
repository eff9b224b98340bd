//! Length- and checksum-framed records, for the append-only files the services keep
//! durable (the channel node's log, the hub's voucher ledger): a record is
//! `payload length (u32 LE) ‖ CRC-32 of the payload (u32 LE) ‖ payload`. Reading stops at
//! the first incomplete or damaged record, so a write cut short by a crash is dropped
//! whole and everything before it is kept.

/// Bytes before a record's payload.
pub const HEADER: usize = 8;

/// The record of `payload`.
pub fn frame(payload: &[u8]) -> Vec<u8> {
	let mut record = Vec::with_capacity(HEADER + payload.len());
	record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
	record.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
	record.extend_from_slice(payload);
	record
}

/// The payloads of the whole records at the start of `bytes` (none longer than `max`),
/// and how many bytes they take.
pub fn whole(bytes: &[u8], max: usize) -> (Vec<&[u8]>, usize) {
	let mut found = Vec::new();
	let mut at = 0;
	while let Some(header) = bytes.get(at..at + HEADER) {
		let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
		let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
		let Some(payload) = bytes.get(at + HEADER..at + HEADER + len) else { break };
		if len > max || crc32fast::hash(payload) != crc {
			break;
		}
		found.push(payload);
		at += HEADER + len;
	}
	(found, at)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_torn_or_damaged_record_ends_the_read() {
		let mut bytes = [frame(b"one"), frame(b"two")].concat();
		let two = bytes.len();
		bytes.extend_from_slice(&frame(b"three")[..7]);
		assert_eq!(whole(&bytes, 100), (vec![&b"one"[..], &b"two"[..]], two));
		bytes[HEADER] ^= 1; // the first payload's byte: its checksum no longer holds
		assert_eq!(whole(&bytes, 100), (vec![], 0));
		assert_eq!(whole(&frame(b"long"), 3), (vec![], 0), "over the limit");
	}
}
