"""Score a sample of predictions against references, so a saved target can be checked on real outputs.

Each metric follows its reference implementation, and tests/unit/test_eval_metrics.py pins the scores those
implementations give (sacreBLEU 2.6.0, rouge-score 0.1.2, the SQuAD v1.1 evaluation script). Scores are
in percent like the published tables, except perplexity. One reference per prediction.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter

from lifecycle.errors import InvalidInput

SCORABLE = ("accuracy", "macro-f1", "exact-match", "token-f1", "bleu", "chrf", "rouge", "perplexity")


def _pairs(preds: list[str], refs: list[str]) -> list[tuple[str, str]]:
    if len(preds) != len(refs):
        raise InvalidInput(f"{len(preds)} predictions but {len(refs)} references: give one reference per prediction.")
    if not preds:
        raise InvalidInput("Give at least one prediction and its reference.")
    return list(zip(preds, refs))


def accuracy(preds: list[str], refs: list[str]) -> float:
    pairs = _pairs(preds, refs)
    return 100 * sum(p.strip() == r.strip() for p, r in pairs) / len(pairs)


def macro_f1(preds: list[str], refs: list[str]) -> float:
    """Mean over labels of per-label F1 (labels seen in either list), as scikit-learn's f1_score(average='macro')."""
    pairs = [(p.strip(), r.strip()) for p, r in _pairs(preds, refs)]
    labels = sorted({x for pair in pairs for x in pair})
    f1s = []
    for label in labels:
        tp = sum(p == label and r == label for p, r in pairs)
        fp = sum(p == label and r != label for p, r in pairs)
        fn = sum(p != label and r == label for p, r in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return 100 * sum(f1s) / len(f1s)


def normalize_answer(s: str) -> str:
    """SQuAD v1.1 evaluation script: lower case, drop punctuation and articles, squeeze whitespace."""
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(preds: list[str], refs: list[str]) -> float:
    pairs = _pairs(preds, refs)
    return 100 * sum(normalize_answer(p) == normalize_answer(r) for p, r in pairs) / len(pairs)


def _token_f1(pred: str, ref: str) -> float:
    p, r = normalize_answer(pred).split(), normalize_answer(ref).split()
    common = sum((Counter(p) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


def token_f1(preds: list[str], refs: list[str]) -> float:
    pairs = _pairs(preds, refs)
    return 100 * sum(_token_f1(p, r) for p, r in pairs) / len(pairs)


# sacreBLEU's "13a" tokenizer (mteval-v13a.pl): punctuation split off, numbers kept whole.
_13A = [(re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "), (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
        (re.compile(r"([\.,])([^0-9])"), r" \1 \2"), (re.compile(r"([0-9])(-)"), r"\1 \2 ")]


def tokenize_13a(line: str) -> list[str]:
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _13A:
        line = pattern.sub(repl, line)
    return line.split()


def _ngrams(tokens, n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu(preds: list[str], refs: list[str], max_order: int = 4) -> float:
    """Corpus BLEU (Papineni et al. 2002): brevity penalty × geometric mean of clipped n-gram precisions,
    with sacreBLEU's default 'exp' smoothing of zero counts (mteval-v13a)."""
    correct, total = [0] * max_order, [0] * max_order
    sys_len = ref_len = 0
    for p, r in _pairs(preds, refs):
        pt, rt = tokenize_13a(p), tokenize_13a(r)
        sys_len, ref_len = sys_len + len(pt), ref_len + len(rt)
        for n in range(1, max_order + 1):
            hyp, ref = _ngrams(pt, n), _ngrams(rt, n)
            correct[n - 1] += sum((hyp & ref).values())
            total[n - 1] += max(0, len(pt) - n + 1)
    if not any(correct):
        return 0.0
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len else 0.0)
    log_sum, smooth = 0.0, 1.0
    for n in range(max_order):
        if total[n] == 0:
            log_sum += -9999999999  # sacreBLEU's my_log(0): an order with no n-grams zeroes the score
            continue
        if correct[n] == 0:
            smooth *= 2
            log_sum += math.log(100.0 / (smooth * total[n]))
        else:
            log_sum += math.log(100.0 * correct[n] / total[n])
    return bp * math.exp(log_sum / max_order)


def chrf(preds: list[str], refs: list[str], order: int = 6, beta: float = 2.0) -> float:
    """chrF (Popović 2015) as sacreBLEU 2 computes it: character 1-6-grams without whitespace, corpus-level
    counts, F-beta (β = 2) of the precision and recall averaged over the orders present."""
    stats = [[0, 0, 0] for _ in range(order)]
    for p, r in _pairs(preds, refs):
        pc, rc = "".join(p.split()), "".join(r.split())
        for n in range(1, order + 1):
            hyp, ref = _ngrams(pc, n), _ngrams(rc, n)
            stats[n - 1][0] += sum(hyp.values())
            stats[n - 1][1] += sum(ref.values())
            stats[n - 1][2] += sum((hyp & ref).values())
    used = [(m / h, m / r) for h, r, m in stats if h > 0 and r > 0]
    if not used:
        return 0.0
    prec, rec = sum(x[0] for x in used) / len(used), sum(x[1] for x in used) / len(used)
    factor = beta**2
    return 100 * (1 + factor) * prec * rec / (factor * prec + rec) if prec + rec else 0.0


def _rouge_tokens(text: str) -> list[str]:
    """rouge-score's default tokenizer: lower case, non-alphanumerics to spaces (no stemming)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _f(match: int, n_pred: int, n_ref: int) -> float:
    if match == 0:
        return 0.0
    p, r = match / n_pred, match / n_ref
    return 2 * p * r / (p + r)


def rouge(preds: list[str], refs: list[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures over the pairs (Lin 2004; rouge-score defaults)."""
    scores = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    pairs = _pairs(preds, refs)
    for p, r in pairs:
        pt, rt = _rouge_tokens(p), _rouge_tokens(r)
        for n, key in ((1, "rouge1"), (2, "rouge2")):
            hyp, ref = _ngrams(pt, n), _ngrams(rt, n)
            scores[key] += _f(sum((hyp & ref).values()), sum(hyp.values()), sum(ref.values()))
        scores["rougeL"] += _f(_lcs(pt, rt), len(pt), len(rt))
    return {k: 100 * v / len(pairs) for k, v in scores.items()}


def perplexity(token_logprobs: list[float]) -> float:
    """exp of the mean negative log-likelihood per token (natural log probabilities)."""
    if not token_logprobs:
        raise InvalidInput("Give at least one token log-probability.")
    if any(not math.isfinite(x) or x > 0 for x in token_logprobs):
        raise InvalidInput("Token log-probabilities must be finite and ≤ 0 (natural log).")
    return math.exp(-sum(token_logprobs) / len(token_logprobs))


def score(metric: str, preds: list[str], refs: list[str]) -> float:
    """One number for a target: ROUGE scores its ROUGE-L F-measure; perplexity reads log-probabilities from preds."""
    if metric == "perplexity":
        try:
            return perplexity([float(x) for x in preds])
        except ValueError:
            raise InvalidInput("For perplexity give one natural-log token probability per line.") from None
    funcs = {"accuracy": accuracy, "macro-f1": macro_f1, "exact-match": exact_match, "token-f1": token_f1,
             "bleu": bleu, "chrf": chrf, "rouge": lambda p, r: rouge(p, r)["rougeL"]}
    if metric not in funcs:
        raise InvalidInput(f"{metric} cannot be computed here; scorable metrics: {', '.join(SCORABLE)}.")
    return funcs[metric](preds, refs)
