"""A convolutional network for handwritten digits, written from scratch in NumPy."""

__version__ = "1.0.0"
