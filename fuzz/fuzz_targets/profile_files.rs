#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ec2_sg_fuzz::profile_files(data));
