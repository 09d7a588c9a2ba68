//! Media: image decoding and renditions, and the object store that keeps the files.

pub mod image;
pub mod store;
