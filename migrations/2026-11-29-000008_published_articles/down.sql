DROP TABLE IF EXISTS published_articles;
