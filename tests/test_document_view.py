"""Full-text search pages past 50 hits and links each hit to the document view, which
shows the document section by section."""
from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard_fixture import build_fixture_db
from tests.test_pages import APP, shown, texts

N_EXTRA = 120


@pytest.fixture(scope="module")
def many_hits_db(tmp_path_factory):
    path = build_fixture_db(tmp_path_factory.mktemp("docview") / "fixture.duckdb")
    con = duckdb.connect(str(path))
    con.executemany(
        "INSERT INTO sections (section_id, document_id, heading, heading_path, text, source_line_start, "
        "source_line_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(1000 + i, 2, f"Avsnitt {i}", f"Rapport > Avsnitt {i}", f"Solrosor planteras i park {i}.",
          2000 + 10 * i, 2005 + 10 * i) for i in range(N_EXTRA)])
    con.close()
    return path


@pytest.fixture()
def app(many_hits_db, monkeypatch):
    monkeypatch.setenv("STADSDEL_DB", str(many_hits_db))
    monkeypatch.setenv("STADSDEL_INPUT", str(many_hits_db.parent))

    def open_page(page: str, **params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


def test_search_says_how_many_hits_and_pages_past_twenty(app):
    at = app("sok", q="solrosor")
    assert f"{N_EXTRA} träffar, visar 1–20" in texts(at)
    assert len([h for h in at.markdown if h.value.startswith("#### ")]) == 20
    assert at.selectbox(key="sida").options == ["1", "2", "3", "4", "5", "6"]
    at.selectbox(key="sida").set_value(6).run()
    assert f"{N_EXTRA} träffar, visar 101–120" in texts(at)
    assert len([h for h in at.markdown if h.value.startswith("#### ")]) == N_EXTRA - 100
    assert at.query_params["sida"] == "6"


def test_a_hit_shows_its_whole_section_when_opened(app):
    """Each hit's "Hela avsnittet" holds the section's text; it is sent to the browser only
    when opened (20 whole sections a page were the page's heaviest part)."""
    at = app("sok", q="solrosor")
    assert [e.label for e in at.expander].count("Hela avsnittet") == 20
    assert not [m for m in at.markdown if "Solrosor planteras i park" in shown(m.value) and not m.value.startswith("#")
                and "**" not in m.value]                        # only the highlighted snippets
    key = next(k for k in at.session_state.keys() if str(k).startswith("avsnitt-"))
    at.session_state[key] = True
    at.run()
    section = int(key.removeprefix("avsnitt-")) - 1000
    assert f"Solrosor planteras i park {section}." in [shown(m.value) for m in at.markdown]


def test_a_search_hit_links_to_its_section_in_the_document_view(app):
    at = app("sok", q="feriejobb")
    links = at.get("page_link")
    assert links and all(link.proto.label == "Visa i dokumentet" for link in links)
    assert {link.proto.page for link in links} == {"dokument"}
    assert "dokument=1&avsnitt=2" in [link.proto.query_string for link in links]   # Norrmalm's "Goda exempel"


def test_document_view_opens_the_linked_section(app):
    at = app("dokument", dokument="1", avsnitt="2")
    assert at.selectbox(key="dokument").value == 1
    assert at.subheader[0].value == "Goda exempel"
    assert "Trots att feriejobb inte erbjudits" in shown(texts(at))
    at.button(key="prev").click().run()          # section 2 is the document's last: back to the first
    assert at.selectbox(key="avsnitt").value == 1
    assert at.subheader[0].value == "Sammanfattande analys" and not at.exception


def test_document_view_copes_with_an_empty_database(tmp_path, monkeypatch):
    from tests.dashboard_fixture import build_empty_db
    monkeypatch.setenv("STADSDEL_DB", str(build_empty_db(tmp_path / "empty.duckdb")))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/dokument.py").run()
    assert not at.exception and at.info
