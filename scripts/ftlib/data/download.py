"""Fetching the real inputs: download, checksum, unpack, and lay the files out.

Offline (these build machines have no route to the hosts), every failure is one line that
says which files are missing and where to put them by hand.
"""
from __future__ import annotations

import hashlib
import shutil
import tarfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable

from ftlib.data.checks import read_lines
from ftlib.core.errors import InputError
from ftlib.core.textio import write_lines

DOWNLOADS = Path("data/downloads")
CHECKSUMS = DOWNLOADS / "checksums.tsv"


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recorded_checksums(table=CHECKSUMS) -> dict:
    if not Path(table).is_file():
        return {}
    return dict(line.split("\t")[:2] for line in read_lines(table) if "\t" in line)


def record_checksum(name: str, digest: str, table=CHECKSUMS) -> None:
    rows = recorded_checksums(table)
    rows[name] = digest
    write_lines(table, [f"{k}\t{v}" for k, v in sorted(rows.items())])


def fetch(url: str, archive: Path, expected_sha256: str, by_hand: str, timeout: float = 30,
          verify: Callable[[Path], None] | None = None) -> None:
    """Download ``url`` to ``archive`` (kept as a cache) and check its sha256.

    The expected digest comes from the config, else from the one recorded at the first
    download; a mismatch is an error (a changed or truncated archive). ``verify`` (an
    InputError when the file is not what the URL should give: an HTML error page, a truncated
    zip) runs before any digest is recorded, and a file it refuses is deleted, so that the next
    run downloads again instead of checking against the digest of an error page.
    """
    if not archive.is_file():
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".part")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
                shutil.copyfileobj(response, out)
        except OSError as err:  # URLError, timeouts, DNS failures are all OSErrors
            partial.unlink(missing_ok=True)
            reason = getattr(err, "reason", err)
            raise InputError(archive, f"cannot download {url} ({reason}); {by_hand}") from None
        partial.replace(archive)
    if verify is not None:
        try:
            verify(archive)
        except InputError as err:
            archive.unlink(missing_ok=True)
            raise InputError(archive, f"{err.problem} (downloaded from {url}; deleted, not recorded: "
                                      f"the next run downloads it again; {by_hand})") from None
    digest = sha256_of(archive)
    expected = expected_sha256 or recorded_checksums().get(archive.name, "")
    if expected and digest != expected:
        raise InputError(archive, f"sha256 {digest} does not match the expected {expected}; "
                                  "delete it to download again")
    record_checksum(archive.name, digest)


def is_tar(archive: Path) -> bool:
    return archive.name.endswith((".tar.gz", ".tgz"))


def archive_members(archive: Path) -> list[str]:
    """The member paths of a .zip or .tar.gz archive (files only), leaving out __MACOSX/; an
    unreadable or damaged archive is an InputError (an HTML page saved in its place says so)."""
    try:
        if is_tar(archive):
            with tarfile.open(archive, "r:gz") as tar:
                return [m.name for m in tar.getmembers() if m.isfile() and "__MACOSX" not in m.name]
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            names = [m for m in zf.namelist() if not m.startswith("__MACOSX/") and not m.endswith("/")]
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError):
        head = archive.read_bytes()[:200].lstrip().lower() if archive.is_file() else b""
        kind = " (an HTML page)" if head.startswith((b"<!doctype html", b"<html")) else ""
        raise InputError(archive, f"not a {'tar.gz' if is_tar(archive) else 'zip'} archive{kind}") from None
    if bad is not None:
        raise InputError(archive, f"damaged zip archive (member {bad})")
    return names


def archive_holding_paths(paths) -> Callable[[Path], None]:
    """A ``fetch`` check: the archive is readable and has a member ending with each of ``paths``."""
    def verify(archive: Path) -> None:
        members = [Path(m).parts for m in archive_members(archive)]
        missing = [p for p in paths
                   if not any(m[-len(Path(p).parts):] == Path(p).parts for m in members)]
        if missing:
            raise InputError(archive, f"archive without {', '.join(missing)}")
    return verify


def plain_text_file(path: Path) -> None:
    """A ``fetch`` check for a split's plain file: UTF-8 text, not an HTML page (an error page or a
    sign-in page served in its place)."""
    head = path.read_bytes()[:2000]
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise InputError(path, "an HTML page, not the data file")
    try:
        path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None


def unpack_all(archive: Path, dest: Path) -> Path:
    """Every member of a .zip or .tar.gz archive (no path outside ``dest``), but __MACOSX/."""
    archive_members(archive)  # readable, else one line
    if is_tar(archive):
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(dest, members=[m for m in tar.getmembers()
                                          if m.isfile() and "__MACOSX" not in m.name], filter="data")
    else:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest, [m for m in zf.namelist() if not m.startswith("__MACOSX/")])
    return dest


def archive_to_unpack(inputs, target: Path) -> Path:
    """The archive a file of the real inputs comes from; none when the file was to be placed by hand."""
    if not inputs:
        raise InputError(target, "no archive to unpack it from; put the file there by hand")
    return Path(inputs[0])


def unpack(archive: Path, dest: Path, names) -> Path:
    """Extract the members called ``names`` (any folder), leaving out macOS's __MACOSX/."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist()
                       if not m.startswith("__MACOSX/") and Path(m).name in names]
            zf.extractall(dest, members)
    except zipfile.BadZipFile:
        raise InputError(archive, "not a zip archive; delete it to download again") from None
    return dest


def find_file(root: Path, name: str) -> Path | None:
    found = sorted(p for p in root.rglob(name) if "__MACOSX" not in p.parts)
    return found[0] if found else None


def install_checkpoint_file(root: Path, target: Path, archive: Path) -> None:
    found = find_file(root, target.name)
    if found is None:
        raise InputError(archive, f"archive has no {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(found, target)
