"""File downloads of the API: a PDF as an attachment, and how a route documents it in OpenAPI."""

from __future__ import annotations

from fastapi import Response


def pdf_responses(description: str) -> dict[int | str, dict]:
    """The ``responses`` entry of a route that answers with a PDF."""
    return {200: {"content": {"application/pdf": {}}, "description": description}}


def pdf_download(data: bytes, filename: str) -> Response:
    """``data`` as a PDF the client saves under ``filename``."""
    return Response(
        content=data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
