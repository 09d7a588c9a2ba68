//! Image costs, rerunnable: `cargo bench --bench media`.
//!
//! On a generated 24-megapixel photo-like JPEG (6000x4000, gradients and noise so that it does
//! not compress trivially): the time to probe an upload (sniff, validate, decode in full), and
//! to make a 1280-wide JPEG and a 1280-wide WebP rendition (decode, resize, encode). Medians of
//! several runs, one thread, as a request does it. Needs no database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::time::{Duration, Instant};

use newsroom::media::image::{Limits, OutputFormat, probe, render, test_support};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect()
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn main() {
    let (width, height) = (6000, 4000);
    let started = Instant::now();
    let photo = test_support::encode_jpeg(&test_support::photo(width, height), 90);
    println!(
        "source: {width}x{height} JPEG (quality 90), {:.1} MB, generated in {:.1?}",
        megabytes(photo.len()),
        started.elapsed()
    );
    let limits = Limits::default();

    let probed = probe(&photo, &limits).unwrap();
    assert_eq!((probed.width, probed.height), (width, height));
    let probes = time(7, || probe(&photo, &limits).unwrap());
    let probe_median = median(probes);
    println!(
        "probe (sniff + validate + full decode): median {probe_median:.1?}, {:.0} MB/s, {:.0} megapixels/s",
        megabytes(photo.len()) / probe_median.as_secs_f64(),
        f64::from(width) * f64::from(height) / 1_000_000.0 / probe_median.as_secs_f64()
    );

    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        let output = render(&photo, &limits, Some(1280), format).unwrap();
        let runs = time(5, || render(&photo, &limits, Some(1280), format).unwrap());
        println!(
            "1280-wide {:?} rendition (decode + resize + encode): median {:.1?}, {:.0} KB",
            format,
            median(runs),
            output.len() as f64 / 1000.0
        );
    }
}
