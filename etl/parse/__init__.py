"""Parse stage: RawDocument -> ParsedDocument (detect district/year/kind, recognise goals, indicator rows, activities, budget lines, sections)."""
