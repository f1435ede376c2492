"""Stadsdelsjämföraren ETL: district council documents into DuckDB."""
