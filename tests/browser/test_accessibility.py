"""axe-core (axe-playwright-python) on every page state of the four demo societies, as
`flask seed-demo` leaves them: every page each role reaches from its menu and its pages'
links, at desktop width and at 375 px; the login, password and registration pages; the
error pages (404, 403); forms sent empty, showing their validation errors; and the htmx
states after 承認, 差戻し, 採否登録 and 辞退承認. Any violation of any impact fails, with the
rule and the nodes. One browser, one login per person."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories.helpers.browser import DESKTOP, PHONE, shot
from tests.factories.helpers.files import pdf_bytes, png_bytes

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2024"
LOGINS = {
    "jsicm": ["800014", "900001", "jimu", "shisetsu"],
    "jmsb": ["trainee@jmsb.example", "kenshu@jmsb.example", "program-director@jmsb.example",
             "secretariat@jmsb.example"],
    "jspm": ["core@jspm.example", "renkei@jspm.example", "secretariat@jspm.example"],
    "jsgt": ["trainee@jsgt.example", "applicant@jsgt.example", "director@jsgt.example",
             "facility@jsgt.example", "secretariat@jsgt.example"],
}
PROGRAM = "総合研修大学病院 総合診療専門研修プログラム"
PUBLIC = ["/login", "/password/forgot", "/register", "/register/resend", "/no-such-page"]
# Links that download, change state on GET or leave the person's session.
SKIP = re.compile(r"/(files|exports?|download|logout|_dev)/|\.(pdf|csv|zip|xlsx)$|/pdf$")
MAX_PAGES_PER_PERSON = 40


class Audit:
    """Runs axe on a page state and keeps what it found, to report every failure at once."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.states: list[str] = []
        self.failures: list[str] = []

    def check(self, page: Page, state: str) -> None:
        self.states.append(state)
        for blocked in page.evaluate("window.cspViolations.splice(0)"):
            self.failures.append(f"{state}: CSP blocked {blocked}")
        results = self.axe.run(page, options={"resultTypes": ["violations"]})
        for violation in results.response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            self.failures.append(f"{state}: {violation['impact']} {violation['id']} "
                                 f"on {len(targets)} node(s): {'; '.join(targets[:6])}")

    def report(self) -> str:
        return f"{len(self.failures)} violation(s) over {len(self.states)} page states:\n" + \
            "\n".join(self.failures)


@pytest.fixture
def demo(app, live_server):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live_server


def person(new_page, viewport: dict = DESKTOP) -> Page:
    """A page whose CSP violations are kept for Audit.check (a blocked inline style is
    invisible to axe but is a broken page)."""
    page = new_page(viewport)
    page.add_init_script("""window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(
            e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));""")
    return page


def follow(page: Page, locator) -> None:
    with page.expect_navigation():  # a click before the scripts run would skip htmx / app.js
        locator.click()


def login(page: Page, base: str, login_id: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#identifier").fill(login_id)
    page.locator("#password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="ログイン"))
    expect(page).to_have_url(f"{base}/")


def links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    host = urlsplit(base).netloc
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != host or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(page: Page, base: str, audit: Audit, who: str) -> list[str]:
    """Every page reachable from the top page through links, breadth first."""
    seen, queue = {"/"}, ["/"]
    visited, shapes = [], set()
    while queue and len(visited) < MAX_PAGES_PER_PERSON:
        path = queue.pop(0)
        if shape(path) in shapes:  # /admin/registrants/17 is /admin/registrants/16 again
            continue
        shapes.add(shape(path))
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        audit.check(page, f"{who} {path}")
        for link in links(page, base):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited


def test_every_page_of_every_role_has_no_axe_violation(demo, new_page):
    """Desktop: every page each person reaches by links (one of each shape: a second
    registrant's page is the first one's template again); 375 px: each distinct page once."""
    audit, phone_seen = Audit(), set()
    for slug, people in LOGINS.items():
        base = demo.base(slug)
        page = person(new_page)
        for path in PUBLIC:
            page.goto(base + path)
            audit.check(page, f"{slug} anonymous {path}")
        page.set_viewport_size(PHONE)
        page.goto(base + "/login")
        audit.check(page, f"{slug} anonymous /login @375px")
        for who in people:
            page = person(new_page)
            login(page, base, who)
            visited = crawl(page, base, audit, f"{slug} {who}")
            page.set_viewport_size(PHONE)
            for path in visited:
                if shape(path) in phone_seen:  # the same template in another society
                    continue
                phone_seen.add(shape(path))
                page.goto(base + path)
                audit.check(page, f"{slug} {who} {path} @375px")
            page.context.close()
    print(audit.report())
    assert not audit.failures, audit.report()


def no_browser_checks(page: Page) -> None:
    """Sent empty, a form must come back with the server's errors: the browser's own
    `required` checks would stop it before."""
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")


def send_empty(page: Page, audit: Audit, base: str, path: str, button: str, state: str) -> None:
    page.goto(base + path)
    no_browser_checks(page)
    form = page.locator("main form", has=page.get_by_role("button", name=button, exact=True))
    form.locator("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea") \
        .evaluate_all("els => els.forEach(e => e.value = '')")
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("main .error:not(:empty), main .flash.error").first).to_be_visible()
    audit.check(page, state)


def test_forms_showing_their_errors_have_no_axe_violation(demo, new_page, tmp_path):
    audit = Audit()
    for slug in LOGINS:
        page = person(new_page)
        base = demo.base(slug)
        send_empty(page, audit, base, "/login", "ログイン", f"{slug} /login errors")
        send_empty(page, audit, base, "/password/forgot", "送信", f"{slug} /password/forgot errors")
    jmsb = demo.base("jmsb")
    send_empty(page, audit, jmsb, "/register", "確認", "jmsb /register errors")
    page.set_viewport_size(PHONE)
    send_empty(page, audit, jmsb, "/register", "確認", "jmsb /register errors @375px")

    jimu = person(new_page)
    login(jimu, jmsb, "secretariat@jmsb.example")
    send_empty(jimu, audit, jmsb, "/recruitment/admin/programs/new", "登録する",
               "jmsb secretariat program form errors")

    kenshu = person(new_page)  # issue 17: a 研修実績 row sent empty, on a phone too
    login(kenshu, jmsb, "kenshu@jmsb.example")
    send_empty(kenshu, audit, jmsb, "/training-record/new/interruption", "登録確認",
               "jmsb training record errors")
    kenshu.set_viewport_size(PHONE)
    send_empty(kenshu, audit, jmsb, "/training-record/new/facility-period", "登録確認",
               "jmsb training record errors @375px")

    jspm = demo.base("jspm")
    core = person(new_page)
    login(core, jspm, "core@jspm.example")
    send_empty(core, audit, jspm, "/renewal/form1", "一時保存", "jspm form1 errors")
    send_empty(core, audit, jspm, "/renewal/form2", "一時保存", "jspm form2 errors")
    core.set_viewport_size(PHONE)
    send_empty(core, audit, jspm, "/renewal/form1", "一時保存", "jspm form1 errors @375px")

    jsicm = demo.base("jsicm")
    trainee = person(new_page)
    login(trainee, jsicm, "800014")
    send_empty(trainee, audit, jsicm, "/profile", "次へ", "jsicm profile errors")
    trainee.goto(f"{jsicm}/credentials/upload")
    fake = tmp_path / "偽物.pdf"
    fake.write_text("PDFではありません")
    trainee.locator("#file").set_input_files(fake)
    trainee.get_by_role("button", name="次へ").click()
    expect(trainee.locator("#file-error")).not_to_be_empty()
    audit.check(trainee, "jsicm upload refused by the server")
    print(audit.report())
    assert not audit.failures, audit.report()


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def expect_focus_and_announcement(page: Page, row, text: str) -> None:
    """Focus is on the row's result, not on <body>, and the live region that was in the page
    before the swap says it."""
    expect(row.locator(":focus")).to_have_text(text)
    assert page.evaluate("document.activeElement !== document.body"), focused(page)
    expect(page.locator("#live-status")).to_have_text(text)


def upload_credential(page: Page, base: str, pdf) -> None:
    page.goto(f"{base}/credentials/upload")
    kinds = page.get_by_role("radio")  # 800015 chooses which document it is
    if kinds.count():
        kinds.first.check()
    page.locator("#file").set_input_files(pdf)
    page.get_by_role("button", name="次へ").click()
    expect(page).to_have_url(f"{base}/credentials/confirm")
    page.get_by_role("button", name="申請").click()
    expect(page.get_by_role("heading", name="証票アップロード完了")).to_be_visible()


def test_htmx_review_moves_focus_to_the_result_and_announces_it(demo, new_page, tmp_path):
    """承認 and 差戻し in the credentials queue (JSICM), the live region and focus after each,
    axe on each state, at 375 px for the second."""
    audit, base = Audit(), demo.base("jsicm")
    pdf = tmp_path / "認定証.pdf"
    pdf.write_bytes(pdf_bytes())
    for who in ("800014", "800015"):
        trainee = person(new_page, PHONE)  # the upload, walked at 375 px
        login(trainee, base, who)
        upload_credential(trainee, base, pdf)
        audit.check(trainee, f"jsicm {who} upload complete @375px")
        trainee.context.close()

    director = person(new_page)
    login(director, base, "900001")
    director.goto(f"{base}/review/credentials")
    assert director.locator("#live-status").count() == 1  # there before any swap
    audit.check(director, "jsicm queue with two credentials")
    first = director.locator("#queue-rows tr", has_text="専攻医 テスト1")
    first.get_by_role("button", name="承認").focus()
    director.keyboard.press("Enter")
    expect_focus_and_announcement(director, first, "承認しました。")
    audit.check(director, "jsicm queue after 承認")

    director.set_viewport_size(PHONE)
    second = director.locator("#queue-rows tr", has_text="専攻医 テスト2")
    second.get_by_role("link", name="差戻し").click()  # opens the reason form in the row
    second.get_by_label("差戻しの理由").fill("画像が不鮮明です。")
    second.get_by_role("button", name="差し戻す").click()
    expect_focus_and_announcement(director, second, "差し戻しました。")
    shot(director, "a11y-jsicm-queue-returned-phone")
    audit.check(director, "jsicm queue after 差戻し @375px")
    print(audit.report())
    assert not audit.failures, audit.report()


def test_decision_and_withdrawal_keep_the_keyboard_in_place(demo, new_page, tmp_path):
    """採否登録 (htmx row) and 辞退承認 (form, page reload) for the program director (jsgt,
    every module at once), at 375 px: focus on the result, the live region, the 選択 checkbox
    tap target, axe on each state."""
    audit, base = Audit(), demo.base("jsgt")
    applicant = person(new_page, PHONE)
    login(applicant, base, "applicant@jsgt.example")
    applicant.goto(f"{base}/license")
    image = tmp_path / "医師免許証.png"
    image.write_bytes(png_bytes())
    applicant.locator("#file").set_input_files(image)
    applicant.get_by_role("button", name="アップロード").click()
    expect(applicant.get_by_role("link", name="医師免許証.png").first).to_be_visible()
    audit.check(applicant, "jsgt licence uploaded @375px")
    applicant.goto(f"{base}/recruitment/programs")
    follow(applicant, applicant.locator("#programs tr", has_text=PROGRAM)
           .get_by_role("link", name="応募"))
    follow(applicant, applicant.get_by_role("button", name="確認"))
    audit.check(applicant, "jsgt apply confirm @375px")
    follow(applicant, applicant.get_by_role("button", name="応募する"))
    audit.check(applicant, "jsgt applied @375px")

    director = person(new_page, PHONE)
    login(director, base, "director@jsgt.example")
    director.goto(f"{base}/recruitment/director")
    row = director.locator("#applicants tr", has_text="応募 次郎")
    box = row.get_by_role("checkbox", name="応募 次郎").bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24, box
    # the rows carry no form of their own (a page of 50 stays small): this opens the row's
    row.get_by_role("button", name="応募 次郎さんの採否を登録").click()
    row.get_by_label("応募 次郎さんの採否", exact=True).select_option(label="採用")
    row.get_by_role("button", name="登録").click()
    expect_focus_and_announcement(director, row, "採否を登録しました。")
    shot(director, "a11y-jsgt-director-decided-phone")
    audit.check(director, "jsgt director after 採否登録 @375px")

    applicant.goto(f"{base}/recruitment/")
    follow(applicant, applicant.locator("#withdraw-link"))
    applicant.get_by_label("辞退理由").fill("家族の事情のため。")
    follow(applicant, applicant.get_by_role("button", name="確認"))
    follow(applicant, applicant.get_by_role("button", name="採用辞退を申請する"))
    audit.check(applicant, "jsgt withdrawal requested @375px")

    director.reload()
    request = director.locator("#withdrawals tbody tr", has_text="応募 次郎")
    follow(director, request.get_by_role("button", name="承認"))
    message = director.locator("#messages .flash")
    expect(message).to_contain_text("採用辞退を承認しました。")
    expect(message).to_be_focused()  # not the top of the page: the result of the action
    audit.check(director, "jsgt director after 辞退承認 @375px")
    print(audit.report())
    assert not audit.failures, audit.report()


CLS_OBSERVER = """window.cls = 0;
new PerformanceObserver(list => {
  for (const shift of list.getEntries()) if (!shift.hadRecentInput) window.cls += shift.value;
}).observe({type: 'layout-shift', buffered: true});"""


def layout_shift(page: Page, url: str) -> float:
    """Cumulative layout shift of a fresh load of `url`, after it has settled."""
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    return page.evaluate("window.cls")


def test_phone_pages_do_not_shift_after_load(demo, new_page):
    """The menu starts collapsed on a phone (no script closing it after the first paint)."""
    shifts = {}
    for slug, who, path in (("jsicm", "800014", "/"), ("jspm", "core@jspm.example", "/renewal/apply"),
                            ("jmsb", "trainee@jmsb.example", "/"), ("jsgt", "director@jsgt.example", "/")):
        page = new_page(PHONE)
        page.add_init_script(CLS_OBSERVER)
        login(page, demo.base(slug), who)
        shifts[f"{slug} {path}"] = layout_shift(page, demo.base(slug) + path)
        shot(page, f"a11y-{slug}-menu-closed-phone")
        nav = page.get_by_role("navigation", name="メニュー")
        first = nav.get_by_role("link").first
        expect(first).to_be_hidden()
        nav.locator("summary").click()  # one tap opens it
        expect(first).to_be_visible()
    print("CLS at 375 px:", shifts)
    assert all(value < 0.1 for value in shifts.values()), shifts


def tap_size(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return (box["width"], box["height"]) if box else (0, 0)


def test_checkboxes_are_labelled_tap_targets_of_24_px(demo, new_page):
    """JSPM 常勤 (each with its label), JMSB 仮登録 (the director's 選択 is in
    test_decision_and_withdrawal_keep_the_keyboard_in_place)."""
    core = new_page(PHONE)
    login(core, demo.base("jspm"), "core@jspm.example")
    core.goto(demo.base("jspm") + "/renewal/form1")
    full_time = core.get_by_label("常勤", exact=True)
    shot(core, "a11y-jspm-form1-phone")
    assert full_time.count() >= 3
    for index in range(full_time.count()):
        width, height = tap_size(full_time.nth(index))
        assert width >= 24 and height >= 24, (index, width, height)

    doctor = new_page(PHONE)
    login(doctor, demo.base("jmsb"), "trainee@jmsb.example")
    doctor.goto(demo.base("jmsb") + "/license")
    provisional = doctor.get_by_label(re.compile("仮登録する"))
    width, height = tap_size(provisional)
    assert width >= 24 and height >= 24, (width, height)


def test_jspm_and_jmsb_main_flows_at_375_px(demo, new_page, tmp_path):
    """A phone through JSPM 1.申請書 / 2.概要書 and JMSB 医師免許証 → 応募, axe on each state."""
    audit, jspm = Audit(), demo.base("jspm")
    core = person(new_page, PHONE)
    login(core, jspm, "core@jspm.example")
    core.goto(f"{jspm}/renewal/apply")
    follow(core, core.get_by_role("link", name="1.申請書", exact=True))
    core.get_by_label("施設としての責任者（病院長等）").fill("院長 太郎")
    core.get_by_label("施設責任者 氏名").fill("緩和 一郎")
    core.get_by_label("施設責任者 会員番号").fill("100001")
    core.get_by_label("氏名", exact=True).first.fill("髙橋 花子")
    core.get_by_label("会員番号", exact=True).first.fill("100002")
    core.get_by_label("常勤", exact=True).first.check()
    core.get_by_role("button", name="一時保存").click()
    expect(core.locator("#form-status")).to_contain_text("登録済み")
    audit.check(core, "jspm form1 saved @375px")
    follow(core, core.get_by_role("link", name="申請画面へ戻る"))
    follow(core, core.get_by_role("link", name="2.概要書", exact=True))
    core.get_by_label("病床数").fill("300")
    core.get_by_label("有", exact=True).check()
    core.get_by_label(re.compile("介入件数")).fill("120")
    core.get_by_label("主な研修内容").fill("緩和ケアチームでの回診と症例検討会")
    core.get_by_role("button", name="一時保存").click()
    expect(core.locator("#form-status")).to_contain_text("登録済み")
    audit.check(core, "jspm form2 saved @375px")
    follow(core, core.get_by_role("link", name="申請画面へ戻る"))
    audit.check(core, "jspm apply with both forms @375px")

    jmsb = demo.base("jmsb")
    doctor = person(new_page, PHONE)
    login(doctor, jmsb, "trainee@jmsb.example")
    doctor.goto(f"{jmsb}/license")
    image = tmp_path / "医師免許証.png"
    image.write_bytes(png_bytes())
    doctor.locator("#file").set_input_files(image)
    doctor.get_by_role("button", name="アップロード").click()
    expect(doctor.get_by_role("link", name="医師免許証.png").first).to_be_visible()
    audit.check(doctor, "jmsb licence uploaded @375px")
    doctor.goto(f"{jmsb}/recruitment/programs")
    follow(doctor, doctor.locator("#programs").get_by_role("link", name="応募").first)
    follow(doctor, doctor.get_by_role("button", name="確認"))
    follow(doctor, doctor.get_by_role("button", name="応募する"))
    expect(doctor.get_by_text("応募を受け付けました。")).to_be_visible()
    audit.check(doctor, "jmsb applied @375px")
    print(audit.report())
    assert not audit.failures, audit.report()
