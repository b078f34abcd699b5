"""``subshift contracts check``: every contract against its earlier versions, as one report.

Steps, in order:
1. Make sure git history is complete (deepen a shallow clone) and pick the baseline ref.
2. Protobuf: ``buf lint``, and ``buf breaking`` against the baseline.
3. Avro: each subject of the manifest against every version of its schema file committed up
   to the baseline, under the subject's mode; only breaks new since the baseline count.
4. With a registry: each subject against the versions registered there, and the registry's verdict.
5. Waivers suppress what they match; expired or unused waivers become findings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from avro.schema import Schema

from subshift_contracts.avro_check import AvroVersion, check_avro, parse_schema
from subshift_contracts.avro_paths import field_name, line_of
from subshift_contracts.baseline import new_since_baseline
from subshift_contracts.findings import Finding, Report, SourceLocation, Unit
from subshift_contracts.history import default_baseline, ensure_full_history, file_versions, resolve_ref, set_versions
from subshift_contracts.modes import Mode
from subshift_contracts.proto_check import buf_breaking, buf_lint, has_buf_module, proto_files
from subshift_contracts.registry_check import registered_versions, registry_finding, registry_verdict
from subshift_contracts.waivers import apply_waivers, load_waivers
from subshift_contracts_core.errors import DataError
from subshift_contracts_core.manifest import Manifest, SubjectSpec
from subshift_contracts_core.references import inline_references

__all__ = ["CheckOptions", "run_check"]


@dataclass(frozen=True)
class CheckOptions:
    repo: Path
    against: str | None = None
    registry_url: str | None = None
    today: dt.date | None = None


def run_check(manifest: Manifest, options: CheckOptions) -> Report:
    """Run the whole gate and return its report (findings are values; nothing here exits).

    Raises:
        ContractError: the manifest, waivers file or git history cannot be used.
        DataError: a contract does not parse or compile.
        InfrastructureError: buf or the registry failed.
    """
    repo = options.repo
    notes = [note] if (note := ensure_full_history(repo)) else []
    baseline = options.against or default_baseline(repo)
    if baseline is None:
        notes.append("no earlier commit: every contract is its first version")
    else:
        resolve_ref(repo, baseline)
        notes.append(f"baseline: {baseline}")
    if has_buf_module(repo):
        report = Report(units=tuple(proto_files(repo)), findings=tuple(buf_lint(repo)), notes=tuple(notes))
        if baseline is not None:
            report = report.merged(Report(findings=tuple(buf_breaking(repo, baseline))))
    else:
        report = Report(notes=(*notes, "no buf.yaml and no .proto files: no Protobuf checks"))
    for spec in manifest.subjects:
        report = report.merged(_check_subject(spec, options, baseline))
    waivers_path = manifest.root / "waivers.yaml"
    waivers = load_waivers(waivers_path)
    waivers_file = _relative(repo, waivers_path)
    applied = apply_waivers(report.findings, waivers, today=options.today or dt.date.today(), file=waivers_file)
    units = report.units + ((Unit(name=waivers_file, kind="waivers", file=waivers_file),) if waivers else ())
    return Report(units=units, findings=applied.findings, waived=applied.waived, notes=report.notes)


def _check_subject(spec: SubjectSpec, options: CheckOptions, baseline: str | None) -> Report:
    subject = spec.name
    mode = Mode(spec.mode)
    file = _relative(options.repo, spec.schema_path)
    text = spec.schema_path.read_text(encoding="utf-8")
    new = parse_schema(_resolved(text, [p.read_text(encoding="utf-8") for p in spec.references], source=file),
                       source=file)
    unit = Unit(name=subject, kind="avro subject", file=file)
    history = _history(spec, options.repo, file, baseline) if baseline is not None else []
    findings = check_avro(new, history, mode, subject=subject, new_text=text, new_file=file)
    findings = new_since_baseline(findings, history, mode, subject=subject)
    findings = [_in_referenced_file(finding, text, spec, options.repo) for finding in findings]
    notes: list[str] = [] if history else [f"{subject}: no earlier version in git; this is its first version"]
    if options.registry_url:
        # The registry can only judge a schema whose referenced types it holds already, and a changed
        # referenced type is not registered yet: for such subjects only the gate's verdict is asked.
        ask_registry = not spec.references
        found, note = _against_registry(options.registry_url, subject, new, mode, text, file, ask_registry)
        findings += found
        notes.append(note)
    return Report(units=(unit,), findings=tuple(findings), notes=tuple(notes))


def _history(spec: SubjectSpec, repo: Path, file: str, baseline: str) -> list[AvroVersion]:
    """Each earlier version of the subject's schema, its referenced types as that commit left them."""
    if not spec.references:
        return [AvroVersion(parse_schema(v.text, source=f"{v.path} at {v.origin}"), origin=v.origin)
                for v in file_versions(repo, file, baseline)]
    paths = [file, *(_relative(repo, path) for path in spec.references)]
    versions: list[AvroVersion] = []
    last: str | None = None
    for version in set_versions(repo, paths, baseline):
        source = f"{file} at {version.origin}"
        main, *referenced = version.texts
        resolved = _resolved(str(main), [t for t in referenced if t is not None], source=source, require_use=False)
        if resolved != last:
            versions.append(AvroVersion(parse_schema(resolved, source=source), origin=version.origin))
            last = resolved
    return versions


def _in_referenced_file(finding: Finding, text: str, spec: SubjectSpec, repo: Path) -> Finding:
    """The finding pointed at the referenced file that declares its field, when the subject's own file does not.

    A change inside a referenced type is reported on the subject that uses it, with a path through the
    using field (``$.shipping.zip``); code-scanning tools should mark the line that changed.
    """
    name = field_name(finding.path)
    if not spec.references or name == "$" or _declares(text, name):
        return finding
    for path in spec.references:
        referenced = path.read_text(encoding="utf-8")
        if _declares(referenced, name):
            where = SourceLocation(file=_relative(repo, path), line=line_of(referenced, f"$.{name}") or 1)
            return replace(finding, location=where)
    return finding


def _declares(text: str, name: str) -> bool:
    return re.search(r'"name"\s*:\s*"' + re.escape(name) + '"', text) is not None


def _resolved(text: str, referenced: list[str], *, source: str, require_use: bool = True) -> str:
    """The schema text with its referenced types inlined (unchanged when it references none)."""
    if not referenced:
        return text
    try:
        documents = [json.loads(t) for t in referenced]
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"{source} or a file it references is not valid JSON: {error}", rule="json") from None
    return json.dumps(inline_references(schema, documents, source=source, require_use=require_use), sort_keys=True)


def _against_registry(url: str, subject: str, new: Schema, mode: Mode, text: str,
                      file: str, ask_registry: bool) -> tuple[list[Finding], str]:
    with httpx.Client(base_url=url.rstrip("/"), timeout=10.0) as client:
        registered = registered_versions(client, subject)
        found = check_avro(new, registered, mode, subject=subject, new_text=text, new_file=file)
        verdict = registry_verdict(client, subject, text) if registered and ask_registry else None
    rejected = registry_finding(subject, verdict, url) if verdict else None
    if rejected is not None:
        found.append(replace(rejected, location=SourceLocation(file=file, line=1)))
    if not registered:
        return found, f"{subject}: not registered at {url} yet; it will be its first version there"
    checked = f"{subject}: checked against {len(registered)} version(s) registered at {url}"
    if not ask_registry:
        return found, f"{checked}; the registry's own verdict is not asked (the schema references other files)"
    said = "accepts" if rejected is None else "rejects"
    return found, f"{checked}; the registry {said} it"


def _relative(repo: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)
