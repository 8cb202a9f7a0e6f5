"""How documents run: the compiled executor for plain fields and the per-document limits."""
