//! The interpreter has no floats: `f32` and `f64` appear in no source file outside the
//! compiler (`src/compile/`) and the `#[cfg(test)]` modules.

#[test]
fn no_floats_outside_the_compiler() {
	let src = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
	let mut files = vec![];
	let mut dirs = vec![src.clone()];
	while let Some(d) = dirs.pop() {
		for e in std::fs::read_dir(&d).unwrap() {
			let p = e.unwrap().path();
			if p.is_dir() {
				if p.file_name().unwrap() != "compile" {
					dirs.push(p);
				}
			} else if p.extension().is_some_and(|x| x == "rs") {
				files.push(p);
			}
		}
	}
	assert!(files.len() >= 10, "{files:?}");
	for f in files {
		let text = std::fs::read_to_string(&f).unwrap();
		let code = text.split("#[cfg(test)]").next().unwrap();
		for word in ["f32", "f64"] {
			let found = code.match_indices(word).any(|(i, _)| {
				let before =
					code[..i].chars().last().is_none_or(|c| !c.is_alphanumeric() && c != '_');
				let after =
					code[i + 3..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_');
				before && after
			});
			assert!(!found, "{word} in {}", f.display());
		}
	}
}
