//! An article's body: an ordered list of typed blocks, checked and sanitised on the way in,
//! with word count and reading time computed from its text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::inline::{plain_text, sanitize_inline};

/// Reading speed used for `reading_time_minutes`: 230 words a minute, rounded up.
pub const WORDS_PER_MINUTE: usize = 230;
/// Most blocks in one body.
pub const MAX_BLOCKS: usize = 1000;
/// Longest text of one block, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most items in a list block.
pub const MAX_LIST_ITEMS: usize = 200;

/// One block of an article body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A paragraph. Inline markup is limited to `<em>`, `<strong>`, `<a href>` (http, https,
    /// mailto) and `<br>`; anything else is removed on the way in.
    Paragraph {
        /// The text with inline markup.
        #[schema(max_length = 20000, example = "The <em>Senate</em> voted on Tuesday.")]
        text: String,
    },
    /// A subheading (plain text), level 2 to 4.
    Heading {
        /// 2, 3 or 4.
        #[schema(minimum = 2, maximum = 4, example = 2)]
        level: u8,
        /// Plain text.
        #[schema(max_length = 20000)]
        text: String,
    },
    /// An image of the library, with an optional caption and credit for this use.
    Image {
        /// An existing image.
        image_id: Uuid,
        /// Caption for this use (the image's own caption otherwise).
        #[serde(default)]
        #[schema(max_length = 20000)]
        caption: Option<String>,
        /// Credit for this use (the image's own credit otherwise).
        #[serde(default)]
        #[schema(max_length = 20000)]
        credit: Option<String>,
    },
    /// An editorial embed (a teaser of another article, third-party media, HTML).
    Embed {
        /// An existing embed.
        embed_id: Uuid,
    },
    /// A quotation.
    Quote {
        /// The quoted words, with inline markup.
        #[schema(max_length = 20000)]
        text: String,
        /// Who said it.
        #[serde(default)]
        #[schema(max_length = 20000)]
        attribution: Option<String>,
    },
    /// A bulleted or numbered list; items take inline markup.
    List {
        /// Numbered (`true`) or bulleted.
        ordered: bool,
        /// The items.
        #[schema(min_items = 1, max_items = 200)]
        items: Vec<String>,
    },
    /// A separator.
    Divider {},
}

/// An invalid block: the field path (`body[3].text`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    /// e.g. `body[3].embed_id`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

const BLOCK_TYPES: &str = "paragraph, heading, image, embed, quote, list, divider";

fn error(index: usize, field: &str, message: impl Into<String>) -> BlockError {
    let field = if field.is_empty() {
        format!("body[{index}]")
    } else {
        format!("body[{index}].{field}")
    };
    BlockError {
        field,
        message: message.into(),
    }
}

/// Parses raw JSON blocks one by one so each error names its block and field.
pub fn parse(raw: &[serde_json::Value]) -> Result<Vec<Block>, Vec<BlockError>> {
    let mut blocks = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    if raw.len() > MAX_BLOCKS {
        return Err(vec![BlockError {
            field: "body".to_owned(),
            message: format!("at most {MAX_BLOCKS} blocks"),
        }]);
    }
    for (index, value) in raw.iter().enumerate() {
        let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
            errors.push(error(
                index,
                "type",
                format!("is required; one of {BLOCK_TYPES}"),
            ));
            continue;
        };
        if !BLOCK_TYPES.split(", ").any(|t| t == kind) {
            errors.push(error(
                index,
                "type",
                format!("unknown block type `{kind}`; one of {BLOCK_TYPES}"),
            ));
            continue;
        }
        match serde_json::from_value::<Block>(value.clone()) {
            Ok(block) => blocks.push(block),
            Err(e) => {
                let message = e.to_string();
                // serde names the field in backticks: "missing field `text`".
                let field = message.split('`').nth(1).unwrap_or_default().to_owned();
                errors.push(error(index, &field, message));
            }
        }
    }
    if errors.is_empty() {
        Ok(blocks)
    } else {
        Err(errors)
    }
}

fn check_text(index: usize, field: &str, text: &str, errors: &mut Vec<BlockError>) {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        errors.push(error(
            index,
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
}

fn clean_optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Checks each block's rules and sanitises its markup; references are checked elsewhere.
pub fn normalize(blocks: Vec<Block>) -> Result<Vec<Block>, Vec<BlockError>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.into_iter().enumerate() {
        let block = match block {
            Block::Paragraph { text } => {
                check_text(index, "text", &text, &mut errors);
                let text = sanitize_inline(text.trim());
                if plain_text(&text).trim().is_empty() {
                    errors.push(error(index, "text", "must not be empty"));
                }
                Block::Paragraph { text }
            }
            Block::Heading { level, text } => {
                if !(2..=4).contains(&level) {
                    errors.push(error(index, "level", "must be 2, 3 or 4"));
                }
                check_text(index, "text", &text, &mut errors);
                // Headings are plain text: markup is dropped, not interpreted.
                let text = plain_text(&text).trim().to_owned();
                if text.is_empty() {
                    errors.push(error(index, "text", "must not be empty"));
                }
                Block::Heading { level, text }
            }
            Block::Image {
                image_id,
                caption,
                credit,
            } => {
                for (field, value) in [("caption", &caption), ("credit", &credit)] {
                    if let Some(value) = value {
                        check_text(index, field, value, &mut errors);
                    }
                }
                Block::Image {
                    image_id,
                    caption: clean_optional(caption).map(|c| sanitize_inline(&c)),
                    credit: clean_optional(credit).map(|c| plain_text(&c)),
                }
            }
            Block::Embed { embed_id } => Block::Embed { embed_id },
            Block::Quote { text, attribution } => {
                check_text(index, "text", &text, &mut errors);
                let text = sanitize_inline(text.trim());
                if plain_text(&text).trim().is_empty() {
                    errors.push(error(index, "text", "must not be empty"));
                }
                if let Some(a) = &attribution {
                    check_text(index, "attribution", a, &mut errors);
                }
                Block::Quote {
                    text,
                    attribution: clean_optional(attribution).map(|a| plain_text(&a)),
                }
            }
            Block::List { ordered, items } => {
                if items.is_empty() {
                    errors.push(error(index, "items", "must have at least one item"));
                }
                if items.len() > MAX_LIST_ITEMS {
                    errors.push(error(
                        index,
                        "items",
                        format!("at most {MAX_LIST_ITEMS} items"),
                    ));
                }
                let items: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        check_text(index, &format!("items[{i}]"), item, &mut errors);
                        let item = sanitize_inline(item.trim());
                        if plain_text(&item).trim().is_empty() {
                            errors.push(error(index, &format!("items[{i}]"), "must not be empty"));
                        }
                        item
                    })
                    .collect();
                Block::List { ordered, items }
            }
            Block::Divider {} => Block::Divider {},
        };
        out.push(block);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The visible text of the body, block by block.
fn texts(blocks: &[Block]) -> impl Iterator<Item = String> + '_ {
    blocks.iter().flat_map(|block| match block {
        Block::Paragraph { text } | Block::Heading { text, .. } => vec![plain_text(text)],
        Block::Quote { text, attribution } => {
            let mut v = vec![plain_text(text)];
            v.extend(attribution.iter().cloned());
            v
        }
        Block::List { items, .. } => items.iter().map(|i| plain_text(i)).collect(),
        Block::Image { .. } | Block::Embed { .. } | Block::Divider {} => Vec::new(),
    })
}

/// The body's visible text, block after block, for search.
pub fn text(blocks: &[Block]) -> String {
    texts(blocks).collect::<Vec<_>>().join("\n")
}

/// Words in the body's text (captions and embeds are not read as part of the story).
pub fn word_count(blocks: &[Block]) -> usize {
    texts(blocks).map(|t| t.split_whitespace().count()).sum()
}

/// Minutes to read `words` at [`WORDS_PER_MINUTE`], rounded up; 0 for an empty body.
pub fn reading_time_minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE)
}

/// Image ids the body refers to, with their block index.
pub fn image_refs(blocks: &[Block]) -> Vec<(usize, Uuid)> {
    blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Image { image_id, .. } => Some((i, *image_id)),
            _ => None,
        })
        .collect()
}

/// Embed ids the body refers to, with their block index.
pub fn embed_refs(blocks: &[Block]) -> Vec<(usize, Uuid)> {
    blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Embed { embed_id } => Some((i, *embed_id)),
            _ => None,
        })
        .collect()
}

/// The first paragraph's text, for excerpts.
pub fn first_paragraph(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Paragraph { text } => Some(plain_text(text)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_all(value: serde_json::Value) -> Result<Vec<Block>, Vec<BlockError>> {
        parse(value.as_array().unwrap()).and_then(normalize)
    }

    #[test]
    fn every_block_type_parses() {
        let id = Uuid::new_v4();
        let blocks = parse_all(json!([
            {"type": "paragraph", "text": "Hello <strong>world</strong>"},
            {"type": "heading", "level": 2, "text": "Sub"},
            {"type": "image", "image_id": id, "caption": "A cat", "credit": "AP"},
            {"type": "embed", "embed_id": id},
            {"type": "quote", "text": "To be", "attribution": "Hamlet"},
            {"type": "list", "ordered": true, "items": ["one", "two"]},
            {"type": "divider"}
        ]))
        .unwrap();
        assert_eq!(blocks.len(), 7);
        assert_eq!(image_refs(&blocks), vec![(2, id)]);
        assert_eq!(embed_refs(&blocks), vec![(3, id)]);
    }

    #[test]
    fn errors_name_the_block_and_field() {
        let errors = parse_all(json!([
            {"type": "paragraph", "text": "ok"},
            {"type": "video", "src": "x"},
            {"type": "paragraph"},
            {"text": "no type"},
            {"type": "heading", "level": 2, "text": "x", "colour": "red"}
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "body[1].type",
                "body[2].text",
                "body[3].type",
                "body[4].colour"
            ]
        );
        let errors = parse_all(json!([
            {"type": "heading", "level": 7, "text": "x"},
            {"type": "list", "ordered": false, "items": []},
            {"type": "paragraph", "text": "   "},
            {"type": "list", "ordered": false, "items": ["a", " "]}
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "body[0].level",
                "body[1].items",
                "body[2].text",
                "body[3].items[1]"
            ]
        );
    }

    #[test]
    fn markup_is_sanitised_on_the_way_in() {
        let blocks = parse_all(json!([
            {"type": "paragraph", "text": "Hi <script>alert(1)</script><a href=\"javascript:x\">link</a>"},
            {"type": "heading", "level": 3, "text": "<em>Plain</em> heading"}
        ]))
        .unwrap();
        let Block::Paragraph { text } = &blocks[0] else {
            panic!()
        };
        assert!(
            !text.contains("script") && !text.contains("javascript"),
            "{text}"
        );
        assert_eq!(
            blocks[1],
            Block::Heading {
                level: 3,
                text: "Plain heading".into()
            }
        );
    }

    #[test]
    fn a_690_word_body_reads_in_3_minutes() {
        let paragraph = "word ".repeat(230);
        let blocks = parse_all(json!([
            {"type": "paragraph", "text": paragraph},
            {"type": "paragraph", "text": paragraph},
            {"type": "list", "ordered": false, "items": [paragraph]}
        ]))
        .unwrap();
        assert_eq!(word_count(&blocks), 690);
        assert_eq!(reading_time_minutes(690), 3);
        assert_eq!(reading_time_minutes(691), 4);
        assert_eq!(reading_time_minutes(1), 1);
        assert_eq!(reading_time_minutes(0), 0);
    }
}
