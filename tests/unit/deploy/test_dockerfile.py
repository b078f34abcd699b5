"""The image recipe: multi-stage, slim runtime, non-root, the `subshift` entry point, and a
build context that holds every file it copies (no Docker engine is needed to check this)."""

from __future__ import annotations

import fnmatch
import json
import re

from deploy_files import REPO

_DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", _DOCKERFILE)
    pairs = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _runtime_stage() -> list[tuple[str, str]]:
    pairs = _instructions()
    last_from = max(index for index, (keyword, _) in enumerate(pairs) if keyword == "FROM")
    return pairs[last_from:]


def test_image_builds_wheels_in_one_stage_and_runs_from_a_slim_python_311() -> None:
    stages = [rest for keyword, rest in _instructions() if keyword == "FROM"]
    assert len(stages) >= 2
    args = dict(rest.split("=", 1) for keyword, rest in _instructions() if keyword == "ARG" and "=" in rest)
    base = args.get("PYTHON_IMAGE", "")
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", base), base
    runtime = _runtime_stage()
    wheel_builds = [rest for keyword, rest in _instructions() if keyword == "RUN" and "pip wheel" in rest]
    # Third-party wheels come from the runtime lock, hash-checked; the two local projects are built
    # without dependencies, so the service's `subshift-client` is the local client, never an index's.
    assert any("--require-hashes" in rest and "requirements/runtime.txt" in rest for rest in wheel_builds)
    assert any("./clients/python" in rest and "--no-deps" in rest for rest in wheel_builds)
    # The runtime installs only from the wheels: no build tools, no index.
    installs = [rest for keyword, rest in runtime if keyword == "RUN" and "pip install" in rest]
    assert installs and all("--no-index" in rest for rest in installs)


def test_the_image_carries_the_contracts_core_and_not_the_gate() -> None:
    # The service needs the manifest and the error root (gate/core); the gate's avro and buf stay out of it.
    wheel_builds = [rest.split() for keyword, rest in _instructions() if keyword == "RUN" and "pip wheel" in rest]
    local = [word.rstrip("/") for words in wheel_builds for word in words if word.startswith("./")]
    assert "./gate/core" in local
    assert "./gate" not in local and "./tooling" not in local
    copied = [rest.split()[0].rstrip("/") for keyword, rest in _instructions() if keyword == "COPY"]
    assert "gate" not in copied


def test_runtime_runs_as_a_non_root_user_with_the_subshift_entry_point() -> None:
    runtime = _runtime_stage()
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users, "the runtime stage must switch user"
    assert users[-1].split(":")[0] not in {"0", "root"}
    entrypoint = [json.loads(rest) for keyword, rest in runtime if keyword == "ENTRYPOINT"]
    command = [json.loads(rest) for keyword, rest in runtime if keyword == "CMD"]
    assert entrypoint[-1] == ["subshift"]
    assert command[-1] == ["serve", "api"]
    env = " ".join(rest for keyword, rest in runtime if keyword == "ENV")
    assert "SUBSHIFT_API_ADDR=0.0.0.0:50051" in env, "in a container the API must listen beyond loopback"


def test_every_copied_path_is_in_the_build_context() -> None:
    ignored = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = [
        part
        for keyword, rest in _instructions()
        if keyword == "COPY" and "--from" not in rest
        for part in rest.split()[:-1]
    ]
    assert sources
    for source in sources:
        path = source.rstrip("/")
        assert (REPO / path).exists(), f"COPY {source}: no such path in the repository"
        assert not any(fnmatch.fnmatch(path, pattern) for pattern in ignored), f"COPY {source} is in .dockerignore"
