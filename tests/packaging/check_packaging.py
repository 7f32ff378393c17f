#!/usr/bin/env python3
"""Offline checks of the packaging recipes (neither conan nor vcpkg can run here).

- every place that states the version agrees with CMakeLists.txt;
- the Conan recipe and its test_package compile (py_compile) and say what the recipe promises;
- vcpkg.json parses and names the right dependencies and features;
- the portfile turns tests/examples/benchmarks/tools off and mentions no path of a machine.
Exits non-zero with one line per problem.
"""
import ast
import json
import pathlib
import py_compile
import re
import sys
import tempfile

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


cmakelists = (root / "CMakeLists.txt").read_text()
m = re.search(r"project\(\s*mediajobs\s+VERSION\s+([0-9]+)\.([0-9]+)\.([0-9]+)", cmakelists)
check(m is not None, "CMakeLists.txt: no project(mediajobs VERSION x.y.z)")
version = ".".join(m.groups()) if m else "?"

# core/config.hpp repeats the version for the preprocessor.
config = (root / "include/mediajobs/core/config.hpp").read_text()
for part, value in zip(("MAJOR", "MINOR", "PATCH"), version.split(".")):
    mm = re.search(rf"#define MEDIAJOBS_VERSION_{part} (\d+)", config)
    check(mm and mm.group(1) == value, f"config.hpp: MEDIAJOBS_VERSION_{part} disagrees with CMakeLists.txt ({version})")
mm = re.search(r'#define MEDIAJOBS_VERSION_STRING "([^"]+)"', config)
check(mm and mm.group(1) == version, f"config.hpp: MEDIAJOBS_VERSION_STRING disagrees with CMakeLists.txt ({version})")

# Conan: compiles, reads the version from CMakeLists.txt with a pattern that matches it.
conanfile = root / "packaging/conan/conanfile.py"
for f in (conanfile, root / "packaging/conan/test_package/conanfile.py"):
    try:
        with tempfile.TemporaryDirectory() as tmp:  # never write .pyc files into the tree
            py_compile.compile(str(f), doraise=True, cfile=str(pathlib.Path(tmp) / "recipe.pyc"))
    except py_compile.PyCompileError as e:
        problems.append(f"{f.relative_to(root)} does not compile: {e.msg}")
src = conanfile.read_text()
tree = ast.parse(src)
cls = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
check(cls is not None, "conanfile.py: no recipe class")
attrs = {}
methods = set()
if cls:
    for n in cls.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            try:
                attrs[n.targets[0].id] = ast.literal_eval(n.value)
            except ValueError:
                pass
        if isinstance(n, ast.FunctionDef):
            methods.add(n.name)
check(attrs.get("name") == "mediajobs", "conanfile.py: name is not mediajobs")
check(attrs.get("package_type") == "header-library", "conanfile.py: package_type is not header-library")
check(attrs.get("no_copy_source") is True, "conanfile.py: no_copy_source is not True")
check(attrs.get("options", {}).get("with_openssl") == [True, False], "conanfile.py: no with_openssl option")
for meth in ("set_version", "package_id", "validate", "requirements", "package", "package_info"):
    check(meth in methods, f"conanfile.py: no {meth}()")
pattern = re.search(r're\.search\(r"([^"]+)"', src)
check(pattern is not None and re.search(pattern.group(1), cmakelists) is not None
      and re.search(pattern.group(1), cmakelists).group(1) == version,
      "conanfile.py: set_version() pattern does not read the CMakeLists.txt version")
check("self.info.clear()" in src, "conanfile.py: package_id() must clear settings")
check("check_min_cppstd(self, 20)" in src, "conanfile.py: validate() must check C++20")
check(re.search(r'self\.requires\("asio/[^"]*",\s*transitive_headers=True\)', src) is not None,
      "conanfile.py: asio must be required with transitive_headers=True")
check('"openssl/[>=3 <4]"' in src, "conanfile.py: with_openssl must require openssl/[>=3 <4]")
check('"cmake_target_name", "mediajobs::mediajobs"' in src, "conanfile.py: CMake target is not mediajobs::mediajobs")
check('"cmake_file_name", "mediajobs"' in src, "conanfile.py: CMake file name is not mediajobs")
check('"pkg_config_name", "mediajobs"' in src, "conanfile.py: pkg-config name is not mediajobs")
check("doctest" not in re.sub(r"#.*", "", src), "conanfile.py: doctest must not be a requirement of the package")
tp = (root / "packaging/conan/test_package/CMakeLists.txt").read_text()
check("find_package(mediajobs CONFIG REQUIRED)" in tp and "mediajobs::mediajobs" in tp,
      "test_package/CMakeLists.txt: must use find_package(mediajobs CONFIG REQUIRED) and mediajobs::mediajobs")

# vcpkg
port = root / "packaging/vcpkg/mediajobs"
try:
    manifest = json.loads((port / "vcpkg.json").read_text())
except (OSError, json.JSONDecodeError) as e:
    manifest = {}
    problems.append(f"vcpkg.json does not parse: {e}")
check(manifest.get("name") == "mediajobs", "vcpkg.json: name is not mediajobs")
check(manifest.get("version") == version, f"vcpkg.json: version {manifest.get('version')} disagrees with CMakeLists.txt ({version})")
deps = manifest.get("dependencies", [])
names = {d if isinstance(d, str) else d.get("name"): d for d in deps}
check("asio" in names, "vcpkg.json: must depend on asio")
for host_dep in ("vcpkg-cmake", "vcpkg-cmake-config"):
    d = names.get(host_dep)
    check(isinstance(d, dict) and d.get("host") is True, f"vcpkg.json: {host_dep} must be a host dependency")
feat = manifest.get("features", {}).get("openssl", {})
check("openssl" in feat.get("dependencies", []), "vcpkg.json: feature openssl must depend on openssl")
portfile = (port / "portfile.cmake").read_text()
for opt in ("TESTS", "EXAMPLES", "BENCHMARKS", "TOOLS"):
    check(f"-DMEDIAJOBS_BUILD_{opt}=OFF" in portfile, f"portfile.cmake: MEDIAJOBS_BUILD_{opt} is not turned off")
for call in ("vcpkg_cmake_configure", "vcpkg_cmake_install", "vcpkg_cmake_config_fixup", "vcpkg_install_copyright"):
    check(call in portfile, f"portfile.cmake: no {call}")
check(re.search(r'REMOVE_RECURSE[^)]*"\$\{CURRENT_PACKAGES_DIR\}/lib"', portfile) is not None, "portfile.cmake: lib/ is not removed")
check(re.search(r"(/work/|/home/|/root/|/tmp/|/Users/|[A-Za-z]:\\\\)", portfile) is None, "portfile.cmake: mentions a machine path")
usage = (port / "usage").read_text()
check("find_package(mediajobs CONFIG REQUIRED)" in usage and "mediajobs::mediajobs" in usage,
      "usage: must show find_package(mediajobs CONFIG REQUIRED) and mediajobs::mediajobs")

# README install section names exactly what the recipes define.
readme = (root / "README.md").read_text()
for needle in ("find_package(mediajobs CONFIG REQUIRED)", "mediajobs::mediajobs", "conan", "vcpkg"):
    check(needle in readme, f"README.md: install section does not mention {needle}")

if problems:
    for p in problems:
        print("packaging:", p)
    sys.exit(1)
print(f"packaging: recipes agree on version {version}; conan recipe, vcpkg port and usage are consistent")
