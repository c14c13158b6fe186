"""Errors the engine raises for callers to turn into responses; each carries a sentence for people."""

from __future__ import annotations


class EngineError(Exception):
    """Base: `code` is stable for programs, `message`/`message_zh` are for people."""

    status = 400
    code = "engine_error"

    def __init__(self, message: str, message_zh: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def text(self, locale: str) -> str:
        return self.message_zh if locale.startswith("zh") else self.message


class NotFound(EngineError):
    status = 404
    code = "not_found"


class Forbidden(EngineError):
    status = 403
    code = "forbidden"


class Conflict(EngineError):
    status = 409
    code = "conflict"


class InvalidData(EngineError):
    """Submitted data failed validation; `errors` maps field -> messages."""

    status = 422
    code = "invalid_data"

    def __init__(self, message: str, message_zh: str | None = None, errors: dict | None = None):
        super().__init__(message, message_zh)
        self.errors = errors or {}


def field_message(locale: str, en: str, zh: str) -> list[str]:
    """One field's message in the reader's language, as `InvalidData.errors` holds them."""
    return [zh if locale.startswith("zh") else en]


def fields_invalid(errors: dict[str, list[str]]) -> InvalidData:
    """The 422 for per-field messages (see `field_message`)."""
    return InvalidData("Some fields need your attention.", "部分字段需要修改。", errors)


def task_gone() -> Conflict:
    return Conflict(
        "This task is no longer open: someone completed it or the case moved on. Reload the inbox.",
        "此任务已不再处于待办状态：可能已被他人完成或流程已推进。请刷新待办列表。",
    )


def instance_changed() -> Conflict:
    return Conflict(
        "The case was changed by someone else at the same time. Reload it and try again.",
        "该案例刚被他人同时修改。请重新加载后再试。",
    )
