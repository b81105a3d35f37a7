"""What the HTTP services share: one error shape, and the handlers that produce it."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra):
        self.status, self.error, self.detail, self.headers, self.extra = status, error, detail, headers, extra


def error_body(status: int, error: str, detail: str, **extra) -> dict:
    return {"status": status, "error": error, "detail": detail, **extra}


def problem(status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra) -> JSONResponse:
    return JSONResponse(error_body(status, error, detail, **extra), status_code=status, headers=headers)


def validation_errors(errors) -> list[dict]:
    return [
        {"loc": [str(p) for p in e.get("loc", ()) if p != "body"], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in errors
    ]


def summarize(errors: list[dict]) -> str:
    return "; ".join(f"{'.'.join(e['loc']) or 'body'}: {e['msg']}" for e in errors)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.error, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        return problem(422, "invalid_request", summarize(errors), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "http_error", str(exc.detail), getattr(exc, "headers", None))
