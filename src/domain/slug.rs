//! Slugs: readable ASCII identifiers for URLs, from text in any script.
//!
//! Transliteration is `deunicode`'s, except for Cyrillic text without letters that only Russian
//! uses (ё ы э ъ), which follows Ukraine's national standard (KMU 2010): a Ukrainian newsroom
//! expects "Олена Гончарова" to become `olena-honcharova`, not `olena-goncharova`.

/// Longest slug we generate, in bytes.
pub const MAX_SLUG_LEN: usize = 80;

/// Ukrainian letters to Latin (KMU 2010), lower case; `None` for letters with positional rules.
fn ukrainian(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "y",
        'і' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' | '\'' | 'ʼ' | '’' => "",
        _ => return None,
    })
}

/// Є, Ї, Й, Ю, Я: one spelling at the start of a word, another inside it.
fn ukrainian_positional(c: char, word_start: bool) -> Option<&'static str> {
    Some(match (c, word_start) {
        ('є', true) => "ye",
        ('є', false) => "ie",
        ('ї', true) => "yi",
        ('ї', false) => "i",
        ('й', true) => "y",
        ('й', false) => "i",
        ('ю', true) => "yu",
        ('ю', false) => "iu",
        ('я', true) => "ya",
        ('я', false) => "ia",
        _ => return None,
    })
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn looks_russian(text: &str) -> bool {
    text.chars()
        .flat_map(char::to_lowercase)
        .any(|c| matches!(c, 'ё' | 'ы' | 'э' | 'ъ'))
}

/// Transliterates `text` to ASCII.
pub fn transliterate(text: &str) -> String {
    if looks_russian(text) || !text.chars().any(is_cyrillic) {
        return deunicode::deunicode(text);
    }
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in lower.iter().enumerate() {
        let word_start = i == 0 || !lower[i - 1].is_alphanumeric();
        // "зг" is written "zgh" so it does not read as "zh".
        if c == 'г' && i > 0 && lower[i - 1] == 'з' {
            out.push_str("gh");
        } else if let Some(latin) = ukrainian(c).or_else(|| ukrainian_positional(c, word_start)) {
            out.push_str(latin);
        } else if is_cyrillic(c) || !c.is_ascii() {
            out.push_str(deunicode::deunicode_char(c).unwrap_or(""));
        } else {
            out.push(c);
        }
    }
    out
}

/// A slug of `text`: lower-case ASCII letters and digits joined by single hyphens, at most
/// [`MAX_SLUG_LEN`] bytes, cut at a word boundary. Empty when the text has nothing to keep.
pub fn slugify(text: &str) -> String {
    let ascii = transliterate(text).to_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + usize::from(!slug.is_empty()) > MAX_SLUG_LEN {
            if slug.is_empty() {
                slug.push_str(&word[..MAX_SLUG_LEN]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// Whether `slug` is a valid slug (what [`slugify`] produces).
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The `n`-th alternative of a taken slug: `base-2`, `base-3`, … (kept within the length limit).
pub fn with_suffix(base: &str, n: u32) -> String {
    let suffix = format!("-{n}");
    let mut cut = base.len().min(MAX_SLUG_LEN - suffix.len());
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", base[..cut].trim_end_matches('-'))
}

/// The slug of `text`, or `fallback` when the text has nothing to make one from.
pub fn slugify_or(text: &str, fallback: &str) -> String {
    match slugify(text) {
        s if s.is_empty() => fallback.to_owned(),
        s => s,
    }
}

/// The slugs to try for `base`, in order: `base`, `base-2`, `base-3`, … (a bounded list).
pub fn candidates(base: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(base.to_owned()).chain((2..1000).map(move |n| with_suffix(base, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_names_follow_the_national_standard() {
        assert_eq!(slugify("Олена Гончарова"), "olena-honcharova");
        assert_eq!(slugify("Юлія Їжакевич"), "yuliia-yizhakevych");
        assert_eq!(slugify("Євген Згурський"), "yevhen-zghurskyi");
        assert_eq!(slugify("Щербина Ґанна"), "shcherbyna-ganna");
    }

    #[test]
    fn russian_text_uses_the_general_transliteration() {
        assert_eq!(slugify("Фёдор Достоевский"), "fiodor-dostoevskii");
    }

    #[test]
    fn other_scripts_and_punctuation_become_readable_ascii() {
        assert_eq!(slugify("Zoë Ångström-Łukasz"), "zoe-angstrom-lukasz");
        assert_eq!(
            slugify("  Head of North America desk!  "),
            "head-of-north-america-desk"
        );
        assert_eq!(slugify("北京"), "bei-jing");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary() {
        let slug = slugify(&"word ".repeat(40));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(!slug.ends_with('-'));
        assert!(is_valid(&slug));
    }

    #[test]
    fn candidates_start_with_the_base() {
        let first: Vec<String> = candidates("ana").take(3).collect();
        assert_eq!(first, vec!["ana", "ana-2", "ana-3"]);
        assert_eq!(slugify_or("!!!", "author"), "author");
    }

    #[test]
    fn validity_and_suffixes() {
        assert!(is_valid("olena-honcharova"));
        assert!(!is_valid("Olena"));
        assert!(!is_valid("a--b"));
        assert!(!is_valid("-a"));
        assert_eq!(with_suffix("olena", 2), "olena-2");
        assert!(with_suffix(&"a".repeat(80), 12).len() <= MAX_SLUG_LEN);
    }
}
