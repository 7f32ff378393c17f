"""Conan 2 recipe for mediajobs, a header-only C++20 library.

Use from this repository:  conan create packaging/conan --build=missing [-o mediajobs/*:with_openssl=True]
The version is read from the top-level CMakeLists.txt (project(... VERSION x.y.z)), the single
source of truth; the project's tests check that every recipe agrees with it.
"""
import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load
from conan.tools.layout import basic_layout
from conan.tools.scm import Version

required_conan_version = ">=2.0"


class MediajobsConan(ConanFile):
    name = "mediajobs"
    description = "Header-only C++20 SDK for asynchronous media-generation Jobs APIs (U-Gen, Style engine, TechForgeInnovate)"
    license = "MIT"
    homepage = "https://github.com/mediajobs/mediajobs"
    url = "https://github.com/mediajobs/mediajobs"
    topics = ("header-only", "http", "json", "reflection", "asio", "coroutines", "media", "jobs")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_openssl": [True, False]}
    default_options = {"with_openssl": False}
    no_copy_source = True

    # The recipe lives in packaging/conan/; the sources are two levels up.
    @property
    def _root(self):
        return os.path.join(self.recipe_folder, "..", "..")

    def set_version(self):
        cmakelists = load(self, os.path.join(self._root, "CMakeLists.txt"))
        match = re.search(r"project\(\s*mediajobs\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", cmakelists)
        if not match:
            raise ConanInvalidConfiguration("could not read the version from CMakeLists.txt")
        self.version = match.group(1)

    def export_sources(self):
        copy(self, "LICENSE", self._root, self.export_sources_folder)
        copy(self, "*.hpp", os.path.join(self._root, "include"), os.path.join(self.export_sources_folder, "include"))

    def layout(self):
        basic_layout(self, src_folder=".")

    def requirements(self):
        # Asio's headers are included by ours (mediajobs/asio/, mediajobs/sandbox/): consumers need them.
        self.requires("asio/[>=1.22 <2]", transitive_headers=True)
        if self.options.with_openssl:
            self.requires("openssl/[>=3 <4]", transitive_headers=True)

    # doctest is a test requirement of the project's own CMake builds only: this recipe packages
    # headers and builds nothing, so it neither needs nor propagates doctest.

    def package_id(self):
        self.info.clear()

    def validate(self):
        if self.settings.compiler.get_safe("cppstd"):
            check_min_cppstd(self, 20)
        minimum = {"gcc": "12", "clang": "14", "apple-clang": "15", "msvc": "193"}
        compiler = str(self.settings.compiler)
        version = self.settings.compiler.get_safe("version")
        if compiler in minimum and version and Version(version) < minimum[compiler]:
            raise ConanInvalidConfiguration(
                f"mediajobs needs C++20 with coroutines and concepts: {compiler} >= {minimum[compiler]}")

    def source(self):
        pass

    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"), os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.set_property("cmake_file_name", "mediajobs")
        self.cpp_info.set_property("cmake_target_name", "mediajobs::mediajobs")
        self.cpp_info.set_property("pkg_config_name", "mediajobs")
        self.cpp_info.requires = ["asio::asio"]
        if self.options.with_openssl:
            self.cpp_info.requires += ["openssl::ssl", "openssl::crypto"]
            self.cpp_info.defines.append("MEDIAJOBS_WITH_OPENSSL=1")
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
