"""The load test's floor: a bare FastAPI app whose /predict only reads the uploaded file.

    uvicorn bench.floor_app:app --host 127.0.0.1 --port 8090 --no-access-log

It parses the same multipart upload as the real /predict, in a plain `def` handler run in the
same threadpool, and answers a tiny JSON body as a ready `Response` (no response model to
validate in a second threadpool hop): what it costs is the framework's own floor.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, File, Response, UploadFile

app = FastAPI()


@app.post("/predict")
def read_upload(file: Annotated[UploadFile, File()]) -> Response:
    size = len(file.file.read())
    return Response(f'{{"bytes": {size}}}', media_type="application/json")
