ALTER INDEX published_articles_authors_idx RESET (fastupdate);
ALTER INDEX published_articles_tags_idx RESET (fastupdate);
ALTER INDEX published_articles_search_head_idx RESET (fastupdate);
ALTER INDEX published_articles_search_idx RESET (fastupdate);
