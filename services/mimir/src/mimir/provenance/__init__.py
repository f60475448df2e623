"""Provenance: which model, prompt and pipeline produced an entity, from which evidence."""
