#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ec2_sg_fuzz::build_request_target(data));
