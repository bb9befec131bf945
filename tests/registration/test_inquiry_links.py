"""Issue 14: the pages that tell a registrant to use 「お問い合わせフォーム」 (B-R02, B-R11) link that
form, and the ID-only form only as 「ID問合せ専用フォーム」 (B-R16); every society whose modules
show those pages says where its inquiry form is."""
from __future__ import annotations

import re

from portal.tenants.rules import load_rules_file


def test_every_society_with_registration_pages_has_an_inquiry_form(app):
    for folder in sorted(app.config["TENANTS_DIR"].iterdir()):
        if not (folder / "rules.toml").exists():
            continue
        rules = load_rules_file(folder / "rules.toml")
        if "recruitment" in rules.modules:  # registration's pages refer to お問い合わせフォーム
            assert rules.support.inquiry_url, folder.name


def test_the_inquiry_form_link_is_not_the_id_only_form(jmsb):
    page = jmsb.text("/register/resend")
    links = dict((label, href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page))
    assert links["お問い合わせフォーム"] == "https://jmsb.or.jp/contact/"
    assert links["ID問合せ専用フォーム"] == "https://jmsb.or.jp/contact_id/"


def test_every_society_prefixes_its_mail_subjects(app):
    """Issue 14: JSPM's mails had no subject prefix; each society's comes from its rules.toml."""
    for folder in sorted(app.config["TENANTS_DIR"].iterdir()):
        if (folder / "rules.toml").exists():
            assert load_rules_file(folder / "rules.toml").mail.subject_prefix, folder.name
