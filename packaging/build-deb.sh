#!/usr/bin/env bash
# Builds the Debian packages of EdgeNode's applications: one per application and architecture, each with only its
# own architecture's native files.
#   packaging/build-deb.sh [--out DIR] [--arch amd64,arm64,armhf] [--app edgenode,edgenode-bridge] [--version V]
#                          [--publish-dir DIR] [--reuse-publish]
# Called by "./build.sh package" (out: artifacts/packages). amd64 and arm64 packages need no .NET on the gateway: the
# node's are NativeAOT (/usr/lib/edgenode/edgenode is native code, no runtime at all; gcc for amd64 and the aarch64
# cross gcc for arm64 are installed from apt when missing), the bridge's self-contained and trimmed (the .NET runtime
# is inside); armhf is framework-dependent because no linux-arm runtime packs are served. Publishes go to artifacts/publish/<app>-<arch>; --reuse-publish takes an
# existing one instead of publishing again; --publish-dir DIR packages DIR (one publish) for every architecture.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$ROOT/artifacts/packages"
ARCHES=""
APPS_WANTED=""
VERSION=""
PUBLISH=""
REUSE=0

# The applications: name | project | Debian files | systemd unit | example configuration | types folder | architectures
# | form of the amd64/arm64 publish: "aot" (NativeAOT), or self-contained with a trim mode (full, partial, or
# "project": whatever the project sets, untrimmed unless it sets PublishTrimmed). The node is NativeAOT: measured by
# "./build.sh bench footprint" against the trimmed self-contained form (README "Footprint: the shipped form"). An application whose project does not exist (yet) is skipped. The bridge's is "project":
# Confluent.Kafka 2.16 binds librdkafka's entry points by reflection over its NativeMethods classes and the trimmer
# reports that (IL2104, an error here) even in partial mode, so the bridge's project decides (PublishTrimmed with
# TrimmerRootAssembly Confluent.Kafka, say) and the package follows.
APPS=(
  "edgenode|src/EdgeNode/EdgeNode.csproj|packaging/debian|systemd/edgenode.service|config/edgenode.example.yaml|config/types|amd64,arm64,armhf|aot"
  "edgenode-bridge|src/EdgeNode.Bridge/EdgeNode.Bridge.csproj|packaging/debian-bridge|systemd/edgenode-bridge.service|config/edgenode-bridge.example.yaml|-|amd64,arm64|project"
)

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --arch) ARCHES="$2"; shift 2 ;;
    --app) APPS_WANTED="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    --publish-dir) PUBLISH="$2"; shift 2 ;;
    --reuse-publish) REUSE=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# Self-contained where the registry serves the runtime packs (linux-x64, linux-arm64); armhf needs the runtime installed.
self_contained_arch() { [ "$1" = amd64 ] || [ "$1" = arm64 ]; }

# A strip(1) that understands the architecture's objects: GNU binutils for the target (Debian's binutils-<triplet>,
# installed when missing), else llvm-strip, which handles every target.
strip_tool() {
  local triplet; triplet="$(triplet_of "$1")"
  if ! command -v "$triplet-strip" >/dev/null 2>&1 && ! command -v llvm-strip >/dev/null 2>&1; then
    apt_install "binutils-${triplet//_/-}" >&2
  fi
  if command -v "$triplet-strip" >/dev/null 2>&1; then echo "$triplet-strip"; else echo llvm-strip; fi
}

# NativeAOT's native toolchain for an architecture: clang links the executable (for arm64 on an x86-64 machine with
# --target=aarch64-linux-gnu, which the ILCompiler targets pass, and Debian's aarch64 cross binutils, C library and
# GCC runtime objects: gcc-aarch64-linux-gnu, libc6-dev-arm64-cross); objcopy of the target splits the symbols off.
# Installed from apt when missing. Prints the extra "dotnet publish" arguments. (The cross gcc alone cannot link:
# the targets always pass --target=, which only clang understands.)
aot_toolchain() {
  local arch="$1" host triplet
  host="$(dpkg --print-architecture)"
  triplet="$(triplet_of "$arch")"
  command -v clang >/dev/null 2>&1 || apt_install clang >&2
  if [ "$arch" = "$host" ]; then
    [ -f /usr/include/stdio.h ] || apt_install libc6-dev >&2
    printf '%s\n' "-p:CppCompilerAndLinker=clang" "-p:ObjCopyName=objcopy"
    return 0
  fi
  [ "$arch" = arm64 ] && [ "$host" = amd64 ] || die "no NativeAOT cross toolchain for $arch on $host"
  command -v "$triplet-objcopy" >/dev/null 2>&1 && [ -f "/usr/$triplet/include/stdio.h" ] && [ -d "/usr/lib/gcc-cross/$triplet" ] ||
    apt_install "gcc-${triplet//_/-}" "libc6-dev-$arch-cross" >&2
  printf '%s\n' "-p:CppCompilerAndLinker=clang" "-p:ObjCopyName=$triplet-objcopy"
}

# The Debian package that provides a shared library the objects are linked against (what dpkg-shlibdeps would say on
# Debian 12 and Raspberry Pi OS). An unknown soname stops the build: it must be named here, not silently left out.
package_of_soname() {
  case "$1" in
    libc.so.6|libm.so.6|libdl.so.2|librt.so.1|libpthread.so.0|ld-linux-x86-64.so.2|ld-linux-aarch64.so.1|ld-linux-armhf.so.3) echo libc6 ;;
    libstdc++.so.6) echo libstdc++6 ;;
    libgcc_s.so.1) echo libgcc-s1 ;;
    libz.so.1) echo zlib1g ;;
    libssl.so.3|libcrypto.so.3) echo "libssl3 | libssl3t64" ;;
    libsasl2.so.2) echo libsasl2-2 ;;
    libzstd.so.1) echo libzstd1 ;;
    liblz4.so.1) echo liblz4-1 ;;
    *) return 1 ;;
  esac
}

# loadable_on_debian SO: every library it is linked against is the package's own or a known Debian package's.
loadable_on_debian() {
  local soname
  while read -r soname; do
    [ -z "$soname" ] || [ -e "$(dirname "$1")/$soname" ] || package_of_soname "$soname" >/dev/null || return 1
  done < <(readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
}

# Native packages bring builds for other systems next to the Debian one. Windows DLLs go; builds for musl (Alpine) can never load here;
# a "centos8-" build replaces its plain sibling when that one cannot load on Debian: librdkafka.redist's linux-x64
# librdkafka.so links Cyrus SASL as libsasl2.so.3 (RHEL's soname; Debian 12 and Raspberry Pi OS have libsasl2.so.2),
# its centos8-librdkafka.so needs only libc (SASL PLAIN/SCRAM/OAUTHBEARER built in, no GSSAPI).
prune_native_variants() {
  local f base
  # Windows builds (librdkafka.redist copies its win-x64 DLLs to librdkafka/x64/): PE files that are not .NET assemblies.
  while IFS= read -r -d '' f; do
    case "$(file -b "$f")" in PE32*Mono/.Net\ assembly*) ;; PE32*) rm -f "$f" ;; esac
  done < <(find "$1" -type f -iname '*.dll' -print0)
  find "$1" -mindepth 1 -type d -empty -delete
  while IFS= read -r -d '' f; do
    if readelf -d "$f" 2>/dev/null | grep -q 'NEEDED.*libc\.musl'; then rm -f "$f"; fi
  done < <(find "$1" -type f -name '*.so*' -print0)
  while IFS= read -r -d '' f; do
    base="$(dirname "$f")/$(basename "$f" | sed 's/^centos8-//')"
    if [ -f "$base" ] && ! loadable_on_debian "$base" && loadable_on_debian "$f"; then mv -f "$f" "$base"; else rm -f "$f"; fi
  done < <(find "$1" -type f -name 'centos8-*.so*' -print0)
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Reproducible output: file times and the changelog date come from the last commit.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

if [ -z "$VERSION" ]; then
  # The build's version: Directory.Build.props <Version>, as MSBuild evaluates it for the node's project.
  VERSION="$(dotnet msbuild "$ROOT/src/EdgeNode/EdgeNode.csproj" -getProperty:Version -nologo 2>/dev/null | tr -d '[:space:]' || true)"
  [ -n "$VERSION" ] || VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$ROOT/Directory.Build.props" | head -1)"
fi
[[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "not a Debian version: '$VERSION'"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/edgenode-deb.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# publish APP PROJECT ARCH DIR TRIMMODE: the application for one architecture. Self-contained and trimmed for amd64/arm64 (the
# trimmer keeps only the framework parts the code reaches; trim warnings are errors, as every warning is here);
# framework-dependent and RID-neutral for armhf (runtimes/<rid>/native is filtered when the package is assembled).
publish() {
  local app="$1" project="$2" arch="$3" dir="$4" trim="$5"
  if [ "$REUSE" = 1 ] && { [ -f "$dir/$app.dll" ] || [ -f "$dir/$app" ]; }; then
    log "reusing the $app publish in ${dir#"$ROOT"/}"
    return 0
  fi
  rm -rf "$dir"
  if self_contained_arch "$arch" && [ "$trim" = aot ]; then
    local toolchain=()
    mapfile -t toolchain < <(aot_toolchain "$arch")
    log "publishing $app for $(rid_of "$arch") (NativeAOT)"
    dotnet publish "$ROOT/$project" -c Release -nologo -clp:ErrorsOnly -o "$dir" -r "$(rid_of "$arch")" \
      -p:PublishAot=true -p:UseAppHost=true ${toolchain[@]+"${toolchain[@]}"} \
      -p:PublishReferencesDocumentationFiles=false -p:PublishDocumentationFile=false >&2
  elif self_contained_arch "$arch"; then
    local trimming=()
    [ "$trim" = project ] || trimming=(-p:PublishTrimmed=true -p:TrimMode="$trim")
    log "publishing $app for $(rid_of "$arch") (self-contained, trimmed: $trim)"
    dotnet publish "$ROOT/$project" -c Release -nologo -clp:ErrorsOnly -o "$dir" -r "$(rid_of "$arch")" \
      --self-contained ${trimming[@]+"${trimming[@]}"} -p:UseAppHost=true \
      -p:PublishReferencesDocumentationFiles=false -p:PublishDocumentationFile=false >&2
  else
    log "publishing $app (framework-dependent, RID-neutral)"
    dotnet publish "$ROOT/$project" -c Release -nologo -clp:ErrorsOnly -o "$dir" \
      -p:UseAppHost=false \
      -p:PublishReferencesDocumentationFiles=false -p:PublishDocumentationFile=false >&2
  fi
}

# Runtime parts a self-contained node never uses: the debugger's data-access libraries, the standalone GCs (only
# loaded when configured), the LTTng tracing provider (it would need liblttng-ust) and the crash-dump writer.
UNUSED_RUNTIME=(libmscordaccore.so libmscordbi.so libclrgc.so libclrgcexp.so libcoreclrtraceptprovider.so createdump)

# changelog APP DEBDIR: changelog.Debian; its newest entry must name the package's version (a build with another
# version gets one).
changelog() {
  local app="$1" deb="$2" top
  top="$(sed -n "1s/^$app (\([^)]*\)).*/\1/p" "$deb/changelog")"
  if [ "$top" != "$VERSION" ]; then
    printf '%s (%s) unstable; urgency=medium\n\n  * Build %s from the repository.\n\n -- %s  %s\n\n' \
      "$app" "$VERSION" "$VERSION" "EdgeNode maintainers <maintainers@edgenode.dev>" \
      "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
  fi
  cat "$deb/changelog"
}

contains() { [[ ",$1," == *",$2,"* ]]; }

# assemble APP DEBDIR UNIT CONFIG TYPES ARCH PUBLISHDIR: one .deb.
assemble() {
  local app="$1" deb="$2" unit="$3" config="$4" types="$5" arch="$6" pub="$7"
  local rid stage lib doc form aot
  rid="$(rid_of "$arch")"
  stage="$WORK/$app-$arch"
  lib="$stage/usr/lib/$app"
  doc="$stage/usr/share/doc/$app"
  [ -f "$pub/$app.dll" ] || [ -f "$pub/$app" ] || die "no $app.dll nor $app in $pub"
  # The publish decides the form: with the apphost and the runtime beside the assembly it is self-contained; an
  # executable without an assembly is NativeAOT. Both carry what they need (native: "self-contained" below).
  if [ -f "$pub/$app" ] && [ -f "$pub/libcoreclr.so" ]; then form=self-contained; aot=0
  elif [ -f "$pub/$app" ] && [ ! -f "$pub/$app.dll" ]; then form=self-contained; aot=1
  else form=framework-dependent; aot=0; fi
  log "assembling ${app}_${VERSION}_${arch}.deb ($rid, $([ "$aot" = 1 ] && echo NativeAOT || echo "$form"))"
  rm -rf "$stage"
  mkdir -p "$lib" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/$app" "$doc" "$stage/usr/share/man/man1" \
           "$stage/usr/share/lintian/overrides" "$stage/DEBIAN"

  # The publish, then only this architecture's runtime assets: runtimes/<rid>, plus the OS-generic runtimes/linux and
  # runtimes/unix (managed RID-specific assemblies) when present.
  cp -a "$pub/." "$lib/"
  rm -rf "$lib/runtimes"
  # XML documentation files are for compilers, symbols for debuggers: neither belongs on a gateway.
  find "$lib" -type f \( -name '*.xml' -o -name '*.pdb' -o -name '*.dbg' \) -delete
  for dir in "$rid" linux unix; do
    if [ -d "$pub/runtimes/$dir" ]; then
      mkdir -p "$lib/runtimes"
      cp -a "$pub/runtimes/$dir" "$lib/runtimes/"
    fi
  done
  if [ "$form" = self-contained ]; then
    for f in "${UNUSED_RUNTIME[@]}"; do rm -f "$lib/$f"; done
  fi
  prune_native_variants "$lib"

  # /usr/bin/<app>: the native executable itself (a symlink; the apphost finds its files through /proc/self/exe),
  # or for the framework-dependent form the launcher script that execs dotnet.
  if [ "$form" = self-contained ]; then
    ln -s "../lib/$app/$app" "$stage/usr/bin/$app"
  else
    [ -f "$deb/$app.launcher" ] || die "$app has no launcher script ($deb/$app.launcher) for the framework-dependent form"
    install -m 0755 "$deb/$app.launcher" "$stage/usr/bin/$app"
  fi
  install -m 0644 "$ROOT/$unit" "$stage/lib/systemd/system/$app.service"
  if [ -f "$deb/60-$app.rules" ]; then
    mkdir -p "$stage/lib/udev/rules.d"
    install -m 0644 "$deb/60-$app.rules" "$stage/lib/udev/rules.d/60-$app.rules"
  fi
  install -m 0644 "$config" "$stage/etc/$app/$app.yaml"
  if [ "$types" != - ] && [ -d "$ROOT/$types" ] && compgen -G "$ROOT/$types/*.yaml" >/dev/null; then
    mkdir -p "$stage/etc/$app/types"
    install -m 0644 "$ROOT/$types"/*.yaml "$stage/etc/$app/types/"
  fi
  install -m 0644 "$deb/copyright" "$doc/copyright"
  install -m 0644 "$deb/README.Debian" "$doc/README.Debian"
  changelog "$app" "$deb" | gzip -9n > "$doc/changelog.Debian.gz"
  sed "s/@VERSION@/$VERSION/g" "$deb/$app.1" | gzip -9n > "$stage/usr/share/man/man1/$app.1.gz"
  install -m 0644 "$deb/lintian-overrides" "$stage/usr/share/lintian/overrides/$app"
  # Overrides for files of the self-contained form, each kept only when the package holds its file (an override
  # without its file would be an unused one).
  if [ "$form" = self-contained ] && [ -f "$deb/lintian-overrides.self-contained" ]; then
    local line path
    while IFS= read -r line; do
      path="$(printf '%s' "$line" | sed -n 's/.*\[\(.*\)\]$/\1/p')"
      if [ -z "$path" ] || [ -e "$stage/$path" ]; then printf '%s\n' "$line"; fi
    done < "$deb/lintian-overrides.self-contained" >> "$stage/usr/share/lintian/overrides/$app"
  fi

  # Normalise permissions: directories 0755, files 0644 (shared objects too), executables only where meant.
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f -exec chmod 0644 {} +
  if [ "$form" = self-contained ]; then chmod 0755 "$lib/$app"; else chmod 0755 "$stage/usr/bin/$app"; fi

  # Guard: every ELF object must be of this architecture (a stray foreign .so would break the package). Strip as
  # dh_strip does, and collect the shared libraries they need, as dpkg-shlibdeps would.
  local glibc="2.17" f desc need soname pkg
  local -A needs=()
  while IFS= read -r -d '' f; do
    desc="$(file -b "$f")"
    case "$desc" in ELF*) ;; *) continue ;; esac
    echo "$desc" | grep -Eq "$(elf_of "$arch")" || die "${f#"$stage"} is not a $arch object: $desc"
    "$(strip_tool "$arch")" --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
    # libc6's version: the highest GLIBC_ symbol version the objects need.
    need="$(readelf -V --wide "$f" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
    if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$glibc" "$need" | sort -V | tail -1)" = "$need" ]; then glibc="$need"; fi
    while read -r soname; do
      # Libraries of the package itself (librdkafka beside its wrapper, say) need no dependency.
      [ -n "$soname" ] && [ ! -e "$(dirname "$f")/$soname" ] && [ ! -e "$lib/$soname" ] || continue
      pkg="$(package_of_soname "$soname")" || die "${f#"$stage"} needs $soname: name its Debian package in build-deb.sh"
      [ "$pkg" = libc6 ] || needs["$pkg"]=1
    done < <(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  done < <(find "$lib" -type f -print0)
  # Loaded with dlopen, so no NEEDED entry names them: OpenSSL (TLS) for the runtime's crypto shim, a library of its
  # own in the self-contained form, linked into the executable by NativeAOT (which then names the sonames it tries).
  if [ -f "$lib/libSystem.Security.Cryptography.Native.OpenSsl.so" ] || { [ "$aot" = 1 ] && grep -qa 'libssl\.so\.3' "$lib/$app"; }; then
    unset 'needs[libssl3 | libssl3t64]'
    needs["libssl3 | libssl3t64 | libssl1.1"]=1
  fi
  local depends="libc6 (>= $glibc)"
  if [ "$form" = framework-dependent ]; then
    # The .NET runtime's own needs (libcoreclr and friends), which a framework-dependent package does not carry.
    needs["libgcc-s1"]=1; needs["libstdc++6"]=1; needs["zlib1g"]=1; needs["libssl3 | libssl3t64 | libssl1.1"]=1
  fi
  while IFS= read -r pkg; do
    [ -n "$pkg" ] && depends="$depends, $pkg"
  done < <(printf '%s\n' "${!needs[@]}" | LC_ALL=C sort)
  depends="$depends, adduser, init-system-helpers (>= 1.52)"

  # Maintainer scripts and metadata.
  local config_md5 script size
  config_md5="$(md5sum < "$config" | cut -d' ' -f1)"
  for script in postinst prerm postrm; do
    sed "s/@CONFIG_MD5@/$config_md5/g" "$deb/$script" > "$stage/DEBIAN/$script"
    chmod 0755 "$stage/DEBIAN/$script"
  done
  (cd "$stage" && find etc -type f | sort | sed 's:^:/:') > "$stage/DEBIAN/conffiles"
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's:^\./::' | LC_ALL=C sort | xargs -d '\n' md5sum) \
    > "$stage/DEBIAN/md5sums"
  size="$(du -k -s --apparent-size --exclude=DEBIAN "$stage" | cut -f1)"
  # Control fields that differ by form: the framework-dependent package needs a runtime installed beside it.
  local recommends="" runtime
  if [ "$aot" = 1 ]; then
    runtime=" .\n The program is compiled ahead of time to native code (NativeAOT): no .NET\n runtime is needed, nothing else needs to be installed."
  elif [ "$form" = self-contained ]; then
    runtime=" .\n The package carries its own .NET runtime (self-contained, trimmed): nothing\n else needs to be installed."
  else
    recommends="Recommends: aspnetcore-runtime-10.0\n"
    runtime=" .\n This build is framework-dependent: it needs the .NET 10 runtime, from\n Microsoft's aspnetcore-runtime-10.0 package where one exists, otherwise\n installed with dotnet-install.sh (see README.Debian)."
  fi
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
      -e "s/^@RECOMMENDS@$/$recommends/" -e "s/^@RUNTIME@$/$runtime/" "$deb/control.in" \
    | sed '/^$/d' > "$stage/DEBIAN/control"
  chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$OUT/${app}_${VERSION}_${arch}.deb" >/dev/null
  rm -rf "$stage"
  log "built $OUT/${app}_${VERSION}_${arch}.deb"
}

# A given publish folder is the node's (the packaging tests' synthetic publish).
if [ -n "$PUBLISH" ] && [ -z "$APPS_WANTED" ]; then APPS_WANTED=edgenode; fi

mkdir -p "$OUT"
for entry in "${APPS[@]}"; do
  IFS='|' read -r app project debdir unit config types arches trim <<< "$entry"
  if [ -n "$APPS_WANTED" ] && ! contains "$APPS_WANTED" "$app"; then continue; fi
  if [ ! -f "$ROOT/$project" ]; then
    log "skipping $app: $project does not exist"
    continue
  fi
  [ -d "$ROOT/$debdir" ] || die "$app: no Debian files in $debdir"
  # The configuration shipped as a conffile: the project's example, or the packaging's own while that is missing.
  if [ -f "$ROOT/$config" ]; then config="$ROOT/$config"; else
    log "$config not found: shipping $debdir/$app.yaml"; config="$ROOT/$debdir/$app.yaml"
  fi
  IFS=',' read -r -a arch_list <<< "${ARCHES:-$arches}"
  for arch in "${arch_list[@]}"; do
    contains "$arches" "$arch" || continue
    rm -f "$OUT/${app}"_*_"$arch".deb
  done
  for arch in "${arch_list[@]}"; do
    contains "$arches" "$arch" || continue
    if [ -n "$PUBLISH" ]; then
      pub="$PUBLISH"
    else
      # One publish per form: the framework-dependent one is RID-neutral.
      if self_contained_arch "$arch"; then pub="$ROOT/artifacts/publish/$app-$(rid_of "$arch")"; else pub="$ROOT/artifacts/publish/$app-fdd"; fi
      publish "$app" "$project" "$arch" "$pub" "$trim"
    fi
    assemble "$app" "$ROOT/$debdir" "$unit" "$config" "$types" "$arch" "$pub"
  done
done
