"""The reference ceiling: a bare FastAPI hello-world, served by the same uvicorn
(same event loop and HTTP parser as the gateway) with nothing behind it."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
