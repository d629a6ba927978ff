"""Snapshots of single envs (PROTOCOL.md 8.5): per-family capture/apply strategies and the envelope around them."""
