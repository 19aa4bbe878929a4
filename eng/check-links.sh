#!/usr/bin/env bash
# Checks the links of every tracked Markdown file:
#   - every relative link ([text](path), ![alt](path), [ref]: path) names a file or folder that exists, relative to
#     the Markdown file (or to the repository root when it starts with /);
#   - every #anchor, on the same page or on another Markdown file, names a heading there (GitHub's slug: lower case,
#     punctuation dropped, spaces to hyphens, -1, -2, ... for repeats) or an <a id/name> anchor;
#   - a package's readme (the README.md a project under Interceptors/ packs, PackageReadmeFile) has no relative link
#     at all, #anchors included: a package site shows it alone, so only absolute https:// links work there.
# Links inside code (fenced blocks, `inline code`) are not links. External links (https://, mailto:, ...) are not
# fetched. Lists every broken link as FILE:LINE: LINK (why) and exits 1 if there is one; needs git and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The readmes the packages carry: README.md beside each packable project that packs it.
packed=()
for project in Interceptors/*/*.csproj; do
  dir=$(dirname "$project")
  if grep -qE '<None Include="README.md"[^>]*Pack="true"' "$project" && [[ -f $dir/README.md ]]; then
    packed+=("$dir/README.md")
  fi
done

python3 - "${packed[@]}" <<'PY'
import os
import re
import subprocess
import sys
import unicodedata

files = [f for f in subprocess.run(["git", "ls-files", "-z", "--", "*.md"], capture_output=True, check=True,
                                   text=True).stdout.split("\0") if f]
packed = set(os.path.normpath(p) for p in sys.argv[1:])

FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:[^>]*\s)?(?:id|name)=\"([^\"]+)\"", re.I)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def lines_outside_code(path):
    """(line number, text) of every line outside fenced code, with inline code removed."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = FENCE.match(line)
            if fence is None and m:
                fence = m.group(1)[0] * len(m.group(1))
                continue
            if fence is not None:
                if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                    fence = None
                continue
            yield number, INLINE_CODE.sub("", line)


def slug(text):
    """GitHub's heading anchor."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)   # a link's text only
    text = re.sub(r"<[^>]+>", "", text)                      # HTML tags
    text = text.replace("`", "").lower()
    kept = []
    for ch in text:
        if ch in " -_" or ch.isalnum():
            kept.append(ch)
        elif unicodedata.category(ch).startswith(("L", "N", "M")):
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


anchor_cache = {}


def anchors(path):
    if path not in anchor_cache:
        found, seen = set(), {}
        for _, line in lines_outside_code_with_code(path):
            m = HEADING.match(line)
            if m:
                s = slug(m.group(2))
                n = seen.get(s, 0)
                found.add(s if n == 0 else f"{s}-{n}")
                seen[s] = n + 1
            for a in HTML_ANCHOR.findall(line):
                found.add(a)
        anchor_cache[path] = found
    return anchor_cache[path]


def lines_outside_code_with_code(path):
    """Like lines_outside_code, but keeps inline code (a heading's slug includes its text)."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = FENCE.match(line)
            if fence is None and m:
                fence = m.group(1)[0] * len(m.group(1))
                continue
            if fence is not None:
                if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                    fence = None
                continue
            yield number, line


broken = []
checked = 0
for md in files:
    if not os.path.isfile(md):
        continue
    here = os.path.dirname(md)
    is_packed = os.path.normpath(md) in packed
    for number, line in lines_outside_code(md):
        targets = [m.group(1) for m in LINK.finditer(line)]
        ref = REFERENCE.match(line)
        if ref:
            targets.append(ref.group(1))
        for target in targets:
            if SCHEME.match(target):
                continue
            checked += 1
            where = f"{md}:{number}: {target}"
            if is_packed:
                broken.append(f"{where} (a relative link in a packed package readme; use an absolute https:// URL)")
                continue
            path, _, anchor = target.partition("#")
            path = path.split("?", 1)[0]
            if path:
                resolved = os.path.normpath(path.lstrip("/") if path.startswith("/") else os.path.join(here, path))
                if not os.path.exists(resolved):
                    broken.append(f"{where} (no such file: {resolved})")
                    continue
            else:
                resolved = os.path.normpath(md)
            if anchor:
                if not resolved.endswith(".md") or not os.path.isfile(resolved):
                    continue  # a line anchor in source (#L10) or an anchor in a non-Markdown file: not checked
                if anchor not in anchors(resolved):
                    broken.append(f"{where} (no heading or anchor #{anchor} in {resolved})")

for b in broken:
    print(b)
print(f"check-links: {len(files)} Markdown files, {checked} relative links, {len(broken)} broken; "
      f"{len(packed)} packed readme(s) checked for relative links")
sys.exit(1 if broken else 0)
PY
