"""The Go client's generated part: ``contracts/`` → ``clients/go/gen/``.

Three generators, each pinned in the ``[go]`` table of ``codegen/versions.toml`` (Go package → version):
1. ``buf generate`` with the local plugins ``protoc-gen-go`` and ``protoc-gen-go-grpc`` (the buf
   registry is unreachable, so nothing remote); buf's managed mode gives every file its Go import
   path (``go_package_prefix``), so the contracts carry no Go option of their own;
2. hamba's ``avrogen``: one struct per Avro value schema, plus the schema text it was made from;
3. ``topics.go``: every topic's facts from ``contracts/subjects.yaml`` as constants.

The plugins are built from the Go module proxy into ``~/.cache/subshift/go-plugins/<name>@<version>/``
(``install_plugins`` does it; ``scripts/bootstrap`` calls that), so the binary for a
pin is found by its path alone and another version can never write the committed bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path, PurePosixPath

from subshift.contracts_manifest import Manifest, load_manifest
from subshift.errors import ContractError
from subshift_tooling.codegen.output_tree import stale_in, write_tree
from subshift_tooling.codegen.render import GENERATED_NOTE, Output

__all__ = ["GO_MODULE", "go_output_dir", "install_plugins", "read_go_pins", "render_go", "stale_go_files",
           "write_go"]

GO_MODULE = "github.com/subshift/subshift/clients/go"
_GEN = "gen"
_PROTOC_GEN_GO = "google.golang.org/protobuf/cmd/protoc-gen-go"
_PROTOC_GEN_GO_GRPC = "google.golang.org/grpc/cmd/protoc-gen-go-grpc"
_AVROGEN = "github.com/hamba/avro/v2/cmd/avrogen"
_NEEDED = (_PROTOC_GEN_GO, _PROTOC_GEN_GO_GRPC, _AVROGEN)


def go_output_dir(contracts: Path) -> Path:
    """Where the Go client's generated code lives, for a repository whose contracts are ``contracts``."""
    return contracts.parent / "clients" / "go" / _GEN


def read_go_pins(pins: Path) -> dict[str, str]:
    """The ``[go]`` table: Go package of each generator → its exact module version.

    Raises:
        ContractError: the table is missing, not strings, or lacks one of the three generators.
    """
    try:
        table = tomllib.loads(pins.read_text(encoding="utf-8")).get("go")
    except (FileNotFoundError, tomllib.TOMLDecodeError) as error:
        raise ContractError(f"{pins}: cannot read the [go] generator pins: {error}") from error
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ContractError(f'{pins}: expected a [go] table of "go/package/path" = "vX.Y.Z" strings')
    missing = [name for name in _NEEDED if name not in table]
    if missing:
        raise ContractError(f"{pins}: the [go] table does not pin {', '.join(missing)}")
    return {str(name): str(version) for name, version in table.items()}


def _cache() -> Path:
    return Path(os.environ.get("SUBSHIFT_STACK_CACHE_DIR", Path.home() / ".cache" / "subshift")) / "go-plugins"


def _plugin(package: str, version: str) -> Path:
    name = package.rsplit("/", 1)[-1]
    return _cache() / f"{name}@{version}" / name


def _go() -> str:
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if found is None:
        raise ContractError("the Go toolchain is not installed; it builds the Go client's generators")
    return found


def install_plugins(pins: Path) -> list[Path]:
    """Build every pinned generator that is not in the cache yet; return all their paths.

    Raises:
        ContractError: the pins cannot be read or ``go install`` fails (its message is kept).
    """
    built: list[Path] = []
    for package, version in sorted(read_go_pins(pins).items()):
        binary = _plugin(package, version)
        if not binary.exists():
            env = {**os.environ, "GOBIN": str(binary.parent), "GOFLAGS": "-mod=mod"}
            done = subprocess.run([_go(), "install", f"{package}@{version}"], env=env,
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise ContractError(f"go install {package}@{version} failed:\n{done.stderr.strip()}")
        built.append(binary)
    return built


def _plugins(pins: Path) -> dict[str, Path]:
    pinned = read_go_pins(pins)
    found = {package: _plugin(package, version) for package, version in pinned.items()}
    absent = [f"{package}@{pinned[package]}" for package, path in found.items() if not path.exists()]
    if absent:
        raise ContractError(f"Go generators not built: {', '.join(sorted(absent))}; run `scripts/bootstrap` "
                            "(it builds them from the Go module proxy)")
    return found


def _note(source: str) -> str:
    return f"// {GENERATED_NOTE}\n// Source: {source}\n\n"


def _buf() -> str:
    beside = Path(sys.executable).parent / "buf"
    found = str(beside) if beside.exists() else shutil.which("buf")
    if found is None:
        raise ContractError("buf is not installed; `scripts/bootstrap` installs it (the buf-bin wheel)")
    return found


def _protobuf(proto_root: Path, plugins: dict[str, Path]) -> Output:
    template = {
        "version": "v2",
        "managed": {"enabled": True,
                    "override": [{"file_option": "go_package_prefix", "value": f"{GO_MODULE}/{_GEN}"}]},
        "plugins": [
            {"local": str(plugins[_PROTOC_GEN_GO]), "out": ".", "opt": ["paths=source_relative"]},
            {"local": str(plugins[_PROTOC_GEN_GO_GRPC]), "out": ".", "opt": ["paths=source_relative"]},
        ],
    }
    with tempfile.TemporaryDirectory(prefix="subshift-buf-go-") as scratch:
        done = subprocess.run([_buf(), "generate", str(proto_root), "--template", json.dumps(template),
                               "--output", scratch], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ContractError(f"buf generate (Go) rejected the contracts:\n{done.stderr.strip()}")
        files: Output = {}
        for path in sorted(Path(scratch).rglob("*.go")):
            relative = PurePosixPath(path.relative_to(scratch).as_posix())
            source = re.sub(r"(_grpc)?\.pb\.go$", ".proto", relative.name)
            files[relative] = _note(f"contracts/proto/{relative.parent}/{source}") + path.read_text(encoding="utf-8")
    return files


def _go_name(text: str) -> str:
    """``user-offers.DLT`` → ``UserOffersDLT``; ``UserOfferMigrationRequested`` stays as it is."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", text) if part)


def _avro(manifest: Manifest, plugins: dict[str, Path]) -> Output:
    files: Output = {}
    consts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="subshift-avrogen-") as scratch:
        for topic in manifest.avro_topics:
            schema = manifest.resolved_value_schema(topic)
            text = json.dumps(schema, separators=(",", ":"))
            schema_file = Path(scratch) / f"{_go_name(topic.name)}.avsc"
            schema_file.write_text(text, encoding="utf-8")
            out = Path(scratch) / f"{PurePosixPath(topic.value.schema_file or topic.name).stem}.go"
            done = subprocess.run([str(plugins[_AVROGEN]), "-pkg", "events", "-o", str(out), str(schema_file)],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise ContractError(f"avrogen rejected {topic.value.schema_file}:\n{done.stderr.strip()}")
            files[PurePosixPath("events") / out.name] = (_note(f"contracts/{topic.value.schema_file}")
                                                         + out.read_text(encoding="utf-8"))
            record = _go_name(str(schema["name"]))
            consts += [f"// {record}Schema is the Avro schema of the {topic.value.subject} subject, "
                       "references inlined.", f"const {record}Schema = {json.dumps(text)}", ""]
    body = ["// Package events holds one Go struct per Avro value schema of the contracts (hamba/avro tags).",
            "package events", "", *consts]
    files[PurePosixPath("events") / "schemas.go"] = _note("contracts/subjects.yaml") + "\n".join(body)
    return files


def _topics(manifest: Manifest) -> Output:
    lines = ["// Package topics holds every topic of contracts/subjects.yaml: names, subjects, modes, partitions.",
             "package topics", "",
             "// Topic is one topic of the manifest.",
             "type Topic struct {", "\tName              string", "\tDescription       string",
             "\tKeyFormat         string", "\tKeyField          string", "\tValueFormat       string",
             "\tValueSubject      string", "\tCompatibility     string", "\tPartitions        int32",
             "\tReplicationFactor int16", "\tRetentionMs       int64", "\tDeadLetterTopic   string", "}", "",
             "// DefaultCompatibility is the manifest's compatibility mode for subjects that name none.",
             f"const DefaultCompatibility = {json.dumps(manifest.default_compatibility)}", "", "const ("]
    specs: list[str] = []
    for topic in manifest.topics:
        name = _go_name(topic.name)
        avro = topic.value.format == "avro"
        lines += [f"\t// {name}Topic is the name of the topic: {topic.description}",
                  f"\t{name}Topic = {json.dumps(topic.name)}"]
        if avro:
            lines += [f"\t// {name}ValueSubject is the registry subject of {topic.name}'s values.",
                      f"\t{name}ValueSubject = {json.dumps(topic.value.subject)}"]
        fields = {"Name": f"{name}Topic", "Description": json.dumps(topic.description),
                  "KeyFormat": json.dumps(topic.key.format), "KeyField": json.dumps(topic.key.field or ""),
                  "ValueFormat": json.dumps(topic.value.format),
                  "ValueSubject": f"{name}ValueSubject" if avro else '""',
                  "Compatibility": json.dumps(manifest.compatibility(topic) if avro else ""),
                  "Partitions": str(topic.partitions), "ReplicationFactor": str(topic.replication_factor),
                  "RetentionMs": str(topic.retention_ms),
                  "DeadLetterTopic": json.dumps(topic.dead_letter_topic or "")}
        specs += [f"// {name} describes {topic.name}.", f"func {name}() Topic {{", "\treturn Topic{",
                  *(f"\t\t{key + ':':<18} {value}," for key, value in fields.items()), "\t}", "}", ""]
    names = ", ".join(f"{_go_name(t.name)}()" for t in manifest.topics)
    lines += [")", "", *specs, "// All returns every topic of the manifest, in its order.",
              f"func All() []Topic {{ return []Topic{{{names}}} }}", ""]
    return {PurePosixPath("topics") / "topics.go": _note("contracts/subjects.yaml") + "\n".join(lines)}


def render_go(contracts: Path, pins: Path) -> Output:
    """Every generated Go file, as ``{path relative to clients/go/gen/: text}``.

    Raises:
        ContractError: a generator is not built at its pin, or a contract cannot be compiled.
    """
    plugins = _plugins(pins)
    manifest = load_manifest(contracts)
    files = _protobuf(contracts / "proto", plugins)
    files.update(_avro(manifest, plugins))
    files.update(_topics(manifest))
    return dict(sorted(files.items()))


def write_go(contracts: Path, pins: Path) -> tuple[PurePosixPath, ...]:
    """Rebuild ``clients/go/gen/`` (wiped, written beside, swapped in); return the files written.

    Raises:
        ContractError: see ``render_go``.
    """
    files = render_go(contracts, pins)
    output = go_output_dir(contracts)
    write_tree(files, output)
    return tuple(PurePosixPath(_GEN) / relative for relative in files)


def stale_go_files(contracts: Path, pins: Path) -> list[str]:
    """Files under ``clients/go/gen/`` that differ from a fresh build, each with why; empty when current.

    Raises:
        ContractError: see ``render_go``.
    """
    wanted = render_go(contracts, pins)
    output = go_output_dir(contracts)
    return stale_in(wanted, output)

