"""The archive's tokens and the classifiers' features come from one tokenizer; rjieba is
used as its engine only because it gives exactly jieba's tokens with our settings."""
import json
from pathlib import Path

from classifiers import tokenizer

CORPUS = Path(__file__).parent.parent / "classifiers" / "corpus"


def corpus_texts(limit=4000):
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[: limit // 4]:
            texts.append(json.loads(line)["text"])
    return texts + ["县政府办网格员抢红包，截图发群里 YYDS 👍", "涉密文件严禁上传微信群", "宜阳新区调休"]


def test_rjieba_gives_jieba_tokens_with_our_dictionary_and_settings():
    reference = tokenizer.python_tokenizer()
    for text in corpus_texts():
        expected = [t for t in reference.cut_for_search(tokenizer.prepare(text), HMM=tokenizer.HMM) if not t.isspace()]
        assert tokenizer.segment(text) == expected, text


def test_user_dictionary_keeps_work_group_words_whole():
    assert "网格员" in tokenizer.segment("请网格员入户走访")
    assert "过度留痕" in tokenizer.segment("防止过度留痕")


def test_search_mode_exposes_two_character_words_inside_longer_ones():
    assert {"红包", "抢红包"} <= set(tokenizer.segment("大家抢红包"))


def test_fts_query_quotes_every_word_so_operators_are_literal():
    assert tokenizer.fts_query('抢红包 OR "x') == '"抢红包" "or" "x"'
