//! `aioracle-node dataset hash PATH`: the content hash and size that
//! `DatasetProvenance.register_dataset` expects, computed by streaming the data.
//!
//! # Canonical bytes
//! - **A file**: its bytes, as they are.
//! - **A directory**: every regular file below it, ordered by its path relative to the
//!   directory (UTF-8, `/`-separated, compared byte by byte), each contributing
//!   `len(path) as u64 LE || path || len(file) as u64 LE || file bytes`. Empty
//!   directories contribute nothing. Symbolic links, special files and paths that are not
//!   UTF-8 are refused, so that two machines cannot disagree about what was hashed.
//!
//! The content hash is blake2-256 of the canonical bytes; the size is their length.

use std::{
	fs::File,
	io::{self, IsTerminal, Read, Write},
	path::{Path, PathBuf},
	time::Instant,
};

/// Bytes read per step.
const CHUNK: usize = 1 << 20;

/// What `dataset hash` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDigest {
	/// blake2-256 of the canonical bytes.
	pub hash: [u8; 32],
	/// The length of the canonical bytes.
	pub size_bytes: u64,
	/// The number of files hashed.
	pub files: u64,
}

impl ContentDigest {
	/// One line of JSON whose keys are `register_dataset`'s argument names in Polkadot.js.
	pub fn to_json(&self) -> String {
		serde_json::json!({
			"contentHash": format!("0x{}", hex(&self.hash)),
			"sizeBytes": self.size_bytes,
			"files": self.files,
		})
		.to_string()
	}
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file to hash and the path it is hashed under (empty for a single file).
struct Entry {
	path: PathBuf,
	name: String,
	len: u64,
}

fn refuse(path: &Path, why: &str) -> io::Error {
	io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {why}", path.display()))
}

/// Lists the files below `root` in canonical order.
fn list(root: &Path) -> io::Result<Vec<Entry>> {
	let meta = std::fs::symlink_metadata(root)
		.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
	if meta.file_type().is_file() {
		return Ok(vec![Entry { path: root.to_path_buf(), name: String::new(), len: meta.len() }]);
	}
	if !meta.is_dir() {
		return Err(refuse(root, "not a regular file or a directory"));
	}
	let mut entries = Vec::new();
	let mut dirs = vec![root.to_path_buf()];
	while let Some(dir) = dirs.pop() {
		for item in std::fs::read_dir(&dir)? {
			let item = item?;
			let path = item.path();
			let file_type = item.file_type()?;
			if file_type.is_dir() {
				dirs.push(path);
			} else if file_type.is_file() {
				let relative =
					path.strip_prefix(root).map_err(|_| refuse(&path, "outside the root"))?;
				let name = relative
					.components()
					.map(|c| {
						c.as_os_str().to_str().ok_or_else(|| refuse(&path, "path is not UTF-8"))
					})
					.collect::<io::Result<Vec<_>>>()?
					.join("/");
				entries.push(Entry { len: item.metadata()?.len(), path, name });
			} else {
				return Err(refuse(&path, "symbolic links and special files are not hashed"));
			}
		}
	}
	entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
	Ok(entries)
}

/// Hashes `root` (a file or a directory), calling `progress(done, total)` as it goes.
pub fn hash_path(root: &Path, progress: &mut dyn FnMut(u64, u64)) -> io::Result<ContentDigest> {
	let entries = list(root)?;
	let single_file = entries.len() == 1 && entries[0].name.is_empty();
	let framing = |e: &Entry| if single_file { 0 } else { 16 + e.name.len() as u64 };
	let total: u64 = entries.iter().map(|e| framing(e) + e.len).sum();

	let mut state = blake2b_simd::Params::new().hash_length(32).to_state();
	let mut buffer = vec![0u8; CHUNK];
	let mut done = 0u64;
	for entry in &entries {
		if !single_file {
			state.update(&(entry.name.len() as u64).to_le_bytes());
			state.update(entry.name.as_bytes());
			state.update(&entry.len.to_le_bytes());
			done += framing(entry);
		}
		let mut file = File::open(&entry.path)
			.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", entry.path.display())))?;
		let mut read = 0u64;
		loop {
			let n = file.read(&mut buffer)?;
			if n == 0 {
				break;
			}
			state.update(&buffer[..n]);
			read += n as u64;
			done += n as u64;
			progress(done, total);
		}
		if read != entry.len {
			return Err(refuse(&entry.path, "the file changed while it was hashed"));
		}
	}
	let mut hash = [0u8; 32];
	hash.copy_from_slice(state.finalize().as_bytes());
	Ok(ContentDigest { hash, size_bytes: total, files: entries.len() as u64 })
}

/// A one-line progress bar on stderr, shown for inputs of 16 MiB or more when stderr is
/// a terminal.
struct ProgressBar {
	started: Instant,
	last_percent: Option<u64>,
	enabled: bool,
}

impl ProgressBar {
	fn new(enabled: bool) -> Self {
		Self {
			started: Instant::now(),
			last_percent: None,
			enabled: enabled && io::stderr().is_terminal(),
		}
	}

	fn update(&mut self, done: u64, total: u64) {
		if !self.enabled || total < 16 << 20 {
			return;
		}
		let percent = done.saturating_mul(100) / total.max(1);
		if self.last_percent == Some(percent) {
			return;
		}
		self.last_percent = Some(percent);
		let seconds = self.started.elapsed().as_secs_f64().max(1e-6);
		let rate = done as f64 / seconds / (1 << 20) as f64;
		let filled = (percent / 4) as usize;
		eprint!(
			"\r[{}{}] {percent:3}% {:.0}/{:.0} MiB {rate:.0} MiB/s",
			"#".repeat(filled),
			" ".repeat(25 - filled),
			done as f64 / (1 << 20) as f64,
			total as f64 / (1 << 20) as f64,
		);
		let _ = io::stderr().flush();
	}

	fn finish(&self) {
		if self.enabled && self.last_percent.is_some() {
			eprintln!();
		}
	}
}

/// `aioracle-node dataset ...`
#[derive(Debug, clap::Subcommand)]
pub enum DatasetCmd {
	/// Print the content hash and size of a file or directory, as `register_dataset`
	/// expects them (JSON: `contentHash`, `sizeBytes`, `files`).
	Hash(HashCmd),
}

/// `aioracle-node dataset hash PATH`
#[derive(Debug, clap::Args)]
pub struct HashCmd {
	/// The file or directory to hash.
	pub path: PathBuf,
	/// Do not draw a progress bar.
	#[arg(long)]
	pub no_progress: bool,
}

impl DatasetCmd {
	/// Runs the command, printing to stdout.
	pub fn run(&self) -> sc_cli::Result<()> {
		match self {
			DatasetCmd::Hash(cmd) => {
				let mut bar = ProgressBar::new(!cmd.no_progress);
				let digest = hash_path(&cmd.path, &mut |done, total| bar.update(done, total))
					.map_err(|e| sc_cli::Error::Input(e.to_string()))?;
				bar.finish();
				println!("{}", digest.to_json());
				Ok(())
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn blake2_256(data: &[u8]) -> [u8; 32] {
		sp_io::hashing::blake2_256(data)
	}

	fn temp_dir(name: &str) -> PathBuf {
		let dir = std::env::temp_dir().join(format!("aioracle-hash-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).unwrap();
		dir
	}

	fn frame(name: &str, data: &[u8]) -> Vec<u8> {
		let mut out = (name.len() as u64).to_le_bytes().to_vec();
		out.extend_from_slice(name.as_bytes());
		out.extend_from_slice(&(data.len() as u64).to_le_bytes());
		out.extend_from_slice(data);
		out
	}

	#[test]
	fn a_file_hashes_to_blake2_256_of_its_bytes() {
		let dir = temp_dir("file");
		// Larger than one chunk, so streaming is exercised.
		let data: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
		let path = dir.join("data.bin");
		std::fs::write(&path, &data).unwrap();
		let digest = hash_path(&path, &mut |_, _| {}).unwrap();
		assert_eq!(digest.hash, blake2_256(&data));
		assert_eq!(digest.size_bytes, data.len() as u64);
		assert_eq!(digest.files, 1);
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn a_directory_hashes_its_files_in_canonical_order() {
		let dir = temp_dir("dir");
		std::fs::create_dir_all(dir.join("b/c")).unwrap();
		std::fs::create_dir_all(dir.join("empty")).unwrap();
		std::fs::write(dir.join("b/c/z.csv"), b"z").unwrap();
		std::fs::write(dir.join("a.csv"), b"alpha").unwrap();
		std::fs::write(dir.join("b/y.csv"), b"").unwrap();
		let mut canonical = frame("a.csv", b"alpha");
		canonical.extend(frame("b/c/z.csv", b"z"));
		canonical.extend(frame("b/y.csv", b""));
		let mut calls = 0;
		let digest = hash_path(&dir, &mut |done, total| {
			calls += 1;
			assert!(done <= total);
		})
		.unwrap();
		assert_eq!(digest.hash, blake2_256(&canonical));
		assert_eq!(digest.size_bytes, canonical.len() as u64);
		assert_eq!(digest.files, 3);
		assert!(calls > 0);
		assert!(digest.to_json().contains(&format!("\"contentHash\":\"0x{}\"", hex(&digest.hash))));
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn symlinks_and_missing_paths_are_refused() {
		let dir = temp_dir("link");
		std::fs::write(dir.join("a"), b"a").unwrap();
		std::os::unix::fs::symlink(dir.join("a"), dir.join("link")).unwrap();
		let err = hash_path(&dir, &mut |_, _| {}).unwrap_err();
		assert!(err.to_string().contains("symbolic links"), "{err}");
		let err = hash_path(&dir.join("missing"), &mut |_, _| {}).unwrap_err();
		assert!(err.to_string().contains("missing"), "{err}");
		std::fs::remove_dir_all(dir).unwrap();
	}
}
