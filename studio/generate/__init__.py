"""Generators turn a source cut-out and a MotionSpec into slots of candidate frames."""
