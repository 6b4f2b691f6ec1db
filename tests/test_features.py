"""The classifiers' features: hashed word and character n-grams, computed per batch.

A message's features must not depend on what else is in its batch (classify scores in
chunks, predict one file at a time), and the compiled vote must score exactly as the
saved scikit-learn pipeline would."""
import numpy as np
import pytest

from classifiers import model as chat_model
from classifiers.features import NgramHasher
from classifiers.tokenizer import tokens as segment

MESSAGES = ["请各村明天上午9点前报送防汛值班表", "收到👍", "", "领导英明！🌹🌹", "admin 密码 Qg2024!",
            "听说年终奖要取消了，赶紧转发到各群"]


def rows(texts):
    return chat_model.rows(texts, [segment(t) for t in texts])


@pytest.fixture(scope="module")
def hasher():
    return NgramHasher(hash_bits=12).fit(rows(MESSAGES))


def test_a_message_has_the_same_features_alone_and_in_a_batch(hasher):
    together = hasher.transform(rows(MESSAGES)).toarray()
    for i, text in enumerate(MESSAGES):
        alone = hasher.transform(rows([text])).toarray()[0]
        assert np.allclose(alone, together[i])


def test_each_block_is_unit_length_and_an_empty_message_has_no_features(hasher):
    features = hasher.transform(rows(MESSAGES)).toarray()
    words, chars = features[:, : hasher.width], features[:, hasher.width:]
    assert not features[2].any()
    for i in (0, 1, 3, 4, 5):
        assert np.isclose(np.linalg.norm(words[i]), 1) and np.isclose(np.linalg.norm(chars[i]), 1)


def test_word_and_character_order_matter(hasher):
    words = hasher.transform(chat_model.rows(["x", "x"], ["图书 馆", "书图 馆"])).toarray()[:, : hasher.width]
    chars = hasher.transform(rows(["图书", "书图"])).toarray()[:, hasher.width:]
    assert not np.allclose(*words) and not np.allclose(*chars)


AWKWARD = ["", " ", "收到", "哈哈哈哈哈哈哈哈哈哈", "😀😀🌹 emoji", "a  b   c", "第一行\n第二行\r\n第三行",
           "请于 2024-06-03 17:30 前报送 https://example.gov.cn/a?b=1 @张三 @李四", "长" * 3000]


@pytest.mark.parametrize("words, chars, bits", [((1, 2), (1, 3), 12), ((1, 1), (2, 4), 10)])
def test_scoring_from_text_gives_the_products_of_the_feature_rows(words, chars, bits):
    from classifiers.scoring import products

    texts = MESSAGES + AWKWARD
    tokens = [segment(t) for t in texts] + ["", "  a  b ", "哈哈"]  # odd spacing in the tokens too
    texts += ["x", "y", "哈哈"]
    hasher = NgramHasher(words, chars, bits).fit(chat_model.rows(texts, tokens))
    weights = np.random.default_rng(0).normal(size=(2 * hasher.width, 5)).astype(np.float32)
    expected = hasher.transform(chat_model.rows(texts, tokens)) @ weights
    assert np.abs(products(hasher, weights, tokens, texts) - expected).max() < 1e-4


def test_messages_without_tokens_are_scored_on_their_characters(mini_models):
    model = mini_models[0]
    texts = ["收到👍", "好的", "领导英明🌹🌹🌹"]
    scores = model.scores(texts, ["", "", ""])
    assert scores.shape == (3, len(model.categories))
    wanted = [(i, c) for i, labels in enumerate(model.labels(scores)) for c in labels] or [(2, "flattery")]
    assert len(model.evidence(texts, ["", "", ""], wanted)) == len(wanted)


def test_the_compiled_vote_scores_as_the_pipeline_does(mini_models):
    model = mini_models[0]
    texts = ["领导辛苦了🌹🌹", "明天开会", "听说要放假了，内部消息", "你这个废物", "收到"]
    expected = model.pipeline.predict_proba(rows(texts))
    assert np.abs(model.scores(texts) - expected).max() < 1e-4


def test_evidence_is_taken_from_the_message_itself(mini_models):
    model = mini_models[0]
    texts = ["领导讲话高屋建瓴，字字珠玑🌹🌹🌹", "听说下个月工资要降，内部消息，转发到各群"]
    wanted = [(0, "flattery"), (1, "rumour")]
    for (i, _), words in zip(wanted, model.evidence(texts, [segment(t) for t in texts], wanted)):
        assert words
        assert all(ch in texts[i].lower() for word in words for ch in word.replace(" ", ""))


@pytest.mark.filterwarnings("ignore:Label not")  # scikit-learn's note on the empty category
def test_a_category_without_examples_compiles_to_never(tmp_path):
    from classifiers.train import train
    from tests.conftest import FIXTURES

    for source in (FIXTURES / "corpus").glob("*.jsonl"):
        kept = [line for line in source.read_text(encoding="utf-8").splitlines() if "rumour" not in line]
        (tmp_path / source.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    model, _ = train(corpus_dir=tmp_path, select=False, progress=lambda *_: None)
    scores = model.scores(["听说下个月要降工资了，赶紧转发", "明天开会"])
    assert (scores[:, model.categories.index("rumour")] == 0).all()
