"""Renderers: they see only result models and return text (never print)."""
