"""Reviewed model flags as labelled examples: what supervisors confirmed teaches the model
a positive, what they dismissed teaches it a negative for that category."""
from __future__ import annotations

from classifiers.corpus import Example
from review.handling import signed_by_a_person


def reviewed(conn) -> list[dict]:
    """One object per message whose model flags were confirmed or dismissed (latest decision)."""
    rows = conn.execute(
        "select m.id, m.text, f.category, s.status from flags f join flag_state s on s.flag_id = f.id "
        "join messages m on m.id = f.message_id where f.detector like 'chat@%' "
        "and s.status in ('confirmed', 'dismissed', 'resolved') "
        # Only a person's decision teaches: a command closing an exempt group's flags (cli:…)
        # judged no message, and a model withdrawing its own flag (chat@…) would teach itself.
        f"and {signed_by_a_person('s.actor_id')} order by m.id, f.category").fetchall()
    by_message: dict[int, dict] = {}
    for message_id, text, category, status in rows:
        item = by_message.setdefault(message_id, {"message_id": message_id, "text": text, "labels": [], "not": []})
        (item["not"] if status == "dismissed" else item["labels"]).append(category)
    return list(by_message.values())


def reviewed_examples(conn) -> list[Example]:
    """Training examples: confirmed categories as labels; a dismissed category is absent."""
    return [Example(item["text"], tuple(sorted(item["labels"])), True, "review") for item in reviewed(conn)]
