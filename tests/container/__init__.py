"""What the container build sees and does, computed and run without a Docker engine."""
