"""Tests for model_core.nn.layers, one file per module."""
