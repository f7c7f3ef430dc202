//! A report, not a gate: which common scikit-learn model types compile, and how close
//! they come to onnxruntime. Needs the models `exact/scripts/make_zoo.py` writes:
//!
//! ```sh
//! ~/.cache/aioracle/venv/bin/python exact/scripts/make_zoo.py /tmp/exact-zoo
//! EXACT_ZOO_DIR=/tmp/exact-zoo cargo test -p aioracle-exact --test zoo -- --ignored --nocapture
//! ```

use aioracle_exact::{compile, run};
use serde_json::Value;

fn ints(v: &Value) -> Vec<i64> {
	v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

#[test]
#[ignore = "needs EXACT_ZOO_DIR (exact/scripts/make_zoo.py)"]
fn zoo_report() {
	let dir = std::path::PathBuf::from(std::env::var("EXACT_ZOO_DIR").unwrap());
	let mut names: Vec<_> = std::fs::read_dir(&dir)
		.unwrap()
		.filter_map(|e| {
			let p = e.unwrap().path();
			(p.extension()? == "json")
				.then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
		})
		.collect();
	names.sort();
	for name in names {
		let onnx = std::fs::read(dir.join(format!("{name}.onnx"))).unwrap();
		let json: Value = serde_json::from_str(
			&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
		)
		.unwrap();
		let si = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		let so = json["fixed_point"]["output_scale"].as_u64().unwrap() as u8;
		for spec in json["outputs"].as_array().unwrap() {
			let output = spec["name"].as_str().unwrap();
			let integer = spec["element_type"] == "int64";
			let program = match compile(&onnx, si, so, output) {
				Ok(p) => p,
				Err(e) => {
					println!("{name:18} {output:14} NO   {e}");
					continue;
				}
			};
			let (mut equal, mut cases, mut worst, mut failed) = (0, 0, 0i64, None);
			for case in json["cases"].as_array().unwrap() {
				let r = case["outputs"].as_array().unwrap().iter().find(|o| o["name"] == output);
				let got = match run(&program, &ints(&case["input_fixed_point"])) {
					Ok(g) => g,
					Err(e) => {
						failed = Some(format!("{e:?}"));
						break;
					}
				};
				cases += 1;
				let unit = 10i64.pow(so as u32);
				if integer {
					let want: Vec<i64> =
						ints(&r.unwrap()["values"]).iter().map(|v| v * unit).collect();
					equal += (got == want) as u32;
				} else {
					let want = ints(&r.unwrap()["fixed_point"]);
					for (g, w) in got.iter().zip(&want) {
						worst = worst.max((g - w).abs());
					}
					equal += (got.len() == want.len()) as u32;
				}
			}
			match failed {
				Some(e) => println!("{name:18} {output:14} RUN  {e}"),
				None if integer => {
					println!("{name:18} {output:14} yes  labels equal {equal}/{cases}")
				}
				None => {
					println!("{name:18} {output:14} yes  max diff {worst} units ({cases} cases)")
				}
			}
		}
	}
}
