DROP TRIGGER IF EXISTS sections_notify ON sections;
DROP TRIGGER IF EXISTS embeds_notify ON embeds;
DROP TRIGGER IF EXISTS images_notify ON images;
DROP TRIGGER IF EXISTS authors_notify ON authors;
DROP TRIGGER IF EXISTS article_corrections_notify ON article_corrections;
DROP TRIGGER IF EXISTS published_articles_notify ON published_articles;
DROP FUNCTION IF EXISTS notify_public_change();
