"""Model files that load without running anyone else's code: signed, checked, then unpickled.

A fitted model is a pickle (LightGBM boosters, encoders, NumPy arrays), and
unpickling runs whatever the file says. So a model file carries an HMAC-SHA256
of its pickle under a secret key, and :func:`load_model` checks it *before*
unpickling: a crafted or edited file is refused without a byte of it being
executed. The key is 32 random bytes in a file of its own (mode 0600), made
by the first ``border21 target train``; share it (out of band) with the machines
that should trust your models.

File layout: ``border21-target-model 2\\n``, ``hmac-sha256 <hex>\\n``, then the
pickle of ``{"format", "version", "model", "seed"}``.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> key = ensure_key(d / "model.key")
>>> save_model(d / "m.b21", {"model": [1, 2, 3], "seed": 0}, key)
>>> load_model(d / "m.b21", key)["model"]
[1, 2, 3]
>>> load_model(d / "m.b21", b"another key" * 3)
Traceback (most recent call last):
...
border21.errors.InputError: --model = '...m.b21': signature does not match this \
machine's model key (not trained here, or changed since); refusing to load it
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from pathlib import Path
from typing import Any

from border21.errors import InputError
from border21.i18n.message import Message

MODEL_FORMAT = "border21-target-model"
VERSION = 2
_MAGIC = f"{MODEL_FORMAT} {VERSION}\n".encode()
_SIG = b"hmac-sha256 "
KEY_BYTES = 32


def ensure_key(path: Path) -> bytes:
    """The signing key at ``path``, created (0600, never overwritten) if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return read_key(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
    return read_key(path)


def read_key(path: Path) -> bytes:
    """The signing key at ``path``, or InputError naming what is wrong with it."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "model key",
            str(path),
            Message(
                "no model signing key here; models trained elsewhere need their key (set "
                "$BORDER21_MODEL_KEY to its file)"
            ),
        ) from None
    except OSError as exc:
        raise InputError("model key", str(path), exc.strerror or Message("unreadable")) from None
    if len(key) != KEY_BYTES:
        raise InputError(
            "model key",
            str(path),
            Message("not a model key (expected {key_bytes} bytes)", key_bytes=KEY_BYTES),
        )
    return key


def _mac(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def save_model(path: Path, payload: dict[str, Any], key: bytes) -> None:
    """Write ``payload`` (with the format tag) as a signed model file."""
    body = pickle.dumps({"format": MODEL_FORMAT, "version": VERSION, **payload})
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(_MAGIC + _SIG + _mac(key, body).encode() + b"\n" + body)
    os.replace(tmp, path)


def load_model(path: Path, key: bytes) -> dict[str, Any]:
    """The payload of a model file whose signature ``key`` confirms; unpickled only then."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise InputError("--model", str(path), Message("file does not exist")) from None
    except OSError as exc:
        raise InputError("--model", str(path), exc.strerror or Message("unreadable")) from None
    head, _, rest = blob.partition(b"\n")
    sig, _, body = rest.partition(b"\n")
    if head + b"\n" != _MAGIC or not sig.startswith(_SIG):
        raise InputError("--model", str(path), Message("not a signed border21 model file"))
    claimed = sig[len(_SIG) :].decode("ascii", "replace")
    if not hmac.compare_digest(claimed, _mac(key, body)):
        raise InputError(
            "--model",
            str(path),
            Message(
                "signature does not match this machine's model key (not trained here, or "
                "changed since); refusing to load it"
            ),
        )
    payload = pickle.loads(body)  # noqa: S301 - signed by our own key, checked above
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise InputError("--model", str(path), Message("not a border21 model file"))
    return payload
