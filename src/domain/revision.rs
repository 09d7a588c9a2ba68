//! Revisions: immutable snapshots of an article's working copy, and the structured difference
//! between two of them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::body::Block;

/// An author on a snapshot's byline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotByline {
    /// Author.
    pub author_id: Uuid,
    /// Role on the article.
    pub role: Option<String>,
}

/// The featured image of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotImage {
    /// Image.
    pub image_id: Uuid,
    /// Caption override.
    pub caption: Option<String>,
    /// Credit override.
    pub credit: Option<String>,
}

/// Everything readers see of an article, frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// Headline.
    pub headline: String,
    /// Slug at the time.
    pub slug: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Language.
    pub language: String,
    /// Byline.
    pub authors: Vec<SnapshotByline>,
    /// Hero image.
    pub featured_image: Option<SnapshotImage>,
    /// Body.
    pub body: Vec<Block>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Translated article.
    pub translation_of: Option<Uuid>,
    /// Words.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    /// Field name.
    pub field: String,
    /// Value in the older revision.
    #[schema(value_type = Object)]
    pub from: Value,
    /// Value in the newer revision.
    #[schema(value_type = Object)]
    pub to: Value,
}

/// How a body block changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockOp {
    /// Only in the newer revision.
    Added,
    /// Only in the older revision.
    Removed,
}

/// One added or removed block.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BlockChange {
    /// Added or removed.
    pub op: BlockOp,
    /// Position in the older body (removed) or the newer body (added).
    pub index: usize,
    /// The block.
    pub block: Block,
}

/// The difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Diff {
    /// Changed fields other than the body.
    pub fields: Vec<FieldChange>,
    /// Body blocks removed and added (a changed block is a removal and an addition).
    pub body: Vec<BlockChange>,
}

/// Compares two snapshots: fields by value, the body as the shortest edit script between the
/// block lists (so an inserted paragraph is one addition, not a shift of everything after it).
pub fn diff(older: &Snapshot, newer: &Snapshot) -> Diff {
    let to_map = |s: &Snapshot| match serde_json::to_value(s) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (a, b) = (to_map(older), to_map(newer));
    let fields = a
        .iter()
        .filter(|(name, _)| name.as_str() != "body")
        .filter_map(|(name, from)| {
            let to = b.get(name).cloned().unwrap_or(Value::Null);
            (from != &to).then(|| FieldChange {
                field: name.clone(),
                from: from.clone(),
                to,
            })
        })
        .collect();
    Diff {
        fields,
        body: body_diff(&older.body, &newer.body),
    }
}

fn body_diff(old: &[Block], new: &[Block]) -> Vec<BlockChange> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut changes = Vec::new();
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            changes.push(BlockChange {
                op: BlockOp::Added,
                index: j,
                block: new[j].clone(),
            });
            j += 1;
        } else {
            changes.push(BlockChange {
                op: BlockOp::Removed,
                index: i,
                block: old[i].clone(),
            });
            i += 1;
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(text: &str) -> Block {
        Block::Paragraph {
            text: text.to_owned(),
        }
    }

    fn snapshot(headline: &str, body: Vec<Block>) -> Snapshot {
        Snapshot {
            headline: headline.to_owned(),
            slug: "s".to_owned(),
            dek: None,
            kicker: None,
            section_id: None,
            tags: vec![],
            language: "en".to_owned(),
            authors: vec![],
            featured_image: None,
            body,
            seo_title: None,
            seo_description: None,
            canonical_url: None,
            translation_of: None,
            word_count: 0,
            reading_time_minutes: 0,
        }
    }

    #[test]
    fn an_inserted_paragraph_is_one_addition() {
        let a = snapshot(
            "A",
            vec![paragraph("one"), paragraph("two"), paragraph("three")],
        );
        let b = snapshot(
            "B",
            vec![
                paragraph("one"),
                paragraph("new"),
                paragraph("two"),
                paragraph("three"),
            ],
        );
        let d = diff(&a, &b);
        assert_eq!(d.fields.len(), 1);
        assert_eq!(d.fields[0].field, "headline");
        assert_eq!(d.fields[0].from, Value::from("A"));
        assert_eq!(
            d.body,
            vec![BlockChange {
                op: BlockOp::Added,
                index: 1,
                block: paragraph("new")
            }]
        );
    }

    #[test]
    fn a_changed_block_is_a_removal_and_an_addition() {
        let a = snapshot("A", vec![paragraph("one"), paragraph("two")]);
        let b = snapshot("A", vec![paragraph("one"), paragraph("2")]);
        let d = diff(&a, &b);
        assert!(d.fields.is_empty());
        let ops: Vec<(BlockOp, usize)> = d.body.iter().map(|c| (c.op, c.index)).collect();
        assert_eq!(ops, vec![(BlockOp::Added, 1), (BlockOp::Removed, 1)]);
    }

    #[test]
    fn identical_snapshots_have_no_difference() {
        let a = snapshot("A", vec![paragraph("one")]);
        let d = diff(&a, &a.clone());
        assert!(d.fields.is_empty() && d.body.is_empty());
    }
}
