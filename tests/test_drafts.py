"""DraftStore: private permissions, atomic writes, corrupt-file recovery, round trip."""

from __future__ import annotations

import json
import os
import stat
import threading
import uuid
from pathlib import Path

import pytest

from ebok_tui.core import drafts as drafts_mod
from ebok_tui.core.drafts import DraftSaveError, DraftStore, new_draft

URL = "http://127.0.0.1:8000"
SERVER = "3f2c0d9e8b7a4c1d9e8f7a6b5c4d3e2f"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    """Run with umask 0 so only our explicit modes protect the files."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def store(root: Path, customer: str = "10001", server: str = SERVER, url: str = URL) -> DraftStore:
    return DraftStore(root, server_id=server, customer_number=customer, server_url=url)


def test_round_trip_update_discard(tmp_path):
    s = store(tmp_path / "drafts")
    assert s.load() == []
    d1 = new_draft(
        "failure_report", "Brak wody", "Od rana nie ma wody.", contact_phone="+48 600 000 000", location="ul. Wodna 1"
    )
    uuid.UUID(d1["id"], version=4)
    assert set(d1) >= {"id", "kind", "subject", "body", "contact_phone", "location", "created_at"}
    s.save(d1)
    d2 = new_draft("other", "Pytanie", "Treść ąęśćżźół")
    s.save(d2)
    loaded = s.load()
    assert [d["id"] for d in loaded] == [d1["id"], d2["id"]]
    assert loaded[1]["body"] == "Treść ąęśćżźół"
    assert loaded[0]["location"] == "ul. Wodna 1"

    s.save({**d1, "body": "Poprawiona treść"})  # same id: replaced, not duplicated
    loaded = s.load()
    assert len(loaded) == 2
    assert s.get(d1["id"])["body"] == "Poprawiona treść"
    assert s.get(d1["id"])["created_at"] == d1["created_at"]

    s.discard(d1["id"])
    assert [d["id"] for d in s.load()] == [d2["id"]]
    s.discard("no-such-id")
    s.discard(d2["id"])
    assert s.load() == []


def test_drafts_are_per_server_and_customer(tmp_path):
    root = tmp_path / "drafts"
    a = store(root, "10001")
    b = store(root, "10002")
    c = store(root, "10001", "demo")
    a.save(new_draft("other", "A", "a"))
    b.save(new_draft("other", "B", "b"))
    assert [d["subject"] for d in a.load()] == ["A"]
    assert [d["subject"] for d in b.load()] == ["B"]
    assert c.load() == []
    # the same server on another address (the demo gets a new port every launch): same drafts
    assert store(root, "10001", url="http://127.0.0.1:40001").load()[0]["subject"] == "A"
    # file names do not reveal customer numbers
    assert all("1000" not in p.name for p in root.iterdir())


def test_permissions_0700_dir_0600_file(tmp_path, wide_umask):
    root = tmp_path / "a" / "b" / "drafts"  # missing parents are created private too
    s = store(root)
    s.save(new_draft("other", "S", "B"))
    assert mode(root) == 0o700
    assert mode(root.parent) == 0o700 and mode(root.parent.parent) == 0o700
    assert mode(s.path) == 0o600
    s.save(new_draft("other", "S2", "B2"))  # rewritten file keeps 0600
    assert mode(s.path) == 0o600


def test_existing_loose_directory_is_tightened(tmp_path, wide_umask):
    root = tmp_path / "drafts"
    root.mkdir(mode=0o777)
    os.chmod(root, 0o777)
    store(root).save(new_draft("other", "S", "B"))
    assert mode(root) == 0o700


def test_temp_file_is_private_from_the_start(tmp_path, wide_umask, monkeypatch):
    seen: list[tuple[str, int]] = []
    real_write = os.write

    def spying_write(fd, data):
        st = os.fstat(fd)
        seen.append((stat.filemode(st.st_mode), stat.S_IMODE(st.st_mode)))
        return real_write(fd, data)

    monkeypatch.setattr(drafts_mod.os, "write", spying_write)
    store(tmp_path / "drafts").save(new_draft("other", "S", "B" * 10_000))
    assert seen and all(m == 0o600 for _, m in seen)


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    s = store(tmp_path / "drafts")
    first = new_draft("other", "Pierwszy", "1")
    s.save(first)
    before = s.path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(drafts_mod.os, "replace", broken_replace)
    with pytest.raises(DraftSaveError) as err:
        s.save(new_draft("other", "Drugi", "2"))
    assert "No space left" in str(err.value)  # technical; the UI says drafts.save_failed
    monkeypatch.undo()
    assert s.path.read_bytes() == before  # old content intact
    assert [p.name for p in s.root.iterdir()] == [s.path.name]  # no temp file left behind
    assert [d["subject"] for d in s.load()] == ["Pierwszy"]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2, 3]", b'{"drafts": "nope"}', b"\xff\xfe\x00garbage", b""],
    ids=["broken-json", "wrong-top-level", "wrong-drafts", "not-utf8", "empty"],
)
def test_corrupt_file_is_kept_aside_and_store_starts_empty(tmp_path, content, wide_umask):
    s = store(tmp_path / "drafts")
    s.save(new_draft("other", "S", "B"))
    s.path.write_bytes(content)
    assert s.load() == []
    corrupt = s.path.with_name(s.path.name + ".corrupt")
    assert corrupt.read_bytes() == content
    assert mode(corrupt) == 0o600
    assert not s.path.exists()
    # and the store works again
    d = new_draft("other", "Nowy", "Nowa treść")
    s.save(d)
    assert [x["id"] for x in s.load()] == [d["id"]]
    # a second corruption does not overwrite the first copy
    s.path.write_bytes(b"{{{")
    assert s.load() == []
    assert corrupt.read_bytes() == content
    assert len(list(s.root.glob("*.corrupt"))) == 2


def test_malformed_entries_are_skipped(tmp_path):
    s = store(tmp_path / "drafts")
    good = new_draft("other", "Dobry", "ok")
    s.save(good)
    data = json.loads(s.path.read_text())
    data["drafts"] += ["junk", {"no": "id"}, {"id": ""}]
    s.path.write_text(json.dumps(data))
    assert [d["id"] for d in s.load()] == [good["id"]]


def test_save_validates(tmp_path):
    s = store(tmp_path / "drafts")
    with pytest.raises(ValueError):
        s.save({"kind": "other", "subject": "no id"})
    with pytest.raises(ValueError):
        s.save({"id": "x", "body": object()})
    assert not s.path.exists()


def test_unwritable_location_raises_draft_save_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    s = store(blocker / "drafts")
    assert s.load() == []
    with pytest.raises(DraftSaveError):
        s.save(new_draft("other", "S", "B"))


def test_default_root_is_platformdirs_user_data(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    s = DraftStore(server_id=SERVER, customer_number="10001")
    assert s.root == tmp_path / "xdg" / "ebok-tui" / "drafts"
    s.save(new_draft("other", "S", "B"))
    assert s.path.parent == tmp_path / "xdg" / "ebok-tui" / "drafts"
    assert mode(tmp_path / "xdg" / "ebok-tui") == 0o700


def test_unbound_store_and_for_account(tmp_path):
    app_level = DraftStore(tmp_path / "drafts")  # created before anyone logs in
    assert app_level.path is None
    assert app_level.load() == []
    app_level.discard("anything")
    with pytest.raises(ValueError):
        app_level.save(new_draft("other", "S", "B"))
    bound = app_level.for_account(SERVER, "10001", URL)
    assert bound.path is not None and bound.root == app_level.root
    d = new_draft("other", "S", "B")
    bound.save(d)
    assert store(tmp_path / "drafts").load()[0]["id"] == d["id"]
    assert DraftStore().root.name == "drafts"


def test_saves_from_several_threads_lose_nothing(tmp_path):
    """The UI autosaves from a thread while it may also save on the event loop: each save reads,
    changes and rewrites the whole file, so the store runs them one at a time."""
    s = store(tmp_path / "drafts")
    drafts = [new_draft("other", f"Temat {n}", "Treść") for n in range(12)]
    start = threading.Barrier(len(drafts))

    def save(draft):
        start.wait()
        s.save(draft)

    threads = [threading.Thread(target=save, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {d["id"] for d in s.load()} == {d["id"] for d in drafts}


def _legacy_file(root: Path, customer: str, url: str, drafts: list[dict]) -> Path:
    """A drafts file as the URL-keyed format 1 wrote it."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = root / f"{drafts_mod._url_key(url, customer)}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"version": 1, "server_url": url, "customer_number": customer, "drafts": drafts}, fh)
    return path


def test_url_keyed_drafts_of_this_customer_are_adopted(tmp_path, wide_umask):
    root = tmp_path / "drafts"
    kept = new_draft("other", "Z wersji 1", "treść")
    legacy = _legacy_file(root, "10001", URL, [kept])
    other = _legacy_file(root, "10002", URL, [new_draft("other", "Nie moje", "x")])
    s = store(root, "10001")
    assert s.adopt_url_drafts(URL + "/") == 1
    assert [d["id"] for d in s.load()] == [kept["id"]]
    assert not legacy.exists() and other.exists()
    assert mode(s.path) == 0o600 and mode(root) == 0o700
    assert json.loads(s.path.read_text())["server_id"] == SERVER
    assert s.adopt_url_drafts(URL) == 0  # nothing left to adopt


def test_orphans_are_listed_and_deleted_only_when_asked(tmp_path, wide_umask):
    import datetime as dt

    root = tmp_path / "drafts"
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
    mine = store(root, "10001")
    fresh = new_draft("other", "Świeży", "a")
    stale = new_draft("failure_report", "Stary", "b")
    mine.save(fresh)
    mine.save(stale)
    # pretend the stale draft was last changed 31 days ago
    data = json.loads(mine.path.read_text())
    for d in data["drafts"]:
        if d["id"] == stale["id"]:
            d["updated_at"] = (now - dt.timedelta(days=31)).isoformat()
        else:
            d["updated_at"] = (now - dt.timedelta(days=29)).isoformat()
    mine._write(data["drafts"])
    neighbour = store(root, "10002")
    neighbour.save(new_draft("other", "Sąsiad", "c"))  # another customer's fresh draft: not an orphan
    unmatched = _legacy_file(
        root,
        "10003",
        "http://127.0.0.1:40123",
        [new_draft("other", "Port demo", "d"), new_draft("other", "Port demo 2", "e")],
    )

    orphans = mine.orphans(now)
    assert sorted((o.reason, o.own, o.subject) for o in orphans) == [
        ("old", True, "Stary"),
        ("unmatched", False, ""),
        ("unmatched", False, ""),
    ]
    assert [d["id"] for d in mine.load()] == [fresh["id"], stale["id"]]  # listing deletes nothing

    mine.delete_orphans(orphans)
    assert [d["id"] for d in mine.load()] == [fresh["id"]]
    assert not unmatched.exists()  # its last drafts went: the file went
    assert [d["subject"] for d in neighbour.load()] == ["Sąsiad"]
    assert mode(mine.path) == 0o600
    assert json.loads(mine.path.read_text())["server_id"] == SERVER
    assert mine.orphans(now) == []
