"""Engines decide where shards are cleaned; steps never import them."""
