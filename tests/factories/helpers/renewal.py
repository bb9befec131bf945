"""JSPM facility renewal: the logins the renewal factory gives its society, and forms 1 and 2
and the sealed scan as the browser posts them."""
from __future__ import annotations

import io
from datetime import timezone

CORE_LOGIN = "core@jspm.example.jp"
AFFILIATED_LOGIN = "renkei@jspm.example.jp"
JIMU_LOGIN = "jimu@jspm.example.jp"
UTC = timezone.utc


def form1_data(**over) -> dict:
    data = {"facility_name": "髙田緩和ケア病院", "certification_number": "K-0001",
            "institution_head": "院長 太郎", "responsible_name": "緩和 一郎",
            "responsible_member_number": "100001", "core_facility_id": ""}
    data.update(over)
    return data


def physicians(full_time=True) -> list[dict]:
    return [{"name": "髙橋 指導医", "member_number": "200001", "full_time": full_time}]


def form2_data(**over) -> dict:
    data = {"beds": "350", "has_pcu": "yes", "team_cases": "120",
            "training_content": "緩和ケアチームでの回診と症例検討会"}
    data.update(over)
    return data


def post_form1(client, data: dict, rows: list[dict], **kw):
    payload = dict(data)
    for i, row in enumerate(rows):
        payload[f"physicians-{i}-name"] = row["name"]
        payload[f"physicians-{i}-member_number"] = row["member_number"]
        if row["full_time"]:
            payload[f"physicians-{i}-full_time"] = "y"
    return client.post("/renewal/form1", payload, csrf_from="/renewal/apply", **kw)


def upload_scan(client, data: bytes, name="申請書_公印.pdf"):
    token = client.csrf("/renewal/apply")
    return client.client.post("/renewal/scan", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")
