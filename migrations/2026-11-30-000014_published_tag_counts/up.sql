-- The public tag list counted every published article's tags on each request: a sequential
-- scan, 278 ms at 100,000 articles and growing with the archive. The counts are kept here
-- instead, by statement-level triggers that fold a statement's changes into one upsert per tag
-- (a bulk load of a thousand articles costs one upsert per distinct tag, not per row).
CREATE TABLE published_tag_counts (
    tag text PRIMARY KEY,
    article_count bigint NOT NULL
);
CREATE INDEX published_tag_counts_rank_idx ON published_tag_counts (article_count DESC, tag);

INSERT INTO published_tag_counts (tag, article_count)
SELECT t, count(*) FROM published_articles, unnest(tags) AS t GROUP BY t;

-- Adds one per tag in `added` and takes one per tag in `removed`; tags no article carries any
-- more are dropped. Rows are locked in tag order, so concurrent publishes cannot deadlock here.
CREATE FUNCTION apply_published_tag_deltas(added text[], removed text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
BEGIN
    WITH delta AS (
        SELECT tag, sum(d) AS d
        FROM (SELECT unnest(added) AS tag, 1 AS d
              UNION ALL SELECT unnest(removed), -1) AS c
        GROUP BY tag
        HAVING sum(d) <> 0
    ), upserted AS (
        INSERT INTO published_tag_counts AS counts (tag, article_count)
        SELECT tag, d FROM delta ORDER BY tag
        ON CONFLICT (tag) DO UPDATE
            SET article_count = counts.article_count + excluded.article_count
        RETURNING counts.tag, counts.article_count
    )
    SELECT array_agg(tag) INTO changed FROM upserted WHERE article_count <= 0;
    IF changed IS NOT NULL THEN
        DELETE FROM published_tag_counts WHERE tag = ANY (changed) AND article_count <= 0;
    END IF;
END
$$;

CREATE FUNCTION count_published_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM apply_published_tag_deltas(
            ARRAY(SELECT t FROM new_rows, unnest(new_rows.tags) AS t), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM apply_published_tag_deltas(
            '{}', ARRAY(SELECT t FROM old_rows, unnest(old_rows.tags) AS t));
    ELSE
        PERFORM apply_published_tag_deltas(
            ARRAY(SELECT t FROM new_rows, unnest(new_rows.tags) AS t),
            ARRAY(SELECT t FROM old_rows, unnest(old_rows.tags) AS t));
    END IF;
    RETURN NULL;
END
$$;

-- Publishing's upsert fires the insert trigger for new rows and the update trigger for
-- republished ones, each with only its own rows in the transition tables.
CREATE TRIGGER published_articles_tags_insert AFTER INSERT ON published_articles
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_published_tags();
CREATE TRIGGER published_articles_tags_update AFTER UPDATE ON published_articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_published_tags();
CREATE TRIGGER published_articles_tags_delete AFTER DELETE ON published_articles
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_published_tags();

CREATE FUNCTION clear_published_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM published_tag_counts;
    RETURN NULL;
END
$$;
CREATE TRIGGER published_articles_tags_truncate AFTER TRUNCATE ON published_articles
    FOR EACH STATEMENT EXECUTE FUNCTION clear_published_tags();
