"""The HTTP endpoints, one router per concern."""
