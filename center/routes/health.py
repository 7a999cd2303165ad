"""GET /healthz: database and scheduler state for monitors and the e2e harness."""

from litestar import Request, Response, get

from center import db


@get("/healthz", name="health", include_in_schema=False)
async def healthz(request: Request) -> Response:
    database_ok = await db.ping()
    body = {
        "status": "ok" if database_ok else "error",
        "database": "ok" if database_ok else "error",
        "scheduler": "running" if request.app.state.scheduler.running else "off",
    }
    return Response(body, status_code=200 if database_ok else 503, headers={"Cache-Control": "no-store"})
