"""Small builders for detector tests: messages as the detectors read them."""
from detectors.base import Message, load_config

CONFIG = load_config()


def msg(text, sent_at="2025-03-04T10:00:00", kind="text", id=1, group_id=1, member_id=1):
    return Message(id, group_id, member_id, sent_at, kind, text)


def run(module, *messages, context=None):
    return module.detect(list(messages), CONFIG, context if context is not None else {})
