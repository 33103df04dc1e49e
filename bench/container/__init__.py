"""The container image, built and measured without a Docker engine.

- `build`: the Dockerfile (dockerfile-parse), the build context (docker-py's .dockerignore
  rules) and the build replayed on this machine;
- `service`: the replayed image's command run and observed, and the images to send it;
- `measure` (`python -m bench.container`): start-up time, size, memory and latencies.
"""
