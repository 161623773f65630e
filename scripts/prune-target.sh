#!/usr/bin/env bash
# Keeps the build directory from growing without bound across runs: every build leaves a new test binary (hundreds
# of MB each) beside the old ones, and incremental caches pile up per feature set. This removes, in the target
# directory, every executable in deps/ and examples/ but the newest of each name, leftovers of a link that died
# (*.rcgu.o), and incremental caches not used for a day. Cargo rebuilds anything it still needs.
set -euo pipefail
target="${CARGO_TARGET_DIR:-$HOME/.cache/bi-console/target}"
[ -d "$target" ] || exit 0
before=$(du -sm "$target" | cut -f1)
while IFS= read -r -d '' dir; do
  # Newest first; a name seen before is an older build of the same test or example.
  (cd "$dir" && find . -maxdepth 1 -type f -perm -u+x -regextype posix-extended -regex '\./.+-[0-9a-f]{16}' \
      -printf '%T@ %f\n' | sort -rn | awk '{ name = $2; sub(/-[0-9a-f]+$/, "", name); if (seen[name]++) print $2 }' |
    xargs -r rm -f --)
done < <(find "$target" -type d \( -name deps -o -name examples \) -print0)
find "$target" -path '*/deps/*.rcgu.o' -type f -delete
find "$target" -mindepth 3 -maxdepth 4 -path '*/incremental/*' -type d -mtime +0 -prune -exec rm -rf {} +
after=$(du -sm "$target" | cut -f1)
echo "build directory: ${before} MB -> ${after} MB; $(df -h --output=avail "$target" | tail -1 | tr -d ' ') free"
