"""A PEP 517 build backend with no requirements, for `pip install ./clients/python` on a machine
with no package index: pip builds in an isolated environment, where setuptools or flit would have to
be downloaded first. It packs the pure-Python package grpctuner/ into a wheel, with the metadata of
pyproject.toml's [project] table."""
import base64
import hashlib
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "grpctuner"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _dist_info(project: dict) -> str:
    return f"{project['name']}-{project['version']}.dist-info"


def _metadata(project: dict) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}", f"Summary: {project['description']}",
             f"Requires-Python: {project['requires-python']}"]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {d}; extra == "{extra}"' for d in deps]
    readme = ROOT / project.get("readme", "README.md")
    body = readme.read_text() if readme.exists() else ""
    return "\n".join(lines + ["Description-Content-Type: text/markdown", "", body])


def _files(project: dict) -> dict:
    files = {str(p.relative_to(ROOT)): p.read_bytes() for p in sorted((ROOT / PACKAGE).rglob("*.py"))}
    info = _dist_info(project)
    files[f"{info}/METADATA"] = _metadata(project).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: grpctuner_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = f"{PACKAGE}\n".encode()
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project = _project()
    info = Path(metadata_directory) / _dist_info(project)
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata(project))
    return info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    name = f"{project['name']}-{project['version']}-py3-none-any.whl"
    files = _files(project)
    record = f"{_dist_info(project)}/RECORD"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
        wheel.writestr(record, "\n".join([_record_line(p, d) for p, d in files.items()] + [f"{record},,", ""]))
    return name


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{project['name']}-{project['version']}"
    with tarfile.open(Path(sdist_directory) / f"{base}.tar.gz", "w:gz") as sdist:
        for path in ["pyproject.toml", "README.md", "build_backend/grpctuner_build.py", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / PACKAGE).rglob("*.py")))]:
            if (ROOT / path).exists():
                sdist.add(ROOT / path, arcname=f"{base}/{path}")
    return f"{base}.tar.gz"
