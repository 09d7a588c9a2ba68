//! Generated pictures: real JPEG photos (gradients and shapes in varied colours) and PNG
//! portrait placeholders. A design is drawn from the seeded random source; rendering it is a
//! pure function, so pictures can be rendered on any thread in any order.

use anyhow::Context;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

use super::rng::SeedRng;

/// Named colours, so alt text can say what the picture shows.
const PALETTE: [(&str, [u8; 3]); 14] = [
    ("navy", [20, 33, 61]),
    ("teal", [0, 128, 128]),
    ("amber", [255, 183, 3]),
    ("coral", [255, 111, 97]),
    ("olive", [128, 128, 0]),
    ("plum", [142, 69, 133]),
    ("slate", [112, 128, 144]),
    ("crimson", [190, 30, 45]),
    ("sand", [222, 196, 150]),
    ("forest green", [34, 90, 50]),
    ("sky blue", [110, 180, 230]),
    ("charcoal", [54, 54, 54]),
    ("ochre", [204, 119, 34]),
    ("lavender", [180, 160, 220]),
];

/// What a picture is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A news photo: a JPEG, mostly 1200×800.
    Photo,
    /// An author's portrait placeholder: a 400×400 PNG.
    Portrait,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Circle {
        x: f32,
        y: f32,
        r: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// A horizontal band across the whole picture.
    Band {
        y: f32,
        h: f32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Layer {
    shape: Shape,
    colour: usize,
    alpha: f32,
}

/// Everything needed to render one picture.
#[derive(Debug, Clone)]
pub struct Design {
    kind: Kind,
    width: u32,
    height: u32,
    from: usize,
    to: usize,
    /// Direction of the background gradient, in radians.
    angle: f32,
    layers: Vec<Layer>,
    noise: u32,
}

/// A rendered picture and what to say about it.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub mime_type: &'static str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// What it shows, for alt text.
    pub description: String,
}

/// Draws a design for a picture of `kind`.
pub fn design(rng: &mut SeedRng, kind: Kind) -> Design {
    let (width, height) = match kind {
        Kind::Portrait => (400, 400),
        Kind::Photo => rng.pick(&[
            (1200, 800),
            (1200, 800),
            (1200, 800),
            (1200, 800),
            (1600, 900),
            (800, 1200),
        ]),
    };
    let from = rng.below(PALETTE.len());
    let to = (from + rng.between(3, PALETTE.len() - 3)) % PALETTE.len();
    let colour = (to + rng.between(2, PALETTE.len() - 2)) % PALETTE.len();
    let layers = match kind {
        Kind::Portrait => vec![
            Layer {
                shape: Shape::Circle {
                    x: 0.5,
                    y: 0.40,
                    r: 0.17,
                },
                colour,
                alpha: 1.0,
            },
            Layer {
                shape: Shape::Circle {
                    x: 0.5,
                    y: 1.05,
                    r: 0.40,
                },
                colour,
                alpha: 1.0,
            },
        ],
        Kind::Photo => {
            let count = rng.between(2, 6);
            let form = rng.below(3);
            (0..count)
                .map(|_| {
                    let shape = match form {
                        0 => Shape::Circle {
                            x: rng.unit() as f32,
                            y: rng.unit() as f32,
                            r: 0.05 + 0.25 * rng.unit() as f32,
                        },
                        1 => Shape::Rect {
                            x: rng.unit() as f32 * 0.8,
                            y: rng.unit() as f32 * 0.8,
                            w: 0.1 + 0.4 * rng.unit() as f32,
                            h: 0.1 + 0.4 * rng.unit() as f32,
                        },
                        _ => Shape::Band {
                            y: rng.unit() as f32,
                            h: 0.03 + 0.12 * rng.unit() as f32,
                        },
                    };
                    Layer {
                        shape,
                        colour,
                        alpha: 0.35 + 0.5 * rng.unit() as f32,
                    }
                })
                .collect()
        }
    };
    Design {
        kind,
        width,
        height,
        from,
        to,
        angle: (rng.unit() * std::f64::consts::TAU) as f32,
        layers,
        noise: rng.bits() as u32,
    }
}

impl Design {
    /// What the picture shows, in words.
    pub fn description(&self) -> String {
        let (from, to) = (PALETTE[self.from].0, PALETTE[self.to].0);
        let Some(first) = self.layers.first() else {
            return format!("A {from}-to-{to} gradient");
        };
        let colour = PALETTE[first.colour].0;
        if self.kind == Kind::Portrait {
            return format!("Portrait placeholder: a {colour} silhouette on a {from} background");
        }
        let n = self.layers.len();
        let shapes = match first.shape {
            Shape::Circle { .. } => "circles",
            Shape::Rect { .. } => "rectangles",
            Shape::Band { .. } => "horizontal bands",
        };
        format!(
            "Abstract illustration: {n} overlapping {colour} {shapes} on a {from}-to-{to} gradient"
        )
    }

    /// The picture's pixels, row by row in integer arithmetic (it runs for every picture).
    fn pixels(&self) -> anyhow::Result<RgbImage> {
        let (w, h) = (self.width as usize, self.height as usize);
        let (from, to) = (PALETTE[self.from].1, PALETTE[self.to].1);
        let (dx, dy) = (self.angle.cos(), self.angle.sin());
        // Projection of the corners on the gradient's direction, to spread it over the picture.
        let (wf, hf) = (w as f32, h as f32);
        let corners = [0.0, dx * wf, dy * hf, dx * wf + dy * hf];
        let low = corners.iter().copied().fold(f32::MAX, f32::min);
        let high = corners.iter().copied().fold(f32::MIN, f32::max);
        let span = (high - low).max(1.0);
        let portrait = self.kind == Kind::Portrait;
        let mut state = self.noise | 1;
        let mut buffer = vec![0u8; w * h * 3];
        for (y, row) in buffer.chunks_exact_mut(w * 3).enumerate() {
            // Position along the gradient in 1/256ths, stepping along the row.
            let (mut t, step) = if portrait {
                (y as f32 / hf * 256.0, 0.0)
            } else {
                ((y as f32 * dy - low) / span * 256.0, dx / span * 256.0)
            };
            for pixel in row.chunks_exact_mut(3) {
                let weight = (t as i32).clamp(0, 256);
                // xorshift32: a little grain, so the JPEG does not compress to nothing.
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let grain = (state & 7) as i32 - 4;
                for ((channel, a), b) in pixel.iter_mut().zip(from).zip(to) {
                    let (a, b) = (i32::from(a), i32::from(b));
                    *channel = (a + (((b - a) * weight) >> 8) + grain).clamp(0, 255) as u8;
                }
                t += step;
            }
        }
        for layer in &self.layers {
            paint(&mut buffer, w, h, layer);
        }
        RgbImage::from_raw(self.width, self.height, buffer).context("a picture's buffer")
    }

    /// Renders and encodes the picture.
    pub fn render(&self) -> anyhow::Result<Picture> {
        let image = self.pixels()?;
        let mut bytes = Vec::new();
        let mime_type = match self.kind {
            Kind::Photo => {
                JpegEncoder::new_with_quality(&mut bytes, 82)
                    .encode_image(&image)
                    .context("encoding a JPEG")?;
                "image/jpeg"
            }
            Kind::Portrait => {
                PngEncoder::new(&mut bytes)
                    .write_image(
                        image.as_raw(),
                        self.width,
                        self.height,
                        ExtendedColorType::Rgb8,
                    )
                    .context("encoding a PNG")?;
                "image/png"
            }
        };
        Ok(Picture {
            bytes,
            mime_type,
            width: self.width,
            height: self.height,
            description: self.description(),
        })
    }
}

/// Blends one layer into the `w`×`h` RGB buffer, row span by row span.
fn paint(buffer: &mut [u8], w: usize, h: usize, layer: &Layer) {
    let (wf, hf) = (w as f32, h as f32);
    let colour = PALETTE[layer.colour].1;
    let alpha = (layer.alpha * 256.0) as u32;
    let (top, bottom) = match layer.shape {
        Shape::Circle { y, r, .. } => {
            let r = r * wf.min(hf);
            (y * hf - r, y * hf + r)
        }
        Shape::Rect { y, h: rh, .. } => (y * hf, (y + rh) * hf),
        Shape::Band { y, h: bh } => (y * hf, (y + bh) * hf),
    };
    let rows = (top.max(0.0) as usize)..(bottom.clamp(0.0, hf) as usize);
    for py in rows {
        let (left, right) = match layer.shape {
            Shape::Circle { x, y, r } => {
                let r = r * wf.min(hf);
                let dy = py as f32 - y * hf;
                let half = (r * r - dy * dy).max(0.0).sqrt();
                (x * wf - half, x * wf + half)
            }
            Shape::Rect { x, w: rw, .. } => (x * wf, (x + rw) * wf),
            Shape::Band { .. } => (0.0, wf),
        };
        let (left, right) = (left.clamp(0.0, wf) as usize, right.clamp(0.0, wf) as usize);
        let row = &mut buffer[py * w * 3..(py + 1) * w * 3];
        for pixel in row[left * 3..right * 3].chunks_exact_mut(3) {
            for (channel, target) in pixel.iter_mut().zip(colour) {
                let blended = u32::from(*channel) * (256 - alpha) + u32::from(target) * alpha;
                *channel = (blended >> 8).min(255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::image::{Limits, probe};
    use crate::seed::rng::Stream;

    #[test]
    fn pictures_are_real_images_the_upload_checks_accept() {
        let mut rng = SeedRng::new(11, Stream::Images);
        let limits = Limits {
            max_pixels: 60_000_000,
            max_alloc_bytes: 1024 * 1024 * 1024,
        };
        for kind in [Kind::Photo, Kind::Portrait] {
            let design = design(&mut rng, kind);
            let picture = design.render().unwrap();
            let probed = probe(&picture.bytes, &limits).unwrap();
            assert_eq!(probed.format.mime(), picture.mime_type);
            assert_eq!(
                (probed.width, probed.height),
                (picture.width, picture.height)
            );
            assert!(!picture.description.is_empty());
        }
    }

    #[test]
    fn the_same_design_renders_the_same_bytes() {
        let design = design(&mut SeedRng::new(2, Stream::Images), Kind::Portrait);
        assert_eq!(
            design.render().unwrap().bytes,
            design.render().unwrap().bytes
        );
    }
}
