"""A small safe expression language for scoring formulas (pure, no ``eval``).

The grammar, lowest precedence first::

    expression  := additive [ compare additive ]          compare: <  <=  >  >=  ==  !=
    additive    := term { ("+" | "-" | "−") term }
    term        := unary { ("*" | "×" | "/" | "÷") unary }
    unary       := { "+" | "-" | "−" } primary
    primary     := number | code | function "(" expression { "," expression } ")" | "(" expression ")"
    number      := digits [ "." digits ] | "." digits      (no exponent, no thousands separator)
    code        := an ASCII letter, then ASCII letters, digits or "_"   (an indicator code, e.g. ZB0101)
    function    := if(c, a, b) | min(a, b, …) | max(a, b, …) | round(x[, places]) | abs(x)

Function names are case-insensitive; codes are taken as written. Full-width ``（`` ``）`` ``，`` are
read as ``(`` ``)`` ``,``. A comparison yields 1 or 0 and cannot be chained (``a < b < c`` needs
parentheses). ``if`` evaluates only the branch it takes, so ``if(x == 0, 0, 100 ÷ x)`` is safe.
``round`` rounds halves away from zero (:func:`qingzhuang.lib.numbers.round_half_up`) to 0–10
places. All arithmetic is :class:`~decimal.Decimal`.

:func:`parse` checks everything it can before any value is known — unknown function, arity,
unknown code (when the known codes are given), a constant divisor of 0, unbalanced parentheses,
length (500 characters) and nesting (50 levels) — and raises :class:`FormulaError` with a Chinese
message and the 1-based character position.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from qingzhuang.lib.numbers import round_half_up

MAX_LENGTH = 500
MAX_DEPTH = 50
MAX_PLACES = 10

_ZERO = Decimal(0)
_ONE = Decimal(1)
_SPACES = frozenset(" \t\r\n\u3000")
_DIGITS = frozenset("0123456789")
_ALIASES = {"（": "(", "）": ")", "，": ",", "×": "*", "÷": "/", "−": "-"}
_SINGLE = frozenset("()+-*/,")
_COMPARE = ("<=", ">=", "==", "!=", "<", ">")
_ARITY = {"if": (3, 3), "min": (2, None), "max": (2, None), "round": (1, 2), "abs": (1, 1)}


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated; ``message`` is Chinese, ``position`` 1-based."""

    def __init__(self, message: str, position: int):
        self.message = message
        self.position = position
        super().__init__(f"第{position}个字符：{message}")


def _is_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


# --- tokens ---------------------------------------------------------------------------------------
# A token is (kind, text, position): kind is "num", "name", "op" (an operator, a parenthesis or a
# comma, normalised to its ASCII spelling) or "end".


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACES:
            i += 1
            continue
        start = i
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            while i < n and text[i] in _DIGITS:
                i += 1
            if i < n and text[i] == ".":
                i += 1
                if i >= n or text[i] not in _DIGITS:
                    raise FormulaError("小数点后缺少数字", i + 1)
                while i < n and text[i] in _DIGITS:
                    i += 1
            if i < n and (text[i] == "." or _is_letter(text[i]) or text[i] == "_"):
                raise FormulaError(f"无法识别的数字“{text[start : i + 1]}”", start + 1)
            tokens.append(("num", text[start:i], start + 1))
            continue
        if _is_letter(ch):
            while i < n and (_is_letter(text[i]) or text[i] in _DIGITS or text[i] == "_"):
                i += 1
            tokens.append(("name", text[start:i], start + 1))
            continue
        two = text[i : i + 2]
        if two in _COMPARE:
            tokens.append(("op", two, start + 1))
            i += 2
            continue
        ch = _ALIASES.get(ch, ch)
        if ch in _SINGLE or ch in "<>":
            tokens.append(("op", ch, start + 1))
            i += 1
            continue
        if ch in "=!":
            raise FormulaError(f"无法识别的运算符“{ch}”，比较请用 == 或 !=", start + 1)
        raise FormulaError(f"无法识别的字符“{text[i]}”", start + 1)
    tokens.append(("end", "", n + 1))
    return tokens


# --- the tree -------------------------------------------------------------------------------------


class _Node:
    __slots__ = ("position",)
    has_codes = False

    def ev(self, values):  # pragma: no cover - every node overrides it
        raise NotImplementedError


class _Num(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Decimal, position: int):
        self.value = value
        self.position = position

    def ev(self, values):
        return self.value


class _Code(_Node):
    __slots__ = ("code",)
    has_codes = True

    def __init__(self, code: str, position: int):
        self.code = code
        self.position = position

    def ev(self, values):
        try:
            value = values[self.code]
        except KeyError:
            raise FormulaError(f"缺少指标 {self.code} 的数据", self.position) from None
        if value is None:
            raise FormulaError(f"缺少指标 {self.code} 的数据", self.position)
        return value if type(value) is Decimal else Decimal(str(value))


class _Neg(_Node):
    __slots__ = ("arg", "has_codes")

    def __init__(self, arg: _Node, position: int):
        self.arg = arg
        self.position = position
        self.has_codes = arg.has_codes

    def ev(self, values):
        return -self.arg.ev(values)


class _Binary(_Node):
    __slots__ = ("op", "left", "right", "has_codes")

    def __init__(self, op: str, left: _Node, right: _Node, position: int):
        self.op = op
        self.left = left
        self.right = right
        self.position = position
        self.has_codes = left.has_codes or right.has_codes

    def ev(self, values):
        a = self.left.ev(values)
        b = self.right.ev(values)
        op = self.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if not b:
                raise FormulaError("除数为 0，无法计算", self.position)
            return a / b
        if op == "<":
            result = a < b
        elif op == "<=":
            result = a <= b
        elif op == ">":
            result = a > b
        elif op == ">=":
            result = a >= b
        elif op == "==":
            result = a == b
        else:
            result = a != b
        return _ONE if result else _ZERO


class _Call(_Node):
    __slots__ = ("name", "args", "has_codes")

    def __init__(self, name: str, args: list[_Node], position: int):
        self.name = name
        self.args = args
        self.position = position
        self.has_codes = any(a.has_codes for a in args)

    def ev(self, values):
        name, args = self.name, self.args
        if name == "if":
            return args[1].ev(values) if args[0].ev(values) else args[2].ev(values)
        if name == "min":
            return min(a.ev(values) for a in args)
        if name == "max":
            return max(a.ev(values) for a in args)
        if name == "abs":
            return abs(args[0].ev(values))
        x = args[0].ev(values)
        places = 0
        if len(args) == 2:
            places = _places(args[1].ev(values), args[1].position)
        return round_half_up(x, places)


def _places(value: Decimal, position: int) -> int:
    if value != value.to_integral_value() or not 0 <= value <= MAX_PLACES:
        raise FormulaError(f"round 的小数位数必须是 0 到 {MAX_PLACES} 之间的整数", position)
    return int(value)


# --- the parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens, known):
        self.tokens = tokens
        self.i = 0
        self.known = known
        self.depth = 0
        self.codes: set[str] = set()

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        token = self.tokens[self.i]
        self.i += 1
        return token

    def enter(self, position: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"括号或函数嵌套过深（最多 {MAX_DEPTH} 层）", position)

    def expression(self) -> _Node:
        left = self.additive()
        kind, text, position = self.peek()
        if kind == "op" and text in _COMPARE:
            self.take()
            left = _Binary(text, left, self.additive(), position)
            kind, text, position = self.peek()
            if kind == "op" and text in _COMPARE:
                raise FormulaError("比较运算不能连写，请加括号", position)
        return left

    def additive(self) -> _Node:
        left = self.term()
        while True:
            kind, text, position = self.peek()
            if kind != "op" or text not in "+-":
                return left
            self.take()
            left = _Binary(text, left, self.term(), position)

    def term(self) -> _Node:
        left = self.unary()
        while True:
            kind, text, position = self.peek()
            if kind != "op" or text not in "*/":
                return left
            self.take()
            start = self.peek()[2]
            right = self.unary()
            if text == "/":
                # A division is placed at its divisor, where a zero would be reported.
                if not right.has_codes and _constant(right) == _ZERO:
                    raise FormulaError("除数不能为 0", start)
                position = start
            left = _Binary(text, left, right, position)

    def unary(self) -> _Node:
        negative = False
        signs = []
        while True:
            kind, text, position = self.peek()
            if kind == "op" and text in "+-":
                self.take()
                signs.append(position)
                if text == "-":
                    negative = not negative
            else:
                break
        node = self.primary()
        return _Neg(node, signs[0]) if negative else node

    def primary(self) -> _Node:
        kind, text, position = self.take()
        if kind == "num":
            return _Num(Decimal(text), position)
        if kind == "name":
            after = self.peek()
            if after[0] == "op" and after[1] == "(":
                return self.call(text, position)
            if self.known is not None and text not in self.known:
                raise FormulaError(f"未知的指标代码 {text}", position)
            self.codes.add(text)
            return _Code(text, position)
        if kind == "op" and text == "(":
            self.enter(position)
            node = self.expression()
            self.close(position)
            self.depth -= 1
            return node
        if kind == "end":
            raise FormulaError("公式不完整，末尾缺少数字、指标代码或括号内容", position)
        if text == ")":
            raise FormulaError("此处缺少数字或指标代码", position)
        if text == ",":
            raise FormulaError("逗号只能用在函数的参数之间", position)
        raise FormulaError(f"运算符“{text}”前缺少数字或指标代码", position)

    def close(self, opened: int):
        kind, text, position = self.peek()
        if kind == "op" and text == ")":
            self.take()
            return
        if kind == "end":
            raise FormulaError("括号不配对：缺少右括号", opened)
        raise FormulaError("此处缺少运算符或右括号", position)

    def call(self, text: str, position: int) -> _Node:
        name = text.lower()
        if name not in _ARITY:
            raise FormulaError(f"未知的函数 {text}", position)
        self.take()  # "("
        self.enter(position)
        args = []
        after = self.peek()
        if not (after[0] == "op" and after[1] == ")"):
            args.append(self.expression())
            while self.peek()[0] == "op" and self.peek()[1] == ",":
                self.take()
                args.append(self.expression())
        self.close(position)
        self.depth -= 1
        low, high = _ARITY[name]
        if high is None and len(args) < low:
            raise FormulaError(f"函数 {name} 至少需要 {low} 个参数", position)
        if low == high and len(args) != low:
            raise FormulaError(f"函数 {name} 需要 {low} 个参数", position)
        if high is not None and not low <= len(args) <= high:
            raise FormulaError(f"函数 {name} 需要 {low} 或 {high} 个参数", position)
        if name == "round" and len(args) == 2 and not args[1].has_codes:
            _places(_constant(args[1]), args[1].position)
        return _Call(name, args, position)


def _constant(node: _Node) -> Decimal | None:
    """The value of a subtree without codes, or None when it cannot be computed here."""
    try:
        return node.ev({})
    except (FormulaError, ArithmeticError):
        return None


# --- the public face ------------------------------------------------------------------------------


class Expression:
    """A parsed formula: ``text`` as written, ``codes`` it reads, :meth:`evaluate` for values."""

    __slots__ = ("text", "codes", "_root")

    def __init__(self, text: str, codes: frozenset[str], root: _Node):
        self.text = text
        self.codes = codes
        self._root = root

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        """The value for the given code → value mapping; FormulaError on a missing code or a
        division by zero (with the position of the code or the divisor)."""
        try:
            return self._root.ev(values)
        except ArithmeticError:
            raise FormulaError("计算结果超出数值范围", 1) from None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def parse(text: str, known: Collection[str] | None = None) -> Expression:
    """Parse ``text``; with ``known``, every code must be one of them. Raises FormulaError."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("公式不能为空", 1)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式过长（最多 {MAX_LENGTH} 个字符）", MAX_LENGTH + 1)
    parser = _Parser(_tokenize(text), known)
    root = parser.expression()
    kind, rest, position = parser.peek()
    if kind != "end":
        if rest == ")":
            raise FormulaError("括号不配对：多余的右括号", position)
        if rest == ",":
            raise FormulaError("逗号只能用在函数的参数之间", position)
        raise FormulaError("此处缺少运算符", position)
    return Expression(text, frozenset(parser.codes), root)
