-- Every instance caches public answers in memory; they must all hear at once when something
-- readers see changes. NOTIFY is delivered at commit, to every listener, and PostgreSQL folds
-- repeats within a transaction, so a statement-level trigger costs one message per change.
CREATE FUNCTION notify_public_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('newsroom_public', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- Publishing, republishing, unpublishing, archiving (the projection moves with each of them).
CREATE TRIGGER published_articles_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON published_articles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
-- Corrections appear on the published page without a new publication.
CREATE TRIGGER article_corrections_notify
    AFTER INSERT OR UPDATE OR DELETE ON article_corrections
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
-- What pages show of the library: author boxes, images, embeds, section names. A new row is
-- on no page yet, so only changes and deletions count.
CREATE TRIGGER authors_notify AFTER UPDATE OR DELETE ON authors
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
CREATE TRIGGER images_notify AFTER UPDATE OR DELETE ON images
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
CREATE TRIGGER embeds_notify AFTER UPDATE OR DELETE ON embeds
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
-- The section list is public, so a new section counts too.
CREATE TRIGGER sections_notify AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH STATEMENT EXECUTE FUNCTION notify_public_change();
