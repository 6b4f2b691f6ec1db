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


def test_word_order_matters(hasher):
    first, second = hasher.transform(rows(["图书", "书图"])).toarray()[:, hasher.width:]
    assert not np.allclose(first, second)


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
