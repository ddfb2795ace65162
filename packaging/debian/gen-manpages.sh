#!/bin/bash
# gen-manpages.sh BUILDDIR MANDIR VERSION: man pages for the CLI and every worker from their --help
# (help2man), so each page lists every option with its default and its DECNET_* variable. A program
# whose --help cannot be read gets a short page naming its unit and its config file instead.
set -euo pipefail
builddir=$1 mandir=$2 version=$3
mkdir -p "$mandir/man1" "$mandir/man8"

page() {  # page EXE SECTION NAME-LINE
  local exe=$1 sect=$2 what=$3 base out
  base=$(basename "$exe")
  out="$mandir/man$sect/$base.$sect"
  if timeout 10 help2man --no-info --no-discard-stderr --section="$sect" --name="$what" \
       --version-string="$version" --output="$out" "$exe" >/dev/null 2>&1; then
    return
  fi
  echo "gen-manpages.sh: help2man failed for $base; writing a short page" >&2
  cat > "$out" <<PAGE
.TH ${base^^} $sect "" "decnet $version" "DECNET"
.SH NAME
$base \\- $what
.SH SYNOPSIS
.B $base
[\\fIoptions\\fR]
.SH DESCRIPTION
Run \\fB$base \\-\\-help\\fR for every option, its default and its environment variable.
Configuration is read from /etc/decnet/decnet.ini (or \\fB\$DECNET_CONFIG\\fR).
PAGE
}

page "$builddir/bin/decnet" 1 "DECNET operator command-line tool"
while IFS=$'\x1f' read -r name exe _shlibs _caps _fams desc; do
  [[ -z $name || $name == \#* ]] && continue
  page "$builddir/bin/$exe" 8 "DECNET $name worker: $desc"
done < <(tr '\t' '\037' < "$builddir/workers.tsv")
