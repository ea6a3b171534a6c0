"""Rows that hold no opinion: 「特になし」, 「よろしくお願いします」, 「以上です」, a greeting or a signature alone.

Such a row gets no theme (a theme would count it among the opinions of that theme) and is counted apart in the
report as 「意見なし」. The rule is deliberately narrow: the text is read as a sequence of known non-opinion
phrases (what people write when they have nothing to say, salutations, closings, signature parts) and punctuation;
anything left over, even one short ask such as 「紙の申請を残してほしい」, makes it an opinion. No tokenizer: a
few regular expressions over short texts, so scoring stays fast.
"""
from __future__ import annotations

import re

from .normalize import normalize

NO_OPINION_REASON = "意見を含まない行"
_LONGEST = 120  # characters: a text longer than this (after normalisation) is never a non-opinion

_PHRASES = [
    # nothing to say
    r"(?:御|ご)?(?:意見|要望|異論|質問)?(?:等|など)?(?:は|も)?(?:特に|とくに|特段の?)?(?:御|ご)?(?:意見|要望)?(?:は|も)?"
    r"(?:なし|無し|ナシ|ない(?:です)?|ありません(?:でした)?|ございません|無いです|有りません)",
    # requests and thanks that carry no content
    r"(?:今後とも|引き続き|どうぞ|何卒|なにとぞ)?(?:よろしく|宜しく)(?:御|ご)?(?:検討|対応)?(?:の程|のほど)?"
    r"(?:お願い(?:いたし|致し|申し上げ|し)?ます|ください|下さい)?",
    r"(?:御|ご)?(?:検討|対応)(?:の程|のほど)(?:よろしく|宜しく)?(?:お願い(?:いたし|致し|申し上げ|し)?ます)?",
    r"(?:いつも|どうも|大変|誠に)?ありがとう(?:ございま(?:す|した))?",
    r"(?:いつも|大変)?お世話になって(?:おります|います)", r"お疲れ様(?:です|でございます)",
    r"(?:この|こ)?(?:たび|度)は", r"(?:意見(?:募集|公募|を述べる)?の)?機会を(?:いただき|頂き|設けていただき)",
    r"送信(?:します|いたします)",
    # closings, salutations, references to elsewhere
    r"以上(?:です|となります|になります)?", r"拝啓", r"敬具", r"草々", r"前略",
    r"時下ますます(?:御|ご)?(?:清祥|清栄|健勝)のこととお(?:喜|慶)び申し上げます",
    r"同上", r"(?:上記|別紙|別添|添付)の?(?:とおり|通り)",
    # signature parts: who is writing, not what they think
    r"(?:御|ご)?担当(?:者)?(?:様|さま)", r"(?:匿名|無記名)(?:希望)?", r"\d+(?:歳|代)(?:以上)?", r"(?:男性|女性)",
    r"(?:会社員|公務員|自営業|主婦|主夫|学生|無職|パート|農業|年金生活者)",
    r"[^\s、。]{1,8}(?:在住|在勤|在学)", r"(?:市民|町民|村民|県民|区民|住民)の一人として",
    r"[〇○◯×](?:市|町|村|区)?",  # one mark: the outer + repeats it (a + here backtracks exponentially)
]
_FILLER = r"[\s、。,.!?！？・…‥\-－ー―~〜()（）「」『』【】\[\]:：;；/／]"
_NON_OPINION = re.compile(rf"(?:{_FILLER}|{'|'.join(f'(?:{p})' for p in _PHRASES)})+")


def is_non_opinion(text, *, normalized: bool = False) -> bool:
    """True when `text` holds something but no opinion: only non-opinion phrases, signature parts and
    punctuation. An empty text is not a non-opinion (it is reported as empty). `normalized`: the text already
    went through `normalize` (scoring has done it once for every reader)."""
    if not isinstance(text, str) or len(text) > 2 * _LONGEST:
        return False
    normal = text if normalized else normalize(text)
    if not normal.strip() or len(normal) > _LONGEST:
        return False
    return _NON_OPINION.fullmatch(normal) is not None
