"""The one compiled part: pipeline._mecab, the tokenizer's fast path (see pipeline/_mecab.c). Everything else is in
pyproject.toml. `optional=True`: without a C compiler the package still installs, and the tokenizer reads MeCab's
text output instead (the same tokens, slower)."""
import sys

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipeline._mecab", ["pipeline/_mecab.c"], optional=True,
                             libraries=["dl"] if sys.platform.startswith("linux") else [],
                             extra_compile_args=["-O2"] if sys.platform != "win32" else [])])
