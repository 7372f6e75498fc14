"""Token counting: how long the shipped GPT-2 BPE takes to count prompts of growing length (the prompt-budget
calculator counts every shot row and example), once the tokenizer is loaded. The unit test only checks the work
is bounded (the tokenizer file is read once); the speed is measured here.

    .venv/bin/python benchmarks/token_count.py [--runs 20]
"""

from __future__ import annotations

import argparse

from common import format_table, summary_ms, time_calls, write_result

from lifecycle.models.prompting import gpt2_token_count, gpt2_tokenizer

TARGET_MS = 100  # a 500-sentence prompt (~29 000 characters) counted in under 0.1 s
SENTENCE = "The checkout page returns a 500 error for every customer. "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    gpt2_tokenizer()  # loading the tokenizer is timed by cold_start.py, not here
    rows = []
    for sentences in (1, 50, 500, 5000):
        text = SENTENCE * sentences
        times = time_calls(lambda text=text: gpt2_token_count(text), repeat=args.runs)
        rows.append({"characters": len(text), "tokens": gpt2_token_count(text), **summary_ms(times)})
    print(format_table(rows, ["characters", "tokens", "median_ms", "p95_ms", "max_ms"],
                       {"median_ms": ".2f", "p95_ms": ".2f", "max_ms": ".2f"}))
    ok = next(r for r in rows if r["characters"] == len(SENTENCE) * 500)["median_ms"] < TARGET_MS
    print(f"500 sentences under {TARGET_MS} ms: {'yes' if ok else 'NO'}")
    write_result("token_count", {"rows": rows, "target_ms": TARGET_MS, "ok": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
