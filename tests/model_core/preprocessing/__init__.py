"""Tests for model_core.preprocessing, one file per module."""
