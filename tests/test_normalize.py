"""Normalisation: NFKC, variants, markup remnants; idempotent and never empties a visible text."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.normalize import VARIANTS, normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＤＸの推進", "dxの推進"),
        ("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", "マイナンバーカード"),
        ("デジタルデバインド対策", "デジタルデバイド対策"),
        ("個人番号カードの交付", "マイナンバーカードの交付"),
        ("マイナカードで", "マイナンバーカードで"),
        ("<p>段落</p>", "段落"),
        ("改行\nと\tタブ", "改行 と タブ"),
        ("が", "が"),  # never strip accents: が must not become か
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalize_table(raw, expected):
    assert normalize(raw) == expected


def test_variants_are_stable():
    for variant, canonical in VARIANTS:
        assert all(v not in canonical for v, _ in VARIANTS), canonical
        assert normalize(variant) == normalize(canonical)


@given(st.text())
def test_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=st.characters(categories=["Lo", "Nd", "Lu", "Ll"]), min_size=1))
def test_visible_text_never_emptied(text):
    assert normalize(text) != ""
