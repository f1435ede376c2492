"""Store stage: ParsedDocuments -> the DuckDB database (schema.sql is the only DDL; load writes rows, build swaps the file in atomically, add checks and stores new documents)."""
