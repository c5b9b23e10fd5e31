"""Typed sections of ``.maestro.yml``, one module per job that owns the section."""
