"""contracts/ → the TypeScript client's generated code, ``clients/typescript/src/gen/`` (wiped, rebuilt).

Steps of ``build_typescript``:
1. check that ``node_modules`` holds the npm versions pinned in ``codegen/versions.toml`` ``[typescript]``
   (and that ``package.json`` asks for exactly those);
2. ``buf generate`` with ``codegen/buf.gen.typescript.yaml`` and the local ``protoc-gen-es`` (never a remote
   plugin) over the contracts' protos plus ``google/rpc/{status,error_details}.proto`` (row violations);
3. render ``avro/<schema>.ts`` (the schema, a typed interface, an avsc ``Type``) per Avro value schema and
   ``topics.ts`` (every topic's facts) from ``contracts/subjects.yaml``.

A repository without ``clients/typescript/package.json`` has no TypeScript client: nothing is built or checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from subshift.contracts_manifest import Manifest, load_manifest
from subshift.errors import ContractError
from subshift_tooling.codegen.avro_records import record_module_name
from subshift_tooling.codegen.output_tree import stale_in, write_tree
from subshift_tooling.codegen.render import GENERATED_NOTE, Output
from subshift_tooling.codegen.topics import topic_constant

__all__ = ["TypeScriptPaths", "build_typescript", "generate_typescript", "stale_typescript"]

_GOOGLE_RPC = ("google/rpc/status.proto", "google/rpc/error_details.proto")
_MANIFEST = "contracts/subjects.yaml"


@dataclass(frozen=True, kw_only=True)
class TypeScriptPaths:
    """Where the TypeScript generator reads and writes, in the checked-in layout of repository ``root``."""

    root: Path

    @property
    def package(self) -> Path:
        return self.root / "clients" / "typescript"

    @property
    def output(self) -> Path:
        return self.package / "src" / "gen"

    @property
    def present(self) -> bool:
        return (self.package / "package.json").is_file()


def build_typescript(paths: TypeScriptPaths) -> Output:
    """Every generated file, as ``{path relative to src/gen/: text}``; empty without a TypeScript client.

    Raises:
        ContractError: a pinned npm package is missing or at another version, or buf rejects the contracts.
    """
    if not paths.present:
        return {}
    pins = _check_pins(paths)
    manifest = load_manifest(paths.root / "contracts")
    files = _buf_generate(paths)
    files.update(_render_records(manifest))
    files[PurePosixPath("topics.ts")] = _render_topics(manifest)
    note = f"// {GENERATED_NOTE}\n// Generators: {', '.join(f'{k} {v}' for k, v in sorted(pins.items()))}\n"
    return {path: note + text for path, text in sorted(files.items())}


def generate_typescript(paths: TypeScriptPaths) -> tuple[PurePosixPath, ...]:
    """Rebuild ``paths.output``; return the files written (none without a TypeScript client).

    Raises:
        ContractError: see ``build_typescript``.
    """
    files = build_typescript(paths)
    if not files:
        return ()
    write_tree(files, paths.output)
    return tuple(files)


def stale_typescript(paths: TypeScriptPaths) -> list[str]:
    """Files under ``paths.output`` that differ from a fresh build, each with why; empty when current.

    Raises:
        ContractError: see ``build_typescript``.
    """
    wanted = build_typescript(paths)
    if not paths.present:
        return []
    return stale_in(wanted, paths.output)


# --- 1. pins ------------------------------------------------------------------------------------------


def _check_pins(paths: TypeScriptPaths) -> dict[str, str]:
    pins_file = paths.root / "codegen" / "versions.toml"
    try:
        table = tomllib.loads(pins_file.read_text(encoding="utf-8")).get("typescript")
    except (FileNotFoundError, tomllib.TOMLDecodeError) as error:
        raise ContractError(f"{pins_file}: cannot read the [typescript] pins: {error}") from error
    if not isinstance(table, dict) or not table or not all(isinstance(v, str) for v in table.values()):
        raise ContractError(f"{pins_file}: expected a [typescript] table of \"npm-package\" = \"version\" strings")
    declared = json.loads((paths.package / "package.json").read_text(encoding="utf-8"))
    asked = {**declared.get("dependencies", {}), **declared.get("devDependencies", {})}
    wrong: list[str] = []
    for name, wanted in sorted(table.items()):
        if asked.get(name) != wanted:
            wrong.append(f"{name}: package.json asks for {asked.get(name, 'nothing')} (pinned {wanted})")
        installed_file = paths.package / "node_modules" / name / "package.json"
        installed = (json.loads(installed_file.read_text(encoding="utf-8"))["version"]
                     if installed_file.is_file() else "not installed")
        if installed != wanted:
            wrong.append(f"{name} {installed} (pinned {wanted})")
    if wrong:
        raise ContractError(f"TypeScript generator versions differ from {pins_file}: {'; '.join(wrong)}; "
                            f"run `npm ci` in {paths.package} (scripts/bootstrap does)")
    return {str(k): str(v) for k, v in table.items()}


# --- 2. Protobuf through buf and protoc-gen-es ---------------------------------------------------------


def _buf_generate(paths: TypeScriptPaths) -> Output:
    template = paths.root / "codegen" / "buf.gen.typescript.yaml"
    buf = Path(sys.executable).parent / "buf"
    if not buf.exists():
        raise ContractError(f"{buf} is missing; `scripts/bootstrap` installs it (the buf-bin wheel)")
    with tempfile.TemporaryDirectory(prefix="subshift-buf-ts-") as scratch:
        # One input folder: the contracts plus the two google/rpc files, so no import reaches the network.
        source, out = Path(scratch) / "proto", Path(scratch) / "out"
        shutil.copytree(paths.root / "contracts" / "proto", source)
        for relative in _GOOGLE_RPC:
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(_googleapis_root() / relative, source / relative)
        env = {**os.environ, "PATH": f"{paths.package / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run([str(buf), "generate", str(source), "--template", str(template), "-o", str(out)],
                              capture_output=True, text=True, check=False, env=env, cwd=scratch)
        if done.returncode != 0:
            raise ContractError(f"buf generate (TypeScript) rejected the contracts:\n{done.stderr.strip()}")
        return {PurePosixPath(p.relative_to(out).as_posix()): p.read_text(encoding="utf-8")
                for p in sorted(out.rglob("*.ts"))}


def _googleapis_root() -> Path:
    # googleapis-common-protos ships google/rpc/*.proto beside its modules (as the Python generator uses them).
    spec = importlib.util.find_spec("google.rpc.status_pb2")
    if spec is None or spec.origin is None:
        raise ContractError("googleapis-common-protos is not installed; it provides google/rpc/*.proto")
    return Path(spec.origin).resolve().parents[2]


# --- 3. Avro records and topics ---------------------------------------------------------------------------

_PRIMITIVES = {"null": "null", "boolean": "boolean", "int": "number", "long": "number", "float": "number",
               "double": "number", "bytes": "Buffer", "string": "string"}


def _ts_type(schema: Any, named: dict[str, str], out: list[str]) -> str:
    """The TypeScript type avsc gives a value of ``schema``; nested records and enums are added to ``out``."""
    if isinstance(schema, list):
        return " | ".join(_ts_type(branch, named, out) for branch in schema)
    if isinstance(schema, str):
        if schema in _PRIMITIVES:
            return _PRIMITIVES[schema]
        if schema.split(".")[-1] in named:
            return named[schema.split(".")[-1]]
        raise ContractError(f"Avro type {schema!r} is neither a primitive nor a type named earlier")
    kind = schema["type"]
    if kind == "record":
        name = str(schema["name"])
        named[name] = name
        fields = [f"  /** {_comment(f.get('doc', ''))} */\n  {f['name']}: {_ts_type(f['type'], named, out)};"
                  for f in schema["fields"]]
        body = "\n".join(fields)
        out.append(f"/** {_comment(schema.get('doc', ''))} */\nexport interface {name} {{\n{body}\n}}\n")
        return name
    if kind == "enum":
        named[str(schema["name"])] = str(schema["name"])
        out.append(f"export type {schema['name']} = {' | '.join(json.dumps(s) for s in schema['symbols'])};\n")
        return str(schema["name"])
    if kind == "array":
        return f"Array<{_ts_type(schema['items'], named, out)}>"
    if kind == "map":
        return f"Record<string, {_ts_type(schema['values'], named, out)}>"
    if kind == "fixed":
        return "Buffer"
    return _ts_type(kind, named, out)  # {"type": "long", "logicalType": ...}: avsc gives the base type


def _comment(text: str) -> str:
    return " ".join(str(text).split()).replace("*/", "*\\/")


def _render_records(manifest: Manifest) -> Output:
    files: Output = {}
    for topic in manifest.avro_topics:
        schema = manifest.value_schema(topic)
        module, name = record_module_name(topic.value.schema_file or ""), str(schema["name"])
        types: list[str] = []
        _ts_type(schema, {}, types)
        files[PurePosixPath(f"avro/{module}.ts")] = "\n".join([
            f"// Source: contracts/{topic.value.schema_file}",
            'import avro from "avsc";', "",
            "/** The writer schema, as in the contracts (Avro JSON). */",
            f"export const {name}Schema = {json.dumps(schema, indent=2, sort_keys=True)} as const;", "",
            *types,
            f"/** avsc's codec for {name} (long fields as JS numbers; logical types as their base type). */",
            f"export const {name}Type: avro.Type = avro.Type.forSchema(",
            f"  {name}Schema as unknown as avro.Schema,", ");", ""])
    return files


def _render_topics(manifest: Manifest) -> str:
    lines = [f"// Source: {_MANIFEST}",
             "/** The facts of one topic of the manifest. */",
             "export interface TopicSpec {", "  readonly name: string;", "  readonly description: string;",
             "  readonly keyFormat: string;", "  readonly keyField: string | null;",
             "  readonly valueFormat: string;", "  readonly valueSubject: string | null;",
             "  readonly valueSchemaFile: string | null;", "  readonly compatibility: string | null;",
             "  readonly partitions: number;", "  readonly replicationFactor: number;",
             "  readonly retentionMs: number | null;", "  readonly deadLetterTopic: string | null;", "}", "",
             f"export const DEFAULT_COMPATIBILITY = {json.dumps(manifest.default_compatibility)};", ""]
    for topic in manifest.topics:
        avro = topic.value.format == "avro"
        facts = {"name": topic.name, "description": topic.description, "keyFormat": topic.key.format,
                 "keyField": topic.key.field, "valueFormat": topic.value.format,
                 "valueSubject": topic.value.subject, "valueSchemaFile": topic.value.schema_file,
                 "compatibility": manifest.compatibility(topic) if avro else None, "partitions": topic.partitions,
                 "replicationFactor": topic.replication_factor, "retentionMs": topic.retention_ms,
                 "deadLetterTopic": topic.dead_letter_topic}
        lines += [f"/** {_comment(topic.description)} */", f"export const {topic_constant(topic.name)}: TopicSpec = {{",
                  *(f"  {key}: {json.dumps(value)}," for key, value in facts.items()), "};", ""]
    constants = [topic_constant(t.name) for t in manifest.topics]
    lines += [f"export const ALL_TOPICS: readonly TopicSpec[] = [{', '.join(constants)}];", ""]
    for topic in manifest.avro_topics:
        record = str(manifest.value_schema(topic)["name"])
        lines += [f"/** The Avro record that {topic.name}'s values carry (see avro/). */",
                  f"export const {topic_constant(topic.name)}_RECORD = {json.dumps(record)};", ""]
    return "\n".join(lines)
