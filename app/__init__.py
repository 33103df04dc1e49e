"""The inference service: a FastAPI app serving the digit classifier (see app.main)."""
