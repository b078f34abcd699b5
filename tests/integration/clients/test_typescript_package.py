"""The TypeScript client as another team gets it: `npm pack`, installed into a fresh ESM project, typed.

The install prefers npm's cache (`npm ci` in scripts/bootstrap filled it with the tarballs); what `npm ci` does not keep
(the registry's package documents, which resolving the tarball's ranges needs) is fetched.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "clients" / "typescript"


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def consumer_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm = shutil.which("npm")
    assert npm is not None, "npm is not on PATH; install Node.js 20+"
    project = tmp_path_factory.mktemp("ts-consumer")
    tarball = _run([npm, "pack", "--silent", "--pack-destination", str(project)], PACKAGE).strip().splitlines()[-1]
    (project / "package.json").write_text(json.dumps({"name": "consumer", "private": True, "type": "module"}))
    _run([npm, "install", "--prefer-offline", "--no-audit", "--no-fund", f"./{tarball}"], project)
    return project


def test_the_packed_client_imports_as_esm_with_both_entry_points(consumer_project: Path) -> None:
    script = ("const api = await import('@subshift/client'); const kafka = await import('@subshift/client/kafka');"
              "console.log(api.VERSION, typeof api.SubshiftClient, api.USER_OFFERS.name, typeof kafka.AvroCodec);")
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    output = _run(["node", "--input-type=module", "-e", script], consumer_project)
    assert output.split() == [version, "function", "user-offers", "function"]


def test_the_readme_example_typechecks_strictly_against_the_packed_types(consumer_project: Path) -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```ts\n(.*?)```", readme, re.DOTALL)
    assert example is not None, "clients/typescript/README.md has no ```ts example"
    (consumer_project / "example.mts").write_text(example.group(1), encoding="utf-8")
    (consumer_project / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"strict": True, "noEmit": True, "module": "NodeNext", "moduleResolution": "NodeNext",
                            "target": "ES2022", "lib": ["ES2022", "DOM"], "types": [], "skipLibCheck": True},
        "files": ["example.mts"],
    }))
    _run([str(PACKAGE / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json"], consumer_project)
