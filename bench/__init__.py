"""Measurement tools: the engine benchmark, the service load test, request profiling, PyTorch
parity and the container measurement. Each is run as `python -m bench.NAME`; none is needed
to serve or train. They use model_core and app; nothing imports them but their tests."""
