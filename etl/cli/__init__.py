"""Command line: python -m etl <command>; every command imported explicitly in etl.cli.main.main."""
