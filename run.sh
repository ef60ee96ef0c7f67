#!/usr/bin/env bash
# Set up (idempotent) and run.   ./run.sh app   — the Streamlit app on the Taoyuan default data
#                                ./run.sh test  — the whole test suite
#                                ./run.sh cli ARGS… — the safetynet command line
set -euo pipefail
cd "$(dirname "$0")"

python_bin=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "run.sh: Python 3.11 is required (found $("$python_bin" --version 2>&1)); set PYTHON=..." >&2
  exit 1
fi

# System packages: a CJK font for maps/PDFs, chromium for the browser tests, poppler for PDF checks.
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: installing ${need[*]}" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "run.sh: warning: missing system packages ${need[*]} (install them with apt-get as root)" >&2
  fi
fi

# Python environment, reinstalled only when the pins change.
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
  rm -f .venv/.installed-* && touch "$stamp"
fi

cmd=${1:-app}; shift || true
case "$cmd" in
  app)  exec .venv/bin/streamlit run app.py "$@" ;;
  test) exec .venv/bin/python -m pytest "$@" ;;
  cli)  exec .venv/bin/safetynet "$@" ;;
  *) echo "usage: ./run.sh app|test|cli [args]" >&2; exit 2 ;;
esac
