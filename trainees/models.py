"""Training records: what happened to whom, made against the curriculum's definitions."""
