"""Error responses: Chinese pages for people, JSON for the API; never a traceback or personal data."""

from __future__ import annotations

import logging
import re
import sqlite3

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from center.domain import AccessDenied, DomainError, NotFound
from center.domain.ledger import IdempotencyConflict
from center.domain.queue import QueueClosed, TicketTaken, TooManyTickets
from center.domain.ratings import AlreadyRated, RatingConflict, TooManyRatings
from center.web import public
from center.web.auth import SessionExpired
from center.web.links import url
from center.web.render import layout_context

log = logging.getLogger("center.errors")

ERROR_TEXT: dict[int, tuple[str, str]] = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    401: ("请先登录", "此页面需要登录后访问。"),
    403: ("无权访问", "您的角色无权访问此页面或这些数据。如需权限，请联系中心负责人。"),
    404: ("页面不存在", "您要找的页面不存在，或已被移除。"),
    405: ("操作不允许", "此页面不支持这种操作。"),
    409: ("内容已被修改", "数据已被他人修改，请刷新后重试。"),
    413: ("内容过大", "提交的内容过大。"),
    422: ("内容有误", "提交的内容未通过校验，请检查后重试。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统出错了", "服务器处理请求时出错，问题已记录。请稍后重试，或联系管理员。"),
    503: ("服务暂时不可用", "系统暂时无法连接数据库，请稍后刷新页面。"),
}
CSRF_TEXT = "页面已过期或请求来源无法验证，请刷新页面后重试。"


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(public.JSON_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept



def _error_page(request: Request, status: int, message: str | None = None) -> Response:
    title, default_message = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[400])
    context = layout_context(request) if request.scope.get("app") else {}
    context.update({"status": status, "title": title, "message": message or default_message,
                    "from_slip": request.url.path.startswith("/s/")})
    # Pages residents open without a login (center.web.public): no staff header, no way into the staff login.
    resident = request.url.path.startswith(public.RESIDENT_PREFIXES)
    return Template(template_name="errors/public_error.html" if resident else "errors/error.html", context=context,
                    status_code=status)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if wants_json(request):
        detail = exc.detail
        if status == 400 and not _is_chinese(str(detail)):
            detail = _chinese_validation_detail(str(detail), getattr(exc, "extra", None))
        body = {"status_code": status, "detail": detail}
        if getattr(exc, "extra", None):
            body["extra"] = exc.extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=exc.headers or None)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = url(request, "auth:login_form", next=target, expired=1 if isinstance(exc, SessionExpired) else None)
        if request.headers.get("hx-request") == "true":
            return Response(b"", status_code=401, headers={"HX-Redirect": login})
        return Redirect(path=login)
    message = None
    if status == 403 and "CSRF" in str(exc.detail):
        message = CSRF_TEXT
    elif status in (400, 403, 404, 409, 422, 429) and exc.detail and _is_chinese(str(exc.detail)):
        message = str(exc.detail)
    return _error_page(request, status, message)


def _chinese_validation_detail(detail: str, extra) -> str:
    """Litestar's English validation errors, said in Chinese with the names of the fields they are about."""
    if found := re.search(r"Missing required (\w+) parameter '([^']+)'", detail):
        where = {"header": "请求头", "query": "查询参数", "path": "路径参数", "cookie": "Cookie"}.get(found.group(1), "")
        return f"请求参数有误：缺少必填的{where} {found.group(2)}"
    items = extra if isinstance(extra, list) else []
    missing = [str(i.get("key")) for i in items if isinstance(i, dict) and i.get("key")
               and "missing required" in str(i.get("message", "")).lower()]
    wrong = [str(i.get("key")) for i in items if isinstance(i, dict) and i.get("key")
             and str(i.get("key")) not in missing]
    parts = ([f"缺少必填参数 {'、'.join(missing)}"] if missing else []) + ([f"{'、'.join(wrong)} 的值不对"] if wrong else [])
    return "请求参数有误：" + "；".join(parts) if parts else "请求参数有误，请检查后重试"


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return Response(
            {"status_code": 500, "detail": "服务器内部错误"},
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
            media_type=MediaType.JSON,
        )
    return _error_page(request, 500)


def _is_chinese(text: str) -> bool:
    """Only our own Chinese messages are shown; framework messages (English) are replaced."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    status = (404 if isinstance(exc, NotFound) else 403 if isinstance(exc, AccessDenied)
              else 409 if isinstance(exc, (IdempotencyConflict, QueueClosed, TicketTaken, AlreadyRated, RatingConflict))
              else 429 if isinstance(exc, (TooManyTickets, TooManyRatings)) else 422)
    if wants_json(request):
        return Response({"status_code": status, "detail": str(exc)}, status_code=status, media_type=MediaType.JSON)
    return _error_page(request, status, str(exc) or None)


def database_unavailable_handler(request: Request, exc: Exception) -> Response:
    """The database did not answer (locked past the busy timeout, connection refused): 503, then recover by itself."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": "5"}
    if wants_json(request):
        return Response({"status_code": 503, "detail": "数据库暂时无法访问，请稍后重试"}, status_code=503,
                        media_type=MediaType.JSON, headers=headers)
    response = _error_page(request, 503)
    response.headers.update(headers)
    return response


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    """An id beyond the column's range (PostgreSQL int4, SQLite int8) names nothing that exists: 404."""
    message = "没有找到这条记录（编号超出范围）"
    if wants_json(request):
        return Response({"status_code": 404, "detail": message}, status_code=404, media_type=MediaType.JSON)
    return _error_page(request, 404, message)


def invalid_argument_handler(request: Request, exc: Exception) -> Response:
    """asyncpg refused a query argument: out of the column's range (an id that cannot exist) → 404, else 422."""
    if isinstance(exc.__cause__, OverflowError):
        return out_of_range_handler(request, exc)
    log.warning("invalid query argument on %s %s: %s", request.method, request.url.path, exc)
    message = "输入的值无效"
    if wants_json(request):
        return Response({"status_code": 422, "detail": message}, status_code=422, media_type=MediaType.JSON)
    return _error_page(request, 422, message)


# The database did not answer: 503 (also for a session that could not be saved, center.web.sessions).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlite3.OperationalError, ConnectionError, asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError, asyncpg.exceptions.CannotConnectNowError,
)

EXCEPTION_HANDLERS = {
    OverflowError: out_of_range_handler,
    asyncpg.exceptions.DataError: invalid_argument_handler,
    **{kind: database_unavailable_handler for kind in DATABASE_UNAVAILABLE},
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
