"""The team-written training corpus (`classifiers/corpus/*.jsonl`) and its fixed split.

Each line is `{"text", "labels", "hard", "writer"}`; `labels` lists categories, empty for
ordinary work. The test split is a pure function of each example and the seed: an
example is in test when a seeded hash of its text falls in the lowest `TEST_SHARE` of the
hash range. So the split is reproducible, about `TEST_SHARE` of every label combination,
and stays put when examples are added: no example ever moves between train and test.
(Cutting each label combination at its first 20% by hash order, as before, moved a few
old examples across the cut whenever others were added.)
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ingest.user_errors import UserError

CATEGORIES = ("offtopic", "flattery", "rumour", "sensitive")
CORPUS_DIR = Path(__file__).with_name("corpus")
SEED = 20251127
TEST_SHARE = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    hard: bool = False
    writer: str = ""


class CorpusError(UserError):
    pass


def read_jsonl(path: Path, categories: tuple[str, ...] = CATEGORIES, known: tuple[str, ...] = ()) -> list[Example]:
    """Examples of one JSONL file, keeping only `categories` as labels (`known` lists other
    labels the file may carry, which are dropped); a bad line raises CorpusError naming
    file and line."""
    examples = []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # A file saved by Excel or Notepad on a Chinese Windows is GBK: read as UTF-8 it
        # fails, and the line of the first byte that does not fit is where to look.
        line = data[:e.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8 and run this again",
                          f"{path} 第 {line} 行：不是 UTF-8 文本；请把文件另存为 UTF-8 后重新运行") from None
    # Lines end at \n alone: a JSON string may hold U+2028 or U+0085, at which splitlines breaks too.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            labels = item["labels"]
            if not isinstance(text, str) or not isinstance(labels, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise CorpusError(f"{path}:{number}: expected an object with \"text\" and \"labels\" (a list)",
                              f"{path} 第 {number} 行：应为含 \"text\" 和 \"labels\"（列表）的 JSON 对象") from None
        labels = [l for l in labels if l != "work"]
        unknown = set(labels) - set(categories) - set(known)
        if unknown:
            raise CorpusError(f"{path}:{number}: unknown labels {sorted(unknown)}; "
                              f"known: {', '.join(categories + tuple(known))}, work",
                              f"{path} 第 {number} 行：没有这些标签 {sorted(unknown)}；可用的标签："
                              f"{'、'.join(categories + tuple(known))}、work")
        labels = sorted(set(labels) & set(categories))
        examples.append(Example(text, tuple(labels), bool(item.get("hard")), str(item.get("writer", ""))))
    return examples


def load_corpus(directory: Path = CORPUS_DIR, categories: tuple[str, ...] = CATEGORIES,
                known: tuple[str, ...] = ()) -> list[Example]:
    """All examples under `directory`, first occurrence of each text kept."""
    seen, examples = set(), []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for example in read_jsonl(path, categories, known):
            if example.text not in seen:
                seen.add(example.text)
                examples.append(example)
    if not examples:
        raise CorpusError(f"no examples under {directory}", f"{directory} 下没有训练样本（.jsonl 文件）")
    return examples


def _rank(text: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}\x1f{text}".encode("utf-8")).hexdigest()


def split(examples: list[Example], seed: int = SEED, test_share: float = TEST_SHARE) -> tuple[list[Example], list[Example]]:
    """(train, test): seeded, each example placed by its own hash alone."""
    train, test = [], []
    for example in examples:
        (test if int(_rank(example.text, seed)[:8], 16) < test_share * 16 ** 8 else train).append(example)
    return train, test


def data_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.text):
        digest.update(json.dumps([e.text, e.labels], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def counts_table(directory: Path = CORPUS_DIR) -> str:
    """The data card's table: per file, label counts and hard examples."""
    lines = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        examples = read_jsonl(path)
        writers = sorted({e.writer for e in examples})
        cells = [sum(c in e.labels for e in examples) for c in CATEGORIES]
        lines.append(f"| {path.name} | {', '.join(writers)} | {len(examples)} | " + " | ".join(map(str, cells))
                     + f" | {sum(not e.labels for e in examples)} | {sum(e.hard for e in examples)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    readme = CORPUS_DIR / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition("|---|---|---|---|---|---|---|---|---|\n")
    tail = rest[rest.index("\n\n"):] if "\n\n" in rest else ""
    readme.write_text(head + "|---|---|---|---|---|---|---|---|---|\n" + counts_table() + tail, encoding="utf-8")
    print(counts_table())
