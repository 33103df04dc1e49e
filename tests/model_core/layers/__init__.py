"""Tests for model_core.layers, one file per module."""
