#!/usr/bin/env bash
# apt-install.sh TAG PURPOSE PACKAGE...: install Debian packages that a group of tests needs, when we can (as
# root, or through passwordless sudo), saying so first. Never fails the test set-up: without the packages
# those tests skip with a loud reason. HANDMADE_NO_SYSTEM_INSTALL=1 leaves the system alone.
# The install-*.sh scripts check whether their tool is there and call this for the rest.
set -u
tag=$1; purpose=$2; shift 2
# the packages in words: "a", "a and b", "a, b and c"
words=""
for ((i = 1; i <= $#; i++)); do
  if [ "$i" -eq 1 ]; then words="${!i}"; elif [ "$i" -eq "$#" ]; then words="$words and ${!i}"; else words="$words, ${!i}"; fi
done
if [ "${HANDMADE_NO_SYSTEM_INSTALL:-}" = "1" ]; then
  echo "$tag: HANDMADE_NO_SYSTEM_INSTALL=1: not installing $words; $purpose will skip" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$tag: no apt-get (not Debian/Ubuntu): install $words yourself; $purpose will skip" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "$tag: not root and no passwordless sudo: cannot apt-get install $words; $purpose will skip" >&2
  exit 0
fi
echo "$tag: installing Debian's $words system-wide with apt-get (for $purpose; set HANDMADE_NO_SYSTEM_INSTALL=1" \
     "to skip)" >&2
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
   || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }; then
  echo "$tag: installed $words"
else
  echo "$tag: apt-get failed: $purpose will skip" >&2
fi
exit 0
