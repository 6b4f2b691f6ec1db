"""Trained classifiers and the tokenizer shared with the archive."""
