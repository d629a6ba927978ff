"""Serving Gymnasium envs over vinegym protocol v1."""
