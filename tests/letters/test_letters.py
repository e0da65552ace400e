"""Letters: composed in the country's language, rendered by WeasyPrint, read back with pypdf, numbered, kept."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.conftest import free_port, user_by_email
from tracker.audit.models import AuditEntry
from tracker.core.pdf import StaticOnlyFetcher, render_pdf
from tracker.countries.models import MemberState
from tracker.countries.services import current_campaign
from tracker.extensions import db
from tracker.letters import services
from tracker.letters.models import Letter, LetterBatch, LetterCounter, LetterText
from tracker.mail.services import relay_outbox


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace made single spaces (pypdf breaks lines where the layout does)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@pytest.mark.parametrize(("code", "language", "expected"), [
    ("EE", None, ["EUROOPA KOMISJON", "Eesti", "Teema:", "Lugupeetud"]),
    ("EL", None, ["ΕΥΡΩΠΑΪΚΗ ΕΠΙΤΡΟΠΗ", "Ελλάδα", "Θέμα:", "Σεπτεμβρίου 2025"]),
    ("BG", None, ["ЕВРОПЕЙСКА КОМИСИЯ", "България", "Относно:", "септември 2025"]),
    ("IE", "ga", ["AN COIMISIÚN EORPACH", "Éire", "Meán Fómhair 2025"]),
])
def test_the_invitation_reads_back_in_estonian_greek_bulgarian_and_irish(app, code, language, expected):
    pdf = services.preview_pdf("invitation", current_campaign(), _state(code), language=language)
    text = _text(pdf)
    for words in expected:
        assert words in text, (words, text[:400])
    # Every script is drawn with the fonts shipped in static/fonts, never a fallback picked by the machine.
    assert all("Tracker" in font or "Noto" in font for font in _fonts(pdf)), _fonts(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_issuing_numbers_stores_and_logs_one_letter(app, client, login_as):
    login_as("secretariat")
    estonia = _state("EE")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Letter))
    letters = services.issue_letters("invitation", current_campaign(), [estonia], by=user_by_email("secretariat@demo.test"))
    db.session.commit()
    letter = letters[0]
    assert re.fullmatch(r"CNECT\.G2/TWIN-IT/\d{4}/\d{4}", letter.reference)
    assert letter.sha256 == hashlib.sha256(letter.file.data).hexdigest() == letter.file.sha256
    assert letter.language == "et" and letter.batch_id is None and letter.pages == 1
    assert letter.reference in _text(letter.file.data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == before + 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "letters",
                                                          AuditEntry.entity_id == letter.id))
    assert entry.action == "issue" and entry.member_state_id == estonia.id and entry.changes["sha256"][1] == letter.sha256

    # It is in the register, on Estonia's timeline, and downloads byte for byte.
    assert letter.reference in client.get("/letters").get_data(as_text=True)
    assert f"/letters/{letter.id}" in client.get("/countries/EE").get_data(as_text=True)
    download = client.get(f"/letters/{letter.id}/pdf")
    assert download.status_code == 200 and download.data == letter.file.data
    assert "attachment" in download.headers["Content-Disposition"]
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert letter.sha256 in page


def test_a_batch_gets_consecutive_numbers_and_one_zip_with_its_register(app):
    campaign = current_campaign()
    states = services.choose_countries(campaign, "not_confirmed")
    assert {state.code for state in states} >= {"LV", "HU", "SE"}
    letters = services.issue_letters("invitation", campaign, states, selection="not_confirmed", by="test")
    numbers = [int(letter.reference.rsplit("/", 1)[1]) for letter in letters]
    assert numbers == list(range(numbers[0], numbers[0] + len(states)))
    batch = letters[0].batch
    assert batch.selection == "not_confirmed" and len(batch.letters) == len(states)

    archive = zipfile.ZipFile(io.BytesIO(services.batch_zip(batch)))
    register = list(csv.DictReader(io.StringIO(archive.read("register.csv").decode("utf-8-sig"))))
    assert [row["reference"] for row in register] == [letter.reference for letter in letters]
    for row in register:
        assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"]
    swedish = next(letter for letter in letters if letter.member_state.code == "SE")
    assert swedish.language == "sv" and "EUROPEISKA KOMMISSIONEN" in _text(swedish.file.data)


def test_a_country_that_cannot_get_the_letter_stops_the_batch_with_nothing_written(app):
    campaign = current_campaign()
    counters = db.session.scalar(sa.select(sa.func.sum(LetterCounter.last))) or 0
    letters = db.session.scalar(sa.select(sa.func.count()).select_from(Letter))
    # Czechia has submitted: nothing is overdue, so it gets no reminder; Latvia would.
    with pytest.raises(services.LetterRefused) as refused:
        services.issue_letters("reminder", campaign, [_state("LV"), _state("CZ")], by="test")
    assert "nothing overdue" in str(refused.value.message)
    assert (db.session.scalar(sa.select(sa.func.sum(LetterCounter.last))) or 0) == counters
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == letters
    with pytest.raises(services.LetterRefused, match="no confirmed contact point"):
        services.compose("confirmation", campaign, _state("LV"))


def test_the_reminder_lists_what_is_overdue_and_the_thanks_describe_the_asset(app):
    campaign = current_campaign()
    reminder = _text(services.preview_pdf("reminder", campaign, _state("LV"), language="en"))
    assert "confirmation of the national contact points (due 15 September 2025)" in reminder
    assert "DRAFT" in reminder
    thanks = services.compose("thanks", campaign, _state("NL"), language="en")
    table = next(block for block in thanks.blocks if block.kind == "table")
    assert table.rows[0] == ("Title", thanks.asset.title)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def outside_host():
    """An HTTP server on loopback standing for any outside host: it records every request it gets."""
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", free_port()), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_references_in_user_text_are_escaped_fetch_nothing_and_leak_nothing(app, outside_host, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile = (f'<img src="file://{secret}"> <link rel="attachment" href="file://{secret}"> '
               f'<img src="{outside_host}/tracking.png"> <a href="file:///etc/passwd">x</a>')
    services.save_letter_text("invitation", "en", {"subject": "Invitation", "body": f"Dear all,\n\n{hostile}",
                                                   "closing": "Regards,", "signature": "Director"},
                              loaded_version=None, by="test")
    pdf = services.preview_pdf("invitation", current_campaign(), _state("IE"), language="en")
    reader = PdfReader(io.BytesIO(pdf))
    text = _text(pdf)
    assert '<img src="file://' in text and "rel=\"attachment\"" in text  # shown as text, as typed
    assert "TOP-SECRET-CONTENT" not in text and not reader.attachments
    assert b"TOP-SECRET-CONTENT" not in pdf
    assert _Recorder.hits == []


def test_the_fetcher_refuses_file_outside_hosts_and_attachments_even_unescaped(app, outside_host, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    fetcher = StaticOnlyFetcher(app.static_folder)
    html = (f'<html><head><link rel="stylesheet" href="{outside_host}/x.css">'
            f'<link rel="attachment" href="file://{secret}"></head><body><p>Hello</p>'
            f'<img src="file://{secret}"><img src="{outside_host}/pixel.png"><img src="/static/../config.py">'
            f'<img src="https://tracker.invalid/static/../../config.py"><img src="data:image/png;base64,iVBORw0KGgo=">'
            f'<a rel="attachment" href="file:///etc/passwd">passwd</a></body></html>')
    pdf = render_pdf(html, fetcher=fetcher)
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments and b"TOP-SECRET-CONTENT" not in pdf and b"root:" not in pdf
    assert _Recorder.hits == []
    refused = " ".join(fetcher.refused)
    assert f"file://{secret}" in refused and outside_host in refused and "data:image/png" in refused
    assert "config.py" in refused
    # The app's own static files are served.
    assert fetcher.fetch("https://tracker.invalid/static/pdf/letter.css").read().startswith(b"/*")


def test_editing_the_wording_refuses_unknown_placeholders_and_stale_forms(app, client, login_as):
    login_as("secretariat")
    url = "/letters/texts/invitation/et"
    page = client.get(url).get_data(as_text=True)
    assert "{submission_deadline}" in page and "Lugupeetud" in page
    form = {"subject": "Kutse", "body": "Tere {contry}!", "closing": "Lugupidamisega", "signature": "Direktor",
            "version": "0"}
    response = client.post(url, data=form)
    assert response.status_code == 422 and "{contry}" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(LetterText).where(LetterText.language == "et")) is None

    form["body"] = "Tere, {country}!\n\nTähtaeg on {deadline}."
    assert client.post(url, data=form).status_code == 302
    saved = db.session.scalar(sa.select(LetterText).where(LetterText.kind == "invitation", LetterText.language == "et"))
    assert saved.body.startswith("Tere, {country}!")
    composed = services.compose("invitation", current_campaign(), _state("EE"))
    assert composed.blocks[0].lines == ["Tere, Eesti!"] and composed.blocks[1].lines == ["Tähtaeg on 15. september 2025."]

    stale = client.post(url, data={**form, "body": "Someone else's {country}", "version": "0"})
    assert stale.status_code == 409 and "Someone else saved this record" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert saved.body.startswith("Tere, {country}!")

    assert client.post(f"{url}/reset").status_code == 302
    assert db.session.scalar(sa.select(LetterText).where(LetterText.language == "et")) is None


def test_making_a_batch_in_the_browser_form_checks_then_issues(app, client, login_as):
    login_as("secretariat")
    checked = client.post("/letters/new", data={"kind": "reminder", "selection": "pick", "countries": ["LV", "CZ"],
                                                "action": "check"})
    assert checked.status_code == 422 and "nothing overdue" in checked.get_data(as_text=True)
    good = client.post("/letters/new", data={"kind": "reminder", "selection": "pick", "countries": ["LV", "HU"],
                                             "action": "check"})
    page = good.get_data(as_text=True)
    assert good.status_code == 200 and "Issue 2 letters" in page and "/letters/preview?" in page
    issued = client.post("/letters/new", data={"kind": "reminder", "selection": "pick", "countries": ["LV", "HU"],
                                               "language": "en", "action": "issue"})
    assert issued.status_code == 302 and "/letters/batches/" in issued.headers["Location"]
    batch = db.session.scalar(sa.select(LetterBatch).order_by(LetterBatch.id.desc()).limit(1))
    assert [letter.member_state.code for letter in batch.letters] == ["LV", "HU"]
    assert {letter.language for letter in batch.letters} == {"en"}
    preview = client.get("/letters/preview?kind=reminder&country=LV")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert client.get("/letters/preview?kind=reminder&country=CZ").status_code == 422
    zipped = client.get(f"/letters/batches/{batch.id}/zip")
    assert zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()[-1] == "register.csv"


def test_a_sent_letter_reaches_the_permanent_representation_with_its_pdf(app, smtp_server):
    letter = services.issue_letters("invitation", current_campaign(), [_state("EL")], by="test")[0]
    message = services.send_letter(letter, by="test")
    db.session.flush()
    relay_outbox(ids=[message.id])
    received = smtp_server.messages[-1]
    assert received["To"].addresses[0].addr_spec == "permrep.el@demo.test"
    assert letter.reference in received["Subject"]
    body = received.get_body(("plain",)).get_content()
    assert "Κυρίες και Κύριοι" in body or letter.reference in body
    attachment = next(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == letter.sha256
    assert letter.sent_at is not None and letter.sent_message_id == message.id
    # Sending again is a new message, logged as such.
    again = services.send_letter(letter, by="test")
    assert again.id != message.id
    assert len(services.letter_history(letter)) == 3


def test_the_command_issues_one_letter_or_a_batch(app, runner, tmp_path):
    out = tmp_path / "ee.pdf"
    result = runner.invoke(args=["letters", "issue", "--template", "invitation", "--country", "EE", "--lang", "et",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"CNECT\.G2/TWIN-IT/\d{4}/\d{4}\s+EE\s+et", result.output)
    assert hashlib.sha256(out.read_bytes()).hexdigest() in result.output

    bundle = tmp_path / "all.zip"
    result = runner.invoke(args=["letters", "issue", "--template", "invitation", "--all", "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(bundle).namelist()
    assert len(names) == 28 and names[-1] == "register.csv"
    assert any(name.endswith("_EL_invitation_el.pdf") for name in names)

    refused = runner.invoke(args=["letters", "issue", "--template", "reminder", "--country", "CZ"])
    assert refused.exit_code != 0 and "nothing overdue" in refused.output
    wrong = runner.invoke(args=["letters", "issue", "--template", "invitation", "--country", "EE", "--lang", "xx"])
    assert wrong.exit_code != 0 and "no letter texts" in wrong.output


def test_every_language_file_has_the_english_keys_and_placeholders():
    import tomllib

    def walk(table, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from walk(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value

    english = dict(walk(tomllib.loads((services.TEXTS_DIR / "en.toml").read_text("utf-8"))))
    assert len(services.letter_languages()) == 24
    for path in services.TEXTS_DIR.glob("*.toml"):
        texts = dict(walk(tomllib.loads(path.read_text("utf-8"))))
        assert list(texts) == list(english), path.name
        for key, value in english.items():
            if key != "language":
                assert set(re.findall(r"\{(\w+)\}", value)) == set(re.findall(r"\{(\w+)\}", texts[key])), (path, key)
