DROP TRIGGER published_articles_tags_truncate ON published_articles;
DROP TRIGGER published_articles_tags_delete ON published_articles;
DROP TRIGGER published_articles_tags_update ON published_articles;
DROP TRIGGER published_articles_tags_insert ON published_articles;
DROP FUNCTION clear_published_tags();
DROP FUNCTION count_published_tags();
DROP FUNCTION apply_published_tag_deltas(text[], text[]);
DROP TABLE published_tag_counts;
