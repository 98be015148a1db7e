"""Segmenters turn an image (and optional click prompts) into a Mask."""
