"""One importable module per Protobuf package, e.g. ``migration_v1`` for ``subshift.migration.v1``.

It names every message, enum, extension and service of the package explicitly (``X as X``,
so type checkers see re-exports), plus a ``ServiceDescriptor`` constant per service for
reflection and option lookups. Rendered from protoc's descriptor set, not by importing the
freshly generated modules, so generation never depends on what is already importable.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from google.protobuf import descriptor_pb2

from subshift_tooling.codegen.protobuf import GENERATED_PACKAGE
from subshift_tooling.codegen.render import Output, camel_to_upper_snake, module_docstring

__all__ = ["facade_module_name", "render_facades"]


def facade_module_name(package: str) -> str:
    """``subshift.migration.v1`` → ``migration_v1`` (the product prefix dropped)."""
    parts = package.split(".")
    return "_".join(parts[1:] if len(parts) > 1 else parts)


def render_facades(fds: descriptor_pb2.FileDescriptorSet) -> Output:
    """A facade module per proto package found in ``fds``."""
    by_package: dict[str, list[descriptor_pb2.FileDescriptorProto]] = defaultdict(list)
    for file in fds.file:
        by_package[file.package].append(file)
    return {
        PurePosixPath(f"{facade_module_name(package)}.py"): _render(package, sorted(files, key=lambda f: f.name))
        for package, files in sorted(by_package.items())
    }


def _render(package: str, files: list[descriptor_pb2.FileDescriptorProto]) -> str:
    imports: list[str] = []
    exported: list[str] = []
    services: list[tuple[str, str, str]] = []
    for file in files:
        module = _module_of(file.name)
        names = [m.name for m in file.message_type] + [e.name for e in file.enum_type]
        names += [x.name for x in file.extension]
        for name in names:
            imports.append(f"from {module}_pb2 import {name} as {name}")
            exported.append(name)
        for service in file.service:
            for name in (f"{service.name}Stub", f"{service.name}Servicer", f"add_{service.name}Servicer_to_server"):
                imports.append(f"from {module}_pb2_grpc import {name} as {name}")
                exported.append(name)
            services.append((camel_to_upper_snake(service.name), f"{module}_pb2", service.name))
    lines = [module_docstring(f"Every message, enum, extension and service of ``{package}``.",
                              ", ".join(f"contracts/proto/{f.name}" for f in files)),
             "from __future__ import annotations", ""]
    if services:
        lines.append("from google.protobuf.descriptor import ServiceDescriptor")
        lines += [f"import {module} as _{module.rsplit('.', 1)[1]}" for _, module, _ in services]
    lines += sorted(imports)
    lines.append("")
    for constant, module, name in services:
        alias = "_" + module.rsplit(".", 1)[1]
        lines.append(f"{constant}: ServiceDescriptor = {alias}.DESCRIPTOR.services_by_name[{name!r}]")
        exported.append(constant)
    lines += ["", "__all__ = ["] + [f"    {name!r}," for name in sorted(exported)] + ["]", ""]
    return "\n".join(lines)


def _module_of(proto_name: str) -> str:
    return f"{GENERATED_PACKAGE}.{proto_name.removesuffix('.proto').replace('/', '.')}"
