#!/usr/bin/env bash
# Builds the EdgeNode Debian packages: one per architecture, each with only its own native files.
#   packaging/build-deb.sh [--out DIR] [--arch amd64,arm64,armhf] [--version V] [--publish-dir DIR]
# Called by "./build.sh package" (out: artifacts/packages). One framework-dependent, RID-neutral "dotnet publish"
# serves every package: runtimes/<rid>/native/ is kept for the package's own RID only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DEB="$HERE/debian"
OUT="$ROOT/artifacts/packages"
ARCHES="amd64,arm64,armhf"
VERSION=""
PUBLISH=""

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --arch) ARCHES="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    --publish-dir) PUBLISH="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } ||
    die "cannot install $*"
}

# Tools: dpkg-deb, gzip and md5sum are on every Debian system; file(1) and readelf (binutils) may be missing.
command -v file >/dev/null 2>&1 || apt_install file
command -v readelf >/dev/null 2>&1 || apt_install binutils
for tool in dpkg-deb gzip md5sum file readelf dotnet; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# Debian architecture → .NET RID, and what file(1) says about that architecture's ELF objects.
rid_of() { case "$1" in amd64) echo linux-x64 ;; arm64) echo linux-arm64 ;; armhf) echo linux-arm ;; *) die "unsupported architecture $1" ;; esac; }
triplet_of() { case "$1" in amd64) echo x86_64-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; armhf) echo arm-linux-gnueabihf ;; esac; }
elf_of() { case "$1" in amd64) echo 'ELF 64-bit LSB .*x86-64' ;; arm64) echo 'ELF 64-bit LSB .*ARM aarch64' ;; armhf) echo 'ELF 32-bit LSB .*ARM, EABI5' ;; esac; }

# A strip(1) that understands the architecture's objects: GNU binutils for the target (Debian's binutils-<triplet>,
# installed when missing), else llvm-strip, which handles every target.
strip_tool() {
  local triplet; triplet="$(triplet_of "$1")"
  if ! command -v "$triplet-strip" >/dev/null 2>&1 && ! command -v llvm-strip >/dev/null 2>&1; then
    apt_install "binutils-${triplet//_/-}" >&2
  fi
  if command -v "$triplet-strip" >/dev/null 2>&1; then echo "$triplet-strip"; else echo llvm-strip; fi
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Reproducible output: file times and the changelog date come from the last commit.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

if [ -z "$VERSION" ]; then
  # The build's version: Directory.Build.props <Version>, as MSBuild evaluates it for the host project.
  VERSION="$(dotnet msbuild "$ROOT/src/EdgeNode/EdgeNode.csproj" -getProperty:Version -nologo 2>/dev/null | tr -d '[:space:]' || true)"
  [ -n "$VERSION" ] || VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$ROOT/Directory.Build.props" | head -1)"
fi
[[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "not a Debian version: '$VERSION'"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/edgenode-deb.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ -z "$PUBLISH" ]; then
  PUBLISH="$WORK/publish"
  log "publishing the node once (Release, framework-dependent, RID-neutral)"
  dotnet publish "$ROOT/src/EdgeNode/EdgeNode.csproj" -c Release -nologo -clp:ErrorsOnly -o "$PUBLISH" \
    -p:UseAppHost=false -p:PublishReferencesDocumentationFiles=false -p:PublishDocumentationFile=false >&2
fi
[ -f "$PUBLISH/edgenode.dll" ] || die "no edgenode.dll in $PUBLISH"

# The configuration shipped as a conffile: the project's example, or a minimal one while it is being written.
CONFIG="$ROOT/config/edgenode.example.yaml"
[ -f "$CONFIG" ] || { log "config/edgenode.example.yaml not found: shipping packaging/debian/edgenode.yaml"; CONFIG="$DEB/edgenode.yaml"; }
CONFIG_MD5="$(md5sum < "$CONFIG" | cut -d' ' -f1)"

# changelog.Debian: its newest entry must name the package's version; a build with another version gets one.
changelog() {
  local top
  top="$(sed -n '1s/^edgenode (\([^)]*\)).*/\1/p' "$DEB/changelog")"
  if [ "$top" != "$VERSION" ]; then
    printf 'edgenode (%s) unstable; urgency=medium\n\n  * Build %s from the repository.\n\n -- %s  %s\n\n' \
      "$VERSION" "$VERSION" "EdgeNode maintainers <maintainers@edgenode.dev>" \
      "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
  fi
  cat "$DEB/changelog"
}

mkdir -p "$OUT"
IFS=',' read -r -a arch_list <<< "$ARCHES"
for arch in "${arch_list[@]}"; do
  rm -f "$OUT"/edgenode_*_"$arch".deb
done

for arch in "${arch_list[@]}"; do
  rid="$(rid_of "$arch")"
  stage="$WORK/$arch"
  lib="$stage/usr/lib/edgenode"
  doc="$stage/usr/share/doc/edgenode"
  log "assembling edgenode_${VERSION}_${arch}.deb ($rid)"
  mkdir -p "$lib" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" "$stage/etc/edgenode" \
           "$doc" "$stage/usr/share/man/man1" "$stage/usr/share/lintian/overrides" "$stage/DEBIAN"

  # Managed files (the same in every package), then only this architecture's runtime assets: runtimes/<rid>,
  # plus the OS-generic runtimes/linux and runtimes/unix (managed RID-specific assemblies) when present.
  cp -a "$PUBLISH/." "$lib/"
  rm -rf "$lib/runtimes"
  # XML documentation files are for compilers, not for a deployed node.
  find "$lib" -type f -name '*.xml' -delete
  for dir in "$rid" linux unix; do
    if [ -d "$PUBLISH/runtimes/$dir" ]; then
      mkdir -p "$lib/runtimes"
      cp -a "$PUBLISH/runtimes/$dir" "$lib/runtimes/"
    fi
  done

  install -m 0755 "$DEB/edgenode.launcher" "$stage/usr/bin/edgenode"
  install -m 0644 "$ROOT/systemd/edgenode.service" "$stage/lib/systemd/system/edgenode.service"
  install -m 0644 "$DEB/60-edgenode.rules" "$stage/lib/udev/rules.d/60-edgenode.rules"
  install -m 0644 "$CONFIG" "$stage/etc/edgenode/edgenode.yaml"
  if [ -d "$ROOT/config/types" ] && compgen -G "$ROOT/config/types/*.yaml" >/dev/null; then
    mkdir -p "$stage/etc/edgenode/types"
    install -m 0644 "$ROOT"/config/types/*.yaml "$stage/etc/edgenode/types/"
  fi
  install -m 0644 "$DEB/copyright" "$doc/copyright"
  install -m 0644 "$DEB/README.Debian" "$doc/README.Debian"
  changelog | gzip -9n > "$doc/changelog.Debian.gz"
  sed "s/@VERSION@/$VERSION/g" "$DEB/edgenode.1" | gzip -9n > "$stage/usr/share/man/man1/edgenode.1.gz"
  install -m 0644 "$DEB/lintian-overrides" "$stage/usr/share/lintian/overrides/edgenode"

  # Normalise permissions: directories 0755, files 0644 (shared objects too), executables only where meant.
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f -exec chmod 0644 {} +
  chmod 0755 "$stage/usr/bin/edgenode"

  # Guard: every ELF object must be of this architecture (a stray foreign .so would break the package).
  glibc="2.17"
  while IFS= read -r -d '' f; do
    desc="$(file -b "$f")"
    case "$desc" in ELF*) ;; *) continue ;; esac
    echo "$desc" | grep -Eq "$(elf_of "$arch")" || die "${f#"$stage"} is not a $arch object: $desc"
    # As dh_strip does for shared objects: the NuGet builds keep their symbol tables (Debian policy 10.1).
    "$(strip_tool "$arch")" --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
    # libc6 dependency from the highest GLIBC_ symbol version the objects need (what dpkg-shlibdeps would find).
    need="$(readelf -V --wide "$f" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
    if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$glibc" "$need" | sort -V | tail -1)" = "$need" ]; then glibc="$need"; fi
  done < <(find "$lib" -type f -print0)

  # Maintainer scripts and metadata.
  for script in postinst prerm postrm; do
    sed "s/@CONFIG_MD5@/$CONFIG_MD5/g" "$DEB/$script" > "$stage/DEBIAN/$script"
    chmod 0755 "$stage/DEBIAN/$script"
  done
  (cd "$stage" && find etc -type f | sort | sed 's:^:/:') > "$stage/DEBIAN/conffiles"
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's:^\./::' | LC_ALL=C sort | xargs -d '\n' md5sum) \
    > "$stage/DEBIAN/md5sums"
  size="$(du -k -s --apparent-size --exclude=DEBIAN "$stage" | cut -f1)"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@GLIBC@/$glibc/" \
    "$DEB/control.in" > "$stage/DEBIAN/control"
  chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$OUT/edgenode_${VERSION}_${arch}.deb" >/dev/null
  log "built $OUT/edgenode_${VERSION}_${arch}.deb"
done
