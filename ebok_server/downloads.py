"""File downloads of the API: a PDF or a CSV as an attachment, and how a route documents it in OpenAPI."""

from __future__ import annotations

from fastapi import Response

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def _file_responses(media_type: str, description: str) -> dict[int | str, dict]:
    return {200: {"content": {media_type: {}}, "description": description}}


def pdf_responses(description: str) -> dict[int | str, dict]:
    """The ``responses`` entry of a route that answers with a PDF."""
    return _file_responses("application/pdf", description)


def csv_responses(description: str) -> dict[int | str, dict]:
    """The ``responses`` entry of a route that answers with a CSV file."""
    return _file_responses("text/csv", description)


def attachment(filename: str) -> dict[str, str]:
    """The header that makes the client save the body under ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def pdf_download(data: bytes, filename: str) -> Response:
    """``data`` as a PDF the client saves under ``filename``."""
    return Response(content=data, media_type="application/pdf", headers=attachment(filename))
