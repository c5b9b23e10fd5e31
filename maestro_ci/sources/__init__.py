"""Sources: the only code that touches the outside world (git, files, HTTP, stores)."""
