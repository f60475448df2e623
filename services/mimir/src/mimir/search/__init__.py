"""Full-text, semantic and hybrid search over chunk spans."""
