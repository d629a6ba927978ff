"""Using vinegym servers from Python."""
