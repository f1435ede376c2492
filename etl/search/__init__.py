"""Full-text search: Swedish terms (one definition for index and query), the BM25 index, the query."""
