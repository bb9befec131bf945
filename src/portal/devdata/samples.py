"""Sample import files that `flask seed-demo` leaves in instance/samples/ (README), one per
demo society, in the columns of its rules.toml [imports]: a newcomer uploads one at
一括取込 and sees every kind of preview row. jsicm's is saved as Japanese Excel saves a CSV
(Shift_JIS/CP932) and has a full-width 会員番号 and stray spaces, which the preview shows
folded; the others are UTF-8 with a BOM."""
from __future__ import annotations

from pathlib import Path

SAMPLES = {
    "jsicm": ("cp932", [
        "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,基本領域,プログラム状況,研修開始日,統括責任者会員番号,備考",
        "900001,統括 太郎,トウカツ タロウ,director@jsicm.example,統括責任者,ICU-001,施設A,,,,,既存: 施設Aに施設コードが付きます",
        "900002,統括 花子,トウカツ ハナコ,director2@jsicm.example,統括責任者,ICU-002,北集中治療センター,,,,,新しい施設と統括責任者",
        "８１０００１, 集中 一郎 ,ｼｭｳﾁｭｳ ｲﾁﾛｳ,ichiro@jsicm.example,専攻医,ICU-002,北集中治療センター,内科,プログラム修了見込み,2024/04/01,900002,全角と余分な空白は整えられます",
        "810002,集中 二郎,シュウチュウ ジロウ,jiro@jsicm.example,専攻医,ICU-001,施設A,救急科,プログラム修了,2024-04-01,900001,",
        "800014,専攻医 テスト1,センコウイ テストイチ,dummy@mail.sample,専攻医,,,麻酔科,,,,既存の専攻医: 基本領域の更新",
        "810003,集中 三郎,シュウチュウ サブロウ,not-an-email,専攻医,ICU-009,,,,2024-13-01,999999,エラーの例",
        "910001,施設 担当,シセツ タントウ,tanto@jsicm.example,施設担当者,ICU-002,北集中治療センター,,,,,",
    ]),
    "jmsb": ("utf-8-sig", [
        "氏名,メールアドレス,役割,施設コード,施設名",
        "統括 太郎,program-director@jmsb.example,統括責任者,JM-001,北総合病院",
        "統括 三郎,director3@jmsb.example,統括責任者,JM-010,南医療センター",
        "統括 四郎,director4@jmsb.example,専攻医,JM-010,南医療センター",
    ]),
    "jspm": ("utf-8-sig", [
        "担当者名,メールアドレス,役割,認定番号,施設名,種別",
        "緩和 次郎,pc-east@jspm.example,施設責任者,PC-0101,東緩和ケア病院,基幹施設",
        "緩和 三郎,pc-west@jspm.example,施設責任者,PC-0102,西緩和ケアクリニック,連携施設",
    ]),
    "jsgt": ("utf-8-sig", [
        "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,基本領域",
        "700201,総合 一郎,ソウゴウ イチロウ,ichiro@jsgt.example,専攻医,GT-001,総合研修大学病院,総合診療",
        "700202,総合 二郎,ソウゴウ ジロウ,jiro@jsgt.example,統括責任者,GT-001,総合研修大学病院,",
    ]),
}


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for slug, (encoding, lines) in SAMPLES.items():
        path = folder / f"{slug}-people.csv"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        written.append(path)
    return written
