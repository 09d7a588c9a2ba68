//! Content operations: the multi-step writes behind the management API (references checked,
//! files stored, audit entries written in the same transaction as the change).

pub mod authors;
pub mod images;
