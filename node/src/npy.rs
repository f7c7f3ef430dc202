//! numpy's `.npy` and `.npz` files, as `np.save`, `np.savez` and `np.savez_compressed`
//! write them: what `aioracle-node model score --input-file` reads.
//!
//! `.npy`: the magic `\x93NUMPY`, a version (1.0, 2.0 or 3.0), a header (a Python dict
//! literal with `descr`, `fortran_order` and `shape`), then the elements, C order. The
//! element types read are `<f4`, `<f8`, `|i1`, `<i2`, `<i4`, `<i8`, `|u1`, `<u2`, `<u4`,
//! `<u8` (values up to `i64::MAX`) and `|b1`; big-endian data, Fortran order, structured
//! and other types are refused.
//!
//! `.npz`: a zip archive of `.npy` files, one per array, named `NAME.npy`; entries stored
//! (`savez`) or deflated (`savez_compressed`, inflated by `miniz_oxide`), zip64 included
//! (numpy writes zip64 local headers); each entry's CRC-32 is checked.

/// An array's elements, widened: floats to `f64` (exactly), integers and booleans to
/// `i64`.
#[derive(Clone, Debug, PartialEq)]
pub enum Elements {
	/// `f4`, `f8`.
	Float(Vec<f64>),
	/// `i1` .. `i8`, `u1` .. `u8`, `b1`.
	Int(Vec<i64>),
}

/// An array read from a `.npy`.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
	/// The numpy type, as the header writes it (e.g. `<f4`).
	pub descr: String,
	/// Its dimensions (empty for a scalar).
	pub shape: Vec<usize>,
	/// Its elements, row-major.
	pub elements: Elements,
}

/// The largest entry of an `.npz` this reads once inflated.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// Reads a `.npy` (one unnamed array) or an `.npz` (named arrays, in the archive's
/// order), told apart by their magic bytes.
pub fn read(bytes: &[u8]) -> Result<Vec<(Option<String>, Array)>, String> {
	if bytes.starts_with(NPY_MAGIC) {
		Ok(vec![(None, read_npy(bytes)?)])
	} else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
		Ok(read_npz(bytes)?.into_iter().map(|(n, a)| (Some(n), a)).collect())
	} else {
		Err("neither a .npy (magic \\x93NUMPY) nor a .npz (a zip archive)".into())
	}
}

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// Reads a `.npy`.
pub fn read_npy(bytes: &[u8]) -> Result<Array, String> {
	if !bytes.starts_with(NPY_MAGIC) || bytes.len() < 10 {
		return Err("not a .npy file (no \\x93NUMPY magic)".into());
	}
	let (major, minor) = (bytes[6], bytes[7]);
	let (header_len, start): (usize, usize) = match major {
		1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
		2 | 3 if bytes.len() >= 12 => (le_u32(bytes, 8)? as usize, 12),
		_ => return Err(format!(".npy format version {major}.{minor} is not supported")),
	};
	let header =
		bytes.get(start..start.saturating_add(header_len)).ok_or("the .npy header is truncated")?;
	let header = std::str::from_utf8(header).map_err(|_| "the .npy header is not text")?;
	let (descr, fortran_order, shape) = parse_header(header)?;
	if fortran_order && shape.iter().filter(|d| **d > 1).count() > 1 {
		return Err("the array is in Fortran order (fortran_order: True); save it in C order \
		            (np.ascontiguousarray)"
			.into());
	}
	let data = &bytes[start + header_len..];
	let count = shape
		.iter()
		.try_fold(1usize, |n, d| n.checked_mul(*d))
		.ok_or("the array's shape overflows")?;
	let elements = decode(&descr, count, data)?;
	Ok(Array { descr, shape, elements })
}

/// The elements of type `descr`: `count` of them, all of `data`.
fn decode(descr: &str, count: usize, data: &[u8]) -> Result<Elements, String> {
	let (order, kind) = descr.split_at(descr.len().min(1));
	let size: usize = kind.get(1..).and_then(|s| s.parse().ok()).unwrap_or(0);
	if order == ">" && size > 1 {
		return Err(format!("dtype {descr:?} is big-endian; save the array little-endian (<)"));
	}
	if !matches!(order, "<" | "|" | "=" | ">") {
		return Err(format!("dtype {descr:?} is not a plain numeric type"));
	}
	let supported =
		matches!(kind, "f4" | "f8" | "i1" | "i2" | "i4" | "i8" | "u1" | "u2" | "u4" | "u8" | "b1");
	if !supported {
		return Err(format!(
			"dtype {descr:?} is not supported (float32, float64, int8..int64, uint8..uint64 \
			 and bool are)"
		));
	}
	let expected = count.checked_mul(size).ok_or("the array's size overflows")?;
	if data.len() != expected {
		return Err(format!(
			"the array has {} bytes of data, its shape and dtype {descr:?} make {expected}",
			data.len()
		));
	}
	let chunks = data.chunks_exact(size);
	let bytes8 = |c: &[u8]| {
		let mut b = [0u8; 8];
		b[..c.len()].copy_from_slice(c);
		b
	};
	Ok(match kind {
		"f4" => Elements::Float(
			chunks.map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64).collect(),
		),
		"f8" => {
			Elements::Float(chunks.map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect())
		}
		"i1" => Elements::Int(chunks.map(|c| c[0] as i8 as i64).collect()),
		"i2" => Elements::Int(chunks.map(|c| i16::from_le_bytes([c[0], c[1]]) as i64).collect()),
		"i4" => Elements::Int(
			chunks.map(|c| i32::from_le_bytes(c.try_into().unwrap()) as i64).collect(),
		),
		"i8" => Elements::Int(chunks.map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect()),
		"b1" => Elements::Int(chunks.map(|c| (c[0] != 0) as i64).collect()),
		"u8" => Elements::Int(
			chunks
				.enumerate()
				.map(|(i, c)| {
					i64::try_from(u64::from_le_bytes(bytes8(c)))
						.map_err(|_| format!("element {i} does not fit an int64"))
				})
				.collect::<Result<_, _>>()?,
		),
		// u1, u2, u4
		_ => Elements::Int(chunks.map(|c| u64::from_le_bytes(bytes8(c)) as i64).collect()),
	})
}

/// A value of the header's dict.
#[derive(Debug, PartialEq)]
enum Value {
	Str(String),
	Bool(bool),
	Tuple(Vec<usize>),
	/// A list (structured dtypes) or anything else this does not read.
	Other,
}

/// `descr`, `fortran_order` and `shape` of a `.npy` header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }`.
fn parse_header(header: &str) -> Result<(String, bool, Vec<usize>), String> {
	let bad = |why: &str| format!("the .npy header {:?} is not understood: {why}", header.trim());
	let mut p = Parser { s: header.trim().as_bytes(), i: 0 };
	p.expect(b'{').map_err(|e| bad(&e))?;
	let (mut descr, mut fortran, mut shape) = (None, None, None);
	loop {
		p.skip_ws();
		if p.eat(b'}') {
			break;
		}
		let key = match p.value().map_err(|e| bad(&e))? {
			Value::Str(k) => k,
			_ => return Err(bad("a key is not a string")),
		};
		p.expect(b':').map_err(|e| bad(&e))?;
		let value = p.value().map_err(|e| bad(&e))?;
		match (key.as_str(), value) {
			("descr", Value::Str(d)) => descr = Some(d),
			("descr", _) => {
				return Err("the array has a structured dtype; only plain numeric arrays are \
				            read"
					.into())
			}
			("fortran_order", Value::Bool(b)) => fortran = Some(b),
			("shape", Value::Tuple(t)) => shape = Some(t),
			("fortran_order" | "shape", _) => return Err(bad(&format!("{key} is malformed"))),
			_ => {}
		}
		p.skip_ws();
		if !p.eat(b',') {
			p.expect(b'}').map_err(|e| bad(&e))?;
			break;
		}
	}
	Ok((
		descr.ok_or_else(|| bad("no descr"))?,
		fortran.ok_or_else(|| bad("no fortran_order"))?,
		shape.ok_or_else(|| bad("no shape"))?,
	))
}

/// A parser of the Python literals of a `.npy` header.
struct Parser<'a> {
	s: &'a [u8],
	i: usize,
}

impl Parser<'_> {
	fn skip_ws(&mut self) {
		while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
			self.i += 1;
		}
	}

	fn eat(&mut self, c: u8) -> bool {
		self.skip_ws();
		if self.s.get(self.i) == Some(&c) {
			self.i += 1;
			true
		} else {
			false
		}
	}

	fn expect(&mut self, c: u8) -> Result<(), String> {
		if self.eat(c) {
			Ok(())
		} else {
			Err(format!("expected {:?} at {}", c as char, self.i))
		}
	}

	fn value(&mut self) -> Result<Value, String> {
		self.skip_ws();
		match self.s.get(self.i).copied() {
			Some(q @ (b'\'' | b'"')) => {
				let start = self.i + 1;
				let len =
					self.s[start..].iter().position(|c| *c == q).ok_or("an unterminated string")?;
				self.i = start + len + 1;
				Ok(Value::Str(String::from_utf8_lossy(&self.s[start..start + len]).into()))
			}
			Some(b'(') => {
				self.i += 1;
				let mut dims = vec![];
				loop {
					if self.eat(b')') {
						return Ok(Value::Tuple(dims));
					}
					let start = self.i;
					while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
						self.i += 1;
					}
					let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
					dims.push(digits.parse().map_err(|_| format!("a bad dimension at {start}"))?);
					self.eat(b'L'); // Python 2's long literals.
					if !self.eat(b',') {
						self.expect(b')')?;
						return Ok(Value::Tuple(dims));
					}
				}
			}
			Some(b'[') | Some(b'{') => {
				// Skip a nested literal (a structured dtype's descr).
				let mut depth = 0usize;
				while let Some(c) = self.s.get(self.i) {
					self.i += 1;
					match c {
						b'[' | b'{' | b'(' => depth += 1,
						b']' | b'}' | b')' => {
							depth -= 1;
							if depth == 0 {
								return Ok(Value::Other);
							}
						}
						_ => {}
					}
				}
				Err("an unterminated literal".into())
			}
			_ => {
				let rest = &self.s[self.i..];
				for (word, value) in [(&b"True"[..], true), (&b"False"[..], false)] {
					if rest.starts_with(word) {
						self.i += word.len();
						return Ok(Value::Bool(value));
					}
				}
				Err(format!("an unexpected value at {}", self.i))
			}
		}
	}
}

fn le_u16(b: &[u8], at: usize) -> Result<u16, String> {
	b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]])).ok_or_else(truncated)
}

fn le_u32(b: &[u8], at: usize) -> Result<u32, String> {
	b.get(at..at + 4).map(|s| u32::from_le_bytes(s.try_into().unwrap())).ok_or_else(truncated)
}

fn le_u64(b: &[u8], at: usize) -> Result<u64, String> {
	b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().unwrap())).ok_or_else(truncated)
}

fn truncated() -> String {
	"the .npz (zip) is truncated or malformed".into()
}

/// Reads an `.npz`: its entries from the zip's central directory, each a `.npy`; the
/// arrays named as numpy names them (the entry's name without `.npy`).
pub fn read_npz(bytes: &[u8]) -> Result<Vec<(String, Array)>, String> {
	// The end of central directory record: 22 bytes and a comment of up to 65535.
	let eocd = (0..=bytes.len().saturating_sub(22))
		.rev()
		.take(22 + 65535)
		.find(|i| bytes[*i..].starts_with(b"PK\x05\x06"))
		.ok_or("not a zip archive (no end of central directory)")?;
	let mut entries = le_u16(bytes, eocd + 10)? as u64;
	let mut cd_offset = le_u32(bytes, eocd + 16)? as u64;
	if entries == 0xFFFF || cd_offset == 0xFFFF_FFFF {
		// zip64: the locator just before, then the zip64 end of central directory.
		let locator = eocd.checked_sub(20).ok_or_else(truncated)?;
		if !bytes[locator..].starts_with(b"PK\x06\x07") {
			return Err(truncated());
		}
		let at = usize::try_from(le_u64(bytes, locator + 8)?).map_err(|_| truncated())?;
		if !bytes.get(at..).is_some_and(|b| b.starts_with(b"PK\x06\x06")) {
			return Err(truncated());
		}
		entries = le_u64(bytes, at + 32)?;
		cd_offset = le_u64(bytes, at + 48)?;
	}
	let mut at = usize::try_from(cd_offset).map_err(|_| truncated())?;
	let mut arrays = vec![];
	for _ in 0..entries {
		if !bytes.get(at..).is_some_and(|b| b.starts_with(b"PK\x01\x02")) {
			return Err(truncated());
		}
		let flags = le_u16(bytes, at + 8)?;
		let method = le_u16(bytes, at + 10)?;
		let crc = le_u32(bytes, at + 16)?;
		let mut compressed = le_u32(bytes, at + 20)? as u64;
		let mut size = le_u32(bytes, at + 24)? as u64;
		let name_len = le_u16(bytes, at + 28)? as usize;
		let extra_len = le_u16(bytes, at + 30)? as usize;
		let comment_len = le_u16(bytes, at + 32)? as usize;
		let mut local = le_u32(bytes, at + 42)? as u64;
		let name = bytes.get(at + 46..at + 46 + name_len).ok_or_else(truncated)?;
		let name = String::from_utf8_lossy(name).into_owned();
		let extra =
			bytes.get(at + 46 + name_len..at + 46 + name_len + extra_len).ok_or_else(truncated)?;
		zip64_sizes(extra, &mut size, &mut compressed, &mut local)?;
		at += 46 + name_len + extra_len + comment_len;
		if flags & 1 != 0 {
			return Err(format!("entry {name:?} is encrypted"));
		}
		if size > MAX_ENTRY_BYTES {
			return Err(format!("entry {name:?} is larger than 1 GiB"));
		}
		let local = usize::try_from(local).map_err(|_| truncated())?;
		if !bytes.get(local..).is_some_and(|b| b.starts_with(b"PK\x03\x04")) {
			return Err(truncated());
		}
		let data_start =
			local + 30 + le_u16(bytes, local + 26)? as usize + le_u16(bytes, local + 28)? as usize;
		let data = usize::try_from(compressed)
			.ok()
			.and_then(|c| bytes.get(data_start..data_start.checked_add(c)?))
			.ok_or_else(truncated)?;
		let content = match method {
			0 if compressed == size => data.to_vec(),
			8 => inflate(data, size as usize).map_err(|e| format!("entry {name:?}: {e}"))?,
			0 => return Err(truncated()),
			m => {
				return Err(format!(
					"entry {name:?} is compressed with zip method {m}; stored (np.savez) and \
					 deflate (np.savez_compressed) are read"
				))
			}
		};
		if crc32(&content) != crc {
			return Err(format!("entry {name:?} fails its CRC-32 check"));
		}
		let array = read_npy(&content).map_err(|e| format!("entry {name:?}: {e}"))?;
		let name = name.strip_suffix(".npy").unwrap_or(&name).to_string();
		arrays.push((name, array));
	}
	Ok(arrays)
}

/// The zip64 extended information (extra field 0x0001) of a central directory entry:
/// the sizes and offset that do not fit 32 bits, in that order, each only if its 32-bit
/// field is `0xFFFFFFFF`.
fn zip64_sizes(
	mut extra: &[u8],
	size: &mut u64,
	compressed: &mut u64,
	offset: &mut u64,
) -> Result<(), String> {
	while extra.len() >= 4 {
		let id = le_u16(extra, 0)?;
		let len = le_u16(extra, 2)? as usize;
		let body = extra.get(4..4 + len).ok_or_else(truncated)?;
		if id == 1 {
			let mut at = 0;
			for field in [size, compressed, offset] {
				if *field == 0xFFFF_FFFF {
					*field = le_u64(body, at)?;
					at += 8;
				}
			}
			return Ok(());
		}
		extra = &extra[4 + len..];
	}
	Ok(())
}

/// Inflates raw deflate data of a known size.
fn inflate(data: &[u8], size: usize) -> Result<Vec<u8>, String> {
	use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
	use miniz_oxide::inflate::TINFLStatus;
	let mut out = vec![0u8; size];
	let mut state = Box::<DecompressorOxide>::default();
	let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
	let (status, _, written) = decompress(&mut state, data, &mut out, 0, flags);
	match status {
		TINFLStatus::Done if written == size => Ok(out),
		TINFLStatus::Done | TINFLStatus::HasMoreOutput => {
			Err("its inflated size is not the size its header declares".into())
		}
		other => Err(format!("its deflate data is corrupt ({other:?})")),
	}
}

/// The CRC-32 (IEEE) of zip entries.
fn crc32(data: &[u8]) -> u32 {
	const TABLE: [u32; 256] = {
		let mut table = [0u32; 256];
		let mut i = 0;
		while i < 256 {
			let mut c = i as u32;
			let mut k = 0;
			while k < 8 {
				c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
				k += 1;
			}
			table[i] = c;
			i += 1;
		}
		table
	};
	!data.iter().fold(!0u32, |c, b| TABLE[((c ^ *b as u32) & 0xFF) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
		npy_with(
			&format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"),
			data,
		)
	}

	fn npy_with(header: &str, data: &[u8]) -> Vec<u8> {
		let mut header = header.to_string();
		while (10 + header.len() + 1) % 64 != 0 {
			header.push(' ');
		}
		header.push('\n');
		let mut out = b"\x93NUMPY\x01\x00".to_vec();
		out.extend_from_slice(&(header.len() as u16).to_le_bytes());
		out.extend_from_slice(header.as_bytes());
		out.extend_from_slice(data);
		out
	}

	#[test]
	fn crc32_is_the_zip_one() {
		assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
		assert_eq!(crc32(b""), 0);
	}

	#[test]
	fn reads_the_types_and_shapes_numpy_writes() {
		let data: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|x| x.to_le_bytes()).collect();
		let a = read_npy(&npy("<f4", "(1, 2)", &data)).unwrap();
		assert_eq!(a.shape, vec![1, 2]);
		assert_eq!(a.elements, Elements::Float(vec![1.5, -2.0]));
		let a = read_npy(&npy("|u1", "(3,)", &[0, 7, 255])).unwrap();
		assert_eq!(a.elements, Elements::Int(vec![0, 7, 255]));
		let a = read_npy(&npy("|i1", "(2,)", &[0xFF, 1])).unwrap();
		assert_eq!(a.elements, Elements::Int(vec![-1, 1]));
		let a = read_npy(&npy("<i2", "(1,)", &(-300i16).to_le_bytes())).unwrap();
		assert_eq!(a.elements, Elements::Int(vec![-300]));
		let a = read_npy(&npy("<u2", "(1,)", &65535u16.to_le_bytes())).unwrap();
		assert_eq!(a.elements, Elements::Int(vec![65535]));
		let a = read_npy(&npy("|b1", "(2,)", &[1, 0])).unwrap();
		assert_eq!(a.elements, Elements::Int(vec![1, 0]));
		let a = read_npy(&npy("<i8", "()", &(-5i64).to_le_bytes())).unwrap();
		assert_eq!((a.shape.len(), a.elements), (0, Elements::Int(vec![-5])));
		let a = read_npy(&npy("<f8", "(0, 4)", &[])).unwrap();
		assert_eq!(a.shape, vec![0, 4]);
	}

	#[test]
	fn refuses_what_it_cannot_read() {
		let err = |b: Vec<u8>| read_npy(&b).unwrap_err();
		assert!(err(npy(">f4", "(1,)", &[0; 4])).contains("big-endian"));
		assert!(err(npy("<f2", "(1,)", &[0; 2])).contains("not supported"));
		assert!(err(npy("<U3", "(1,)", &[0; 12])).contains("not supported"));
		assert!(err(npy("<f4", "(2,)", &[0; 4])).contains("4 bytes of data"));
		let u8max = u64::MAX.to_le_bytes();
		assert!(err(npy("<u8", "(1,)", &u8max)).contains("does not fit"));
		let fortran = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
		assert!(err(npy_with(fortran, &[0; 16])).contains("Fortran"));
		// One dimension above 1: the same layout in either order.
		let fortran = "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }";
		assert!(read_npy(&npy_with(fortran, &[0; 8])).is_ok());
		let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
		assert!(err(npy_with(structured, &[0; 4])).contains("structured"));
	}
}
