//! Replays the kept fuzz corpus (`fuzz/corpus/<target>/`, grown by `cargo fuzz run`) through the
//! fuzz targets' checks on stable: every input the fuzzer found interesting, findings included,
//! stays free of panics and keeps its invariants.

use std::path::PathBuf;

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut replayed = 0;
    let mut failures = Vec::new();
    for (target, check) in ec2_sg_fuzz::TARGETS {
        let dir = corpus.join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {target} in {}", dir.display());
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                failures.push(file.display().to_string());
            }
            replayed += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {replayed} corpus inputs failed: {failures:#?}", failures.len());
    println!("replayed {replayed} corpus inputs");
}
