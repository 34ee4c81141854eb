from typing import Any

class HueyException(Exception): ...
class RetryTask(Exception):
    eta: Any
    delay: float | None
    def __init__(self, msg: str | None = ..., eta: Any = ..., delay: float | None = ...) -> None: ...
