"""The learned topic model: trains it on the labelled real papers and says how well it files
papers it never saw, beside the rules alone. `--write` also writes the packaged model,
`bot/data/topic_model.json`. The last line is one JSON object.

Figures, per topic, precision / recall, and the precision among the best-scored quarter and
half of the papers filed under the topic (a digest shows those first):
- every labelled paper, judged by a model trained as the packaged one is (its bars too chosen
  by cross-validation) on the other four fifths of the papers (nested cross-validation);
- each fortnight of papers judged by a model trained on the other fortnight only: papers of
  a fortnight nobody tuned against, the way a new fortnight reaches the bot.
Needs the shared fixtures (`DIGESTBOT_FIXTURES`, or `shared/fixtures` beside the repository).
About a minute.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.topics import learned, training  # noqa: E402
from bot.topics.config import TopicMatcher, load  # noqa: E402
from tests.topic_samples import all_real_samples, examples, shared_fixtures  # noqa: E402


def figures(decided: list[bool], labels: list[bool]) -> dict[str, float]:
    tp = sum(d and y for d, y in zip(decided, labels, strict=True))
    fp = sum(d and not y for d, y in zip(decided, labels, strict=True))
    fn = sum(y and not d for d, y in zip(decided, labels, strict=True))
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "support": tp + fn,
    }


def best_first(scored: list[tuple[float, bool]], share: float) -> float:
    """Precision among the best-scored `share` of the papers filed under a topic: a digest
    shows a topic's best-scored papers first, so these are the ones a reader sees."""
    ranked = sorted(scored, key=lambda pair: -pair[0])
    top = ranked[: max(1, round(len(ranked) * share))]
    return round(sum(label for _, label in top) / len(top), 3) if ranked else 1.0


def compare(slugs, rows: list, margins: list[dict[str, float]]) -> dict:
    """Per topic, the rules' and the model's figures on the same papers."""
    result = {}
    for slug in slugs:
        labels = [slug in row.topics for row in rows]
        rules = figures([row.features.get(f"r:{slug}", 0.0) > 0 for row in rows], labels)
        model = figures([m[slug] >= 0 for m in margins], labels)
        by_rules = [
            (row.features[f"e:{slug}"], label)
            for row, label in zip(rows, labels, strict=True)
            if row.features.get(f"r:{slug}")
        ]
        by_model = [(m[slug], y) for m, y in zip(margins, labels, strict=True) if m[slug] >= 0]
        for share in (0.25, 0.5):
            rules[f"precision_best_{share}"] = best_first(by_rules, share)
            model[f"precision_best_{share}"] = best_first(by_model, share)
        result[slug] = {"rules": rules, "learned": model}
    return result


def print_table(name: str, table: dict) -> None:
    print(f"\n{name}")
    print(
        f"{'topic':<12}{'rules':>14}{'learned':>14}{'support':>9}"
        "   precision of the best-scored quarter / half: rules, learned"
    )
    for slug, row in table.items():
        rules, model = row["rules"], row["learned"]
        print(
            f"{slug:<12}{rules['precision']:>8.2f} /{rules['recall']:>4.2f}"
            f"{model['precision']:>8.2f} /{model['recall']:>4.2f}{rules['support']:>9}"
            f"   {rules['precision_best_0.25']:.2f} / {rules['precision_best_0.5']:.2f},"
            f" {model['precision_best_0.25']:.2f} / {model['precision_best_0.5']:.2f}"
        )


def write(model: learned.TopicModel, path: Path) -> None:
    """The model as JSON with one feature a line, so that training it again reads as a diff."""
    document = model.document()
    weights = document.pop("weights")
    head = json.dumps(document, ensure_ascii=False, separators=(",", ":"))[:-1]
    rows = ",\n".join(
        f"{json.dumps(f, ensure_ascii=False)}:{json.dumps(row, separators=(',', ':'))}"
        for f, row in weights.items()
    )
    path.write_text(f'{head},"weights":{{\n{rows}\n}}}}\n', encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write bot/data/topic_model.json")
    parser.add_argument(
        "--leave-out",
        metavar="FORTNIGHT",
        help='write to --out a model trained without one fortnight\'s papers ("June 2024")',
    )
    parser.add_argument("--out", type=Path, help="where --leave-out writes its model")
    args = parser.parse_args()
    if bool(args.leave_out) != bool(args.out):
        parser.error("--leave-out and --out go together")
    samples = all_real_samples()
    if samples is None:
        print(f"skipped: no fixture feeds under {shared_fixtures()}")
        return
    topics = [t for t in load() if getattr(t, "learned", False)]
    slugs = [t.slug for t in topics]
    matcher = TopicMatcher(load())
    by_fortnight = {name: examples(matcher, sample) for name, sample in samples.items()}
    everything = [row for rows in by_fortnight.values() for row in rows]
    if args.leave_out and args.leave_out not in by_fortnight:
        parser.error(f"no fortnight {args.leave_out!r}: {', '.join(by_fortnight)}")
    started = time.perf_counter()
    result: dict = {"papers": len(everything)}
    result["nested"] = compare(slugs, everything, training.nested(everything, slugs))
    print_table(f"all {len(everything)} labelled papers, nested 5-fold", result["nested"])
    for name, rows in by_fortnight.items():
        others = [row for other, o in by_fortnight.items() if other != name for row in o]
        if not others:
            continue
        model = training.train(others, slugs)
        margins = [model.margins_of(row.features) for row in rows]
        result[name] = compare(slugs, rows, margins)
        print_table(
            f"{name}: {len(rows)} papers, trained on the other fortnight only", result[name]
        )
    if args.write:
        model = training.train(everything, slugs)
        write(model, learned.PACKAGED)
        print(f"\nwrote {learned.PACKAGED.name}: {len(model.weights)} features, bars {model.bars}")
    if args.leave_out:
        kept = [
            row for name, rows in by_fortnight.items() if name != args.leave_out for row in rows
        ]
        write(training.train(kept, slugs), args.out)
        print(f"wrote {args.out}: trained on {len(kept)} papers, without {args.leave_out}")
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
