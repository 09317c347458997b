"""The OpenAI-compatible client against a fake server: requests, replies and every failure path."""

from __future__ import annotations

import logging
import time

import pytest

from qingzhuang.assistant import llm
from qingzhuang.assistant.citations import verify_answer
from qingzhuang.assistant.llm import LLMError
from qingzhuang.assistant.tests.fake_llm import (  # noqa: F401 (the fixture "fake_llm")
    DIMENSIONS,
    FakeLLM,
    fake_llm_fixture,
    hash_vector,
    unused_port,
)

KEY = "sk-qz-secret-7f3a9c"
MESSAGES = [{"role": "system", "content": "你是助手"}, {"role": "user", "content": "低保怎么申请？"}]
PASSAGES = [
    {"n": 1, "document": "青山县最低生活保障实施办法", "heading": "第十二条 审核确认",
     "text": "乡镇人民政府应当自受理申请之日起15个工作日内完成审核。特殊情况可以延长至30个工作日。"},
    {"n": 2, "document": "青山县最低生活保障实施办法", "heading": "第八条 申请条件",
     "text": "申请最低生活保障以家庭为单位，向户籍所在地乡镇人民政府提出书面申请。"},
    {"n": 3, "document": "关于进一步减轻基层负担的通知", "heading": "三、精简会议",
     "text": "确需乡镇参加的会议，每月不超过2次。"},
]


@pytest.fixture
def unconfigured(settings):
    for name in ("QZ_LLM_BASE_URL", "QZ_LLM_MODEL", "QZ_LLM_API_KEY", "QZ_EMBED_BASE_URL", "QZ_EMBED_MODEL",
                 "QZ_EMBED_API_KEY"):
        setattr(settings, name, "")
    return settings


def assert_no_key(exc: LLMError, caplog) -> None:
    assert KEY not in str(exc)
    assert KEY not in exc.message
    assert KEY not in caplog.text


# --- configuration --------------------------------------------------------------------------


def test_not_configured(unconfigured):
    assert llm.chat_configured() is False
    assert llm.embeddings_configured() is False
    with pytest.raises(LLMError) as chat_error:
        llm.chat(MESSAGES)
    assert chat_error.value.message == "大模型服务未配置"
    with pytest.raises(LLMError) as embed_error:
        llm.embed(["低保"])
    assert embed_error.value.message == "向量模型服务未配置"


def test_base_url_without_model_is_not_configured(unconfigured):
    unconfigured.QZ_LLM_BASE_URL = "http://127.0.0.1:8001/v1"
    assert llm.chat_configured() is False
    unconfigured.QZ_LLM_MODEL = "qwen2.5-7b-instruct"
    assert llm.chat_configured() is True
    assert llm.embeddings_configured() is False
    unconfigured.QZ_EMBED_MODEL = "bge-m3"
    assert llm.embeddings_configured() is True  # served by the chat server when no embed URL is set


def test_settings_may_be_missing_or_none(settings):
    settings.QZ_LLM_BASE_URL = None
    settings.QZ_LLM_MODEL = None
    settings.QZ_LLM_TIMEOUT = None
    assert llm.chat_configured() is False
    assert llm._timeout() == 60.0
    settings.QZ_LLM_TIMEOUT = "12.5"
    assert llm._timeout() == 12.5
    settings.QZ_LLM_TIMEOUT = "abc"
    assert llm._timeout() == 60.0


# --- chat ------------------------------------------------------------------------------------


def test_chat_success_sends_model_messages_and_key(fake_llm):
    server = fake_llm(reply="乡镇应当在「15个工作日内完成审核」[1]。", api_key=KEY)
    assert llm.chat_configured() is True
    assert llm.chat(MESSAGES) == "乡镇应当在「15个工作日内完成审核」[1]。"
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "model": "fake-chat", "messages": MESSAGES, "temperature": 0.1, "max_tokens": 1024, "stream": False,
    }
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"


def test_chat_passes_temperature_and_max_tokens(fake_llm):
    server = fake_llm(reply="好的")
    assert llm.chat(MESSAGES, temperature=0.0, max_tokens=256) == "好的"
    assert server.requests[0].body["temperature"] == 0.0
    assert server.requests[0].body["max_tokens"] == 256


def test_chat_without_key_sends_no_authorization(fake_llm):
    server = fake_llm(reply="好的")
    llm.chat(MESSAGES)
    assert "authorization" not in server.requests[0].headers


def test_chat_base_url_with_trailing_slash(fake_llm, settings):
    server = fake_llm(reply="好的")
    settings.QZ_LLM_BASE_URL = server.base_url + "/"
    assert llm.chat(MESSAGES) == "好的"
    assert server.requests[0].path == "/v1/chat/completions"


def test_chat_full_endpoint_configured(fake_llm, settings):
    server = fake_llm(reply="好的")
    settings.QZ_LLM_BASE_URL = server.base_url + "/chat/completions"
    assert llm.chat(MESSAGES) == "好的"
    assert server.requests[0].path == "/v1/chat/completions"


def test_chat_reply_callable_sees_the_body(fake_llm):
    fake_llm(reply=lambda body: f"模型{body['model']}收到{len(body['messages'])}条消息")
    assert llm.chat(MESSAGES) == "模型fake-chat收到2条消息"


def test_chat_strips_reasoning_block(fake_llm):
    fake_llm(reply="<think>\n先想一想，大约45天？\n</think>\n\n未找到相关依据")
    assert llm.chat(MESSAGES) == "未找到相关依据"


def test_chat_server_error(fake_llm, caplog):
    fake_llm(status=500, api_key=KEY)  # the error body echoes the Authorization header
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务暂时无法访问：服务器返回错误（HTTP 500）"
    assert str(error.value) == "大模型服务暂时无法访问：服务器返回错误（HTTP 500）"
    assert error.value.status_code == 500
    assert "HTTP 500" in caplog.text and "***" in caplog.text  # logged, with the echoed key redacted
    assert_no_key(error.value, caplog)


def test_chat_unauthorized(fake_llm, caplog):
    fake_llm(status=401, api_key=KEY)
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务暂时无法访问：密钥无效或无权访问（HTTP 401）"
    assert_no_key(error.value, caplog)


def test_chat_invalid_json(fake_llm, caplog):
    fake_llm(invalid_json=True, api_key=KEY)
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务返回了无法识别的结果"
    assert_no_key(error.value, caplog)


@pytest.mark.parametrize("reply", [
    {"choices": []},
    {"choices": [{"message": {"role": "assistant"}}]},
    {"choices": [{"message": {"role": "assistant", "content": None}}]},
    {"error": {"message": "model not loaded"}},
    ["not", "an", "object"],
])
def test_chat_reply_of_wrong_shape(fake_llm, reply):
    fake_llm(chat_response=lambda body: reply)
    with pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务返回了无法识别的结果"


def test_chat_timeout(fake_llm, settings, caplog):
    fake_llm(reply="迟到的回答", delay=5, api_key=KEY)
    settings.QZ_LLM_TIMEOUT = 0.3
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert time.monotonic() - started < 3
    assert error.value.message == "大模型服务暂时无法访问：请求超时（超过 0.3 秒）"
    assert_no_key(error.value, caplog)


def test_chat_connection_refused_is_tried_twice(settings, caplog):
    settings.QZ_LLM_BASE_URL = f"http://127.0.0.1:{unused_port()}/v1"
    settings.QZ_LLM_MODEL = "fake-chat"
    settings.QZ_LLM_API_KEY = KEY
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务暂时无法访问：无法连接到服务器"
    assert error.value.__cause__ is None
    assert [r.getMessage().count("attempt") for r in caplog.records] == [1, 1]
    assert "attempt 2" in caplog.text
    assert_no_key(error.value, caplog)


def test_credentials_in_url_are_not_logged(settings, caplog):
    settings.QZ_LLM_BASE_URL = f"http://user:hunter2@127.0.0.1:{unused_port()}/v1"
    settings.QZ_LLM_MODEL = "fake-chat"
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError):
        llm.chat(MESSAGES)
    assert "hunter2" not in caplog.text


@pytest.mark.parametrize("base_url", ["127.0.0.1:8001/v1", "ftp://127.0.0.1/v1", "http://[::1/v1"])
def test_chat_bad_base_url(settings, base_url):
    settings.QZ_LLM_BASE_URL = base_url
    settings.QZ_LLM_MODEL = "fake-chat"
    with pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务的地址配置有误"


def test_chat_bad_key_setting(fake_llm, settings):
    server = fake_llm(reply="好的")
    settings.QZ_LLM_API_KEY = "密钥\n"
    with pytest.raises(LLMError) as error:
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务的密钥配置有误"
    assert server.requests == []


# --- embeddings ------------------------------------------------------------------------------


def test_embed_returns_vectors_in_input_order(fake_llm):
    server = fake_llm(api_key=KEY)  # the fake lists the vectors in reverse order
    texts = ["最低生活保障", "临时救助", "减轻基层负担"]
    vectors = llm.embed(texts)
    assert vectors == [hash_vector(t) for t in texts]
    assert all(len(v) == DIMENSIONS for v in vectors)
    [request] = server.requests
    assert request.path == "/v1/embeddings"
    assert request.body == {"model": "fake-embed", "input": texts}
    assert request.headers["authorization"] == f"Bearer {KEY}"  # QZ_EMBED_API_KEY falls back


def test_embed_own_key_and_base_url(fake_llm, settings):
    chat_server = fake_llm(api_key=KEY)
    embed_server = fake_llm(configure=False)
    settings.QZ_EMBED_BASE_URL = embed_server.base_url + "/"
    settings.QZ_EMBED_API_KEY = "sk-embed"
    assert llm.embed(["低保"]) == [hash_vector("低保")]
    assert chat_server.requests == []
    assert embed_server.requests[0].headers["authorization"] == "Bearer sk-embed"


def test_embed_falls_back_to_chat_base_url(fake_llm, settings):
    server = fake_llm()
    settings.QZ_EMBED_BASE_URL = ""
    assert llm.embeddings_configured() is True
    assert llm.embed(["低保"]) == [hash_vector("低保")]
    assert server.requests[0].path == "/v1/embeddings"


def test_embed_in_batches(fake_llm):
    server = fake_llm()
    texts = ["一", "二", "三", "四", "五"]
    assert llm.embed(texts, batch_size=2) == [hash_vector(t) for t in texts]
    assert [r.body["input"] for r in server.requests] == [["一", "二"], ["三", "四"], ["五"]]


def test_embed_nothing_sends_nothing(fake_llm):
    server = fake_llm()
    assert llm.embed([]) == []
    assert server.requests == []
    with pytest.raises(ValueError):
        llm.embed(["低保"], batch_size=0)


def test_embed_count_mismatch(fake_llm):
    def two_vectors(body):
        return {"data": [{"index": i, "embedding": [1.0, 0.0]} for i in range(2)]}

    fake_llm(embed_response=two_vectors)
    with pytest.raises(LLMError) as error:
        llm.embed(["甲", "乙", "丙"])
    assert error.value.message == "向量模型服务返回了无法识别的结果：向量数量与输入不符（输入 3 条，返回 2 条）"


def test_embed_unequal_dimensions(fake_llm):
    fake_llm(embed=lambda text: [1.0] * len(text))
    with pytest.raises(LLMError) as error:
        llm.embed(["甲", "乙乙"])
    assert error.value.message == "向量模型服务返回了无法识别的结果：向量维度不一致"


def test_embed_dimensions_checked_across_batches(fake_llm):
    fake_llm(embed=lambda text: [1.0] * len(text))
    with pytest.raises(LLMError) as error:
        llm.embed(["甲", "乙乙"], batch_size=1)
    assert error.value.message == "向量模型服务返回了无法识别的结果：向量维度不一致"


@pytest.mark.parametrize("data", [
    [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}],  # duplicate index
    [{"index": 0, "embedding": [1.0]}, {"embedding": [1.0]}],  # no index
    [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": "abc"}],  # not numbers
    [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": []}],  # empty vectors
])
def test_embed_reply_of_wrong_shape(fake_llm, data):
    fake_llm(embed_response=lambda body: {"data": data})
    with pytest.raises(LLMError) as error:
        llm.embed(["甲", "乙"])
    assert error.value.message.startswith("向量模型服务返回了无法识别的结果")


def test_embed_server_error(fake_llm, caplog):
    fake_llm(status=503, api_key=KEY)
    with caplog.at_level(logging.WARNING), pytest.raises(LLMError) as error:
        llm.embed(["甲"])
    assert error.value.message == "向量模型服务暂时无法访问：服务器返回错误（HTTP 503）"
    assert_no_key(error.value, caplog)


# --- prompts ---------------------------------------------------------------------------------


def test_build_answer_messages():
    passages = [
        {"n": 1, "document": "青山县最低生活保障实施办法", "heading": "第十二条 审核确认", "text": "应当在15个工作日内完成审核。"},
        {"n": 2, "document": "《关于进一步减轻基层负担的通知》", "heading": "", "text": " 每月不超过2次。\n"},
    ]
    system, user = llm.build_answer_messages("低保审核要多久？", passages)
    assert system["role"] == "system"
    for phrase in ("只能依据", "[1]", "「」", "未找到相关依据"):
        assert phrase in system["content"]
    assert user == {"role": "user", "content": (
        "依据材料：\n\n"
        "[1] 《青山县最低生活保障实施办法》 第十二条 审核确认\n应当在15个工作日内完成审核。\n\n"
        "[2] 《关于进一步减轻基层负担的通知》\n每月不超过2次。\n\n"
        "问题：低保审核要多久？"
    )}


def test_build_answer_messages_without_passages():
    _, user = llm.build_answer_messages("低保审核要多久？", [])
    assert user["content"] == "依据材料：\n\n（没有检索到依据材料）\n\n问题：低保审核要多久？"


def test_build_summary_messages():
    facts = "全年召开会议12次，比上年减少35%。\n发文46件。"
    system, user = llm.build_summary_messages(facts, ["一、主要工作", "二、存在问题"])
    assert system["role"] == "system"
    assert "不得编造" in system["content"] and "完全一致" in system["content"]
    assert user == {"role": "user", "content": (
        "小标题：\n一、主要工作\n二、存在问题\n\n材料：\n全年召开会议12次，比上年减少35%。\n发文46件。\n\n"
        "请根据以上材料撰写工作总结。"
    )}


# --- end to end: a model's answer is verified ---------------------------------------------------


def test_end_to_end_citing_a_passage_that_was_not_retrieved(fake_llm):
    server = fake_llm(reply="乡镇应当在15个工作日内完成审核[1]，会议每月不超过2次[4]。")
    answer = llm.chat(llm.build_answer_messages("低保审核要多久？", PASSAGES))
    assert "[3] 《关于进一步减轻基层负担的通知》 三、精简会议" in server.requests[0].body["messages"][1]["content"]
    result = verify_answer(answer, PASSAGES, question="低保审核要多久？")
    assert result.ok is False
    assert result.cited == [1, 4]
    assert result.problems == ["引用[4]不在检索到的依据中", "数字“2”在引用的依据中找不到"]


def test_end_to_end_invented_number_and_misquote(fake_llm):
    fake_llm(reply="根据第十二条，「乡镇人民政府应当在45个工作日内完成审核」[1]。")
    answer = llm.chat(llm.build_answer_messages("低保审核要多久？", PASSAGES))
    result = verify_answer(answer, PASSAGES, question="低保审核要多久？")
    assert result.ok is False
    assert result.problems == [
        "引文与依据[1]原文不符：「乡镇人民政府应当在45个工作日内完成审核」",
        "数字“45”在引用的依据中找不到",
    ]


def test_end_to_end_faithful_answer(fake_llm):
    def model(body):
        assert "15个工作日" in body["messages"][1]["content"]
        return "乡镇人民政府应当自受理申请之日起「15个工作日内完成审核」[1]，特殊情况「可以延长至30个工作日」[1]。"

    fake_llm(reply=model)
    answer = llm.chat(llm.build_answer_messages("低保审核要多久？", PASSAGES))
    result = verify_answer(answer, PASSAGES, question="低保审核要多久？")
    assert result.ok is True, result.problems
    assert result.cited == [1]


def test_fake_server_as_context_manager(settings):
    settings.QZ_LLM_MODEL = "m"
    with FakeLLM(reply="好的") as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        settings.QZ_LLM_BASE_URL = server.base_url
        assert llm.chat(MESSAGES) == "好的"
        assert len(server.requests) == 1
    with pytest.raises(LLMError) as error:  # stopped: nothing listens any more
        llm.chat(MESSAGES)
    assert error.value.message == "大模型服务暂时无法访问：无法连接到服务器"
