//! Inputs by reference: a request may name an input blob (bytes the requester stored with
//! offchain indexing, as model chunks are) or a registered dataset (whose content is the
//! blob with the dataset's content hash) instead of carrying its input inline. Operators
//! read the blob from their offchain DB, check its hash, and decode it into the version's
//! input tensor as the version declares ([`BlobDecoding`]).

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{
	dataset::DatasetId,
	model::{ElementType, TensorSpec},
};

/// The blake2-256 hash of an input blob's bytes. For a dataset's content, the same hash
/// as the dataset's content hash (`aioracle-node dataset hash FILE`).
pub type InputBlobHash = sp_core::H256;

/// The prefix of the offchain-DB key under which a node keeps an input blob; see
/// [`input_blob_key`].
pub const INPUT_BLOB_KEY_PREFIX: &[u8] = b"aioracle/input-blob/";

/// The offchain-DB key of the input blob with `hash`: `b"aioracle/input-blob/" ++ hash`.
/// The oracle writes the bytes there with offchain indexing when they are stored, and
/// clears them when they are removed; off-chain workers read them from there.
pub fn input_blob_key(hash: &InputBlobHash) -> Vec<u8> {
	[INPUT_BLOB_KEY_PREFIX, hash.as_bytes()].concat()
}

/// What a request by reference names as its input.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum InputSource {
	/// A stored input blob, by its hash.
	Blob(InputBlobHash),
	/// A registered dataset: its content, stored as the input blob with the dataset's
	/// content hash. The result is then linked to the dataset and its provenance.
	Dataset(DatasetId),
}

/// What a request by reference records: the blob its input is decoded from and, if it was
/// named by dataset, which one.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct InputReference {
	/// The blob the input is decoded from.
	pub blob: InputBlobHash,
	/// The dataset whose content the blob is, if the request named one.
	pub dataset: Option<DatasetId>,
}

/// How operators turn an input blob into a version's input tensor. Declared by the version
/// (the model's owner, while it is proposed); [`BlobDecoding::Tensor`] unless declared.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum BlobDecoding {
	/// The blob is the input tensor: its elements row-major, each a little-endian integer
	/// of the element type's width taken as the fixed-point value (`U8`: one unsigned
	/// byte, `I32`: four bytes, `I64`, `F32` and `F64`: eight bytes, the `i64` fixed point
	/// of the version's input scale). Its size must be exactly the element count times
	/// that width.
	#[default]
	Tensor,
	/// A file's first and last bytes, as content-type models read files (Magika's
	/// features): the first `min(block, len)` bytes without their leading ASCII whitespace,
	/// cut to `begin` bytes and padded at the end with `padding`; then the last
	/// `min(block, len)` bytes without their trailing ASCII whitespace, cut to their last
	/// `end` bytes and padded at the start with `padding`. `begin + end` values, each a
	/// byte (0-255) or `padding`; any blob size fits.
	FileEdges {
		/// Values taken from the start.
		begin: u32,
		/// Values taken from the end.
		end: u32,
		/// The bytes read at each end before whitespace is stripped.
		block: u32,
		/// The value that fills a short side.
		padding: i64,
	},
}

/// Why a blob does not decode into a version's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
	/// The blob's size is not the input's element count times the element width.
	SizeMismatch,
	/// The decoding yields a different number of values than the input has elements.
	LengthMismatch,
	/// The input spec has a degenerate shape.
	DegenerateShape,
}

/// ASCII whitespace as Python's `bytes.strip()` removes it: space, `\t`, `\n`, `\v`,
/// `\f`, `\r`.
fn is_ascii_space(byte: &u8) -> bool {
	matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The bytes per element that [`BlobDecoding::Tensor`] reads for `element_type`.
pub fn tensor_element_width(element_type: ElementType) -> u32 {
	match element_type {
		ElementType::U8 => 1,
		ElementType::I32 => 4,
		ElementType::I64 | ElementType::F32 | ElementType::F64 => 8,
	}
}

/// The size in bytes of a [`BlobDecoding::Tensor`] blob for `inputs`: each input's element
/// count times its width, summed (`None` for a degenerate shape or beyond `u32`).
pub fn tensor_blob_size(inputs: &[TensorSpec]) -> Option<u32> {
	inputs.iter().try_fold(0u32, |total, input| {
		let bytes = input.element_count()?.checked_mul(tensor_element_width(input.element_type))?;
		total.checked_add(bytes)
	})
}

impl BlobDecoding {
	/// Whether a blob of `size` bytes can decode into `inputs` (which the caller checked
	/// have proper shapes): for `Tensor` when the size is the sum of each input's element
	/// count times its width; for `FileEdges` when there is one input and its element
	/// count is the value count.
	pub fn fits(&self, size: u32, inputs: &[TensorSpec]) -> Result<(), DecodeError> {
		match self {
			Self::Tensor => {
				if inputs.iter().any(|input| input.element_count().is_none()) {
					return Err(DecodeError::DegenerateShape);
				}
				(tensor_blob_size(inputs) == Some(size))
					.then_some(())
					.ok_or(DecodeError::SizeMismatch)
			}
			Self::FileEdges { begin, end, .. } => {
				let [input] = inputs else { return Err(DecodeError::LengthMismatch) };
				let count = input.element_count().ok_or(DecodeError::DegenerateShape)?;
				(begin.checked_add(*end) == Some(count))
					.then_some(())
					.ok_or(DecodeError::LengthMismatch)
			}
		}
	}

	/// Whether a version with `inputs` may declare this decoding, whatever blob comes
	/// later: always `Tensor` (a blob's size is checked when a request names it),
	/// `FileEdges` when the version has one input and its values are exactly its elements.
	pub fn suits(&self, inputs: &[TensorSpec]) -> bool {
		match self {
			Self::Tensor => true,
			Self::FileEdges { .. } => self.fits(0, inputs).is_ok(),
		}
	}

	/// The input values (fixed point; each input's row-major, in order) that `blob`
	/// decodes to for `inputs`.
	pub fn decode(&self, blob: &[u8], inputs: &[TensorSpec]) -> Result<Vec<i64>, DecodeError> {
		let size = u32::try_from(blob.len()).map_err(|_| DecodeError::SizeMismatch)?;
		self.fits(size, inputs)?;
		Ok(match *self {
			Self::Tensor => {
				let mut values = Vec::new();
				let mut rest = blob;
				for input in inputs {
					// `fits` checked the sizes: every split is in bounds.
					let count = input.element_count().unwrap_or(0) as usize;
					let bytes = count.saturating_mul(tensor_element_width(input.element_type) as usize);
					let (this, next) = rest.split_at(bytes.min(rest.len()));
					values.extend(decode_tensor(this, input.element_type));
					rest = next;
				}
				values
			}
			Self::FileEdges { begin, end, block, padding } => {
				file_edges(blob, begin as usize, end as usize, block as usize, padding)
			}
		})
	}
}

/// The elements of a [`BlobDecoding::Tensor`] blob (whose size the caller checked).
fn decode_tensor(blob: &[u8], element_type: ElementType) -> Vec<i64> {
	let width = tensor_element_width(element_type) as usize;
	blob.chunks_exact(width)
		.map(|bytes| match element_type {
			ElementType::U8 => bytes.first().copied().map_or(0, i64::from),
			ElementType::I32 => {
				<[u8; 4]>::try_from(bytes).map_or(0, |le| i32::from_le_bytes(le).into())
			}
			ElementType::I64 | ElementType::F32 | ElementType::F64 => {
				<[u8; 8]>::try_from(bytes).map_or(0, i64::from_le_bytes)
			}
		})
		.collect()
}

/// The values of [`BlobDecoding::FileEdges`].
fn file_edges(blob: &[u8], begin: usize, end: usize, block: usize, padding: i64) -> Vec<i64> {
	let byte = |b: &u8| i64::from(*b);
	let mut values: Vec<i64> =
		blob.iter().take(block).skip_while(|b| is_ascii_space(b)).take(begin).map(byte).collect();
	values.resize(begin, padding);
	let mut tail: Vec<i64> = blob
		.iter()
		.rev()
		.take(block)
		.skip_while(|b| is_ascii_space(b))
		.take(end)
		.map(byte)
		.collect();
	tail.resize(end, padding);
	values.extend(tail.into_iter().rev());
	values
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::BoundedVec;

	fn tensor(index: u32, element_type: ElementType, shape: &[u32]) -> TensorSpec {
		TensorSpec { index, element_type, shape: BoundedVec::truncate_from(shape.to_vec()) }
	}

	/// A version's one input.
	fn spec(element_type: ElementType, shape: &[u32]) -> [TensorSpec; 1] {
		[tensor(0, element_type, shape)]
	}

	const EDGES: BlobDecoding =
		BlobDecoding::FileEdges { begin: 4, end: 4, block: 6, padding: 256 };

	#[test]
	fn tensor_blobs_decode_little_endian_by_element_width() {
		let u8s = spec(ElementType::U8, &[1, 3]);
		assert_eq!(BlobDecoding::Tensor.decode(&[0, 7, 255], &u8s), Ok(vec![0, 7, 255]));
		let i32s = spec(ElementType::I32, &[2]);
		let blob = [(-2i32).to_le_bytes(), 70_000i32.to_le_bytes()].concat();
		assert_eq!(BlobDecoding::Tensor.decode(&blob, &i32s), Ok(vec![-2, 70_000]));
		let f32s = spec(ElementType::F32, &[1, 2]);
		let blob = [1_500_000i64.to_le_bytes(), (-1i64).to_le_bytes()].concat();
		assert_eq!(BlobDecoding::Tensor.decode(&blob, &f32s), Ok(vec![1_500_000, -1]));
	}

	#[test]
	fn tensor_blobs_fill_several_inputs_in_order() {
		// An image of two u8 pixels, then two i64 features: 2 + 16 bytes.
		let inputs = [tensor(1, ElementType::U8, &[1, 2]), tensor(0, ElementType::F32, &[1, 2])];
		let blob = [&[9u8, 200][..], &3i64.to_le_bytes(), &(-4i64).to_le_bytes()].concat();
		assert_eq!(BlobDecoding::Tensor.decode(&blob, &inputs), Ok(vec![9, 200, 3, -4]));
		assert_eq!(BlobDecoding::Tensor.fits(17, &inputs), Err(DecodeError::SizeMismatch));
		assert_eq!(BlobDecoding::Tensor.decode(&blob[1..], &inputs), Err(DecodeError::SizeMismatch));
		// File edges feed exactly one input.
		let edges = BlobDecoding::FileEdges { begin: 1, end: 1, block: 4, padding: 0 };
		assert!(!edges.suits(&inputs));
		assert!(edges.suits(&spec(ElementType::I32, &[2])));
		assert!(BlobDecoding::Tensor.suits(&inputs));
	}

	#[test]
	fn tensor_blobs_of_the_wrong_size_are_refused() {
		let i32s = spec(ElementType::I32, &[2]);
		assert_eq!(BlobDecoding::Tensor.decode(&[0; 7], &i32s), Err(DecodeError::SizeMismatch));
		assert_eq!(BlobDecoding::Tensor.fits(9, &i32s), Err(DecodeError::SizeMismatch));
		assert_eq!(BlobDecoding::Tensor.fits(8, &i32s), Ok(()));
		let degenerate = spec(ElementType::I32, &[0]);
		assert_eq!(BlobDecoding::Tensor.fits(0, &degenerate), Err(DecodeError::DegenerateShape));
	}

	#[test]
	fn file_edges_strip_whitespace_and_pad_like_magika() {
		let input = spec(ElementType::I32, &[1, 8]);
		// Longer than a block: the head reads "  abcd", the tail "efgh \n".
		let blob = b"  abcdXXXXefgh \n";
		let (a, d, e, h) = (i64::from(b'a'), i64::from(b'd'), i64::from(b'e'), i64::from(b'h'));
		assert_eq!(EDGES.decode(blob, &input), Ok(vec![a, a + 1, a + 2, d, e, e + 1, e + 2, h]));
		// Short: both sides padded, the head at its end and the tail at its start. Each side
		// strips its own end only, as Magika does: the head keeps its trailing space.
		assert_eq!(EDGES.decode(b" xy ", &input), Ok(vec![120, 121, 32, 256, 256, 32, 120, 121]));
		// Only whitespace, or nothing: all padding.
		assert_eq!(EDGES.decode(b" \t\r\n", &input), Ok(vec![256; 8]));
		assert_eq!(EDGES.decode(b"", &input), Ok(vec![256; 8]));
	}

	#[test]
	fn file_edges_must_fill_the_input_exactly() {
		let input = spec(ElementType::I32, &[1, 9]);
		assert_eq!(EDGES.decode(b"abc", &input), Err(DecodeError::LengthMismatch));
		assert_eq!(EDGES.fits(3, &spec(ElementType::I32, &[8])), Ok(()));
	}

	#[test]
	fn blob_keys_are_prefixed_hashes() {
		let hash = InputBlobHash::repeat_byte(7);
		let key = input_blob_key(&hash);
		assert!(key.starts_with(INPUT_BLOB_KEY_PREFIX));
		assert_eq!(&key[INPUT_BLOB_KEY_PREFIX.len()..], hash.as_bytes());
	}
}
