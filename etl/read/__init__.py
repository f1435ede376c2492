"""Read stage: a file on disk -> RawDocument (text or PDF, lines with their boxes and table cells)."""
