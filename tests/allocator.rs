//! The server's allocator gives memory back to the system when the console goes idle: alone in its own test binary
//! (with the binary's allocator) so the process's memory is this test's.

#![cfg(feature = "ssr")]

use std::io::Read;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The process's resident memory (KiB), read without allocating: an allocation would let mimalloc purge on this
/// thread, and the test is that memory goes back while no thread allocates.
fn rss_kib() -> u64 {
    let mut buf = [0u8; 4096];
    let mut file = std::fs::File::open("/proc/self/status").unwrap();
    let mut len = 0;
    while let Ok(n) = file.read(&mut buf[len..]) {
        if n == 0 || len + n == buf.len() {
            len += n;
            break;
        }
        len += n;
    }
    let text = std::str::from_utf8(&buf[..len]).unwrap();
    let line = text.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn memory_freed_goes_back_to_the_system_while_idle() {
    bi_console::server::tune_allocator();
    let before = rss_kib();
    let big = std::hint::black_box(vec![1u8; 64 << 20]);
    let held = rss_kib();
    assert!(held > before + 60 * 1024, "{before} KiB, then {held} KiB");
    drop(big);
    // Nothing allocates from here on: only the purger can give the 64 MiB back.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let now = rss_kib();
        if now < before + 8 * 1024 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} KiB still held 5 s after the free ({before} KiB before)",
            now - before
        );
    }
}
