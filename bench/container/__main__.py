"""`python -m bench.container`: the image's measurements (bench/container/measure.py)."""

from bench.container.measure import main

main()
