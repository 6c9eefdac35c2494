"""The API's default response class."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse

_NO_BODY = {204, 304}


class ApiJSONResponse(JSONResponse):
    """JSON; a status that carries no body (204, 304) carries no JSON content type either."""

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        super().init_headers(headers)
        if self.status_code in _NO_BODY:
            self.body = b""
            self.raw_headers = [
                (name, value)
                for name, value in self.raw_headers
                if name not in (b"content-type", b"content-length")
            ]
