"""The compiled parts: pipeline._mecab, the tokenizer's fast path (pipeline/_mecab.c), and pipeline._keywords, the
keyword matcher's (pipeline/_keywords.c). Everything else is in pyproject.toml. `optional=True`: without a C
compiler the package still installs; the tokenizer then reads MeCab's text output and the keywords are matched
with pyahocorasick (the same results, slower)."""
import sys

from setuptools import Extension, setup

OPTIMISE = ["-O2"] if sys.platform != "win32" else []
setup(ext_modules=[
    Extension("pipeline._mecab", ["pipeline/_mecab.c"], optional=True,
              libraries=["dl"] if sys.platform.startswith("linux") else [], extra_compile_args=OPTIMISE),
    Extension("pipeline._keywords", ["pipeline/_keywords.c"], optional=True, extra_compile_args=OPTIMISE),
])
