"""A small client for OpenAI-compatible model servers (vLLM, Ollama, DeepSeek, Qwen, …).

The assistant works without any model (extractive answers, keyword search). A chat model is used
when ``QZ_LLM_BASE_URL`` and ``QZ_LLM_MODEL`` are set, an embedding model when ``QZ_EMBED_MODEL``
is set (served at ``QZ_EMBED_BASE_URL``, or at ``QZ_LLM_BASE_URL`` when that is empty). Settings
are read at call time:

================== ==================================================================
QZ_LLM_BASE_URL    e.g. ``http://127.0.0.1:8001/v1`` (``/chat/completions`` is appended)
QZ_LLM_MODEL       the chat model's name on that server
QZ_LLM_API_KEY     sent as ``Authorization: Bearer …`` when set
QZ_EMBED_BASE_URL  the embeddings server (``/embeddings`` is appended)
QZ_EMBED_MODEL     the embedding model's name
QZ_EMBED_API_KEY   defaults to ``QZ_LLM_API_KEY``
QZ_LLM_TIMEOUT     seconds per request, default 60
================== ==================================================================

Every failure (no connection, timeout, an error status, a reply of the wrong shape) raises
``LLMError`` whose ``message`` can be shown to the user as is. The API key never appears in a
message or a log line. A refused connection is tried once more; nothing else is retried.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
CHAT = "大模型服务"
EMBEDDINGS = "向量模型服务"
_THINK_RE = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


class LLMError(Exception):
    """A model server could not be used. ``message`` is in Chinese and safe to show."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _setting(name: str, default: Any = "") -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


def _timeout() -> float:
    try:
        value = float(_setting("QZ_LLM_TIMEOUT", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def _chat_base_url() -> str:
    return str(_setting("QZ_LLM_BASE_URL")).strip()


def _embed_base_url() -> str:
    return str(_setting("QZ_EMBED_BASE_URL")).strip() or _chat_base_url()


def _endpoint(base_url: str, path: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith(path):  # the full endpoint was configured
        return base
    return base + path


def chat_configured() -> bool:
    """Whether a chat model is configured (base URL and model name)."""
    return bool(_chat_base_url() and str(_setting("QZ_LLM_MODEL")).strip())


def embeddings_configured() -> bool:
    """Whether an embedding model is configured (model name and a base URL)."""
    return bool(_embed_base_url() and str(_setting("QZ_EMBED_MODEL")).strip())


def _seconds(value: float) -> str:
    return f"{value:g}"


def _redact(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text


def _safe_url(url: str) -> str:
    """``url`` without any user:password part, for logs."""
    return re.sub(r"//[^/@]*@", "//", url)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"密钥无效或无权访问（HTTP {status}）"
    if status == 404:
        return f"接口地址或模型名称有误（HTTP {status}）"
    if status == 429:
        return f"请求过于频繁，请稍后再试（HTTP {status}）"
    return f"服务器返回错误（HTTP {status}）"


def _post(service: str, url: str, key: str, payload: dict) -> Any:
    """POST ``payload`` as JSON and return the decoded JSON reply, or raise LLMError."""
    timeout = _timeout()
    unavailable = f"{service}暂时无法访问："
    headers = {"Accept": "application/json"}
    if key:
        if not key.isascii() or not key.isprintable():
            raise LLMError(f"{service}的密钥配置有误")
        headers["Authorization"] = f"Bearer {key}"
    log_url = _safe_url(url)
    try:
        with httpx.Client(timeout=timeout) as client:
            for attempt in (1, 2):
                try:
                    response = client.post(url, json=payload, headers=headers)
                    break
                except httpx.ConnectError as exc:
                    logger.warning("%s: cannot connect to %s (attempt %d): %s", service, log_url, attempt,
                                   _redact(str(exc), key))
                    if attempt == 2:
                        raise LLMError(unavailable + "无法连接到服务器") from None
    except httpx.TimeoutException:
        logger.warning("%s: %s timed out after %ss", service, log_url, _seconds(timeout))
        raise LLMError(unavailable + f"请求超时（超过 {_seconds(timeout)} 秒）") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        logger.warning("%s: invalid URL %r", service, log_url)
        raise LLMError(f"{service}的地址配置有误") from None
    except httpx.HTTPError as exc:
        logger.warning("%s: %s failed: %s: %s", service, log_url, type(exc).__name__, _redact(str(exc), key))
        raise LLMError(unavailable + "网络错误") from None
    if not response.is_success:
        logger.warning("%s: %s answered HTTP %d: %s", service, log_url, response.status_code,
                       _redact(response.text[:300], key))
        raise LLMError(unavailable + _status_reason(response.status_code), status_code=response.status_code)
    try:
        return response.json()
    except ValueError:
        logger.warning("%s: %s answered with invalid JSON: %s", service, log_url,
                       _redact(response.text[:300], key))
        raise LLMError(f"{service}返回了无法识别的结果") from None


def _malformed(service: str, detail: str, reply: Any, key: str) -> LLMError:
    logger.warning("%s: unexpected reply (%s): %s", service, detail, _redact(repr(reply)[:300], key))
    return LLMError(f"{service}返回了无法识别的结果")


def chat(messages: list[dict], *, temperature: float = 0.1, max_tokens: int = 1024) -> str:
    """The chat model's reply to ``messages`` (``choices[0].message.content``).

    A leading ``<think>…</think>`` block (reasoning models served without a reasoning parser) is
    removed. Raises LLMError when the model is not configured or cannot answer.
    """
    if not chat_configured():
        raise LLMError(f"{CHAT}未配置")
    key = str(_setting("QZ_LLM_API_KEY")).strip()
    payload = {
        "model": str(_setting("QZ_LLM_MODEL")).strip(),
        "messages": messages,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "stream": False,
    }
    reply = _post(CHAT, _endpoint(_chat_base_url(), "/chat/completions"), key, payload)
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise _malformed(CHAT, "no choices[0].message.content", reply, key) from None
    if not isinstance(content, str):
        raise _malformed(CHAT, "content is not text", reply, key)
    return _THINK_RE.sub("", content).strip()


def embed(texts: list[str], *, batch_size: int = 64) -> list[list[float]]:
    """One embedding vector per text, in the order of ``texts``, sent in batches of ``batch_size``.

    Checks that the server returns one vector per input (ordered by its ``index``) and that all
    vectors have the same dimension. Raises LLMError otherwise or when not configured.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not embeddings_configured():
        raise LLMError(f"{EMBEDDINGS}未配置")
    if not texts:
        return []
    key = str(_setting("QZ_EMBED_API_KEY")).strip() or str(_setting("QZ_LLM_API_KEY")).strip()
    model = str(_setting("QZ_EMBED_MODEL")).strip()
    url = _endpoint(_embed_base_url(), "/embeddings")
    vectors: list[list[float]] = []
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start:start + batch_size])
        reply = _post(EMBEDDINGS, url, key, {"model": model, "input": batch})
        vectors.extend(_vectors(reply, len(batch), key))
    dimensions = sorted({len(v) for v in vectors})
    if len(dimensions) != 1 or not dimensions[0]:
        logger.warning("%s: vectors of dimensions %s", EMBEDDINGS, dimensions[:5])
        raise LLMError(f"{EMBEDDINGS}返回了无法识别的结果：向量维度不一致")
    return vectors


def _vectors(reply: Any, expected: int, key: str) -> list[list[float]]:
    data = reply.get("data") if isinstance(reply, dict) else None
    if not isinstance(data, list):
        raise _malformed(EMBEDDINGS, "no data list", reply, key)
    if len(data) != expected:
        logger.warning("%s: %d vectors for %d inputs", EMBEDDINGS, len(data), expected)
        raise LLMError(
            f"{EMBEDDINGS}返回了无法识别的结果：向量数量与输入不符（输入 {expected} 条，返回 {len(data)} 条）")
    try:
        items = sorted(data, key=lambda item: int(item["index"]))
        indexes = [int(item["index"]) for item in items]
        vectors = [[float(x) for x in item["embedding"]] for item in items]
    except (KeyError, TypeError, ValueError):
        raise _malformed(EMBEDDINGS, "items without index or embedding", reply, key) from None
    if indexes != list(range(expected)):
        raise _malformed(EMBEDDINGS, f"indexes {indexes[:10]}", reply, key)
    return vectors


def build_answer_messages(question: str, passages: list[dict]) -> list[dict]:
    """Chat messages asking for an answer to ``question`` from the numbered ``passages`` only.

    Each passage is a dict with ``n``, ``document``, ``heading`` and ``text``.
    """
    system = (
        "你是县级政府的政策问答助手“AI社工”，为基层干部解答政策问题。请严格遵守以下要求：\n"
        "1. 只能依据用户给出的编号依据材料回答，不得使用材料以外的知识，不得猜测或补充。\n"
        "2. 每一处陈述之后用方括号标注所依据材料的编号，如[1]；同时依据多条材料时写作[1][2]。"
        "只能使用给出的编号。\n"
        "3. 涉及规定、条件、期限、金额、比例等内容时，用「」逐字引用材料原文；"
        "数字必须与材料中的写法完全一致，不得换算、估算或改写。\n"
        "4. 如果依据材料不能回答问题，只回答“未找到相关依据”，不要编造。\n"
        "5. 用简洁、准确的简体中文作答，不使用Markdown格式。"
    )
    blocks = []
    for passage in passages:
        document = str(passage.get("document") or "").strip().removeprefix("《").removesuffix("》")
        heading = str(passage.get("heading") or "").strip()
        title = " ".join(part for part in (f"《{document}》" if document else "", heading) if part)
        label = f"[{passage['n']}] {title}" if title else f"[{passage['n']}]"
        blocks.append(f"{label}\n{str(passage.get('text') or '').strip()}")
    materials = "\n\n".join(blocks) if blocks else "（没有检索到依据材料）"
    user = f"依据材料：\n\n{materials}\n\n问题：{question.strip()}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def build_summary_messages(facts: str, outline: list[str]) -> list[dict]:
    """Chat messages asking for a Chinese work summary written only from ``facts``, under the
    section headings of ``outline`` (in that order, worded exactly as given)."""
    headings = [h.strip() for h in outline if h and h.strip()]
    system = (
        "你是县级政府的文字材料助手，负责根据给定的材料起草工作总结。请严格遵守以下要求：\n"
        "1. 只能使用用户提供的材料中的事实和数字，不得编造、推算或补充任何数字和情况。\n"
        "2. 数字必须与材料中的写法完全一致（包括单位和小数位），不得换算、四舍五入或改写为汉字数字。\n"
        "3. 按用户给出的小标题及其顺序组织全文，小标题原样照录，不增不减。\n"
        "4. 材料中没有的内容不写，不写空话套话。\n"
        "5. 使用规范的公文语体和简体中文，不使用Markdown格式。"
    )
    outline_text = "\n".join(headings) if headings else "（未指定小标题，请按材料内容自行分段）"
    user = f"小标题：\n{outline_text}\n\n材料：\n{facts.strip()}\n\n请根据以上材料撰写工作总结。"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
