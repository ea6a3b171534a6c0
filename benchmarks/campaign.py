"""A generated consultation with organised campaigns and a known truth, for measuring `pubcom group`.

A few campaign templates (written for this benchmark; no real submission is quoted) are copied many times, each copy
edited the way people edit a form letter: kept verbatim, a greeting put before it, a signature after it, a sentence
of their own inserted, a sentence deleted, a few characters changed, full-width / half-width and punctuation
variants. The other opinions are distinct: the project's own opinions recombined (`corpus.comments`, fixed seed).
The truth: every copy of a template is one group; each distinct opinion is its own group (two that are identical
after normalisation are one).
"""
from __future__ import annotations

import random

TEMPLATES = (
    "中央図書館の指定管理者制度への移行に反対します。図書館は利益を生む施設ではなく、市民の学ぶ権利を支える場です。"
    "司書が短期間で入れ替わると、郷土資料の収集やレファレンスの質が保てません。直営を続け、専門職の司書を正規職員として"
    "配置してください。",
    "北部地区の路線バスの廃止に強く反対します。車を運転できない高齢者や通学する高校生にとって、バスは唯一の足です。"
    "デマンド交通に切り替えると予約が難しく、通院の時間に間に合いません。少なくとも朝夕の便は残し、運賃の見直しなど"
    "他の方法で赤字を減らす検討をしてください。",
    "海岸沿いの大型風力発電の計画は見直すべきです。渡り鳥の飛行ルートに近く、希少な猛禽類への影響が調査されていません。"
    "低周波音による健康被害を心配する住民もいます。環境影響評価の結果を分かりやすく公表し、住民説明会を開いてから"
    "判断してください。",
    "学校給食に地元産の有機農産物を使ってください。子どもの体は小さく、残留農薬の影響を受けやすいと聞きます。"
    "有機農業の農家を支援すれば、地域の農業を守ることにもつながります。段階的な目標を計画に書き込んでください。",
    "犬や猫の殺処分ゼロを計画の目標として明記してください。保護施設の収容数が足りず、ボランティアの負担が限界です。"
    "不妊去勢手術の費用を助成し、譲渡会を市が主催するなど、具体的な取組を示してください。",
)
GREETINGS = ("いつもお世話になっております。", "ご担当者様", "拝啓　時下ますますご清栄のこととお慶び申し上げます。",
             "意見を提出します。", "市長様", "はじめまして。市内在住の者です。", "お疲れ様です。")
SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田")
GIVEN = ("花子", "太郎", "美咲", "健一", "由美", "大輔", "陽子", "翔太", "恵", "誠")
AREAS = ("北区", "南区", "中央区", "東町", "西が丘", "港町")
ASIDES = ("私は小学生の子どもを育てています。", "私自身も毎日利用しています。", "周りの友人も同じ意見です。",
          "本当に困っています。", "どうかよろしくお願いいたします。", "ぜひ再考をお願いします。")
_WIDE = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _sentences(text: str) -> list[str]:
    return [s + "。" for s in text.split("。") if s]


def _signature(rng: random.Random) -> str:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return rng.choice((f"（{rng.choice(AREAS)}　{name}）", f"{name}", f"{rng.choice(AREAS)}在住 {rng.randint(20, 80)}代",
                       f"氏名：{name} 電話 090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"))


def _typos(text: str, rng: random.Random, n: int) -> str:
    chars = list(text)
    for _ in range(n):
        at = rng.randrange(len(chars))
        chars[at] = rng.choice("のをにがはでとも")
    return "".join(chars)


def edited(template: str, rng: random.Random) -> str:
    """One submitted copy of `template`: verbatim about a third of the time, else with one to three edits."""
    if rng.random() < 0.35:
        return template
    sentences = _sentences(template)
    for edit in rng.sample(("greeting", "signature", "aside", "delete", "typos", "width", "punctuation"), rng.randint(1, 3)):
        if edit == "aside":
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(ASIDES))
        elif edit == "delete" and len(sentences) > 3:
            del sentences[rng.randrange(1, len(sentences))]
        elif edit == "typos":
            sentences = [_typos("".join(sentences), rng, rng.randint(1, 3))]
        elif edit == "greeting":
            sentences.insert(0, rng.choice(GREETINGS))
        elif edit == "signature":
            sentences.append(_signature(rng))
    text = "".join(sentences)
    if rng.random() < 0.3:
        text = text.translate(_WIDE)
    if rng.random() < 0.3:
        text = text.replace("、", "，").replace("。", "．")
    if rng.random() < 0.2:
        text = text.replace("。", "。\n")
    return text


def consultation(n: int, *, campaign_share: float = 0.96, seed: int = 0) -> tuple[list[str], list[int]]:
    """`n` opinions in a shuffled order and their true group (template number, or a number per distinct opinion)."""
    import corpus  # noqa: PLC0415  (benchmarks/ is on the path of the scripts that import this)
    from pipeline.normalize import normalize

    rng = random.Random(seed)
    n_campaign = round(n * campaign_share)
    weights = [0.4, 0.25, 0.15, 0.12, 0.08]  # campaigns differ in size, as organised ones do
    rows = [(edited(TEMPLATES[t], rng), t) for t in rng.choices(range(len(TEMPLATES)), weights, k=n_campaign)]
    own: dict[str, int] = {}
    for text in corpus.comments(n - n_campaign, seed=seed):
        rows.append((text, own.setdefault(normalize(text), len(TEMPLATES) + len(own))))
    rng.shuffle(rows)
    return [text for text, _ in rows], [truth for _, truth in rows]


def bcubed(pred, truth) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a grouping against the truth (Amigó et al. 2009), over all items."""
    import pandas as pd

    pairs = pd.DataFrame({"p": list(pred), "t": list(truth)})
    n_pt = pairs.groupby(["p", "t"]).size()
    n_p = pairs.groupby("p").size()
    n_t = pairs.groupby("t").size()
    squared = n_pt.astype(float) ** 2
    precision = float((squared / n_p.reindex(n_pt.index.get_level_values("p")).to_numpy()).sum() / len(pairs))
    recall = float((squared / n_t.reindex(n_pt.index.get_level_values("t")).to_numpy()).sum() / len(pairs))
    return precision, recall, 2 * precision * recall / (precision + recall)
