"""Camunda expressions (`${...}` / `#{...}`, JUEL) translated to plain Python expressions.

Only the part of JUEL that means the same thing on case data is translated: names, dotted
names (map look-ups), literals, comparisons (also eq/ne/lt/gt/le/ge), arithmetic, &&, ||, !,
and/or/not and `empty`. Anything else, above all method calls on Java objects such as
`execution.getVariable("x")` or `bean.method()`, raises JuelUnsupported with a hint, because
the engine has no Java objects to call.
"""

from __future__ import annotations

import re

_WRAPPED = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||->|\+=|[<>!()\[\].,?:+\-*/%=;{}])
    )""",
    re.VERBOSE | re.DOTALL,
)
_WORD_OPS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "and": "and",
    "or": "or",
}
_SYMBOL_OPS = {
    "==": "==",
    "!=": "!=",
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "&&": "and",
    "||": "or",
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "%": "%",
}
_LEVELS = (("or",), ("and",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_PYTHON_WORDS = {
    "True",
    "False",
    "None",
    "in",
    "is",
    "not",
    "and",
    "or",
    "if",
    "else",
    "lambda",
    "import",
    "for",
    "while",
    "def",
    "class",
    "return",
}


class JuelUnsupported(Exception):
    """The expression uses JUEL beyond the translatable subset; `hint` says how to rewrite it."""

    def __init__(self, hint: str, hint_zh: str) -> None:
        super().__init__(hint)
        self.hint, self.hint_zh = hint, hint_zh


def is_juel(text: str | None) -> bool:
    return bool(text and _WRAPPED.match(text))


def translate(text: str) -> str:
    """The Python expression equal to a `${...}` expression; raise JuelUnsupported if none."""
    match = _WRAPPED.match(text)
    if match is None:
        raise ValueError("not a ${...} expression")
    body = match.group("body")
    if "${" in body or "#{" in body:
        raise JuelUnsupported(
            "Write one expression in one ${...}, for example ${a && b}.",
            "请把整个表达式写在一个 ${...} 里，例如 ${a && b}。",
        )
    return _Parser(_tokens(body)).parse()


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(body):
        if body[pos:].strip() == "":
            break
        match = _TOKEN.match(body, pos)
        if match is None:
            char = body[pos:].lstrip()[:1]
            raise JuelUnsupported(
                f"Remove the character '{char}'; write a plain expression such as ${{amount > 1000}}.",
                f"请去掉字符“{char}”，写成简单表达式，例如 ${{amount > 1000}}。",
            )
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _generic_hint() -> JuelUnsupported:
    return JuelUnsupported(
        "Write it as a plain expression on the case data, for example ${approved} or "
        "${amount > 1000 && category == 'repair'}.",
        "请改写为基于案件数据的简单表达式，例如 ${approved} 或 "
        "${amount > 1000 && category == 'repair'}。",
    )


class _Parser:
    """Recursive descent over the JUEL subset; each rule returns (python_text, is_atom)."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _generic_hint()
        self.pos += 1
        return token

    def parse(self) -> str:
        if not self.tokens:
            raise _generic_hint()
        text, _ = self.binary(0)
        if self.peek() is not None:
            raise self.unsupported(self.peek())
        return text

    def operator(self) -> str | None:
        token = self.peek()
        if token is None:
            return None
        kind, value = token
        if kind == "op":
            return _SYMBOL_OPS.get(value)
        return _WORD_OPS.get(value) if kind == "name" else None

    def binary(self, level: int) -> tuple[str, bool]:
        if level == len(_LEVELS):
            return self.unary()
        left, atom = self.binary(level + 1)
        while (op := self.operator()) in _LEVELS[level]:
            self.pos += 1
            right, right_atom = self.binary(level + 1)
            left, atom = f"{_wrap(left, atom)} {op} {_wrap(right, right_atom)}", False
        return left, atom

    def unary(self) -> tuple[str, bool]:
        kind, value = self.peek() or ("", "")
        if (kind, value) in (("op", "!"), ("name", "not")):
            self.pos += 1
            operand, atom = self.unary()
            return f"not {_wrap(operand, atom)}", False
        if (kind, value) == ("op", "-"):
            self.pos += 1
            operand, atom = self.unary()
            return f"-{_wrap(operand, atom)}", False
        if (kind, value) == ("name", "empty"):
            self.pos += 1
            operand, atom = self.unary()
            return f"{_wrap(operand, atom)} in (None, '', [], {{}})", False
        return self.primary()

    def primary(self) -> tuple[str, bool]:
        kind, value = self.take()
        if kind == "str":
            return repr(_unescape(value[1:-1])), True
        if kind == "num":
            return value, True
        if kind == "op" and value == "(":
            inner, _ = self.binary(0)
            self.expect(")")
            return f"({inner})", True
        if kind == "name" and value in _LITERALS:
            return _LITERALS[value], True
        if kind == "name" and value not in _WORD_OPS and value not in ("not", "empty"):
            return self.suffixes(value)
        raise self.unsupported((kind, value))

    def suffixes(self, name: str) -> tuple[str, bool]:
        if "$" in name or name in _PYTHON_WORDS:
            raise _generic_hint()
        text, path = name, name
        while (token := self.peek()) is not None and token in (("op", "."), ("op", "[")):
            self.pos += 1
            if token == ("op", "."):
                kind, member = self.take()
                if kind != "name":
                    raise _generic_hint()
                if self.peek() == ("op", "("):
                    raise _method_call(path, member, self.tokens[self.pos + 1 :])
                text, path = f"{text}[{member!r}]", f"{path}.{member}"
            else:
                index, _ = self.binary(0)
                self.expect("]")
                text = f"{text}[{index}]"
        if self.peek() == ("op", "("):
            raise _method_call(None, name, self.tokens[self.pos + 1 :])
        return text, True

    def expect(self, symbol: str) -> None:
        if self.take() != ("op", symbol):
            raise _generic_hint()

    def unsupported(self, token: tuple[str, str] | None) -> JuelUnsupported:
        value = token[1] if token else ""
        if value in ("?", ":"):
            return JuelUnsupported(
                "Conditional expressions (a ? b : c) are not supported; split the choice "
                "over two flows of a gateway.",
                "不支持条件表达式（a ? b : c）；请用网关的两条连线分别表示。",
            )
        if value == "instanceof":
            return JuelUnsupported(
                "Type tests (instanceof) are not supported; compare the value itself.",
                "不支持类型判断（instanceof）；请直接比较取值。",
            )
        return _generic_hint()


def _method_call(owner: str | None, method: str, rest: list[tuple[str, str]]) -> JuelUnsupported:
    """A hint for a call: getVariable("x") becomes x; anything else must be rewritten."""
    if owner == "execution" and method == "getVariable" and rest and rest[0][0] == "str":
        variable = _unescape(rest[0][1][1:-1])
        return JuelUnsupported(
            f"Write ${{{variable}}} instead of execution.getVariable(...): case data is read "
            "by its name.",
            f"请写 ${{{variable}}}，不要用 execution.getVariable(...)：案件数据直接按名称读取。",
        )
    called = f"{owner}.{method}" if owner else method
    return JuelUnsupported(
        f"The engine cannot call '{called}(...)' (there are no Java objects here). Compute the "
        "value in a script task first and test the result, for example ${approved}, or use "
        "a plain comparison such as ${amount > 1000}.",
        f"引擎无法调用“{called}(...)”（这里没有 Java 对象）。请先在脚本任务中算出结果，再判断该结果，"
        "例如 ${approved}，或使用简单比较，例如 ${amount > 1000}。",
    )


def _wrap(text: str, atom: bool) -> str:
    return text if atom else f"({text})"


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
