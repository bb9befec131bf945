"""No patient identifier in the case log's free text (経過の要点). The dates of the stay have
fields of their own, so any full date written in the text is refused, as are ID-like numbers
and words that look like a name. The text is folded first (NFKC), so 「１９５０／１／２」 and
"1950/1/2" are one thing. The same check guards 症例レポート (services/reports.py). What is found is told by kind, with the reason, so the trainee knows
what to rewrite; clinical shorthand ("PaO2/FiO2 150", 「第3病日」, "CRP 25") passes."""
from __future__ import annotations

import re
import unicodedata

from portal.i18n import N_

BIRTH_DATE = N_("患者を特定できる情報（生年月日と思われる日付）は入力できません。"
                "入室日・退室日は日付の欄に入力し、経過の要点では「第3病日」のように書いてください。")
PATIENT_ID = N_("患者を特定できる情報（患者IDやカルテ番号と思われる番号）は入力できません。"
                "8桁以上の数字や患者ID・カルテ番号は書かないでください。")
CONTACT = N_("患者を特定できる情報（住所・電話番号・郵便番号と思われる語）は入力できません。"
             "連絡先は書かないでください。")
PATIENT_NAME = N_("患者を特定できる情報（氏名と思われる語）は入力できません。"
                  "「患者」「本症例」などと書いてください。")

_ERA = r"(?:明治|大正|昭和|平成|令和)"
_SEP = r"\s*[/\-.年]\s*"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATES = (
    re.compile(r"生年月日|誕生日|DOB\b", re.IGNORECASE),
    # 1950/1/2, 1950-01-02, 1950.1.2, 1950年1月2日
    re.compile(rf"(?<!\d)(?:19|20)\d{{2}}{_SEP}{_MONTH}\s*[/\-.月]\s*{_DAY}(?!\d)"),
    # 1/2/1950 (month or day first)
    re.compile(rf"(?<![\d/]){_DAY}\s*/\s*{_DAY}\s*/\s*(?:19|20)\d{{2}}(?!\d)"),
    # 昭和25年1月2日, 平成元年1月2日
    re.compile(rf"{_ERA}\s*(?:\d{{1,2}}|元)\s*年\s*{_MONTH}\s*月\s*{_DAY}\s*日"),
    # S25.1.2, H2/1/2, R5-1-2
    re.compile(rf"(?<![A-Za-z0-9])[MTSHR]\s?\d{{1,2}}\s*([./\-]){_MONTH}\1{_DAY}(?![\d.])"),
)
_IDS = (
    re.compile(r"\d{8,}"),
    re.compile(r"患者\s*(?:ID|番号|No)|カルテ\s*(?:番号|No|ID)|診察券|病歴番号|受診番号", re.IGNORECASE),
    re.compile(r"(?<![A-Za-z])(?:MRN|ID)\s*(?:[:#=]\s*|No\.?\s*)?\d{3,}", re.IGNORECASE),
    re.compile(r"(?<![A-Za-z])ID\s*[:#=]", re.IGNORECASE),
)
_CONTACTS = (
    re.compile(r"(?:住所|居住地)\s*[:：]"),
    re.compile(r"(?<!\d)0\d{1,4}-\d{1,4}-\d{3,4}(?!\d)"),       # 03-1234-5678
    re.compile(r"〒\s*\d{3}-?\d{4}|(?<![\d-])\d{3}-\d{4}(?![\d-])"),  # 〒100-0001
)
# A name is hard to tell from a word; these are the ways a case note names a person.
_NAME_WORDS = re.compile(r"患者名|氏名|フルネーム|イニシャル")
_HONORIFIC = re.compile(r"([\u4e00-\u9fff\u3005\u3041-\u3096\u30a1-\u30fa\u30fc]{1,4})"
                        r"(?:様(?![子式々態相])|さま(?!ざ)|さん|氏|殿(?!堂))")
# Words before an honorific that name a role, not a person: 患者さん, ご家族様, 同様, ...
_NOT_A_NAME = (
    "患者", "本人", "家族", "ご家族", "親族", "奥", "娘", "息子", "子", "母", "父", "兄", "姉", "弟",
    "妹", "祖母", "祖父", "夫", "妻", "皆", "みな", "たく", "おじ", "おば", "じい", "ばあ", "主治医",
    "医師", "先生", "看護師", "技師", "妊婦", "同", "多", "異", "模", "一", "仕", "有", "左", "各",
    "某", "彼", "御", "貴", "客", "利用者", "相手", "先方", "王", "神", "仏", "摂", "華", "態",
    "文", "あり", "かあ", "とう", "にい", "ねえ", "疲れ", "苦労", "かげ",
)
_ROMAJI = (
    re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z][A-Za-z]+"),
    re.compile(r"(?<![A-Za-z])[A-Z][a-z]+[- ]?(?:san|sama|shi)(?![A-Za-z])"),
)


def _looks_like_name(text: str) -> bool:
    if _NAME_WORDS.search(text) or any(p.search(text) for p in _ROMAJI):
        return True
    return any(not m.group(1).endswith(_NOT_A_NAME) for m in _HONORIFIC.finditer(text))


def identifier_problem(text: str | None) -> str | None:
    """The message (a msgid) for the first kind of identifier found in `text`, or None."""
    folded = unicodedata.normalize("NFKC", text or "")
    if not folded.strip():
        return None
    if any(p.search(folded) for p in _DATES):
        return BIRTH_DATE
    if any(p.search(folded) for p in _IDS):
        return PATIENT_ID
    if any(p.search(folded) for p in _CONTACTS):
        return CONTACT
    if _looks_like_name(folded):
        return PATIENT_NAME
    return None
