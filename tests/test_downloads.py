"""Downloads that recover: a file that is not what the URL should give (an HTML error page, a zip
without the expected files) is deleted and its digest never recorded, so the next run downloads
it again. Served by a real HTTP server on this machine."""
import functools
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from ftlib.core.errors import InputError
from ftlib.data.download import archive_holding_paths, fetch, recorded_checksums, sha256_of


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.chdir(tmp_path)  # data/downloads/ (and its checksums.tsv) of a scratch workdir
    yield root, f"http://127.0.0.1:{server.server_port}/cls.books.zip"
    server.shutdown()


def get(url):
    fetch(url, Path("data/downloads/data.zip"), "", "put the files there by hand",
          verify=archive_holding_paths(["train.review", "train.label"]))


def test_an_error_page_is_deleted_unrecorded_and_the_next_run_downloads_again(site):
    root, url = site
    (root / "cls.books.zip").write_text("<!DOCTYPE html>\n<html><body>Quota exceeded</body></html>\n")
    with pytest.raises(InputError) as err:
        get(url)
    assert str(err.value).startswith("data/downloads/data.zip: not a zip archive (an HTML page) (downloaded from "
                                     f"{url}; deleted, not recorded: the next run downloads it again")
    assert not Path("data/downloads/data.zip").exists() and recorded_checksums() == {}

    with zipfile.ZipFile(root / "cls.books.zip", "w") as zf:  # the host serves the archive again
        zf.writestr("cls/train.review", "Un bon livre.\n")
        zf.writestr("cls/train.label", "1\n")
    get(url)
    assert recorded_checksums() == {"data.zip": sha256_of("data/downloads/data.zip")}


def test_a_zip_without_the_expected_files_is_not_recorded(site):
    root, url = site
    with zipfile.ZipFile(root / "cls.books.zip", "w") as zf:
        zf.writestr("README.txt", "moved\n")
    with pytest.raises(InputError, match="archive without train.review, train.label"):
        get(url)
    assert not Path("data/downloads/data.zip").exists() and recorded_checksums() == {}
